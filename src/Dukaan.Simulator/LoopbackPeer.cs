using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dukaan.Simulator;

/// <summary>
/// The Kestrel every simulated counterpart runs on (the AgentDukaan platform, the Wakeel + CRM peer, the AgentDoor
/// effects sink): loopback only, no logging noise, no Server header, a body cap so a flooding target cannot exhaust
/// the harness.
/// </summary>
public static class LoopbackPeer
{
    public static WebApplicationBuilder CreateBuilder(int port, long maxRequestBodyBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
        });
        return builder;
    }

    /// <summary>The started app's base address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
}
