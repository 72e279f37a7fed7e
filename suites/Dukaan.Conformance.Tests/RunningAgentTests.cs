using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>--agent-url: an agent the seller already runs, pointed at the harness's simulator by --sim-port/--secret.</summary>
[TestFixture]
public sealed class RunningAgentTests
{
    [Test]
    public async Task A_running_agent_is_certified_at_its_url_and_only_process_rules_are_not_exercised()
    {
        await Repo.EnsureBuiltAsync();
        var simPort = FreePort.Pick();
        var agentPort = FreePort.Pick();
        const string secret = "whsec_running_agent_test";
        var log = Path.Combine(Directory.CreateTempSubdirectory("dukaan-url-").FullName, "agent.log");
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec {FixtureAgents.Command("csharp")} > '{log}' 2>&1"])
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("dukaan-url-agent-").FullName,
        };
        info.Environment["PORT"] = agentPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["AGENTDUKAAN_API_URL"] = $"http://127.0.0.1:{simPort}";
        info.Environment["OPENAI_BASE_URL"] = $"http://127.0.0.1:{simPort}/v1";
        info.Environment["AGENTDUKAAN_WEBHOOK_SECRET"] = secret;
        info.Environment["AGENT_HEARTBEAT_MS"] = "500";
        using var agent = Process.Start(info)!;
        try
        {
            var run = await CertifyRun.StartAsync(
            [
                "certify", "--agent-url", $"http://127.0.0.1:{agentPort}", "--sim-port", simPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--secret", secret, "--trigger-url", FixtureAgents.Trigger, "--agent-log", log, "--startup-timeout", "15",
            ], TimeSpan.FromMinutes(2));
            Assert.Multiple(() =>
            {
                Assert.That(run.NonPassing, Is.EquivalentTo(new Dictionary<string, Verdict>
                {
                    ["DK-SEC-02"] = Verdict.NotExercised, ["DK-SEC-04"] = Verdict.NotExercised, ["DK-SEC-05"] = Verdict.NotExercised, ["DK-OPS-01"] = Verdict.NotExercised,
                }), run.Describe());
                Assert.That(run.VerdictOf("DK-SEC-01"), Is.EqualTo(Verdict.Pass), "the log file was scanned");
                Assert.That(run.ExitCode, Is.EqualTo(1), "MUST rules not exercised: not a certification");
                Assert.That(File.ReadAllText(Path.Combine(run.OutDir, "results.json")), Does.Not.Contain(secret));
            });
        }
        finally
        {
            agent.Kill(entireProcessTree: true);
        }
    }

    [Test]
    public async Task A_url_nobody_answers_at_is_a_configuration_error()
    {
        var run = await CertifyRun.StartAsync(
            ["certify", "--agent-url", $"http://127.0.0.1:{FreePort.Pick()}", "--sim-port", FreePort.Pick().ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--secret", "whsec_nobody_home", "--startup-timeout", "2"], TimeSpan.FromMinutes(1));
        Assert.That(run.ExitCode, Is.EqualTo(2), run.Describe());
        Assert.That(run.Results!.Notes, Has.Some.Contains("Nothing answers at"));
    }
}
