using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dukaan.Conformance.Testing;

/// <summary>The simulator on a TestServer: reached by the agent through <see cref="Outbound"/>, reaching the agent through its <see cref="AgentRoute"/>.</summary>
internal sealed class InProcessPlatformHost : IPlatformHost
{
    /// <summary>
    /// A name that resolves nowhere, so the reports show where the agent was told the platform is, and a request that
    /// escaped the in-memory route could not reach anything real.
    /// </summary>
    public static readonly Uri Origin = new("http://agentdukaan.test/");

    private readonly WebApplication _app;
    private readonly HttpClient _deliveries;

    private InProcessPlatformHost(WebApplication app, HttpClient deliveries, PlatformSimulator simulator, PlatformRoute outbound)
    {
        _app = app;
        _deliveries = deliveries;
        Simulator = simulator;
        Outbound = outbound;
    }

    public PlatformSimulator Simulator { get; }

    public PlatformRoute Outbound { get; }

    public static async Task<InProcessPlatformHost> StartAsync(SimulatorOptions options, AgentRoute agent, CancellationToken cancellationToken)
    {
        // No client timeout: the delivery engine bounds every attempt itself (10 s), as it does on Kestrel.
        var deliveries = new HttpClient(agent, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        // The simulator tells the agent where the platform is from PublicBaseUrl; a TestServer has no port to learn it from.
        var app = SimulatorApp.Build(options with { PublicBaseUrl = Origin }, builder => builder.WebHost.UseTestServer(), deliveries);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            deliveries.Dispose();
            throw;
        }
        var server = app.GetTestServer();
        server.BaseAddress = Origin;
        return new InProcessPlatformHost(app, deliveries, app.Services.GetRequiredService<PlatformSimulator>(), new PlatformRoute(Origin, server.CreateHandler()));
    }

    public async ValueTask DisposeAsync()
    {
        Outbound.Close();
        _deliveries.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
