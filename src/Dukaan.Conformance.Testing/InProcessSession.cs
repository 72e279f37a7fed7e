using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;
using Microsoft.Extensions.Hosting;

namespace Dukaan.Conformance.Testing;

/// <summary>
/// Wires the two in-memory hosts of one run together for the engine's start hooks: the platform starts first, and
/// the agent, built from the platform's coordinates, is then connected as the target of the platform's deliveries.
/// </summary>
internal sealed class InProcessSession(Func<InProcessPlatform, IHost> agentFactory, InProcessOptions options)
{
    private readonly AgentRoute _agentRoute = new();
    private InProcessPlatformHost? _platform;

    public async Task<IPlatformHost> StartPlatformAsync(SimulatorOptions simulatorOptions, CancellationToken cancellationToken) =>
        _platform = await InProcessPlatformHost.StartAsync(simulatorOptions, _agentRoute, cancellationToken).ConfigureAwait(false);

    public async Task<IAgentUnderTest> StartAgentAsync(PeerCoordinates peer, CancellationToken cancellationToken)
    {
        // In-process certification hosts the AgentDukaan simulator only, so its engine always hands over platform coordinates.
        var coordinates = peer as PlatformCoordinates ?? throw new InvalidOperationException("In-process certification supports the agentdukaan profile only.");
        var platform = _platform ?? throw new InvalidOperationException("The engine started the agent before the platform; in-process hosting needs the platform first.");
        var given = new InProcessPlatform(coordinates.ApiUrl, coordinates.ProviderBaseUrl, coordinates.WebhookSecret, platform.Outbound);
        return await InProcessAgent.StartAsync(agentFactory, given, _agentRoute, options, cancellationToken).ConfigureAwait(false);
    }
}
