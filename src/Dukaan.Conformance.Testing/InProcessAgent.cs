using Dukaan.Conformance.Agents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dukaan.Conformance.Testing;

/// <summary>
/// The seller's ASP.NET Core app on a TestServer. There is no process, so output capture, restart, the file scan and
/// the port check are impossible; the rules that need them are not-exercised, and the run says so.
/// </summary>
internal sealed class InProcessAgent : IAgentUnderTest
{
    private readonly IHost _host;
    private readonly AgentRoute _route;

    private InProcessAgent(IHost host, TestServer server, AgentRoute route, InProcessOptions options)
    {
        _host = host;
        _route = route;
        Http = server.CreateClient();
        // The harness bounds triggers and deliveries itself; HttpClient's default 100 s would only get in the way.
        Http.Timeout = Timeout.InfiniteTimeSpan;
        WebhookUrl = new Uri(server.BaseAddress, options.WebhookPath);
        TriggerUrl = options.TriggerPath is { } trigger ? new Uri(server.BaseAddress, trigger) : null;
    }

    public Uri WebhookUrl { get; }
    public Uri? TriggerUrl { get; }
    public HttpClient Http { get; }
    public bool CanCaptureOutput => false;
    public bool CanRestart => false;
    public bool CanScanFiles => false;
    public bool? ListensOnGivenPort => null;
    public IReadOnlyList<string> Notes => [];

    /// <summary>
    /// Builds the agent with the seller's factory and starts it. Exceptions from the seller's own code propagate
    /// unchanged, stack trace and all: in a unit test that is the most useful thing to see.
    /// </summary>
    public static async Task<InProcessAgent> StartAsync(Func<InProcessPlatform, IHost> factory, InProcessPlatform platform, AgentRoute route,
        InProcessOptions options, CancellationToken cancellationToken)
    {
        var host = factory(platform) ?? throw new InvalidOperationException("The agent factory returned null; return the built app (e.g. builder.Build()) without starting it.");
        // Checked before starting: a host still on Kestrel would bind a real port (the agent's production one) on start.
        if (host.Services.GetService<IServer>() is not TestServer server)
        {
            await DisposeHostAsync(host).ConfigureAwait(false);
            throw new InvalidOperationException(
                "The agent factory returned an app that is not hosted on a TestServer. Call builder.WebHost.UseTestServer() " +
                "(Microsoft.AspNetCore.TestHost) on the agent's builder, after anything that configures Kestrel.");
        }
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeHostAsync(host).ConfigureAwait(false);
            throw;
        }
        route.Connect(server.CreateHandler());
        return new InProcessAgent(host, server, route, options);
    }

    public string CapturedOutput() => "";

    public IReadOnlyList<string> FilesToScan() => [];

    public Task RestartAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("An in-process agent cannot be restarted by the harness; run `dukaan-conformance certify --agent-cmd …` for the restart rules.");

    public async ValueTask DisposeAsync()
    {
        _route.Disconnect();
        Http.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The agent's shutdown hung; the results are already judged, and the test must not hang with it.
        }
        finally
        {
            await DisposeHostAsync(_host).ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else host.Dispose();
    }
}
