using System.CommandLine;
using Dukaan.Cli;
using Dukaan.Conformance;
using static Dukaan.Reporting.Tests.VerdictRuns;

namespace Dukaan.Reporting.Tests.Cli;

/// <summary>`report` and `compare` run in process through <see cref="CliApp"/>, parse errors and exit codes included.</summary>
public sealed class ReportAndCompareCommandTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-cli-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private sealed record Run(int Exit, string Out, string Err);

    private static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return new Run(exit, output.ToString(), error.ToString());
    }

    private string WriteText(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public async Task Report_renders_every_file_into_out()
    {
        var results = FixtureResults.Failing().Save(_dir, "run");
        var outDir = Path.Combine(_dir, "again");
        var run = await RunAsync("report", results, "--out", outDir);
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(Directory.GetFiles(outDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "results.json", "index.html", "junit.xml", "summary.md" }));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "index.html")), Does.Contain("<h1 data-testid=\"banner-verdict\">Not certified</h1>"));
        Assert.That(ResultsFile.Load(Path.Combine(outDir, "results.json")).Rules, Has.Count.EqualTo(FixtureResults.Failing().Rules.Count));
        Assert.That(run.Out, Does.Contain($"wrote {Path.Combine(outDir, "index.html")}"));
    }

    [Test]
    public async Task Report_writes_beside_the_results_by_default_and_takes_the_folder_too()
    {
        var results = Passing().Save(_dir, "run");
        Assert.That((await RunAsync("report", results)).Exit, Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(_dir, "run", "index.html")), Is.True);
        File.Delete(Path.Combine(_dir, "run", "junit.xml"));
        Assert.That((await RunAsync("report", Path.Combine(_dir, "run"))).Exit, Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(_dir, "run", "junit.xml")), Is.True);
    }

    [TestCase(null, "does not exist; give a results.json written by `dukaan-conformance certify`")]
    [TestCase("this is not json", "is not valid results JSON")]
    [TestCase("{\"schemaVersion\": 99}", "has schemaVersion 99; this harness reads version 1")]
    [TestCase("{\"hello\": 1}", "has no numeric \"schemaVersion\"")]
    [TestCase("{\"schemaVersion\": 1}", "is not a complete results.json")]
    [TestCase("{\"schemaVersion\": 1e40}", "is not a results.json this harness can read")]
    public async Task Report_refuses_bad_input_with_one_line_and_exit_2(string? content, string message)
    {
        var path = content is null ? Path.Combine(_dir, "missing.json") : WriteText("results.json", content);
        var run = await RunAsync("report", path, "--out", Path.Combine(_dir, "out"));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.StartWith("error: ").And.Contain(message));
        Assert.That(run.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(Directory.Exists(Path.Combine(_dir, "out")), Is.False, "nothing written");
    }

    [Test]
    public async Task Report_with_a_rule_missing_its_evidence_is_refused_not_crashed()
    {
        var json = ResultsJson.Serialize(Passing()).Replace("\"evidence\": {", "\"evidence\": null, \"was\": {", StringComparison.Ordinal);
        var run = await RunAsync("report", WriteText("results.json", json));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain("is not a complete results.json (at $.rules"));
    }

    [Test]
    public async Task Report_into_a_folder_that_cannot_be_made_is_exit_2()
    {
        var results = Passing().Save(_dir, "run");
        var blocker = WriteText("a-file", "");
        var run = await RunAsync("report", results, "--out", Path.Combine(blocker, "sub"));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.StartWith("error: cannot write the reports to"));
    }

    [Test]
    public async Task Compare_exits_1_on_a_regression_and_writes_html_and_markdown()
    {
        var old = Passing().Save(_dir, "old");
        var @new = Passing(("DK-RUN-02", Verdict.Fail)).Save(_dir, "new");
        var outDir = Path.Combine(_dir, "cmp");
        var run = await RunAsync("compare", old, @new, "--out", outDir);
        Assert.That(run.Exit, Is.EqualTo(1), run.Err);
        Assert.That(run.Out, Does.Contain("DK-RUN-02 ⬇ regressed").And.Contain("1 REGRESSION(S)"));
        Assert.That(run.Out, Does.Contain("#1 pass → #2 fail"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "compare.html")), Does.Contain("data-testid=\"compare-row-DK-RUN-02\" data-changed=\"true\" data-regressed=\"true\""));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "compare.md")), Does.Contain("**1 regression**"));
        Assert.That(Directory.GetFiles(outDir, "*.tmp"), Is.Empty);
    }

    [Test]
    public async Task Compare_keeps_each_row_on_one_line_when_the_output_is_not_a_terminal()
    {
        // A captured writer is what a CI log is: Spectre must not fold the matrix at 80 columns there.
        var runs = new[] { Verdict.Pass, Verdict.Fail, Verdict.Pass, Verdict.Fail }
            .Select((v, i) => Passing(("DK-RUN-02", v)).Save(_dir, $"run-{i + 1}")).ToArray();
        var run = await RunAsync(["compare", .. runs]);
        Assert.That(run.Exit, Is.EqualTo(1), run.Err);
        Assert.That(run.Out.Split('\n'), Has.One.Contains("DK-RUN-02 ⬇ regressed").And.Contains("#1 pass → #2 fail, #2 fail → #3 pass, #3 pass → #4 fail"), run.Out);
        foreach (var (path, i) in runs.Select((p, i) => (p, i)))
            Assert.That(run.Out.Split('\n'), Has.One.StartWith($"#{i + 1} ").And.Contains(path), run.Out);
    }

    [Test]
    public async Task Compare_exits_0_when_a_failure_is_fixed()
    {
        var run = await RunAsync("compare", Passing(("DK-RUN-02", Verdict.Fail)).Save(_dir, "old"), Passing().Save(_dir, "new"));
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(run.Out, Does.Contain("DK-RUN-02 ↔ changed").And.Contain("NO REGRESSION"));
    }

    [Test]
    public async Task Compare_checks_first_against_last_across_three_runs()
    {
        var run = await RunAsync("compare", Passing().Save(_dir, "1"), Passing().Without("DK-SEC-02").Save(_dir, "2"),
            Passing(("DK-SEC-02", Verdict.Fail)).Save(_dir, "3"));
        Assert.That(run.Exit, Is.EqualTo(1));
    }

    [Test]
    public async Task Compare_markdown_goes_to_stdout_alone_so_it_can_be_appended_to_a_job_summary()
    {
        var run = await RunAsync("compare", Passing().Save(_dir, "a"), Passing().Save(_dir, "b"), "--format", "markdown", "--out", Path.Combine(_dir, "cmp"));
        Assert.That(run.Exit, Is.EqualTo(0));
        Assert.That(run.Out, Does.StartWith("## AgentDukaan conformance — comparison").And.Not.Contain("wrote "));
        Assert.That(run.Err, Does.Contain("wrote ").And.Contain("compare.md"));
    }

    [Test]
    public async Task Compare_html_format_prints_the_page()
    {
        var run = await RunAsync("compare", Passing().Save(_dir, "a"), Passing().Save(_dir, "b"), "--format", "html");
        Assert.That(run.Out, Does.StartWith("<!doctype html>").And.Contain("No regression"));
    }

    [Test]
    public async Task Compare_needs_two_runs()
    {
        var run = await RunAsync("compare", Passing().Save(_dir, "a"));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain("compare needs at least two results.json files, oldest first (got 1)"));
    }

    [Test]
    public async Task Compare_names_every_bad_file_and_exits_2()
    {
        var good = Passing().Save(_dir, "a");
        var run = await RunAsync("compare", good, Path.Combine(_dir, "gone.json"), WriteText("v2.json", "{\"schemaVersion\": 2}"));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain("gone.json does not exist").And.Contain("v2.json has schemaVersion 2"));
        Assert.That(run.Out, Is.Empty, "no half comparison");
    }

    [Test]
    public async Task An_unknown_format_is_a_parse_error_with_exit_2()
    {
        var run = await RunAsync("compare", Passing().Save(_dir, "a"), Passing().Save(_dir, "b"), "--format", "xml");
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain("xml").And.Contain("Run with --help"));
    }
}
