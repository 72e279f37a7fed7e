using System.Diagnostics;

namespace Dukaan.Cli.Tests;

/// <summary>
/// suites/tally.sh, which suites/test.sh (and so .ci/run) uses to count each test project. Issue 18: a clean-clone run
/// printed "tests: 872 passed, 0 failed" and exited 0 over a test host that crashed after 27 of ~247 tests, because only
/// the "Passed!" line was read.
/// </summary>
public sealed class TestScriptTallyTests
{
    private const string CrashedLog = """
        The active test run was aborted. Reason: Test host process crashed : Unhandled exception. System.ObjectDisposedException: Cannot write to a closed TextWriter.
           at Dukaan.Cli.CertifyCommand.CertifyAsync(CertifyFlags flags) in /src/Dukaan.Cli/CertifyCommand.cs:line 137

        Passed!  - Failed:     0, Passed:    27, Skipped:     0, Total:    27, Duration: 41 s - Dukaan.Cli.Tests.dll (net10.0)
        Test Run Aborted.
        """;

    private static string Summary(int failed, int passed, int skipped) =>
        $"{(failed > 0 ? "Failed!" : "Passed!")}  - Failed:     {failed}, Passed:    {passed}, Skipped:     {skipped}, Total:    {failed + passed + skipped}, Duration: 1 s - X.Tests.dll (net10.0)";

    private static async Task<(string Counts, string Why)> TallyAsync(string log, int exit, string discovered)
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-tally-").FullName;
        try
        {
            var logPath = Path.Combine(dir, "run.log");
            await File.WriteAllTextAsync(logPath, log);
            var script = Path.Combine(Repo.Root, "suites", "tally.sh");
            var info = new ProcessStartInfo("bash", ["-c", $". '{script}' && tally X.Tests '{logPath}' {exit} '{discovered}'"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(process.ExitCode, Is.EqualTo(0), await stderr);
            return ((await stdout).Trim(), (await stderr).Trim());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public async Task A_crashed_host_counts_every_test_that_never_ran_as_failed()
    {
        var (counts, why) = await TallyAsync(CrashedLog, exit: 1, discovered: "247");

        Assert.That(counts, Is.EqualTo("27 220 0"));
        Assert.That(why, Does.Contain("aborted").And.Contain("27 of 247"));
    }

    [Test]
    public async Task An_aborted_run_fails_even_when_discovery_gave_no_count()
    {
        var (counts, why) = await TallyAsync(CrashedLog, exit: 1, discovered: "");

        Assert.That(counts, Is.EqualTo("27 1 0"));
        Assert.That(why, Does.Contain("aborted"));
    }

    [Test]
    public async Task A_non_zero_exit_fails_the_project_whatever_its_summary_says()
    {
        var (counts, why) = await TallyAsync(Summary(0, 55, 0), exit: 1, discovered: "55");

        Assert.That(counts, Is.EqualTo("55 1 0"));
        Assert.That(why, Does.Contain("exited with 1"));
    }

    [Test]
    public async Task Fewer_tests_than_discovered_is_a_failure_even_with_exit_0()
    {
        var (counts, why) = await TallyAsync(Summary(0, 50, 2), exit: 0, discovered: "55");

        Assert.That(counts, Is.EqualTo("50 3 2"));
        Assert.That(why, Does.Contain("52 of 55"));
    }

    [Test]
    public async Task A_log_without_a_summary_is_one_failure()
    {
        var (counts, why) = await TallyAsync("error: the test host could not start\n", exit: 1, discovered: "55");

        Assert.That(counts, Is.EqualTo("0 55 0"));
        Assert.That(why, Does.Contain("no test summary"));
    }

    [Test]
    public async Task A_complete_run_counts_as_it_says()
    {
        Assert.That(await TallyAsync(Summary(0, 55, 0), exit: 0, discovered: "55"), Is.EqualTo(("55 0 0", "")));
        Assert.That((await TallyAsync(Summary(2, 50, 3), exit: 1, discovered: "55")).Counts, Is.EqualTo("50 2 3"));
    }
}
