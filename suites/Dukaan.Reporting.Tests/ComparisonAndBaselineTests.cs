using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class ComparisonAndBaselineTests
{
    private static RunResults WithVerdicts(params (string Id, Verdict Verdict)[] changes)
    {
        var rules = FixtureResults.Rules().Select(r => changes.FirstOrDefault(c => c.Id == r.Id) is { Id: not null } c ? r with { Verdict = c.Verdict } : r).ToList();
        var anyFail = rules.Any(r => r.Verdict == Verdict.Fail);
        return FixtureResults.With(anyFail ? Outcome.NotCertified : Outcome.Certified, rules) with { ExitCode = anyFail ? 1 : 0 };
    }

    private static readonly HashSet<string> Known = [.. FixtureResults.Rules().Select(r => r.Id)];

    [Test]
    public void A_rule_that_passed_and_later_does_not_is_a_regression_and_a_fix_is_only_a_change()
    {
        var before = WithVerdicts(("DK-RUN-02", Verdict.Pass), ("DK-SEC-01", Verdict.Fail));
        var after = WithVerdicts(("DK-RUN-02", Verdict.Fail), ("DK-SEC-01", Verdict.Pass));
        var comparison = RunComparison.Build([new("before", before), new("after", after)]);
        Assert.That(comparison.Regressions.Select(r => r.RuleId), Is.EqualTo(new[] { "DK-RUN-02" }));
        Assert.That(comparison.Changes.Select(r => r.RuleId), Is.SupersetOf(new[] { "DK-RUN-02", "DK-SEC-01" }));
        Assert.That(RunComparison.Build([new("after", after), new("before", before)]).Regressions.Select(r => r.RuleId), Is.EqualTo(new[] { "DK-SEC-01" }));
    }

    [Test]
    public void A_pass_in_the_first_run_that_fails_two_runs_later_is_a_regression_even_if_the_middle_run_did_not_run_it()
    {
        var first = WithVerdicts(("DK-HB-01", Verdict.Pass));
        var middle = first with { Rules = [.. first.Rules.Where(r => r.Id != "DK-HB-01")] };
        var last = WithVerdicts(("DK-HB-01", Verdict.Warn));
        var row = RunComparison.Build([new("1", first), new("2", middle), new("3", last)]).Rows.Single(r => r.RuleId == "DK-HB-01");
        Assert.That(row.Verdicts, Is.EqualTo(new Verdict?[] { Verdict.Pass, null, Verdict.Warn }));
        Assert.That(row.Regressed, Is.True);
    }

    [Test]
    public void Compare_html_is_self_contained_and_escapes_labels()
    {
        var run = WithVerdicts();
        var html = ComparisonHtmlWriter.Render(RunComparison.Build([new("<script>alert(1)</script>", run), new("b", run)]));
        Assert.That(html, Does.Not.Contain("<script>alert(1)").And.Contain("&lt;script&gt;"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://").And.Contain("default-src 'none'"));
        Assert.That(ComparisonMarkdownWriter.Render(RunComparison.Build([new("a", run), new("b", run)])), Does.Contain("No regression"));
    }

    [Test]
    public void Baseline_accepts_listed_failures_and_fails_on_new_ones_with_a_paste_ready_entry()
    {
        var results = WithVerdicts(("DK-RUN-02", Verdict.Fail), ("DK-SEC-01", Verdict.Fail));
        var baseline = new Baseline([new("DK-RUN-02", "JIRA-1")]);
        var outcome = BaselineGate.Evaluate(results, baseline);
        Assert.That(outcome.UnexpectedFailures.Select(r => r.Id), Does.Contain("DK-SEC-01").And.Not.Contain("DK-RUN-02"));
        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.PasteSnippet, Does.Contain("\"rule\": \"DK-SEC-01\"").And.Contain("\"reason\": \"TODO"));
    }

    [Test]
    public void Baseline_that_covers_every_failure_passes_and_a_stale_entry_fails()
    {
        var results = WithVerdicts();
        var failing = results.Rules.Where(r => r.Verdict == Verdict.Fail).Select(r => new BaselineEntry(r.Id, "accepted")).ToList();
        var notExercisedMust = results.Rules.Where(r => r.Level == RuleLevel.Must && r.Verdict == Verdict.NotExercised).Select(r => new BaselineEntry(r.Id, "no trigger here"));
        var covered = new Baseline([.. failing, .. notExercisedMust]);
        Assert.That(BaselineGate.Evaluate(results with { ExitCode = 1 }, covered).ExitCode, Is.EqualTo(0));
        var passing = results.Rules.First(r => r.Verdict == Verdict.Pass).Id;
        var stale = BaselineGate.Evaluate(results with { ExitCode = 1 }, new Baseline([.. covered.Accepted, new(passing, "was broken")]));
        Assert.That(stale.ExitCode, Is.EqualTo(1));
        Assert.That(stale.StaleEntries.Select(e => e.Rule), Is.EqualTo(new[] { passing }));
        var text = new StringWriter();
        stale.Write(text);
        Assert.That(text.ToString(), Does.Contain($"{passing} now passes; remove it"));
    }

    [TestCase("{", "not valid JSON")]
    [TestCase("[]", "expected { \"accepted\"")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\"}]}", "$.accepted[0].reason is required")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"  \"}]}", "$.accepted[0].reason is required")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-XYZ-01\",\"reason\":\"x\"}]}", "\"DK-XYZ-01\" is not a rule ID")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"x\"},{\"rule\":\"DK-RUN-02\",\"reason\":\"y\"}]}", "listed twice")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"x\",\"why\":1}]}", "$.accepted[0].why is not a known key")]
    [TestCase("{\"accepted\":[],\"acepted\":[]}", "$.acepted is not a known key")]
    public void Baseline_load_errors_say_where_and_what(string json, string message)
    {
        var path = Path.Combine(Path.GetTempPath(), $"baseline-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var ex = Assert.Throws<BaselineFormatException>(() => Baseline.Load(path, Known));
            Assert.That(ex!.Message, Does.Contain(message));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Baseline_loads_a_valid_file_and_refuses_a_missing_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"baseline-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{ \"$schema\": \"x\", \"accepted\": [ { \"rule\": \"DK-SEC-05\", \"reason\": \"state store next sprint\" } ] }");
        try { Assert.That(Baseline.Load(path, Known).Accepted.Single(), Is.EqualTo(new BaselineEntry("DK-SEC-05", "state store next sprint"))); }
        finally { File.Delete(path); }
        Assert.That(() => Baseline.Load(path, Known), Throws.TypeOf<BaselineFormatException>().With.Message.Contains("does not exist"));
    }
}

public sealed class ActionDefinitionTests
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DukaanConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Test]
    public void Action_is_composite_and_every_input_it_uses_is_declared_and_every_declared_input_is_used()
    {
        var yaml = File.ReadAllText(Path.Combine(Root(), "action.yml"));
        Assert.That(yaml, Does.Contain("using: composite"));
        var declared = System.Text.RegularExpressions.Regex.Matches(yaml, @"^  ([a-z-]+):\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Where(n => yaml.IndexOf($"\n  {n}:", StringComparison.Ordinal) < yaml.IndexOf("\noutputs:", StringComparison.Ordinal)).ToHashSet();
        var used = System.Text.RegularExpressions.Regex.Matches(yaml, @"inputs\.([a-z-]+)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.That(declared, Is.Not.Empty);
        Assert.That(used.Except(declared), Is.Empty, "inputs used but not declared");
        Assert.That(declared.Except(used), Is.Empty, "inputs declared but never used");
        Assert.That(yaml, Does.Contain("upload-artifact").And.Contain("if: always()"));
    }
}
