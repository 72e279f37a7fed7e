using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dukaan.Simulator.Tests.Infrastructure;

/// <summary>The simulator app on a TestServer with a fake clock: every endpoint reachable without a socket.</summary>
public sealed class InProcessSimulator : IAsyncDisposable
{
    public const string Secret = "whsec_sim_tests_3f9a";
    /// <summary>A realistic epoch-ms start so "seconds instead of milliseconds" is distinguishable from "too old".</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_718_600_000_000);

    private readonly WebApplication _app;

    private InProcessSimulator(WebApplication app, TrackingClock clock)
    {
        _app = app;
        Clock = clock;
        Client = app.GetTestClient();
        Simulator = app.Services.GetRequiredService<PlatformSimulator>();
    }

    public TrackingClock Clock { get; }
    public HttpClient Client { get; }
    public PlatformSimulator Simulator { get; }
    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public static async Task<InProcessSimulator> StartAsync(Func<SimulatorOptions, SimulatorOptions>? configure = null)
    {
        var clock = new TrackingClock(Start);
        var options = new SimulatorOptions { Secret = Secret, Clock = clock, Seed = 7 };
        if (configure is not null) options = configure(options);
        var app = SimulatorApp.Build(options, b => b.WebHost.UseTestServer());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StartAsync(cts.Token);
        return new InProcessSimulator(app, clock);
    }

    public Subscription Create(string? id = null, int? runLimit = null, Uri? webhookUrl = null) =>
        Simulator.CreateSubscription(new CreateSubscriptionRequest(
            Id: id,
            Tier: runLimit is { } limit ? new Contract.Tier("Test", 999, limit) : null,
            WebhookUrl: webhookUrl?.ToString()));

    /// <summary>A run-token-signed request (/config, /run, /heartbeat), signed in the test with its own HMAC code.</summary>
    public HttpRequestMessage RunTokenRequest(HttpMethod method, string path, string subscriptionId, long? ts = null, string secret = Secret)
    {
        var stamp = ts ?? NowMs;
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(Contract.Headers.Timestamp, stamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Contract.Headers.Signature, TestSigning.HexHmac(secret, $"{subscriptionId}.{stamp}"));
        return request;
    }

    public Task<HttpResponseMessage> SendRunTokenAsync(HttpMethod method, string path, string subscriptionId, long? ts = null) =>
        Client.SendAsync(RunTokenRequest(method, path, subscriptionId, ts));

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
