using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Dukaan.Conformance;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>The fleet's index.html, fleet.md and junit.xml, rendered from synthetic fleets.</summary>
public sealed partial class FleetReportWriterTests
{
    private const string HostileName = "<img src=x onerror=window.__pwned=9>\"shop'";
    private const string HostileTitle = "</th><script>window.__pwned=10</script>";

    private static FleetRun Mixed() => FleetFixtures.InMemory(FleetFixtures.Mixed());

    private sealed record Cell(string Agent, string Rule, string Verdict, string Href);

    [GeneratedRegex("<tr class=\"row--[a-z]+\" data-testid=\"matrix-row\" data-agent=\"(?<agent>[^\"]*)\"")]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td class=\"fcell\" data-rule=\"(?<rule>[^\"]*)\" data-verdict=\"(?<verdict>[^\"]*)\"><a class=\"v--(?<cls>[^\"]*)\" href=\"(?<href>[^\"]*)\"")]
    private static partial Regex CellPattern();

    /// <summary>Every matrix cell with the agent of its row, read from the page as a browser would get it.</summary>
    private static List<Cell> Cells(string html)
    {
        var cells = new List<Cell>();
        foreach (var row in html.Split("\n").Where(l => RowPattern().IsMatch(l)))
        {
            var agent = RowPattern().Match(row).Groups["agent"].Value;
            foreach (Match m in CellPattern().Matches(row))
            {
                Assert.That(m.Groups["cls"].Value, Is.EqualTo(m.Groups["verdict"].Value), "the badge is drawn in its verdict's colour");
                cells.Add(new Cell(agent, m.Groups["rule"].Value, m.Groups["verdict"].Value, m.Groups["href"].Value));
            }
        }
        return cells;
    }

    [Test]
    public void The_matrix_has_a_badge_linking_to_the_rule_anchor_for_every_agent_and_rule()
    {
        var run = Mixed();
        var cells = Cells(FleetHtmlWriter.Render(run));
        foreach (var agent in run.Agents.Where(a => a.Results is not null))
            foreach (var rule in agent.Results!.Rules)
                Assert.That(cells, Has.One.EqualTo(new Cell(agent.Name, rule.Id, VerdictInfo.Token(rule.Verdict), $"agents/{agent.Name}/index.html#rule-{rule.Id}")), $"{agent.Name} × {rule.Id}");
        Assert.That(cells, Has.Count.EqualTo(run.Agents.Sum(a => a.Results?.Rules.Count ?? 0)));
        Assert.That(cells.Where(c => c.Verdict == "fail").Select(c => (c.Agent, c.Rule)), Is.EquivalentTo(new[]
        {
            ("shop-beta", "DK-SIG-05"), ("shop-epsilon", "DK-CFG-02"), ("shop-epsilon", "DK-SEC-01"),
        }));
    }

    [Test]
    public void The_page_has_the_fleet_header_the_agents_and_the_agent_without_results()
    {
        var html = FleetHtmlWriter.Render(Mixed());
        Assert.That(html, Does.Contain("<h1 data-testid=\"fleet-headline\">2 of 6 agents failed</h1>"));
        Assert.That(html, Does.Contain("data-testid=\"fleet-banner\" data-exit=\"1\""));
        Assert.That(html, Does.Contain("<li class=\"count v--pass\" data-testid=\"count-certified\"><span class=\"count__n\">3</span> certified</li>"));
        Assert.That(html, Does.Contain("<dd class=\"mono\" data-testid=\"meta-fleet-file\">fleets/nightly.yaml</dd>"));
        Assert.That(html, Does.Contain("data-testid=\"meta-harness\">0.1.0</dd>"));
        Assert.That(html, Does.Contain("data-testid=\"meta-shards\">1/1</dd>"));
        Assert.That(html, Does.Contain("Rerun one agent (shop-beta)</dt><dd class=\"mono\" data-testid=\"meta-rerun\">dukaan-conformance certify-fleet fleets/nightly.yaml --agents shop-beta</dd>"));
        Assert.That(html, Does.Contain("data-agent=\"shop-delta\" data-status=\"harness-error\""));
        Assert.That(html, Does.Contain("data-testid=\"matrix-error\">agent command not found: ./start.sh (exit 127); fix &quot;command&quot; in the fleet file</td>"));
        Assert.That(html, Does.Contain("<a href=\"agents/shop-epsilon/index.html#rule-DK-CFG-02\" title=\"Signs /config with a millisecond timestamp\">DK-CFG-02</a>"), "a failing agent's row names its failing rules");
        var css = ReportAssets.Css + "\n" + ReportAssets.Load("Dukaan.Reporting.compare.css") + "\n" + ReportAssets.Load("Dukaan.Reporting.fleet.css");
        Assert.That(html, Does.Contain($"content=\"{Html.Escape(HtmlPage.ContentSecurityPolicy(css))}\"").And.Contain($"<style>{css}</style>"), "the inlined stylesheet is the one the CSP hash allows");
        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("http://").And.Not.Contain("https://"), "no script, no external asset");
    }

    [Test]
    public void Missing_shards_are_named_with_their_agents_in_the_page()
    {
        var members = FleetFixtures.Mixed();
        var ran = members.Where((_, i) => i % 3 != 1).ToList();
        var run = new FleetRun(FleetFixtures.Manifest(members, ran, new FleetShard(1, 3), new FleetShard(3, 3)), ran.Select(m => new FleetAgent(FleetFixtures.Entry(m), m.Results, m.Error)));
        var html = FleetHtmlWriter.Render(run);
        Assert.That(html, Does.Contain("<li data-testid=\"not-run-line\">shard 2/3 missing: agents shop-beta, shop-epsilon not certified</li>"));
        Assert.That(html, Does.Contain("data-agent=\"shop-beta\" data-status=\"not-run\""));
        Assert.That(html, Does.Contain("data-testid=\"agent-problem\">not run: shard 2/3 missing</td>"));
        Assert.That(html, Does.Contain("data-testid=\"meta-shards\">1/3, 3/3 (missing 2/3)</dd>"));
        Assert.That(html, Does.Contain("data-testid=\"meta-rerun\">dukaan-conformance certify-fleet fleets/nightly.yaml --agents shop-delta</dd>"), "the first agent that ran without a certificate");
    }

    [Test]
    public void Hostile_agent_names_and_rule_titles_stay_text()
    {
        var results = VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail));
        results = results with { Rules = [.. results.Rules.Select(r => r.Id == "DK-SIG-05" ? r with { Title = HostileTitle } : r)] };
        var run = FleetFixtures.InMemory([new(HostileName, results), new("ok", VerdictRuns.Passing(), Error: null), new("broken", null, 2, "<b>bad</b>")]);
        var html = FleetHtmlWriter.Render(run);
        Assert.That(html, Does.Not.Contain(HostileName).And.Not.Contain(HostileTitle).And.Not.Contain("<b>bad</b>"));
        Assert.That(html, Does.Contain("&lt;img src=x onerror=window.__pwned=9&gt;&quot;shop&#39;"));
        Assert.That(html, Does.Contain("&lt;/th&gt;&lt;script&gt;window.__pwned=10&lt;/script&gt;"));
        Assert.That(html, Does.Contain("href=\"agents/%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D9%3E%22shop%27/index.html#rule-DK-SIG-05\""), "the folder is percent-encoded in links");
        Assert.That(html, Does.Not.Contain("<script"));
    }

    [Test]
    public void Markdown_has_the_totals_the_failing_agents_and_a_matrix_per_profile()
    {
        var md = FleetMarkdownWriter.Render(Mixed());
        Assert.That(md, Does.StartWith("## ❌ 2 of 6 agents failed — fleet nightly\n"));
        Assert.That(md, Does.Contain("**Totals:** 6 agents — ✅ 3 certified · ❌ 2 failed · 💥 1 no verdict · ⏭️ 0 not run"));
        Assert.That(md, Does.Contain("- **shop-beta** (`agentdukaan`, exit 1): MUST DK-SIG-05 Rejects malformed signatures without crashing\n"));
        Assert.That(md, Does.Contain("- **shop-epsilon** (`agentdukaan`, exit 1): MUST DK-CFG-02 Signs /config with a millisecond timestamp, DK-SEC-01 Secrets never appear in the agent's stdout/stderr\n"));
        Assert.That(md, Does.Contain("- **shop-delta** (`agentdukaan`, exit 2): agent command not found"));
        Assert.That(md, Does.Contain("### AgentDukaan conformance (`agentdukaan`) — 6 agents × "));
        var header = md.Split('\n').Single(l => l.StartsWith("| agent | exit |", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("| DK-SIG-01 |").And.Contain("| DK-OPS-01 |"));
        Assert.That(md.Split('\n'), Has.One.StartWith("| shop-beta | ❌ 1 | ✅ |").And.Contains("❌"));
        Assert.That(md.Split('\n').Where(l => l.StartsWith("| shop-", StringComparison.Ordinal)), Has.Exactly(5).Items, "every agent with results is a row in a small fleet");
    }

    [Test]
    public void Markdown_of_a_500_agent_fleet_folds_the_all_pass_agents_and_stays_under_a_mebibyte()
    {
        var run = FleetFixtures.InMemory(FleetFixtures.Big(500, failEvery: 25));
        var md = FleetMarkdownWriter.Render(run);
        var bytes = Encoding.UTF8.GetByteCount(md);
        TestContext.Out.WriteLine($"fleet.md of 500 agents: {bytes} bytes");
        Assert.That(bytes, Is.LessThan(1024 * 1024));
        Assert.That(md.Split('\n').Count(l => l.StartsWith("| agent-", StringComparison.Ordinal)), Is.EqualTo(20), "only the 20 failing agents are matrix rows");
        Assert.That(md, Does.Contain("_480 agents where every rule passed folded: agent-001, agent-002,"));
        Assert.That(md, Does.Contain("### ❌ Failing agents (20)"));
    }

    [Test]
    public void Markdown_of_a_fleet_where_every_agent_fails_is_still_bounded()
    {
        // Every agent failing, with long names: nothing folds, so the byte bound must cut it.
        var failing = VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail), ("DK-ACK-02", Verdict.Warn)) with { Scenarios = [] };
        var members = Enumerable.Range(0, 5000).Select(i => new FleetMember($"agent-{i:0000}-{new string('x', 60)}", failing)).ToList();
        var md = FleetMarkdownWriter.Render(FleetFixtures.InMemory(members));
        Assert.That(Encoding.UTF8.GetByteCount(md), Is.LessThanOrEqualTo(FleetMarkdownWriter.MaxBytes));
        Assert.That(md, Does.EndWith("…fleet summary cut to stay within GitHub's step-summary limit; see index.html for everything.\n"));
    }

    [Test]
    public void Markdown_escapes_hostile_names()
    {
        var md = FleetMarkdownWriter.Render(FleetFixtures.InMemory([new("@team|#1 <b>", VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail)))]));
        Assert.That(md, Does.Contain("\\@team\\|\\#1 &lt;b&gt;").And.Not.Contain("<b>").And.Not.Contain("@team|"));
    }

    private static List<string> ValidateJUnit(string xml)
    {
        var set = new XmlSchemaSet();
        set.Add(null, Path.Combine(TestContext.CurrentContext.TestDirectory, "Schemas", "JUnit.xsd"));
        set.Compile();
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read()) { }
        return errors;
    }

    [Test]
    public void JUnit_has_one_testsuite_per_agent_with_counts_that_match()
    {
        var members = FleetFixtures.Mixed();
        var ran = members.Where((_, i) => i % 3 != 2).ToList();
        var run = new FleetRun(FleetFixtures.Manifest(members, ran, new FleetShard(1, 3), new FleetShard(2, 3)), ran.Select(m => new FleetAgent(FleetFixtures.Entry(m), m.Results, m.Error)));
        var xml = FleetJUnitWriter.Render(run);
        Assert.That(ValidateJUnit(xml), Is.Empty);
        var doc = XDocument.Parse(xml);
        var suites = doc.Root!.Elements("testsuite").ToList();
        Assert.That(suites.Select(s => (string)s.Attribute("name")!), Is.EqualTo(members.Select(m => m.Name)), "one per roster agent, in roster order");

        var alpha = suites.Single(s => (string)s.Attribute("name")! == "shop-alpha");
        var alphaRules = members[0].Results!.Rules;
        Assert.That(alpha.Elements("testcase").Count(), Is.EqualTo(alphaRules.Count));
        Assert.That(alpha.Elements("testcase").Select(c => (string)c.Attribute("classname")!), Is.All.EqualTo("shop-alpha"));
        Assert.That(alpha.Descendants("property").Single(p => (string)p.Attribute("name")! == "dukaan.profile").Attribute("value")!.Value, Is.EqualTo("agentdukaan"));
        Assert.That(alpha.Elements("testcase").Select(c => (string)c.Attribute("name")!), Has.Member("DK-SIG-05 Rejects malformed signatures without crashing"));

        var epsilon = suites.Single(s => (string)s.Attribute("name")! == "shop-epsilon");
        Assert.That((int)epsilon.Attribute("failures")!, Is.EqualTo(2));
        Assert.That(epsilon.Elements("testcase").Count(c => c.Element("failure") is not null), Is.EqualTo(2));

        var delta = suites.Single(s => (string)s.Attribute("name")! == "shop-delta");
        Assert.That((int)delta.Attribute("errors")!, Is.EqualTo(1));
        Assert.That(delta.Element("testcase")!.Element("error")!.Attribute("message")!.Value, Does.StartWith("agent command not found"));

        var gamma = suites.Single(s => (string)s.Attribute("name")! == "shop-gamma");
        Assert.That(gamma.Element("testcase")!.Element("skipped")!.Attribute("message")!.Value, Is.EqualTo("not run: shard 3/3 missing"));

        foreach (var suite in suites)
        {
            var cases = suite.Elements("testcase").ToList();
            Assert.That((int)suite.Attribute("tests")!, Is.EqualTo(cases.Count), (string)suite.Attribute("name")!);
            Assert.That((int)suite.Attribute("failures")!, Is.EqualTo(cases.Count(c => c.Element("failure") is not null)));
            Assert.That((int)suite.Attribute("errors")!, Is.EqualTo(cases.Count(c => c.Element("error") is not null)));
            Assert.That((int)suite.Attribute("skipped")!, Is.EqualTo(cases.Count(c => c.Element("skipped") is not null)));
        }
        var all = doc.Descendants("testcase").ToList();
        Assert.That((int)doc.Root!.Attribute("tests")!, Is.EqualTo(all.Count));
        Assert.That((int)doc.Root!.Attribute("failures")!, Is.EqualTo(all.Count(c => c.Element("failure") is not null)));
        Assert.That((int)doc.Root!.Attribute("errors")!, Is.EqualTo(all.Count(c => c.Element("error") is not null)));
    }

    [Test]
    public void An_interrupted_agent_keeps_its_rules_and_gets_an_error_case()
    {
        var interrupted = VerdictRuns.Passing(("DK-RUN-01", Verdict.NotExercised)) with { Outcome = Outcome.Interrupted };
        var run = FleetFixtures.InMemory([new("cut", interrupted, 130)]);
        var suite = XDocument.Parse(FleetJUnitWriter.Render(run)).Root!.Element("testsuite")!;
        Assert.That(suite.Elements("testcase").First().Attribute("name")!.Value, Is.EqualTo(FleetJUnitWriter.CertificationCase));
        Assert.That(suite.Elements("testcase").First().Element("error")!.Attribute("type")!.Value, Is.EqualTo("exit-130"));
        Assert.That((int)suite.Attribute("tests")!, Is.EqualTo(interrupted.Rules.Count + 1));
        Assert.That(ValidateJUnit(FleetJUnitWriter.Render(run)), Is.Empty);
    }

    [Test]
    public void The_single_run_junit_is_unchanged_by_the_shared_suite_writer()
    {
        var doc = XDocument.Parse(JUnitWriter.Render(FixtureResults.Failing()));
        var suite = doc.Root!.Element("testsuite")!;
        Assert.That(suite.Attribute("name")!.Value, Is.EqualTo("AgentDukaan conformance (agentdukaan)"));
        Assert.That(suite.Attribute("id")!.Value, Is.EqualTo("0"));
        Assert.That(suite.Elements("testcase").Select(c => c.Attribute("classname")!.Value).Distinct(), Has.Member("signatures").And.Member("credentials"));
        Assert.That(suite.Element("properties")!.Elements("property").First().Attribute("name")!.Value, Is.EqualTo("dukaan.outcome"));
    }

    [Test]
    public void The_terminal_summary_fits_a_screen_for_a_big_fleet()
    {
        var text = FleetSummaryText.Render(FleetFixtures.InMemory(FleetFixtures.Big(500, failEvery: 5)));
        var lines = text.TrimEnd().Split('\n');
        Assert.That(lines.Length, Is.LessThanOrEqualTo(30), text);
        Assert.That(text, Does.Contain("agents: 400 certified · 100 failed · 0 no verdict · 0 not run"));
        Assert.That(text, Does.Contain("FAILED     agent-000  agentdukaan, exit 1: DK-SIG-05"));
        Assert.That(text, Does.Contain("… and 85 more failing agents (see index.html)"));
        Assert.That(lines[^2], Is.EqualTo("NOT CERTIFIED: 100 of 500 agents failed a rule (exit 1)"));
    }

    [Test]
    public void The_rerun_command_is_the_manifest_s_or_certify_fleet_for_that_agent()
    {
        var members = FleetFixtures.Mixed();
        var entries = members.Select(FleetFixtures.Entry).Select(e => e.Name == "shop-beta" ? e with { RerunCommand = "dukaan-conformance certify-fleet f.json --agents shop-beta --seed 9" } : e).ToList();
        var manifest = FleetFixtures.Manifest(members, members) with { Agents = entries, FleetFile = "my fleets/f.json" };
        var run = new FleetRun(manifest, members.Select((m, i) => new FleetAgent(entries[i], m.Results, m.Error)));
        Assert.That(FleetText.Rerun(run, "shop-beta"), Is.EqualTo("dukaan-conformance certify-fleet f.json --agents shop-beta --seed 9"));
        Assert.That(FleetText.Rerun(run, "shop-delta"), Is.EqualTo("dukaan-conformance certify-fleet 'my fleets/f.json' --agents shop-delta"));
        Assert.That(FleetHtmlWriter.Render(run), Does.Contain("data-testid=\"agent-rerun\">dukaan-conformance certify-fleet f.json --agents shop-beta --seed 9</code>"));
    }

    [Test]
    public void The_terminal_summary_does_not_pass_escape_sequences_on()
    {
        var run = FleetFixtures.InMemory([new("evil\u001b]0;owned\u0007\u001b[2J", VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail))), new("x", null, 2, "line one\nline two\u001b[31m")]);
        var text = FleetSummaryText.Render(run);
        // Ordinal: a culture-aware search ignores control characters and would find ESC anywhere.
        Assert.That(text.Where(c => char.IsControl(c) && c != '\n'), Is.Empty);
        Assert.That(text, Does.Contain("FAILED     evil?]0;owned??[2J").And.Contain("line one line two?[31m"));
    }

    [Test]
    public void Write_puts_the_three_reports_in_the_fleet_folder()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-fleet-write-").FullName;
        try
        {
            var written = FleetReportWriter.Write(Mixed(), dir);
            Assert.That(written.All.Select(Path.GetFileName), Is.EqualTo(new[] { "index.html", "fleet.md", "junit.xml" }));
            Assert.That(written.All.Select(File.Exists), Is.All.True);
            Assert.That(Directory.GetFiles(dir, "*.tmp"), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
