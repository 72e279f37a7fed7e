using System.Diagnostics;
using Dukaan.Cli.Fleet;
using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Profiles.AgentDoor;
using Dukaan.Conformance.Profiles.AgentDoorSender;
using Dukaan.Conformance.Profiles.AgentDukaanPlatform;
using Dukaan.Conformance.Profiles.Wakeel;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// certify-fleet end to end, through the real CLI and real agent processes: the fixture fleet (fixtures/fleets/fixtures.json,
/// every profile, compliant and broken) certified in one command and as three shards merged by fleet-report gives the
/// same verdicts agent for agent and rule for rule, and each agent exactly its verdict table's row for the rules it selects.
/// </summary>
// Alone: certify-fleet runs two certifications at a time itself. Beside the suite's three other slots that would make
// four or five at once on two cores, where the other tables' timing rules (the 2 s ACK) have been seen to flake.
// suites/test.sh runs it in a dotnet test of its own, after the lighter projects, so its minute is not added to the
// end-to-end project's wall time; in a plain `dotnet test` of this project it runs alone.
[TestFixture, NonParallelizable]
public sealed class FleetTests
{
    private static string FleetFile => Path.Combine(Repo.Root, "fixtures", "fleets", "fixtures.json");

    /// <summary>The agent's verdict table row (by profile and AGENT_BREAK), cut to the rules it selects: what it must show.</summary>
    private static Dictionary<string, Verdict> Expected(FleetFileAgent agent, FleetFile fleet)
    {
        var settings = agent.Settings.Over(fleet.Defaults);
        var breakName = settings.Env.GetValueOrDefault("AGENT_BREAK", "");
        var row = (settings.Profile ?? ProfileRegistry.DefaultId) switch
        {
            "agentdukaan" => VerdictTableTests.CSharpTable[breakName].Verdicts,
            WakeelProfile.Id => WakeelVerdictTableTests.Table[breakName].Verdicts,
            AgentDoorProfile.Id => AgentDoorVerdictTableTests.Table[breakName].Verdicts,
            AgentDoorSenderProfile.Id => AgentDoorSenderVerdictTableTests.Table[breakName].Verdicts,
            PlatformProfile.Id when breakName.Length == 0 => [],
            var other => throw new InvalidOperationException($"no verdict table for {other} {breakName}"),
        };
        var selected = Selected(agent, fleet);
        return row.Where(v => selected.Contains(v.Key)).ToDictionary();
    }

    private static HashSet<string> Selected(FleetFileAgent agent, FleetFile fleet)
    {
        var settings = agent.Settings.Over(fleet.Defaults);
        return [.. ProfileRegistry.Get(settings.Profile).Rules.Select(settings.Rules).Select(r => r.Id)];
    }

    [Test]
    public async Task One_run_and_three_merged_shards_give_the_same_verdicts_each_the_agents_table_row()
    {
        var fleet = FleetFileLoader.Load(FleetFile);
        var root = Directory.CreateTempSubdirectory("dukaan-e2e-fleet-").FullName;
        var clock = Stopwatch.StartNew();

        var whole = await CliProcess.RunAsync(["certify-fleet", FleetFile, "--parallel", "2", "--out", Path.Combine(root, "whole")], TimeSpan.FromMinutes(3));
        var wholeTime = clock.Elapsed;
        var shardDirs = new List<string>();
        var shardRuns = new List<(int Exit, string Output)>();
        for (var i = 1; i <= 3; i++)
        {
            var dir = Path.Combine(root, $"shard-{i}");
            shardDirs.Add(dir);
            shardRuns.Add(await CliProcess.RunAsync(["certify-fleet", FleetFile, "--shard", $"{i}/3", "--parallel", "2", "--out", dir], TimeSpan.FromMinutes(2)));
        }
        var merge = await CliProcess.RunAsync(["fleet-report", .. shardDirs, "--out", Path.Combine(root, "merged")], TimeSpan.FromMinutes(1));
        TestContext.Out.WriteLine($"whole run {wholeTime.TotalSeconds:0.0} s; three shards and the merge {(clock.Elapsed - wholeTime).TotalSeconds:0.0} s");

        var one = FleetRun.Load(Path.Combine(root, "whole"));
        var merged = FleetRun.Load(Path.Combine(root, "merged"));
        string Describe() => $"--- whole (exit {whole.Exit}) ---\n{whole.Output}\n--- shards ---\n{string.Join("\n", shardRuns.Select(r => $"exit {r.Exit}\n{r.Output}"))}\n--- merge (exit {merge.Exit}) ---\n{merge.Output}";

        Assert.Multiple(() =>
        {
            // Broken agents are in the fleet: exit 1, whole or merged.
            Assert.That(whole.Exit, Is.EqualTo(1), Describe());
            Assert.That(merge.Exit, Is.EqualTo(1), Describe());
            Assert.That(one.ExitCode, Is.EqualTo(1));
            Assert.That(merged.ExitCode, Is.EqualTo(one.ExitCode));
            // Each shard holds agents 1, 4, 7… of its own, and a broken one (the fixture fleet is ordered so).
            Assert.That(shardRuns.Select(r => r.Exit), Is.EqualTo(new[] { 1, 1, 1 }), Describe());
            for (var i = 0; i < 3; i++)
                Assert.That(FleetManifestFile.Load(shardDirs[i]).Agents.Select(a => a.Name),
                    Is.EqualTo(fleet.Agents.Where(a => a.Position % 3 == i).Select(a => a.Name)), $"shard {i + 1}/3");
            Assert.That(one.Agents.Select(a => a.Name), Is.EqualTo(fleet.Agents.Select(a => a.Name)), Describe());
            Assert.That(merged.Agents.Select(a => a.Name), Is.EqualTo(fleet.Agents.Select(a => a.Name)), Describe());
            Assert.That(merged.Manifest.FleetDigest, Is.EqualTo(one.Manifest.FleetDigest));
            Assert.That(merged.NotRun, Is.Empty);

            foreach (var agent in fleet.Agents)
            {
                var a = one.Agents.Single(x => x.Name == agent.Name);
                var b = merged.Agents.Single(x => x.Name == agent.Name);
                var expected = Expected(agent, fleet);
                Assert.That(a.Results, Is.Not.Null, $"{agent.Name}: {a.Problem}\n{Describe()}");
                Assert.That(b.Results, Is.Not.Null, $"{agent.Name}: {b.Problem}\n{Describe()}");
                if (a.Results is null || b.Results is null) continue;
                Assert.That(a.Results.Rules.Select(r => r.Id), Is.EquivalentTo(Selected(agent, fleet)), $"{agent.Name} ran exactly the rules it selects");
                Assert.That(NonPassing(a.Results), Is.EquivalentTo(expected), $"{agent.Name} (whole run): its table row\n{Observed(a.Results)}");
                Assert.That(a.ExitCode, Is.EqualTo(expected.ContainsValue(Verdict.Fail) ? 1 : 0), $"{agent.Name} exit");
                Assert.That(b.Results.Rules.ToDictionary(r => r.Id, r => r.Verdict), Is.EquivalentTo(a.Results.Rules.ToDictionary(r => r.Id, r => r.Verdict)),
                    $"{agent.Name}: the merged shards give the whole run's verdicts");
                Assert.That((b.ExitCode, b.Profile), Is.EqualTo((a.ExitCode, a.Profile)), agent.Name);
            }
            Assert.That(one.Agents.Where(x => x.Status == FleetAgentStatus.Failed).Count(), Is.GreaterThanOrEqualTo(5), "the fleet holds broken agents");
            Assert.That(one.Agents.Where(x => x.Status == FleetAgentStatus.Certified).Count(), Is.GreaterThanOrEqualTo(5), "and compliant ones");
        });
        TestContext.Out.WriteLine(whole.Output);
        Directory.Delete(root, recursive: true);
    }

    [Test]
    public async Task Sigterm_stops_starting_agents_interrupts_the_running_ones_and_writes_fleet_json_for_them()
    {
        await Repo.EnsureBuiltAsync();
        var outDir = Directory.CreateTempSubdirectory("dukaan-e2e-fleet-int-").FullName;
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        // As InterruptTests: a background job inherits SIGINT ignored; the CLI gets the default dispositions back.
        foreach (var a in new[] { "--default-signal=INT,TERM", "dotnet", Repo.CliDll, "certify-fleet", FleetFile, "--parallel", "2", "--out", outDir }) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("GITHUB_ACTIONS");
        info.Environment.Remove("GITHUB_STEP_SUMMARY");
        // Agents inherit the CLI's environment: the token finds any agent process that outlives the run.
        var token = Guid.NewGuid().ToString("N");
        info.Environment["DUKAAN_TEST_TOKEN"] = token;
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var secondStarted = new TaskCompletionSource();
        var starts = 0;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains(" started ", StringComparison.Ordinal) && Interlocked.Increment(ref starts) == 2) secondStarted.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // Let both agents get under way, so the signal lands in the middle of their runs.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.That(InterruptTests.AgentProcessesWith(token).Where(pid => pid != process.Id), Is.Not.Empty, "agents should be running before the signal");
            using (var kill = Process.Start("kill", ["-15", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        string Output() { lock (output) return output.ToString(); }
        var manifest = FleetManifestFile.Load(outDir);
        Assert.Multiple(() =>
        {
            Assert.That(process.ExitCode, Is.EqualTo(143), Output());
            Assert.That(manifest.Agents, Has.Count.InRange(2, 4), Output());
            Assert.That(manifest.Agents.Count, Is.LessThan(manifest.Roster.Count), "agents after the signal are not started");
            Assert.That(manifest.Agents.Select(a => a.ExitCode), Has.Some.EqualTo(143), Output());
            Assert.That(Output(), Does.Contain("interrupted:"));
            Assert.That(InterruptTests.AgentProcessesWith(token), Is.Empty, "no agent process may outlive the fleet");
        });
        Directory.Delete(outDir, recursive: true);
    }

    private static Dictionary<string, Verdict> NonPassing(RunResults results) =>
        results.Rules.Where(r => r.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).ToDictionary(r => r.Id, r => r.Verdict);

    private static string Observed(RunResults results) =>
        string.Join("\n", results.Rules.Where(r => r.Verdict != Verdict.Pass).Select(r => $"  {r.Id} {r.Verdict}: {r.Evidence.Observed}"));
}
