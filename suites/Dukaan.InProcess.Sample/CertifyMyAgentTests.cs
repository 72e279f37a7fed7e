using Dukaan.Conformance.Testing;
using Microsoft.AspNetCore.TestHost;
using ReferenceAgent;

namespace Dukaan.InProcess.Sample;

/// <summary>The test a seller copies: their agent, certified in memory, in one test.</summary>
public sealed class CertifyMyAgentTests
{
    [Test, CancelAfter(60_000)]
    public async Task Agent_is_certified_in_process(CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("agent-state-");
        try
        {
            var run = await InProcessCertification.RunAsync(
                platform => ReferenceAgentApp.Build(
                    new AgentSettings
                    {
                        ApiUrl = platform.ApiUrl,
                        OpenAiBaseUrl = platform.ProviderBaseUrl,
                        WebhookSecret = platform.WebhookSecret,
                        StateDirectory = state.FullName,
                    },
                    builder => builder.WebHost.UseTestServer(),
                    platform.OutboundHandler),
                new InProcessOptions { WebhookPath = "/hooks/agentdukaan", TriggerPath = "/_test/trigger" },
                cancellationToken);

            run.AssertCertified();
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
