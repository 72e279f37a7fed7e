using System.CommandLine;
using Dukaan.Cli;
using Dukaan.Conformance;
using Dukaan.Reporting.Tests.Fleet;

namespace Dukaan.Reporting.Tests.Cli;

/// <summary>`fleet-report` and `compare` on fleet folders, in process through <see cref="CliApp"/>: exit codes, messages, files.</summary>
[NonParallelizable]
public sealed class FleetCommandTests
{
    private string _dir = "";
    private string? _summaryBefore;

    [SetUp]
    public void MakeDir()
    {
        _dir = Directory.CreateTempSubdirectory("dukaan-fleet-cli-").FullName;
        // A CI runner's own job summary must not receive the tests' fleets.
        _summaryBefore = Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", null);
    }

    [TearDown]
    public void RemoveDir()
    {
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", _summaryBefore);
        Directory.Delete(_dir, recursive: true);
    }

    private sealed record Run(int Exit, string Out, string Err);

    private static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return new Run(exit, output.ToString(), error.ToString());
    }

    private string In(params string[] parts) => Path.Combine([_dir, .. parts]);

    private static IReadOnlyList<FleetMember> Passing() =>
        [.. Enumerable.Range(0, 5).Select(i => new FleetMember($"agent-{i}", VerdictRuns.Passing()))];

    private string[] Shards(IReadOnlyList<FleetMember> members, int count, params int[] only) =>
        [.. Enumerable.Range(1, count).Where(i => only.Length == 0 || only.Contains(i)).Select(i => FleetFixtures.WriteShard(In($"shard-{i}"), members, i, count))];

    [Test]
    public async Task Merging_every_shard_of_a_certified_fleet_exits_0_and_prints_one_screen()
    {
        var run = await RunAsync(["fleet-report", .. Shards(Passing(), 3), "--out", In("fleet")]);
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(run.Err, Is.Empty);
        Assert.That(run.Out, Does.Contain($"merged 3 fleet folders into {In("fleet")}"));
        foreach (var file in new[] { "fleet.json", "index.html", "fleet.md", "junit.xml" })
            Assert.That(run.Out, Does.Contain($"wrote {In("fleet", file)}"));
        Assert.That(run.Out, Does.Contain("agents: 5 certified · 0 failed · 0 no verdict · 0 not run"));
        Assert.That(run.Out, Does.Contain("CERTIFIED: all 5 agents certified (exit 0)"));
    }

    [Test]
    public async Task A_failing_agent_makes_the_merge_exit_1_and_is_named_with_its_rule()
    {
        var members = FleetFixtures.Mixed();
        var run = await RunAsync(["fleet-report", .. Shards(members, 2), "--out", In("fleet")]);
        Assert.That(run.Exit, Is.EqualTo(1), run.Err);
        Assert.That(run.Out, Does.Contain("FAILED     shop-beta     agentdukaan, exit 1: DK-SIG-05"));
        Assert.That(run.Out, Does.Contain("NO VERDICT shop-delta    agentdukaan, exit 2: agent command not found"));
        Assert.That(run.Out, Does.Contain("NOT CERTIFIED: 2 of 6 agents failed a rule (exit 1)"));
    }

    [Test]
    public async Task A_missing_shard_is_exit_2_naming_its_agents_unless_partial_is_allowed()
    {
        var shards = Shards(Passing(), 3, 1, 3);
        var run = await RunAsync(["fleet-report", .. shards, "--out", In("fleet")]);
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err.TrimEnd(), Is.EqualTo("error: shard 2/3 missing: agents agent-1, agent-4 not certified; merge every shard's folder, or pass --allow-partial to accept a partial fleet."));
        Assert.That(run.Out, Does.Contain("NOT RUN    shard 2/3 missing: agents agent-1, agent-4 not certified"));

        run = await RunAsync(["fleet-report", .. shards, "--out", In("fleet"), "--allow-partial"]);
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(run.Err, Is.Empty);
        Assert.That(run.Out, Does.Contain("CERTIFIED (PARTIAL): every agent that ran is certified; 2 not run (--allow-partial) (exit 0)"));
        // Accepted as partial (a shard job's own folder is the usual case), the absent shards are one line, not every name.
        Assert.That(run.Out, Does.Contain("NOT HERE   2 agents of shards 2/3: merge every shard's folder with `dukaan-conformance fleet-report DIR…`"));
        Assert.That(run.Out, Does.Not.Contain("NOT RUN"));
        Assert.That(File.ReadAllText(In("fleet", "fleet.md")), Does.Contain("shard 2/3 missing: agents agent-1, agent-4 not certified"), "the report still lists them");
    }

    [Test]
    public async Task Shards_of_different_fleets_are_one_error_line_and_exit_2()
    {
        var one = FleetFixtures.WriteShard(In("a"), Passing(), 1, 2);
        var two = FleetFixtures.WriteShard(In("b"), Passing(), 2, 2, digest: "0000" + FleetFixtures.Digest[4..]);
        var run = await RunAsync("fleet-report", one, two, "--out", In("fleet"));
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.StartWith("error: ").And.Contain("the shards come from different fleet files"));
        Assert.That(run.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(Directory.Exists(In("fleet")), Is.False);
    }

    [Test]
    public async Task Bad_inputs_are_refused_with_one_line()
    {
        var shards = Shards(Passing(), 2);
        Directory.CreateDirectory(In("plain"));
        var cases = new (string[] Args, string Message)[]
        {
            (["fleet-report", In("plain")], $"error: {In("plain")} has no fleet.json: it is not a fleet folder"),
            (["fleet-report", .. shards], "error: merging 2 fleet folders needs --out OUT"),
            (["fleet-report", .. shards, "--out", shards[0]], $"error: --out {shards[0]} overlaps the input {shards[0]}"),
        };
        foreach (var (args, message) in cases)
        {
            var run = await RunAsync(args);
            Assert.That(run.Exit, Is.EqualTo(2), string.Join(' ', args));
            Assert.That(run.Err, Does.StartWith(message));
            Assert.That(run.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        }
        var none = await RunAsync("fleet-report");
        Assert.That(none.Exit, Is.EqualTo(2));
        Assert.That(none.Err, Does.StartWith("error: "));
    }

    [Test]
    public async Task A_whole_run_is_re_rendered_in_place_and_the_job_summary_gets_fleet_md()
    {
        var whole = FleetFixtures.WriteWhole(In("whole"), FleetFixtures.Mixed());
        var summary = In("step-summary.md");
        File.WriteAllText(summary, "earlier step\n");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        var run = await RunAsync("fleet-report", whole);
        Assert.That(run.Exit, Is.EqualTo(1));
        Assert.That(run.Out, Does.Not.Contain("merged"));
        Assert.That(run.Out, Does.Contain($"wrote {In("whole", "index.html")}").And.Contain($"appended the job summary to {summary}"));
        Assert.That(File.ReadAllText(summary), Does.StartWith("earlier step\n## ❌ 2 of 6 agents failed — fleet nightly"));
    }

    private (string Old, string New) Fleets()
    {
        var old = FleetFixtures.WriteWhole(In("old"), [new("alpha", VerdictRuns.Passing()), new("beta", VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail))), new("gone", VerdictRuns.Passing())]);
        var @new = FleetFixtures.WriteWhole(In("new"), [new("alpha", VerdictRuns.Passing(("DK-CFG-02", Verdict.Fail))), new("beta", VerdictRuns.Passing()), new("fresh", VerdictRuns.Passing())]);
        return (old, @new);
    }

    [Test]
    public async Task Compare_of_fleets_exits_1_naming_the_agent_and_rule_that_regressed()
    {
        var (old, @new) = Fleets();
        var run = await RunAsync("compare", old, @new, "--out", In("cmp"));
        Assert.That(run.Exit, Is.EqualTo(1), run.Err);
        var lines = run.Out.Split('\n');
        var regression = Array.FindIndex(lines, l => l.Contains("alpha") && l.Contains("DK-CFG-02") && l.Contains("pass") && l.Contains("fail") && l.Contains("⬇ regressed"));
        var improvement = Array.FindIndex(lines, l => l.Contains("beta") && l.Contains("DK-SIG-05") && l.Contains("⬆ improved"));
        Assert.That(regression, Is.GreaterThanOrEqualTo(0), run.Out);
        Assert.That(improvement, Is.GreaterThan(regression), "regressions first");
        Assert.That(run.Out, Does.Contain("added: fresh (certified)").And.Contain("removed: gone"));
        Assert.That(run.Out, Does.Contain("1 AGENT(S) REGRESSED: alpha (DK-CFG-02 pass → fail)"));
        Assert.That(File.ReadAllText(In("cmp", "compare.html")), Does.Contain("data-agent=\"alpha\" data-rule=\"DK-CFG-02\" data-from=\"pass\" data-to=\"fail\""));
        Assert.That(File.ReadAllText(In("cmp", "compare.md")), Does.Contain("| alpha | DK-CFG-02 Signs /config with a millisecond timestamp | MUST | ✅ pass → **❌ fail** |"));
    }

    [Test]
    public async Task Compare_of_fleets_without_regression_exits_0_and_markdown_goes_to_stdout_alone()
    {
        var (_, @new) = Fleets();
        var run = await RunAsync("compare", @new, @new, "--format", "markdown");
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(run.Out, Does.StartWith("## Fleet nightly — comparison\n\n✅ **No regression**"));
    }

    [Test]
    public async Task Compare_of_a_fleet_and_a_single_run_is_refused()
    {
        var (old, _) = Fleets();
        var single = VerdictRuns.Passing().Save(_dir, "single");
        foreach (var args in new[] { new[] { "compare", old, single }, ["compare", single, old] })
        {
            var run = await RunAsync(args);
            Assert.That(run.Exit, Is.EqualTo(2));
            Assert.That(run.Err.TrimEnd(), Is.EqualTo($"error: {old} is a fleet folder but {single} is not (no fleet.json): compare two fleet folders, or two single runs (a fleet agent's run is its agents/<name>/results.json)."));
        }
        var three = await RunAsync("compare", old, old, old);
        Assert.That(three.Exit, Is.EqualTo(2));
        Assert.That(three.Err, Does.StartWith("error: compare takes two fleet folders, oldest first (got 3 paths)"));
    }
}
