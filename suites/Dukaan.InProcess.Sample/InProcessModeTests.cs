using Dukaan.Conformance;
using Dukaan.Conformance.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Dukaan.InProcess.Sample;

/// <summary>What in-process mode cannot cover, it says; and what a test author gets wrong, it explains.</summary>
public sealed class InProcessModeTests
{
    [Test, CancelAfter(60_000)]
    public async Task Process_only_rules_are_not_exercised_and_the_results_say_so(CancellationToken cancellationToken)
    {
        using var agent = new ReferenceAgentHost();
        // The secret-custody and operations rules show it; DK-CFG-01's happy path gives DK-SEC-03 platform calls to scan.
        var run = await InProcessCertification.RunAsync(platform => agent.Build(platform), ReferenceAgentHost.Options("DK-SEC-*,DK-OPS-*,DK-CFG-01"), cancellationToken);

        var verdicts = run.Results.Rules.ToDictionary(r => r.Id, r => r.Verdict);
        Assert.Multiple(() =>
        {
            foreach (var id in InProcessCertification.ProcessOnlyRules)
                Assert.That(verdicts[id], Is.EqualTo(Verdict.NotExercised), id);
            Assert.That(verdicts["DK-SEC-03"], Is.EqualTo(Verdict.Pass), "the platform-side secret rule is judged in-process");
            Assert.That(run.Results.Notes, Has.Some.StartsWith("In-process mode: DK-SEC-01, DK-SEC-02, DK-SEC-04, DK-SEC-05, DK-OPS-01 need a real process")
                .And.Some.Contains("dukaan-conformance certify --agent-cmd"));
            Assert.That(run.Results.Outcome, Is.EqualTo(Outcome.Certified));
            Assert.That(run.Failures, Is.Empty);
            Assert.That(run.Results.Target.Kind, Is.EqualTo("in-process"));
        });
        run.AssertCertified();
    }

    [Test, CancelAfter(60_000)]
    public async Task Without_a_trigger_the_unexercised_must_rules_fail_the_assertion(CancellationToken cancellationToken)
    {
        using var agent = new ReferenceAgentHost();
        var run = await InProcessCertification.RunAsync(platform => agent.Build(platform),
            ReferenceAgentHost.Options("DK-RUN-01,DK-SEC-01") with { TriggerPath = null }, cancellationToken);

        var failure = Assert.Throws<InProcessCertificationException>(run.AssertCertified)!;
        Assert.Multiple(() =>
        {
            Assert.That(failure.Failures.Select(r => r.Id), Is.EqualTo(new[] { "DK-RUN-01" }), "DK-SEC-01 is expected to be not-exercised in-process");
            Assert.That(failure.Message, Does.Contain("DK-RUN-01 [MUST] not-exercised"));
            Assert.That(failure.Message, Does.Contain("Set InProcessOptions.TriggerPath"));
        });
    }

    [Test, CancelAfter(30_000)]
    public void An_agent_not_on_a_TestServer_is_refused_before_it_binds_a_port(CancellationToken cancellationToken)
    {
        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => InProcessCertification.RunAsync(
            _ => WebApplication.CreateSlimBuilder().Build(), ReferenceAgentHost.Options("DK-SIG-01"), cancellationToken))!;
        Assert.That(failure.Message, Does.Contain("UseTestServer()"));
    }

    [Test, CancelAfter(30_000)]
    public async Task The_agent_reaches_the_simulated_platform_and_nothing_else(CancellationToken cancellationToken)
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var run = await InProcessCertification.RunAsync(platform =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseTestServer();
            var app = builder.Build();
            app.MapPost("/hook", async () =>
            {
                // A client that disposes its handler must not break the agent's other clients: the run owns the handler.
                using (var first = new HttpClient(platform.OutboundHandler)) await first.GetAsync(new Uri(platform.ApiUrl, "api/subscriptions/nobody/config"));
                using var client = new HttpClient(platform.OutboundHandler, disposeHandler: false);
                using var platformAnswer = await client.GetAsync(new Uri(platform.ApiUrl, "api/subscriptions/nobody/config"));
                seen.Enqueue($"platform {(int)platformAnswer.StatusCode}");
                try
                {
                    await client.GetAsync("http://example.com/");
                    seen.Enqueue("example.com reached");
                }
                catch (HttpRequestException ex)
                {
                    seen.Enqueue(ex.Message);
                }
                return Results.Ok();
            });
            return app;
        }, new InProcessOptions { WebhookPath = "/hook", Rules = "DK-ACK-04" }, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Has.Some.Matches<string>(s => s.StartsWith("platform 4", StringComparison.Ordinal)), "the simulator answered (an unsigned call is refused, not lost)");
            Assert.That(seen, Has.Some.Contains("reaches only the simulated platform at http://agentdukaan.test/; the agent called http://example.com/"));
            Assert.That(seen, Has.None.EqualTo("example.com reached"));
            Assert.That(run.Results.Rules.Single().Verdict, Is.EqualTo(Verdict.Pass));
        });
    }

    [TestCase("hooks/agentdukaan")]
    [TestCase("")]
    public void A_webhook_path_that_is_not_a_route_is_refused(string path)
    {
        var failure = Assert.ThrowsAsync<ArgumentException>(() => InProcessCertification.RunAsync(
            _ => throw new AssertionException("the agent must not be built"), ReferenceAgentHost.Options() with { WebhookPath = path }))!;
        Assert.That(failure.Message, Does.Contain("WebhookPath"));
    }

    [Test]
    public void A_rule_pattern_that_matches_nothing_is_refused()
    {
        var failure = Assert.ThrowsAsync<ArgumentException>(() => InProcessCertification.RunAsync(
            _ => throw new AssertionException("the agent must not be built"), ReferenceAgentHost.Options("DK-NOPE-*")))!;
        Assert.That(failure.Message, Does.Contain("DK-NOPE-*"));
    }

    [Test]
    public void The_platform_record_never_prints_the_secret()
    {
        using var handler = new HttpClientHandler();
        var platform = new InProcessPlatform(new Uri("http://agentdukaan.test/"), new Uri("http://agentdukaan.test/v1"), "whsec_do_not_print", handler);
        Assert.Multiple(() =>
        {
            Assert.That(platform.ToString(), Does.Not.Contain("whsec_do_not_print"));
            Assert.That(platform.Variable("AGENTDUKAAN_WEBHOOK_SECRET"), Is.EqualTo("whsec_do_not_print"));
            Assert.That(platform.Variable("AGENTDUKAAN_API_URL"), Is.EqualTo("http://agentdukaan.test"));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(platform.Environment).Build();
            Assert.That(configuration["OPENAI_BASE_URL"], Is.EqualTo("http://agentdukaan.test/v1"), "agents that read IConfiguration get the same values");
        });
    }
}
