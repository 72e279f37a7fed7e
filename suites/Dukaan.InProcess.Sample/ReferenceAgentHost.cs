using Dukaan.Conformance.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using ReferenceAgent;

namespace Dukaan.InProcess.Sample;

/// <summary>The reference agent, optionally broken, built for in-process certification with its own scratch state directory.</summary>
internal sealed class ReferenceAgentHost : IDisposable
{
    public const string WebhookPath = "/hooks/agentdukaan";
    public const string TriggerPath = TriggerEndpoint.Route;

    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("agent-state-");

    /// <param name="breaks">AGENT_BREAK names (fixtures/agents/csharp/Breaks.cs), comma-separated; null is the compliant agent.</param>
    public WebApplication Build(InProcessPlatform platform, string? breaks = null) => ReferenceAgentApp.Build(
        // Read the way the production binary reads its environment, so the in-process agent is configured like the real one.
        AgentSettings.FromEnvironment(platform.Variable) with { StateDirectory = _state.FullName, Breaks = Breaks.Parse(breaks) },
        builder => builder.WebHost.UseTestServer(),
        platform.OutboundHandler);

    public static InProcessOptions Options(string? rules = null) => new() { WebhookPath = WebhookPath, TriggerPath = TriggerPath, Rules = rules };

    public void Dispose() => _state.Delete(recursive: true);
}
