using System.CommandLine;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Cli.Tests;

/// <summary>
/// certify-fleet through the real command line, in process. Bad command lines and bad files exit 2 before any agent
/// starts; agents that cannot be certified are their own errors in fleet.json. No agent here runs longer than an `exit`.
/// Not parallel: one case sets the GitHub Actions variables of the process.
/// </summary>
[NonParallelizable]
public sealed class CertifyFleetCommandTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-certify-fleet-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "fleet.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["certify-fleet", .. args], new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Fleet() => Write("""{ "agents": [{ "name": "a", "cmd": "node a.js" }] }""");

    [TestCase("--parallel", "0", "error: --parallel must be at least 1 (how many agents are certified at a time), got 0.")]
    [TestCase("--parallel", "-3", "error: --parallel must be at least 1 (how many agents are certified at a time), got -3.")]
    [TestCase("--shard", "0/3", "error: --shard 0/3: shards count from 1, so I is between 1 and 3. Kubernetes' JOB_COMPLETION_INDEX counts from 0: pass --shard $((JOB_COMPLETION_INDEX + 1))/3.")]
    [TestCase("--shard", "4/3", "error: --shard 4/3: there are only 3 shards, so I is between 1 and 3.")]
    [TestCase("--shard", "1/0", "error: --shard 1/0: N, the number of shards, must be at least 1 (--shard 1/1 is the whole fleet).")]
    [TestCase("--shard", "x/y", "error: --shard 'x/y' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).")]
    [TestCase("--agents", "zzz*", "error: --agents 'zzz*' matches none of the fleet's 1 agents (a).")]
    public async Task A_bad_option_exits_2_with_one_line_saying_how_to_fix_it(string option, string value, string message)
    {
        var (exit, stdout, stderr) = await RunAsync([Fleet(), option, value, "--out", Path.Combine(_dir, "out")]);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
            Assert.That(stderr.TrimEnd(), Is.EqualTo(message));
            Assert.That(stdout, Is.Empty);
            Assert.That(Directory.Exists(Path.Combine(_dir, "out")), Is.False, "nothing is written before the run starts");
        });
    }

    [Test]
    public async Task A_parallel_that_is_not_a_number_is_a_parse_error()
    {
        var (exit, _, stderr) = await RunAsync([Fleet(), "--parallel", "lots"]);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("lots"));
    }

    [Test]
    public async Task Every_problem_in_the_fleet_file_is_printed_with_the_file_and_the_schema_hint()
    {
        var path = Write("""{ "agents": [{ "name": "a", "command": "x" }, { "name": "a", "cmd": "y" }] }""");
        var (exit, _, stderr) = await RunAsync([path]);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
            Assert.That(stderr, Does.Contain($"error: {path}: $.agents[0].command is not a known key (did you mean \"cmd\"?)\n"));
            Assert.That(stderr, Does.Contain($"error: {path}: $.agents[1].name \"a\" is also the name of $.agents[0]"));
            Assert.That(stderr, Does.Contain("Fix these 2 problems in").And.Contain("schemas/fleet.schema.json"));
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public async Task A_missing_fleet_file_exits_2()
    {
        var (exit, _, stderr) = await RunAsync([Path.Combine(_dir, "missing.json")]);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(stderr, Does.Contain("missing.json: the file does not exist"));
    }

    [Test]
    public async Task An_unset_secretEnv_variable_exits_2_before_anything_runs()
    {
        var variable = "DUKAAN_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var path = Write($$"""{ "agents": [{ "name": "staging", "url": "http://127.0.0.1:3000", "simPort": 4000, "secretEnv": "{{variable}}" }] }""");
        var (exit, _, stderr) = await RunAsync([path, "--out", Path.Combine(_dir, "out")]);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(stderr, Does.Contain($"$.agents[0] (staging).secretEnv names {variable}, which is not set"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "out")), Is.False);
    }

    [Test]
    public async Task Agents_that_cannot_be_certified_are_their_own_errors_and_the_fleet_exits_2()
    {
        // Neither agent starts a process: one names a settings file that is not there, the other selects no rule.
        var path = Write("""
            { "name": "broken", "agents": [
              { "name": "no-settings", "cmd": "node a.js", "settings": "missing/dukaan-conformance.json" },
              { "name": "no-rules", "profile": "wakeel", "cmd": "node a.js", "rules": "DK-NOPE-*" } ] }
            """);
        var outDir = Path.Combine(_dir, "out");
        var (exit, stdout, _) = await RunAsync([path, "--out", outDir, "--parallel", "2", "--seed", "9"]);
        var manifest = FleetManifestFile.Load(outDir);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError), stdout);
            Assert.That(manifest.FleetName, Is.EqualTo("broken"));
            Assert.That(manifest.FleetFile, Is.EqualTo(path));
            Assert.That(manifest.FleetDigest, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))));
            Assert.That(manifest.Roster, Is.EqualTo(new[] { "no-settings", "no-rules" }));
            Assert.That(manifest.Shards, Is.EqualTo(new[] { new FleetShard(1, 1) }));
            Assert.That(manifest.Agents.Select(a => (a.Name, a.Profile, a.Folder, a.ExitCode)), Is.EqualTo(new[]
            {
                ("no-settings", "agentdukaan", "agents/no-settings", ExitCodes.HarnessOrConfigError),
                ("no-rules", "wakeel", "agents/no-rules", ExitCodes.NothingSelected),
            }));
            Assert.That(manifest.Agents[0].Error, Does.Contain("dukaan-conformance.json: the file does not exist"));
            Assert.That(manifest.Agents[1].Error, Does.Contain("DK-NOPE-*"));
            Assert.That(manifest.Agents[0].RerunCommand, Is.EqualTo($"dukaan-conformance certify-fleet {path} --agents no-settings --seed 9"));
            // Each agent's own messages are in its log, not on the fleet's console.
            Assert.That(File.ReadAllText(Path.Combine(outDir, "agents", "no-settings", "certify.log")), Does.Contain("error: ").And.Contain("does not exist"));
            Assert.That(stdout, Does.Contain("no-settings").And.Contain("error").And.Contain("exit 2"));
            Assert.That(File.Exists(Path.Combine(outDir, "index.html")) && File.Exists(Path.Combine(outDir, "fleet.md")) && File.Exists(Path.Combine(outDir, "junit.xml")));
        });
    }

    [Test]
    public async Task Each_agents_start_and_end_are_whole_lines_named_by_the_agent()
    {
        var path = Write("""{ "agents": [{ "name": "first", "cmd": "x", "rules": "NOPE" }, { "name": "second-agent", "cmd": "x", "rules": "NOPE" }, { "name": "third", "cmd": "x", "rules": "NOPE" }] }""");
        var (_, stdout, _) = await RunAsync([path, "--out", Path.Combine(_dir, "out"), "--parallel", "3"]);
        var lines = stdout.Split('\n');
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "first", "second-agent", "third" })
            {
                Assert.That(lines.Count(l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal) && l.Contains(" started ", StringComparison.Ordinal)), Is.EqualTo(1), stdout);
                Assert.That(lines.Count(l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal) && l.Contains(" exit 3 ", StringComparison.Ordinal)), Is.EqualTo(1), stdout);
            }
        });
    }

    [Test]
    public async Task A_shard_run_lists_the_whole_roster_but_certifies_only_its_agents()
    {
        var path = Write("""{ "agents": [{ "name": "a", "cmd": "x", "rules": "NOPE" }, { "name": "b", "cmd": "x", "rules": "NOPE" }, { "name": "c", "cmd": "x", "rules": "NOPE" }] }""");
        var outDir = Path.Combine(_dir, "out");
        await RunAsync([path, "--shard", "2/2", "--out", outDir]);
        var manifest = FleetManifestFile.Load(outDir);
        Assert.That(manifest.Roster, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(manifest.Shards, Is.EqualTo(new[] { new FleetShard(2, 2) }));
        Assert.That(manifest.Agents.Select(a => a.Name), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task Interrupted_before_the_first_agent_it_starts_none_writes_fleet_json_and_exits_130()
    {
        var outDir = Path.Combine(_dir, "out");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var (exit, _, stderr) = await RunAsync([Fleet(), "--out", outDir], cancelled.Token);
        Assert.That(exit, Is.EqualTo(130), stderr);
        Assert.That(FleetManifestFile.Load(outDir).Agents, Is.Empty);
        Assert.That(stderr, Does.Contain("interrupted: 0 of 1 agents ran"));
    }

    [Test]
    public async Task In_GitHub_Actions_only_the_fleet_writes_a_job_summary_and_no_agent_annotates()
    {
        // Two agents that exit at once: each gets a full certify report (a harness error), written without speaking GitHub.
        var path = Write("""{ "agents": [{ "name": "gone-1", "cmd": "exit 3", "rules": "DK-SIG-01" }, { "name": "gone-2", "cmd": "exit 4", "rules": "DK-SIG-01" }] }""");
        var summary = Path.Combine(_dir, "step-summary.md");
        var before = (Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY"), Environment.GetEnvironmentVariable("GITHUB_ACTIONS"));
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        Environment.SetEnvironmentVariable("GITHUB_ACTIONS", "true");
        try
        {
            var outDir = Path.Combine(_dir, "out");
            var (exit, stdout, _) = await RunAsync([path, "--out", outDir, "--parallel", "2"]);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError), stdout);
                Assert.That(File.ReadAllText(summary), Is.EqualTo(File.ReadAllText(Path.Combine(outDir, "fleet.md")).TrimEnd('\n') + "\n"), "the fleet's summary, once");
                Assert.That(File.Exists(Path.Combine(outDir, "agents", "gone-1", "summary.md")), "each agent's summary stays in its folder");
                Assert.That(stdout, Does.Not.Contain("::error").And.Not.Contain("::warning"));
                Assert.That(File.ReadAllText(Path.Combine(outDir, "agents", "gone-2", "certify.log")), Does.Not.Contain("::error").And.Not.Contain("appended"));
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", before.Item1);
            Environment.SetEnvironmentVariable("GITHUB_ACTIONS", before.Item2);
        }
    }

    [Test]
    public void The_default_parallelism_is_the_processor_count_and_at_least_1() =>
        Assert.That(CertifyFleetCommand.DefaultParallel, Is.EqualTo(Math.Max(1, Environment.ProcessorCount)));
}
