using System.Net;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>The run limit is exact under concurrency: 200 simultaneous calls against a limit of 100 allow exactly 100.</summary>
public sealed class RunConcurrencyTests
{
    private const int Calls = 200;
    private const int Limit = 100;

    private static async Task AssertExactAsync(Func<Task<HttpResponseMessage>> call, Subscription sub)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Calls).Select(async _ =>
        {
            await start.Task;
            using var response = await call();
            var status = response.StatusCode;
            int? remaining = status == HttpStatusCode.OK ? (await Wire.DataAsync(response)).GetProperty("remaining").GetInt32() : null;
            if (status == HttpStatusCode.TooManyRequests) await Wire.ErrorAsync(response, status, ErrorCodes.RunLimitExceeded);
            return (status, remaining);
        }).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(results.Count(r => r.status == HttpStatusCode.OK), Is.EqualTo(Limit));
        Assert.That(results.Count(r => r.status == HttpStatusCode.TooManyRequests), Is.EqualTo(Calls - Limit));
        // Each allowed call saw a distinct remaining count: no two calls consumed the same run.
        Assert.That(results.Where(r => r.remaining is not null).Select(r => r.remaining!.Value).Order(), Is.EqualTo(Enumerable.Range(0, Limit)));
        Assert.That(sub.RunsUsed, Is.EqualTo(Limit));
    }

    [Test]
    public async Task In_process()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: Limit);

        await AssertExactAsync(() => sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id), sub);

        Assert.That(sim.Simulator.Transcript.ForSubscription(sub.Id).Count(e => e.Kind == ExchangeKinds.Run), Is.EqualTo(Calls));
    }

    [Test]
    public async Task Over_loopback_http()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0, Secret = InProcessSimulator.Secret }, cts.Token);
        Assert.That(host.BaseUrl.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(host.BaseUrl.Port, Is.GreaterThan(0));
        var sub = host.Simulator.CreateSubscription(new CreateSubscriptionRequest(Tier: new Tier("Test", 1, Limit)));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseUrl };

        await AssertExactAsync(() =>
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var request = new HttpRequestMessage(HttpMethod.Post, ApiPaths.Run(sub.Id).TrimStart('/'));
            request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(Headers.Signature, TestSigning.HexHmac(InProcessSimulator.Secret, $"{sub.Id}.{ts}"));
            return client.SendAsync(request, cts.Token);
        }, sub);
    }
}
