using Dukaan.Cli.Fleet;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Cli.Tests;

/// <summary>Which agents a certify-fleet run certifies (--shard, --agents), and the certify flags each one gets.</summary>
public sealed class FleetPlanTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-fleet-plan-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private FleetFile Load(string json)
    {
        var path = Path.Combine(_dir, "fleet.json");
        File.WriteAllText(path, json);
        return FleetFileLoader.Load(path);
    }

    private FleetFile FleetOf(int count) =>
        Load($$"""{ "agents": [{{string.Join(", ", Enumerable.Range(0, count).Select(i => $$"""{ "name": "agent-{{i}}", "cmd": "node a.js" }"""))}}] }""");

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [TestCase("1/1", 1, 1)]
    [TestCase("2/3", 2, 3)]
    [TestCase(" 3 / 3 ", 3, 3)]
    [TestCase("20/20", 20, 20)]
    public void A_shard_is_I_of_N_counting_from_1(string text, int index, int count) =>
        Assert.That(Sharding.Parse(text), Is.EqualTo(new FleetShard(index, count)));

    [TestCase("0/3", "--shard 0/3: shards count from 1, so I is between 1 and 3. Kubernetes' JOB_COMPLETION_INDEX counts from 0: pass --shard $((JOB_COMPLETION_INDEX + 1))/3.")]
    [TestCase("4/3", "--shard 4/3: there are only 3 shards, so I is between 1 and 3.")]
    [TestCase("2/1", "--shard 2/1: there is only 1 shard, so I is between 1 and 1.")]
    [TestCase("1/0", "--shard 1/0: N, the number of shards, must be at least 1 (--shard 1/1 is the whole fleet).")]
    [TestCase("x/y", "--shard 'x/y' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).")]
    [TestCase("2", "--shard '2' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).")]
    [TestCase("-1/3", "--shard '-1/3' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).")]
    [TestCase("1/99999999999", "--shard '1/99999999999' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).")]
    public void A_bad_shard_says_what_is_wrong_and_how_to_write_it(string text, string message) =>
        Assert.That(Assert.Throws<UsageException>(() => Sharding.Parse(text))!.Message, Is.EqualTo(message));

    [Test]
    public void Shards_partition_the_fleet_for_every_count_and_the_split_depends_only_on_position()
    {
        var fleet = FleetOf(13);
        for (var count = 1; count <= 13; count++)
        {
            var shards = Enumerable.Range(1, count).Select(i => FleetPlan.Create(fleet, new FleetShard(i, count), null, NoEnvironment).Agents.Select(a => a.Name).ToList()).ToList();
            var again = Enumerable.Range(1, count).Select(i => FleetPlan.Create(fleet, new FleetShard(i, count), null, NoEnvironment).Agents.Select(a => a.Name).ToList()).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(shards.SelectMany(s => s), Is.EquivalentTo(fleet.Agents.Select(a => a.Name)), $"N={count}: every agent in some shard, none twice");
                Assert.That(shards.SelectMany(s => s).Distinct().Count(), Is.EqualTo(13), $"N={count}");
                Assert.That(again, Is.EqualTo(shards), $"N={count}: the same split every time");
                // Round robin: shard sizes differ by at most one, and each shard keeps file order.
                Assert.That(shards.Max(s => s.Count) - shards.Min(s => s.Count), Is.LessThanOrEqualTo(1), $"N={count}");
                for (var i = 0; i < count; i++)
                    Assert.That(shards[i], Is.EqualTo(fleet.Agents.Where(a => a.Position % count == i).Select(a => a.Name)), $"shard {i + 1}/{count}");
            });
        }
    }

    [Test]
    public void More_shards_than_agents_leaves_the_last_shards_empty()
    {
        var fleet = FleetOf(3);
        Assert.That(FleetPlan.Create(fleet, new FleetShard(5, 5), null, NoEnvironment).Agents, Is.Empty);
        Assert.That(FleetPlan.Create(fleet, new FleetShard(3, 5), null, NoEnvironment).Agents.Single().Name, Is.EqualTo("agent-2"));
    }

    [Test]
    public void Agents_narrows_by_glob_within_the_shard_and_refuses_a_glob_that_matches_nothing()
    {
        var fleet = FleetOf(13);
        Assert.That(FleetPlan.Create(fleet, Sharding.Whole, AgentFilter.Parse("agent-1*,agent-5"), NoEnvironment).Agents.Select(a => a.Name),
            Is.EqualTo(new[] { "agent-1", "agent-5", "agent-10", "agent-11", "agent-12" }));
        Assert.That(FleetPlan.Create(fleet, new FleetShard(2, 2), AgentFilter.Parse("agent-?"), NoEnvironment).Agents.Select(a => a.Name),
            Is.EqualTo(new[] { "agent-1", "agent-3", "agent-5", "agent-7", "agent-9" }));
        var ex = Assert.Throws<UsageException>(() => FleetPlan.Create(fleet, Sharding.Whole, AgentFilter.Parse("nod*"), NoEnvironment))!;
        Assert.That(ex.Message, Does.StartWith("--agents 'nod*' matches none of the fleet's 13 agents (agent-0, agent-1,"));
        Assert.That(Assert.Throws<UsageException>(() => AgentFilter.Parse("a/b"))!.Message, Does.StartWith("--agents 'a/b' must be agent names or globs separated by commas"));
    }

    [Test]
    public void A_secretEnv_that_is_not_set_stops_the_run_before_any_agent_starts_but_only_for_agents_it_certifies()
    {
        var fleet = Load("""
            { "agents": [
              { "name": "staging", "url": "http://127.0.0.1:3000", "simPort": 4000, "secretEnv": "STAGING_SECRET" },
              { "name": "local", "cmd": "node a.js" } ] }
            """);
        var ex = Assert.Throws<FleetFileException>(() => FleetPlan.Create(fleet, Sharding.Whole, null, NoEnvironment))!;
        Assert.That(ex.Problems.Single(), Does.StartWith("$.agents[0] (staging).secretEnv names STAGING_SECRET, which is not set (or empty) in this environment; export it"));
        Assert.Throws<FleetFileException>(() => FleetPlan.Create(fleet, Sharding.Whole, null, name => name == "STAGING_SECRET" ? "" : null));
        // Shard 2/2 holds only the spawned agent: another job's secret is not this one's business.
        Assert.That(FleetPlan.Create(fleet, new FleetShard(2, 2), null, NoEnvironment).Agents.Single().Name, Is.EqualTo("local"));
        var plan = FleetPlan.Create(fleet, Sharding.Whole, null, name => name == "STAGING_SECRET" ? "s3cret-from-ci" : null);
        var flags = plan.FlagsFor(plan.Agents[0], null, "/out/staging", name => name == "STAGING_SECRET" ? "s3cret-from-ci" : null);
        Assert.That((flags.AgentUrl, flags.SimPort, flags.Secret, flags.AgentCmd), Is.EqualTo(("http://127.0.0.1:3000", (int?)4000, "s3cret-from-ci", (string?)null)));
    }

    [Test]
    public void An_agent_gets_its_own_settings_over_the_defaults_and_absolute_paths()
    {
        var fleet = Load("""
            { "defaults": { "rules": "DK-SIG-*", "strict": true, "observationWindow": 5, "env": { "A": "default", "B": "default" }, "triggerUrl": "http://127.0.0.1:{port}/t" },
              "agents": [
                { "name": "plain", "cmd": "node a.js" },
                { "name": "own", "cmd": "node b.js", "workdir": "agents/b", "rules": "DK-RUN-*", "strict": false, "env": { "B": "own" }, "settings": "b.json", "baseline": "b-baseline.json" } ] }
            """);
        var plan = FleetPlan.Create(fleet, Sharding.Whole, null, NoEnvironment);
        var plain = plan.FlagsFor(plan.Agents[0], 7, Path.Combine(_dir, "out", "plain"), NoEnvironment);
        var own = plan.FlagsFor(plan.Agents[1], null, Path.Combine(_dir, "out", "own"), NoEnvironment);
        Assert.Multiple(() =>
        {
            Assert.That((plain.Rules, plain.Strict, plain.ObservationWindow, plain.Seed, plain.TriggerUrl), Is.EqualTo(("DK-SIG-*", (bool?)true, (double?)5, (int?)7, "http://127.0.0.1:{port}/t")));
            Assert.That(plain.AgentEnv, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "default", ["B"] = "default" }));
            // A command's workdir defaults to the fleet file's folder, like every relative path in it.
            Assert.That(plain.AgentWorkdir, Is.EqualTo(_dir));
            Assert.That(plain.Out, Is.EqualTo(Path.Combine(_dir, "out", "plain")));
            Assert.That(plain.Config, Is.Null);
            Assert.That((own.Rules, own.Strict, own.Seed), Is.EqualTo(("DK-RUN-*", (bool?)false, (int?)null)));
            Assert.That(own.AgentEnv, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "default", ["B"] = "own" }));
            Assert.That(own.AgentWorkdir, Is.EqualTo(Path.Combine(_dir, "agents", "b")));
            Assert.That(own.Config, Is.EqualTo(Path.Combine(_dir, "b.json")));
            Assert.That(own.Baseline, Is.EqualTo(Path.Combine(_dir, "b-baseline.json")));
            Assert.That(own.Secret, Is.Null, "a spawned agent gets a generated secret");
            Assert.That(own.SimPort, Is.Null, "and a simulator on a free port");
        });
    }

    [Test]
    public void The_platform_profile_takes_its_url_as_the_platform_to_certify()
    {
        var fleet = Load("""{ "agents": [{ "name": "p", "profile": "agentdukaan-platform", "url": "http://127.0.0.1:4455", "secretEnv": "LISTING_SECRET" }, { "name": "sim", "profile": "agentdukaan-platform" }] }""");
        Func<string, string?> env = name => name == "LISTING_SECRET" ? "listing-secret" : null;
        var plan = FleetPlan.Create(fleet, Sharding.Whole, null, env);
        var p = plan.FlagsFor(plan.Agents[0], null, "/out/p", env);
        var sim = plan.FlagsFor(plan.Agents[1], null, "/out/sim", env);
        Assert.That((p.PlatformUrl, p.AgentUrl, p.Secret, p.Profile), Is.EqualTo(("http://127.0.0.1:4455", (string?)null, "listing-secret", "agentdukaan-platform")));
        Assert.That((sim.PlatformUrl, sim.AgentCmd, sim.AgentWorkdir), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
    }

    [Test]
    public void Spawned_agents_sharing_a_workdir_are_found_so_the_run_can_say_so()
    {
        var fleet = Load("""{ "agents": [{ "name": "a", "cmd": "x", "workdir": "w" }, { "name": "b", "cmd": "y", "workdir": "w" }, { "name": "c", "cmd": "z", "workdir": "v" }] }""");
        var shared = FleetPlan.Create(fleet, Sharding.Whole, null, NoEnvironment).SharedWorkdirs();
        Assert.That(shared.Single().Select(a => a.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(shared.Single().Key, Is.EqualTo(Path.Combine(_dir, "w")));
    }
}
