using Dukaan.Conformance;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>Which agents regressed after a change, per rule; what improved; who came and went.</summary>
public sealed class FleetComparisonTests
{
    private static FleetRun Old() => FleetFixtures.InMemory(
    [
        new("alpha", VerdictRuns.Passing()),
        new("beta", VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail))),
        new("gamma", VerdictRuns.Passing(("DK-ACK-02", Verdict.Warn))),
        new("delta", VerdictRuns.Passing()),
        new("moved", VerdictRuns.Passing()),
        new("gone", VerdictRuns.Passing()),
    ]);

    private static FleetRun New() => FleetFixtures.InMemory(
    [
        new("alpha", VerdictRuns.Passing(("DK-CFG-02", Verdict.Fail))),
        new("beta", VerdictRuns.Passing()),
        new("gamma", VerdictRuns.Passing(("DK-ACK-02", Verdict.HarnessError))),
        new("delta", VerdictRuns.Passing()),
        new("moved", VerdictRuns.Passing() with { Profile = "wakeel" }, Profile: "wakeel"),
        new("fresh", VerdictRuns.Passing(("DK-SIG-01", Verdict.Fail))),
    ]);

    [Test]
    public void A_pass_to_fail_is_reported_for_the_right_agent_and_rule()
    {
        var c = FleetComparison.Build(Old(), New(), "old", "new");
        Assert.That(c.Regressed.Select(a => a.Name), Is.EqualTo(new[] { "alpha", "gamma" }));
        Assert.That(c.RuleRegressions.Select(x => (x.Agent.Name, x.Rule.RuleId, x.Rule.From, x.Rule.To)), Is.EqualTo(new (string, string, Verdict?, Verdict?)[]
        {
            ("alpha", "DK-CFG-02", Verdict.Pass, Verdict.Fail),
            ("gamma", "DK-ACK-02", Verdict.Warn, Verdict.HarnessError),
        }));
        Assert.That(c.Regressed[0].StatusRegressed, Is.True, "alpha lost its certificate");
        Assert.That(c.Regressed[1].StatusRegressed, Is.True, "gamma's harness error leaves it without a verdict");
    }

    [Test]
    public void Improvements_and_roster_changes_are_listed()
    {
        var c = FleetComparison.Build(Old(), New(), "old", "new");
        Assert.That(c.RuleImprovements.Select(x => (x.Agent.Name, x.Rule.RuleId, x.Rule.From, x.Rule.To)), Is.EqualTo(new (string, string, Verdict?, Verdict?)[]
        {
            ("beta", "DK-SIG-05", Verdict.Fail, Verdict.Pass),
        }));
        Assert.That(c.Added.Select(a => a.Name), Is.EqualTo(new[] { "fresh" }));
        Assert.That(c.Removed.Select(a => a.Name), Is.EqualTo(new[] { "gone" }));
        Assert.That(c.ProfileChanged, Is.EqualTo(new[] { new FleetProfileChange("moved", "agentdukaan", "wakeel") }));
        Assert.That(c.Unchanged, Is.EqualTo(1), "delta");
        Assert.That(c.Changed.Select(a => a.Name), Is.EquivalentTo(new[] { "alpha", "beta", "gamma" }));
    }

    // from, to (null: not checked) → kind
    [TestCase(Verdict.Pass, Verdict.Fail, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Pass, Verdict.Warn, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Warn, Verdict.Fail, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Pass, Verdict.HarnessError, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Warn, Verdict.HarnessError, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Pass, Verdict.NotExercised, FleetChangeKind.Regressed)]
    [TestCase(Verdict.HarnessError, Verdict.Fail, FleetChangeKind.Regressed)]
    [TestCase(Verdict.Fail, Verdict.Warn, FleetChangeKind.Improved)]
    [TestCase(Verdict.NotExercised, Verdict.Pass, FleetChangeKind.Improved)]
    [TestCase(Verdict.Pass, Verdict.NotApplicable, FleetChangeKind.Changed)]
    [TestCase(null, Verdict.Fail, FleetChangeKind.Regressed)]
    [TestCase(null, Verdict.Pass, FleetChangeKind.Changed)]
    [TestCase(Verdict.Fail, null, FleetChangeKind.Changed)]
    public void The_order_of_verdicts(Verdict? from, Verdict? to, FleetChangeKind kind)
    {
        var rules = VerdictRuns.Passing().Rules;
        var rule = rules.First(r => r.Id == "DK-SIG-02");
        RunResults With(Verdict? v) => v is { } verdict
            ? VerdictRuns.Passing(("DK-SIG-02", verdict))
            : VerdictRuns.Passing().Without("DK-SIG-02");
        var c = FleetComparison.Build(FleetFixtures.InMemory([new("a", With(from), 0)]), FleetFixtures.InMemory([new("a", With(to), 0)]), "old", "new");
        Assert.That(c.Changed.Single().Rules.Single(), Is.EqualTo(new FleetRuleChange("DK-SIG-02", rule.Title, rule.Level, from, to, kind)));
    }

    [Test]
    public void An_agent_that_can_no_longer_be_certified_regressed_without_rules_to_compare()
    {
        var old = FleetFixtures.InMemory([new("a", VerdictRuns.Passing())]);
        var @new = FleetFixtures.InMemory([new("a", null, 2, "agent command not found")]);
        var c = FleetComparison.Build(old, @new, "old", "new");
        Assert.That(c.Regressed.Single().Rules, Is.Empty);
        Assert.That(FleetComparisonText.Describe(c.Regressed.Single()), Is.EqualTo("a (certified → no verdict)"));
    }

    [Test]
    public void The_page_and_the_markdown_lead_with_the_regressions_and_escape_names()
    {
        var old = FleetFixtures.InMemory([new("<b>x</b>", VerdictRuns.Passing()), new("ok", VerdictRuns.Passing())]);
        var @new = FleetFixtures.InMemory([new("<b>x</b>", VerdictRuns.Passing(("DK-SIG-03", Verdict.Fail))), new("ok", VerdictRuns.Passing())]);
        var c = FleetComparison.Build(old, @new, "old", "new");
        var html = FleetComparisonHtmlWriter.Render(c);
        Assert.That(html, Does.Contain("<h1 data-testid=\"compare-headline\">1 agent regressed</h1>"));
        Assert.That(html, Does.Contain("data-agent=\"&lt;b&gt;x&lt;/b&gt;\" data-rule=\"DK-SIG-03\" data-from=\"pass\" data-to=\"fail\""));
        Assert.That(html, Does.Not.Contain("<b>x</b>").And.Not.Contain("<script"));
        Assert.That(html.IndexOf("fleet-regressions", StringComparison.Ordinal), Is.LessThan(html.IndexOf("Improvements", StringComparison.Ordinal)));
        var md = FleetComparisonMarkdownWriter.Render(c);
        Assert.That(md, Does.Contain("❌ **1 agent regressed**"));
        Assert.That(md, Does.Contain("| &lt;b&gt;x&lt;/b&gt; | DK-SIG-03 Rejects a delivery without X-AgentDukaan-Sig | MUST | ✅ pass → **❌ fail** |"));
    }

    [Test]
    public void Links_from_compare_html_reach_the_new_fleet_s_agent_reports()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-fleet-cmp-").FullName;
        try
        {
            var oldDir = FleetFixtures.WriteWhole(Path.Combine(dir, "old"), [new("a b", VerdictRuns.Passing())]);
            var newDir = FleetFixtures.WriteWhole(Path.Combine(dir, "new"), [new("a b", VerdictRuns.Passing(("DK-SIG-03", Verdict.Fail)))]);
            var c = FleetComparison.Build(FleetRun.Load(oldDir), FleetRun.Load(newDir), oldDir, newDir);
            var html = FleetComparisonHtmlWriter.Render(c, Path.Combine(dir, "cmp"));
            Assert.That(html, Does.Contain("<a href=\"../new/agents/a%20b/index.html#rule-DK-SIG-03\">DK-SIG-03</a>"));
            Assert.That(File.Exists(Path.Combine(dir, "new", "agents", "a b", "index.html")), Is.True);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
