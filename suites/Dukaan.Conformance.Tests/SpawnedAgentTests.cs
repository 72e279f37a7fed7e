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

    /// <summary>
    /// Issue 18: an agent that caches under ~/.cache or the XDG folders wrote where the scan never looked. Written only
    /// when HOME is not the harness's own, so the test never touches the real home folder, even when it fails.
    /// </summary>
    [Test]
    public async Task Home_and_the_XDG_folders_are_fresh_inside_the_run_folder_and_scanned()
    {
        var realHome = Environment.GetEnvironmentVariable("HOME");
        await using var agent = await StartAsync(
            $"if [ \"$HOME\" != '{realHome}' ] && [ -n \"$XDG_CACHE_HOME\" ]; then " +
            "mkdir -p \"$XDG_CACHE_HOME/app\" \"$XDG_CONFIG_HOME/app\" \"$XDG_DATA_HOME/app\" \"$XDG_STATE_HOME/app\" && " +
            "echo a > \"$XDG_CACHE_HOME/app/cached\" && echo b > \"$XDG_CONFIG_HOME/app/configured\" && echo c > \"$XDG_DATA_HOME/app/data\" && " +
            "echo d > \"$XDG_STATE_HOME/app/kept\" && echo e > \"$HOME/.agentrc\" && echo \"$HOME\" > \"$TMPDIR/home-was\"; fi; " + Serve);

        var files = agent.FilesToScan();
        var home = files.FirstOrDefault(f => Path.GetFileName(f) == "home-was") is { } note ? File.ReadAllText(note).Trim() : "(not written)";

        Assert.Multiple(() =>
        {
            Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(new[] { "cached", "configured", "data", "kept", ".agentrc", "home-was" }));
            Assert.That(home, Is.Not.EqualTo(realHome));
            Assert.That(files.Where(f => Path.GetFileName(f) != "home-was"), Has.All.StartWith(home + "/"), "the XDG folders are inside the fresh HOME");
            Assert.That(Path.GetDirectoryName(home), Is.EqualTo(Path.GetDirectoryName(Path.GetDirectoryName(files.Single(f => Path.GetFileName(f) == "home-was")))),
                "HOME and TMPDIR share the run's own folder");
            Assert.That(agent.FileScanPlaces, Has.Some.StartsWith("TMPDIR (").And.Some.StartsWith($"HOME ({home})"));
        });
    }
}
