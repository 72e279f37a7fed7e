using System.CommandLine;
using Dukaan.Conformance;
using Dukaan.Reporting;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Cli.Tests;

/// <summary>
/// `fleet-report` and `compare` on fleet folders through the real command line: the exit codes CI gates on and the
/// one-line refusals. (Rendering and merging in depth: suites/Dukaan.Reporting.Tests/Fleet and Cli/FleetCommandTests.)
/// </summary>
[NonParallelizable]
public sealed class FleetReportCommandTests
{
    private const string Digest = "9e107d9d372bb6826bd81d3542a419d6e5d1f0c2b1a3e4f5061728394a5b6c7d";
    private static readonly DateTimeOffset Started = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private string _dir = "";
    private string? _summary;

    [SetUp]
    public void MakeDir()
    {
        _dir = Directory.CreateTempSubdirectory("dukaan-cli-fleet-").FullName;
        _summary = Environment.GetEnvironmentVariable(GitHubStepSummary.EnvironmentVariable);
        Environment.SetEnvironmentVariable(GitHubStepSummary.EnvironmentVariable, null);
    }

    [TearDown]
    public void RemoveDir()
    {
        Environment.SetEnvironmentVariable(GitHubStepSummary.EnvironmentVariable, _summary);
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static RuleResult Rule(string id, Verdict verdict) =>
        new(id, RuleLevel.Must, "signatures", $"Rule {id}", "The agent does it.", "000 §2a", verdict,
            new Evidence("it", verdict == Verdict.Pass ? "it" : "not it", null, [], $"dukaan-conformance certify --rule {id}", []));

    private static RunResults Results(Verdict sig02)
    {
        List<RuleResult> rules = [Rule("DK-SIG-01", Verdict.Pass), Rule("DK-SIG-02", sig02)];
        var exit = sig02 == Verdict.Fail ? 1 : 0;
        return new RunResults(RunResults.CurrentSchemaVersion, "0.1.0", "2026-11", "agentdukaan",
            new TargetInfo("spawn", "node server.js", "node server.js", null, null, "/webhooks/agentdukaan", null),
            Started, 1_000, 7, false, null, exit == 0 ? Outcome.Certified : Outcome.NotCertified, exit, Summary.Of(rules), rules, [], []);
    }

    /// <summary>Shard <paramref name="index"/>/<paramref name="count"/> of a fleet whose agents' DK-SIG-02 verdicts are given, round robin.</summary>
    private string Fleet(string folder, Verdict[] sig02, int index = 1, int count = 1)
    {
        var dir = Path.Combine(_dir, folder);
        var roster = sig02.Select((_, i) => $"agent-{i}").ToList();
        var entries = new List<FleetAgentEntry>();
        for (var i = index - 1; i < sig02.Length; i += count)
        {
            var results = Results(sig02[i]);
            ReportSet.Write(results, Path.Combine(dir, "agents", roster[i]), []);
            entries.Add(new FleetAgentEntry(roster[i], "agentdukaan", $"agents/{roster[i]}", results.ExitCode, null));
        }
        FleetManifestFile.Write(new FleetManifest(FleetManifest.CurrentSchemaVersion, "0.1.0", "shops", "shops.yaml", Digest, roster,
            [new FleetShard(index, count)], Started, 60_000, entries), dir);
        return dir;
    }

    [Test]
    public async Task Fleet_report_exits_0_1_or_2_as_the_fleet_stands()
    {
        var (exit, output, err) = await RunAsync("fleet-report", Fleet("green", [Verdict.Pass, Verdict.Pass]));
        Assert.That(exit, Is.EqualTo(ExitCodes.Certified), err);
        Assert.That(output, Does.Contain("CERTIFIED: all 2 agents certified (exit 0)"));

        (exit, output, err) = await RunAsync("fleet-report", Fleet("red", [Verdict.Pass, Verdict.Fail]));
        Assert.That(exit, Is.EqualTo(ExitCodes.RuleFailed), err);
        Assert.That(output, Does.Contain("FAILED     agent-1  agentdukaan, exit 1: DK-SIG-02"));
        Assert.That(File.Exists(Path.Combine(_dir, "red", "index.html")) && File.Exists(Path.Combine(_dir, "red", "fleet.md")) && File.Exists(Path.Combine(_dir, "red", "junit.xml")), Is.True);

        var shard = Fleet("shard-1", [Verdict.Pass, Verdict.Pass, Verdict.Pass], 1, 2);
        (exit, _, err) = await RunAsync("fleet-report", shard, "--out", Path.Combine(_dir, "merged"));
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err.TrimEnd(), Is.EqualTo("error: shard 2/2 missing: agent agent-1 not certified; merge every shard's folder, or pass --allow-partial to accept a partial fleet."));
        (exit, _, err) = await RunAsync("fleet-report", shard, "--out", Path.Combine(_dir, "merged"), "--allow-partial");
        Assert.That(exit, Is.EqualTo(ExitCodes.Certified), err);
    }

    [Test]
    public async Task Fleet_report_merges_shards_and_refuses_them_twice()
    {
        Verdict[] verdicts = [Verdict.Pass, Verdict.Fail, Verdict.Pass];
        var one = Fleet("s1", verdicts, 1, 2);
        var two = Fleet("s2", verdicts, 2, 2);
        var (exit, output, err) = await RunAsync("fleet-report", one, two, "--out", Path.Combine(_dir, "all"));
        Assert.That(exit, Is.EqualTo(ExitCodes.RuleFailed), err);
        Assert.That(output, Does.Contain("agents: 2 certified · 1 failed · 0 no verdict · 0 not run"));
        Assert.That(FleetManifestFile.Load(Path.Combine(_dir, "all")).Shards.Select(s => s.Label), Is.EqualTo(new[] { "1/2", "2/2" }));

        (exit, _, err) = await RunAsync("fleet-report", one, one, "--out", Path.Combine(_dir, "twice"));
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err.TrimEnd(), Is.EqualTo($"error: {one} is given twice; give each shard folder once."));
    }

    [Test]
    public async Task Compare_of_two_fleets_exits_1_on_a_regression_and_refuses_a_single_run()
    {
        var old = Fleet("old", [Verdict.Pass, Verdict.Pass]);
        var @new = Fleet("new", [Verdict.Pass, Verdict.Fail]);
        var (exit, output, err) = await RunAsync("compare", old, @new);
        Assert.That(exit, Is.EqualTo(ExitCodes.RuleFailed), err);
        Assert.That(output.Split('\n'), Has.One.Contains("agent-1").And.Contains("DK-SIG-02").And.Contains("⬇ regressed"));
        Assert.That(output, Does.Contain("1 AGENT(S) REGRESSED: agent-1 (DK-SIG-02 pass → fail)"));

        (exit, output, _) = await RunAsync("compare", @new, old);
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("NO REGRESSION across 2 agents in both fleets · 1 changed"));

        var single = Path.Combine(old, "agents", "agent-0", "results.json");
        (exit, _, err) = await RunAsync("compare", old, single);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.StartWith($"error: {old} is a fleet folder but {single} is not (no fleet.json)"));
    }

    [Test]
    public async Task Fleet_report_without_a_folder_is_a_usage_error()
    {
        var (exit, _, err) = await RunAsync("fleet-report");
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.StartWith("error: ").And.Contain("Run with --help"));
        (exit, _, err) = await RunAsync("fleet-report", Path.Combine(_dir, "nowhere"));
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err.TrimEnd(), Is.EqualTo($"error: {Path.Combine(_dir, "nowhere")} does not exist; give a fleet folder written by `dukaan-conformance certify-fleet --out`."));
    }
}
