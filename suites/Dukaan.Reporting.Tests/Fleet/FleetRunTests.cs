using Dukaan.Conformance;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>What a loaded fleet derives: statuses, the exit code, the agents of missing shards, the rule columns.</summary>
public sealed class FleetRunTests
{
    private static FleetMember Agent(string name, int exit, bool results = true, string? error = null) =>
        new(name, results ? exit switch
        {
            0 => VerdictRuns.Passing(),
            1 => VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail)),
            _ => VerdictRuns.Passing(("DK-SEC-04", Verdict.HarnessError)),
        } : null, exit, error);

    // exits of the agents (null: no results), shards present of 2 (null: whole run) → fleet exit
    [TestCase(new[] { 0, 0 }, false, 0, TestName = "every agent certified → 0")]
    [TestCase(new[] { 0, 1 }, false, 1, TestName = "one agent failed → 1")]
    [TestCase(new[] { 1, 2 }, false, 1, TestName = "a failure outranks a harness error → 1")]
    [TestCase(new[] { 0, 2 }, false, 2, TestName = "harness or configuration error → 2")]
    [TestCase(new[] { 0, 3 }, false, 2, TestName = "nothing selected → 2")]
    [TestCase(new[] { 0, 130 }, false, 2, TestName = "interrupted by SIGINT → 2")]
    [TestCase(new[] { 0, 143 }, false, 2, TestName = "interrupted by SIGTERM → 2")]
    [TestCase(new[] { 0, -1 }, false, 2, TestName = "exit 0 but no results.json → 2")]
    [TestCase(new[] { 0, 0 }, true, 2, TestName = "a shard not merged → 2")]
    [TestCase(new[] { 1, 1 }, true, 1, TestName = "a failure with a shard missing → 1")]
    public void The_fleet_exit_code(int[] exits, bool shardMissing, int expected)
    {
        var members = exits.Select((exit, i) => exit < 0 ? Agent($"a{i}", 0, results: false) : Agent($"a{i}", exit)).ToList();
        var roster = shardMissing ? [.. members, Agent("lost", 0)] : members;
        var run = new FleetRun(FleetFixtures.Manifest(roster, members, shardMissing ? [new FleetShard(1, 1)] : []),
            members.Select(m => new FleetAgent(FleetFixtures.Entry(m), m.Results, m.Error)));
        Assert.That(run.ExitCode, Is.EqualTo(expected));
    }

    [Test]
    public void Allow_partial_forgives_missing_shards_only()
    {
        var members = new[] { Agent("a", 0), Agent("b", 0), Agent("c", 0), Agent("d", 2) };
        var ran = new[] { members[0], members[2] };
        var run = new FleetRun(FleetFixtures.Manifest(members, ran, new FleetShard(1, 2)), ran.Select(m => new FleetAgent(FleetFixtures.Entry(m), m.Results, null)));
        Assert.That(run.ExitCodeFor(allowPartial: false), Is.EqualTo(2));
        Assert.That(run.ExitCodeFor(allowPartial: true), Is.EqualTo(0));
        Assert.That(run.NotRun.Select(n => (n.Name, n.Shard.Label, n.ShardMissing)), Is.EqualTo(new[] { ("b", "2/2", true), ("d", "2/2", true) }));
        Assert.That(run.MissingShardLines(), Is.EqualTo(new[] { "shard 2/2 missing: agents b, d not certified" }));
    }

    [Test]
    public void The_shard_of_a_roster_agent_is_its_position_round_robin()
    {
        var members = Enumerable.Range(0, 7).Select(i => Agent($"a{i}", 0)).ToList();
        FleetMember[] ran = [members[0], members[3], members[6]];
        var run = new FleetRun(FleetFixtures.Manifest(members, ran, new FleetShard(1, 3)), ran.Select(m => new FleetAgent(FleetFixtures.Entry(m), m.Results, null)));
        Assert.That(run.MissingShards.Select(s => s.Label), Is.EqualTo(new[] { "2/3", "3/3" }));
        Assert.That(run.MissingShardLines(), Is.EqualTo(new[]
        {
            "shard 2/3 missing: agents a1, a4 not certified",
            "shard 3/3 missing: agents a2, a5 not certified",
        }));
    }

    [Test]
    public void An_agent_absent_from_a_shard_that_is_present_is_named_as_such()
    {
        var members = new[] { Agent("a", 0), Agent("b", 0) };
        var run = new FleetRun(FleetFixtures.Manifest(members, [members[0]]), [new FleetAgent(FleetFixtures.Entry(members[0]), members[0].Results, null)]);
        Assert.That(run.NotRun.Single().Reason, Is.EqualTo("not run: absent from shard 1/1"));
        Assert.That(run.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void Rule_ids_are_the_union_over_agents_in_natural_order()
    {
        var a = VerdictRuns.Passing() with { Rules = [Rule("DK-X-10"), Rule("DK-X-2")] };
        var b = VerdictRuns.Passing() with { Rules = [Rule("DK-X-1"), Rule("DK-X-2"), Rule("DK-Y-1")], Profile = "wakeel" };
        var run = FleetFixtures.InMemory([new("a", a), new("b", b, Profile: "wakeel")]);
        Assert.That(run.RuleIds, Is.EqualTo(new[] { "DK-X-1", "DK-X-2", "DK-X-10", "DK-Y-1" }));
        Assert.That(run.Profiles.Select(p => p.Profile), Is.EqualTo(new[] { "agentdukaan", "wakeel" }), "one matrix per profile, in roster order");
        Assert.That(run.Profiles[0].Rules.Select(r => r.Id), Is.EqualTo(new[] { "DK-X-2", "DK-X-10" }));

        static RuleResult Rule(string id) => FixtureResults.Rules()[0] with { Id = id, Area = "signatures" };
    }

    [Test]
    public void Matrix_columns_follow_the_contract_areas_like_the_single_run_report()
    {
        var run = FleetFixtures.InMemory(FleetFixtures.Mixed());
        var areas = run.Profiles.Single().Rules.Select(r => r.Area).Distinct().ToList();
        Assert.That(areas, Is.EqualTo(new[] { "signatures", "acknowledgement", "credentials", "secret-custody", "runs", "lifecycle", "heartbeat", "request-config", "operations" }));
        Assert.That(run.Profiles.Single().Rules.Select(r => r.Id).Take(3), Is.EqualTo(new[] { "DK-SIG-01", "DK-SIG-02", "DK-SIG-03" }));
    }

    [Test]
    public void Load_reads_each_agent_and_turns_a_broken_results_json_into_that_agent_s_error()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-fleet-run-").FullName;
        try
        {
            FleetFixtures.WriteWhole(dir, FleetFixtures.Mixed());
            File.WriteAllText(Path.Combine(dir, "agents", "shop-zeta", "results.json"), "{ broken");
            var run = FleetRun.Load(dir);
            Assert.That(run.Folder, Is.EqualTo(dir));
            Assert.That(run.Agents.Select(a => (a.Name, a.Status)), Is.EqualTo(new[]
            {
                ("shop-alpha", FleetAgentStatus.Certified),
                ("shop-beta", FleetAgentStatus.Failed),
                ("shop-gamma", FleetAgentStatus.Certified),
                ("shop-delta", FleetAgentStatus.Error),
                ("shop-epsilon", FleetAgentStatus.Failed),
                ("shop-zeta", FleetAgentStatus.Error),
            }));
            Assert.That(run.Agents[3].Problem, Does.StartWith("agent command not found"), "the manifest's own error");
            Assert.That(run.Agents[5].Problem, Does.Contain("shop-zeta").And.Contain("is not valid results JSON"));
            Assert.That(run.Agents[4].Failing.Select(r => r.Id), Is.EqualTo(new[] { "DK-CFG-02", "DK-SEC-01" }));
            Assert.That(run.ExitCode, Is.EqualTo(1));
            Assert.That(FleetFixtures.Mixed()[0].Results!.Rules.Sum(r => r.Evidence.Transcript.Count), Is.GreaterThan(0), "the fixture has transcripts to drop");
            Assert.That(run.Agents[0].Results!.Scenarios, Is.Empty, "timelines stay in the agent's own report");
            Assert.That(run.Agents[0].Results!.Rules.Sum(r => r.Evidence.Transcript.Count), Is.Zero, "so do wire transcripts");
            Assert.That(run.Agents[1].Rule("DK-SIG-05")!.Evidence.Observed, Is.EqualTo(FleetFixtures.Mixed()[1].Results!.Rules.Single(r => r.Id == "DK-SIG-05").Evidence.Observed));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
