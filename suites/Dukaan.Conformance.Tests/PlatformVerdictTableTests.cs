using System.CommandLine;
using System.Diagnostics;
using Dukaan.Cli;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Profiles.AgentDukaanPlatform;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Simulator.Faults;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The platform profile's proof: `certify --profile agentdukaan-platform` passes every PL rule on the bundled simulator,
/// and each `simulate --break NAME`, started as its own process and certified through --platform-url, fails exactly the
/// rule the break violates.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class PlatformVerdictTableTests
{
    private const string Profile = PlatformProfile.Id;
    private const string Secret = "whsec_platform_break_test";
    /// <summary>The broken simulators run on a compressed clock too, so a break costs seconds, not the real 10 s timeouts.</summary>
    private const string Scale = "5";
    private const Verdict F = Verdict.Fail;

    /// <summary>break → the non-pass verdicts it must cause. Each break changes one behaviour and fails one rule.</summary>
    public static readonly IReadOnlyDictionary<string, Dictionary<string, Verdict>> Table = new Dictionary<string, Dictionary<string, Verdict>>
    {
        [SimulatorBreaks.SignParsedJson] = new() { ["PL-DLV-01"] = F },
        [SimulatorBreaks.NoEventHeader] = new() { ["PL-DLV-01"] = F },
        [SimulatorBreaks.SecretInBody] = new() { ["PL-DLV-02"] = F },
        [SimulatorBreaks.Timeout5s] = new() { ["PL-DLV-03"] = F },
        // No retry at all: PL-DLV-05's same-bytes half has nothing to compare (not exercised) and its nothing-after-2xx
        // half still passes, so PL-DLV-05 passes (decision 25); only PL-DLV-04 fails.
        [SimulatorBreaks.NoRetry] = new() { ["PL-DLV-04"] = F },
        [SimulatorBreaks.RetryAfter2xx] = new() { ["PL-DLV-05"] = F },
        [SimulatorBreaks.NewBytesOnRetry] = new() { ["PL-DLV-05"] = F },
        [SimulatorBreaks.AcceptStaleTs] = new() { ["PL-AUTH-01"] = F },
        [SimulatorBreaks.AcceptSeconds] = new() { ["PL-AUTH-01"] = F },
        [SimulatorBreaks.RejectValidToken] = new() { ["PL-AUTH-02"] = F },
        [SimulatorBreaks.ServeCancelled] = new() { ["PL-SUB-01"] = F },
        [SimulatorBreaks.OveradmitRun] = new() { ["PL-RUN-01"] = F },
        [SimulatorBreaks.HeartbeatChargesRun] = new() { ["PL-RUN-02"] = F },
        [SimulatorBreaks.NoConfigAudit] = new() { ["PL-CFG-01"] = F },
        [SimulatorBreaks.AcceptRunTokenRcf] = new() { ["PL-RCF-01"] = F },
        [SimulatorBreaks.PushWithoutOptIn] = new() { ["PL-CHAT-01"] = F },
        [SimulatorBreaks.PushAnyDomain] = new() { ["PL-CHAT-02"] = F },
        [SimulatorBreaks.ServerErrorOnBadJson] = new() { ["PL-ERR-01"] = F },

        // Delivery retries and the attempt budget (issue 19, items 1, 2 and 6).
        [SimulatorBreaks.NoRetryOnTimeout] = new() { ["PL-DLV-04"] = F },
        [SimulatorBreaks.RetryDelaysMs] = new() { ["PL-DLV-04"] = F },
        [SimulatorBreaks.Retry5Times] = new() { ["PL-DLV-04"] = F },
        [SimulatorBreaks.PerReadTimeout] = new() { ["PL-DLV-03"] = F },
        [SimulatorBreaks.LateAnswerCounts] = new() { ["PL-DLV-03"] = F },

        // Signatures on the other endpoints, what a delivery says, secrets in other encodings (issue 19, items 3–5).
        [SimulatorBreaks.RcfNoTsWindow] = new() { ["PL-RCF-01"] = F },
        [SimulatorBreaks.RcfFieldsUnsorted] = new() { ["PL-RCF-01"] = F },
        [SimulatorBreaks.ChatNoTsWindow] = new() { ["PL-CHAT-02"] = F },
        [SimulatorBreaks.PushAcceptsRunToken] = new() { ["PL-CHAT-02"] = F },
        [SimulatorBreaks.ChatHashReserialized] = new() { ["PL-CHAT-02"] = F },
        [SimulatorBreaks.EventHeaderDotted] = new() { ["PL-DLV-01"] = F },
        [SimulatorBreaks.CredentialsUrlBuyerId] = new() { ["PL-DLV-02"] = F },
        [SimulatorBreaks.ConfigBase64InBody] = new() { ["PL-DLV-02"] = F },
        // Styles, not bugs: each must certify (no non-pass verdict, exit 0).
        [SimulatorBreaks.FlatErrorBody] = new(),
    };

    public static IEnumerable<TestCaseData> Breaks() => Table.Keys.Select(b => new TestCaseData(b).SetName($"platform break {b}"));

    [Test]
    public async Task The_bundled_simulator_passes_every_rule_within_20_seconds()
    {
        var run = await CertifyRun.StartAsync(["certify", "--profile", Profile], TimeSpan.FromMinutes(1));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.Empty, run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Describe());
            Assert.That(run.Results!.Profile, Is.EqualTo(Profile));
            Assert.That(run.Results.Rules.Select(r => r.Id), Is.EquivalentTo(PlatformRules.Catalog.All.Select(r => r.Id)));
            Assert.That(run.Results.Notes, Has.Some.Contains($"compressed clock").And.Some.Contains($"{PlatformEngine.BundledTimeScale:0}×"));
            Assert.That(run.Wall, Is.LessThan(TimeSpan.FromSeconds(20)), "a full platform run against the bundled simulator must take at most 20 s");
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"bundled platform run: {run.Wall.TotalSeconds:0.0} s wall, {run.Results!.DurationMs / 1000.0:0.0} s in the engine");
    }

    [TestCaseSource(nameof(Breaks))]
    public async Task Each_break_fails_exactly_its_rule(string breakName)
    {
        await using var simulator = await SimulateProcess.StartAsync(["--break", breakName, "--time-scale", Scale]);
        var run = await CertifyRun.StartAsync(
            ["certify", "--profile", Profile, "--platform-url", simulator.Url, "--secret", Secret, "--time-scale", Scale], TimeSpan.FromMinutes(1));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(Table[breakName]), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(Table[breakName].Count == 0 ? 0 : 1), run.Describe());
            Assert.That(run.Results!.Target.Kind, Is.EqualTo("platform"));
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"platform break {breakName}: {run.Wall.TotalSeconds:0.0} s");
        // The rerun command names the secret as the shell variable a seller keeps it in; the broken simulator is still up.
        Assert.That(await Reruns.MismatchesAsync(run.Results!, RerunCoverage.RulesOf(Table.Select(p => (p.Key, (IReadOnlyDictionary<string, Verdict>)p.Value)), breakName),
            new Dictionary<string, string> { ["AGENTDUKAAN_WEBHOOK_SECRET"] = Secret }), Is.Empty, "rerun commands that do not reproduce");
    }

    [Test]
    public async Task A_conforming_simulate_process_passes_in_real_time()
    {
        await using var simulator = await SimulateProcess.StartAsync([]);
        var run = await CertifyRun.StartAsync(["certify", "--profile", Profile, "--platform-url", simulator.Url, "--secret", Secret], TimeSpan.FromMinutes(1));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.Empty, run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Describe());
            Assert.That(run.Results!.Notes, Has.Some.Contains("timings measured in real time"));
            // Real time: the unanswered attempt alone holds the run for the platform's 10 s.
            Assert.That(run.Results.DurationMs, Is.GreaterThan(10_000));
        });
    }

    /// <summary>
    /// A real platform queues deliveries: its adapter answers /deliver at once, and the harness must follow each delivery by
    /// what the receiver sees. A compliant simulator certifies behind such an adapter; one that retries 5 times does not.
    /// </summary>
    [TestCase("", TestName = "a conforming simulator behind a queueing adapter certifies")]
    [TestCase(SimulatorBreaks.Retry5Times, TestName = "retry-5-times behind a queueing adapter fails PL-DLV-04")]
    public async Task Behind_an_adapter_that_queues_deliveries(string breakName)
    {
        await using var simulator = await SimulateProcess.StartAsync(["--queue-deliveries", "--time-scale", Scale, .. breakName.Length > 0 ? new[] { "--break", breakName } : []]);
        var run = await CertifyRun.StartAsync(
            ["certify", "--profile", Profile, "--platform-url", simulator.Url, "--secret", Secret, "--time-scale", Scale], TimeSpan.FromMinutes(1));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        var expected = breakName.Length > 0 ? Table[breakName] : new Dictionary<string, Verdict>();
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(expected), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(expected.Count > 0 ? 1 : 0), run.Describe());
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"queueing adapter{(breakName.Length > 0 ? ", break " + breakName : "")}: {run.Wall.TotalSeconds:0.0} s");
    }

    [Test]
    public void Every_rule_fails_on_some_break_and_every_break_is_in_the_table()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Table.Values.SelectMany(v => v.Keys).Distinct(), Is.EquivalentTo(PlatformRules.Catalog.All.Select(r => r.Id)));
            Assert.That(Table.Keys, Is.EquivalentTo(SimulatorBreaks.All.Keys));
            foreach (var (name, verdicts) in Table)
                if (SimulatorBreaks.All[name].Rule.Length == 0) Assert.That(verdicts, Is.Empty, $"{name} is a style: it must certify");
                else Assert.That(verdicts.Keys, Does.Contain(SimulatorBreaks.All[name].Rule), $"{name} says it breaks {SimulatorBreaks.All[name].Rule}");
        });
    }

    [TestCase("--agent-cmd", "node server.js", "--agent-cmd makes no sense with --profile agentdukaan-platform")]
    [TestCase("--agent-url", "http://127.0.0.1:3000", "--agent-url makes no sense with --profile agentdukaan-platform")]
    [TestCase("--platform-url", "http://127.0.0.1:4455", "--platform-url needs --secret")]
    [TestCase("--platform-url", "http://example.com:4455", "loopback")]
    [TestCase("--time-scale", "5", "--time-scale describes a platform given with --platform-url")]
    public async Task Certify_refuses_what_makes_no_sense_for_a_platform(string flag, string value, string message)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["certify", "--profile", Profile, flag, value], new InvocationConfiguration { Output = output, Error = error });
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError), error.ToString());
        Assert.That(error.ToString(), Does.Contain(message));
    }

    [Test]
    public async Task Simulate_refuses_an_unknown_break_and_lists_the_valid_ones()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["simulate", "--port", "0", "--break", "no-retry,nope"], new InvocationConfiguration { Output = output, Error = error });
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(error.ToString(), Does.Contain("'nope'").And.Contain(string.Join(", ", SimulatorBreaks.All.Keys)));
        Assert.That(() => Simulator.SimulatorApp.Build(new Simulator.SimulatorOptions { Breaks = new HashSet<string> { "nope" } }),
            Throws.ArgumentException.With.Message.Contains("Valid breaks"));
    }

    /// <summary>`dukaan-conformance simulate --chat` as its own process on a free port, as a platform team would run a staging stand-in.</summary>
    private sealed class SimulateProcess(Process process, string url, Task<string> output) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public static async Task<SimulateProcess> StartAsync(IEnumerable<string> extra)
        {
            await Repo.EnsureBuiltAsync();
            var port = FreePort.Pick();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Repo.CliDll, "simulate", "--chat", "--quiet", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--secret", Secret }.Concat(extra))
                info.ArgumentList.Add(a);
            info.Environment["NO_COLOR"] = "1";
            var process = Process.Start(info)!;
            var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()).ContinueWith(t => string.Concat(t.Result), TaskScheduler.Default);
            var url = $"http://127.0.0.1:{port}";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                try
                {
                    if ((await http.GetAsync(url + "/_sim/")).IsSuccessStatusCode) return new SimulateProcess(process, url, output);
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(100);
            }
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            Assert.Fail($"simulate did not answer on {url} within 30 s: {await output}");
            throw new UnreachableException();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await output;
            process.Dispose();
        }
    }
}
