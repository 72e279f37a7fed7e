using Dukaan.Conformance.Agents;

namespace Dukaan.Conformance.Tests;

/// <summary>The spawner's own bookkeeping, with a stand-in agent (a static file server) instead of a fixture agent.</summary>
public sealed class SpawnedAgentTests
{
    private string _workDir = null!;

    [OneTimeSetUp]
    public void CreateWorkDir() => _workDir = Directory.CreateTempSubdirectory("dukaan-spawn-test-").FullName;

    [OneTimeTearDown]
    public void DeleteWorkDir() => Directory.Delete(_workDir, recursive: true);

    private Task<SpawnedAgent> StartAsync(string command) =>
        SpawnedAgent.StartAsync(new SpawnSpec(command, _workDir, new Dictionary<string, string>(), "/", null, TimeSpan.FromSeconds(15)), CancellationToken.None);

    private const string Serve = "exec python3 -m http.server \"$PORT\" --bind 127.0.0.1";

    [Test]
    public async Task Exits_the_harness_caused_are_not_reported_as_the_agent_exiting_on_its_own()
    {
        var agent = await StartAsync(Serve);
        for (var i = 0; i < 3; i++) await agent.RestartAsync(CancellationToken.None);
        await agent.DisposeAsync();
        // The exit continuations run on the thread pool; give any stray one time to land.
        await Task.Delay(500);

        Assert.That(agent.Notes, Has.None.Contains("exited on its own"));
    }

    [Test]
    public async Task An_agent_that_exits_by_itself_is_reported()
    {
        await using var agent = await StartAsync("exec timeout 2 python3 -m http.server \"$PORT\" --bind 127.0.0.1");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!agent.Notes.Any(n => n.Contains("exited on its own", StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(100);

        Assert.Multiple(() =>
        {
            Assert.That(agent.Notes, Has.One.StartsWith("The agent process (start #1) exited on its own with code 124 at "));
            Assert.That(agent.Gone.IsCancellationRequested, Is.True, "a crash ends every wait of the run");
            Assert.That(agent.GoneReason, Does.Contain("code 124"));
        });
    }

    [Test]
    public async Task The_tmpdir_scan_sees_hidden_and_nested_files_and_does_not_follow_links()
    {
        // A link back to TMPDIR itself would make a link-following walk loop until the path is too long.
        await using var agent = await StartAsync(
            "mkdir -p \"$TMPDIR/nested/.cache\" && echo x > \"$TMPDIR/.hidden\" && echo y > \"$TMPDIR/nested/.cache/state\" && " +
            "ln -s \"$TMPDIR\" \"$TMPDIR/nested/loop\" && " + Serve);

        var files = agent.FilesToScan().Select(Path.GetFileName);

        Assert.That(files, Is.EquivalentTo(new[] { ".hidden", "state" }));
    }
}
