using System.Diagnostics;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// Ctrl+C and SIGTERM, as a terminal, a CI runner or a container stop the CLI: certify stops its agent, writes reports
/// marked interrupted and exits 130/143 within 2 s; simulate exits within 1 s; no agent process outlives the run.
/// </summary>
// Alone: the 2 s bound is about this CLI's own shutdown, not about how busy two other certifications keep the cores.
[TestFixture, NonParallelizable]
public sealed class InterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>kill(1): the way a terminal, a CI runner or a container runtime signals a process.</summary>
    private static int Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    [TestCase(SigInt, 130)]
    [TestCase(SigTerm, 143)]
    public async Task Certify_stops_its_agent_writes_interrupted_reports_and_exits_with_the_signal_code(int signal, int exitCode)
    {
        await Repo.EnsureBuiltAsync();
        var token = Guid.NewGuid().ToString("N");
        var outDir = Directory.CreateTempSubdirectory("dukaan-e2e-int-").FullName;
        var args = FixtureAgents.CertifyArgs("csharp", null, "--agent-env", $"DUKAAN_TEST_TOKEN={token}", "--out", outDir);
        using var cli = Cli.Start(args);
        // Signal once the scenarios are under way: the agent is up and the run is in the middle of its work.
        await cli.WaitForLineAsync(l => l.Contains("done in", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.That(AgentProcessesWith(token), Is.Not.Empty, "the agent should be running before the signal");
        var signalled = Stopwatch.StartNew();
        Assert.That(Kill(cli.Process.Id, signal), Is.Zero);
        var exited = await cli.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var took = signalled.Elapsed;
        var results = ResultsJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(outDir, "results.json")), "results.json");
        Assert.Multiple(() =>
        {
            Assert.That(exited, Is.True, cli.Output);
            Assert.That(cli.Process.ExitCode, Is.EqualTo(exitCode), cli.Output);
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(2)), cli.Output);
            Assert.That(results.Outcome, Is.EqualTo(Outcome.Interrupted));
            Assert.That(results.ExitCode, Is.EqualTo(exitCode));
            Assert.That(results.Rules.Select(r => r.Verdict), Has.Some.EqualTo(Verdict.NotExercised));
            Assert.That(File.Exists(Path.Combine(outDir, "index.html")), Is.True);
            Assert.That(AgentProcessesWith(token), Is.Empty, "no agent process may outlive the run");
        });
        TestContext.Out.WriteLine($"signal {signal}: exited {took.TotalMilliseconds:0} ms after the signal");
    }

    [Test]
    public async Task Simulate_exits_within_a_second_of_sigterm()
    {
        await Repo.EnsureBuiltAsync();
        using var cli = Cli.Start(["simulate", "--port", "0", "--quiet"]);
        await cli.WaitForLineAsync(l => l.Contains("listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var signalled = Stopwatch.StartNew();
        Assert.That(Kill(cli.Process.Id, SigTerm), Is.Zero);
        var exited = await cli.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(exited, Is.True, cli.Output);
            Assert.That(signalled.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), cli.Output);
        });
    }

    /// <summary>Processes whose environment carries the token: the agent and anything it started (FleetTests asks too).</summary>
    internal static List<int> AgentProcessesWith(string token)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(token, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* gone or not ours */ }
        }
        return found;
    }

    /// <summary>The CLI as a process whose output lines can be awaited.</summary>
    private sealed class Cli : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();
        private readonly Lock _gate = new();

        private Cli(Process process) => Process = process;

        public Process Process { get; }

        public string Output { get { lock (_gate) return _output.ToString(); } }

        public static Cli Start(IEnumerable<string> args)
        {
            // A job a script started in the background inherits SIGINT ignored (POSIX), and a process keeps an ignored
            // SIGINT ignored — a terminal's Ctrl+C never reaches such a job anyway. CI may run this suite that way, so
            // the CLI gets the default disposition back, as a foreground command in a terminal has it.
            var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("--default-signal=INT,TERM");
            info.ArgumentList.Add("dotnet");
            info.ArgumentList.Add(Repo.CliDll);
            foreach (var a in args) info.ArgumentList.Add(a);
            info.Environment["NO_COLOR"] = "1";
            info.Environment.Remove("GITHUB_ACTIONS");
            info.Environment.Remove("GITHUB_STEP_SUMMARY");
            var cli = new Cli(Process.Start(info)!);
            cli.Process.OutputDataReceived += (_, e) => cli.Append(e.Data);
            cli.Process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
            cli.Process.BeginOutputReadLine();
            cli.Process.BeginErrorReadLine();
            return cli;
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_gate) _output.AppendLine(line);
        }

        public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            while (!Output.Split('\n').Any(match))
            {
                if (clock.Elapsed > limit || Process.HasExited) Assert.Fail($"the expected line did not appear within {limit.TotalSeconds:0} s:\n{Output}");
                await Task.Delay(25);
            }
        }

        public async Task<bool> WaitForExitAsync(TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await Process.WaitForExitAsync(timeout.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}
