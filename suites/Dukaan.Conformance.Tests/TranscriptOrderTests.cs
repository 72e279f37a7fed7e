using System.Globalization;
using System.Text.Json;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The transcript is in the order exchanges started. An agent that fetches /config before it ACKs (decision 1 allows it,
/// within the budget) answers the delivery after the fetch ended, yet the delivery caused the fetch: it comes first in
/// the seqs, in results.json's evidence and in the report's transcript.jsonl.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class TranscriptOrderTests
{
    private const string Secret = "whsec_transcript_order_5c1e";

    [Test]
    public async Task A_delivery_comes_before_the_config_fetch_the_agent_made_before_answering_it()
    {
        var simPort = FreePort.Pick();
        await using var agent = await FetchFirstAgent.StartAsync(simPort, Secret);
        var outcome = await InProcessCli.CertifyAsync(
            ["--agent-url", agent.Url, "--sim-port", simPort.ToString(CultureInfo.InvariantCulture), "--secret", Secret, "--rules", "DK-CFG-01", "--observation-window", "5"]);
        Assert.That(outcome.Results, Is.Not.Null, outcome.Error);
        Assert.That(agent.FetchedBeforeAck, Is.GreaterThan(0), "the agent fetched before it answered");

        var file = TranscriptLog.Read(Path.Combine(outcome.OutDir!, RunTranscriptFileName)).ToList();
        DateTimeOffset End(Exchange e) => e.StartedAt.AddMilliseconds(e.DurationMs);
        // Each fetch the agent made while a delivery to the same buyer was waiting for its answer: caused by it, ended before it.
        var pairs = file.Where(e => e.Kind == ExchangeKinds.Config)
            .Select(fetch => (Fetch: fetch, Delivery: file.LastOrDefault(d => d.Kind == ExchangeKinds.Delivery && d.SubscriptionId == fetch.SubscriptionId
                && d.StartedAt <= fetch.StartedAt && End(d) >= End(fetch))))
            .Where(p => p.Delivery is not null).ToList();
        var evidence = outcome.Results!.Rules.Single(r => r.Id == "DK-CFG-01").Evidence.Transcript;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Results.Rules.Single(r => r.Id == "DK-CFG-01").Verdict, Is.EqualTo(Verdict.Pass));
            Assert.That(pairs, Has.Count.GreaterThanOrEqualTo(3), "a fetch inside each scenario's delivery");
            Assert.That(file.Select(e => e.Seq), Is.Ordered.Ascending.And.Unique, "transcript.jsonl lines in seq order");
            foreach (var (fetch, delivery) in pairs)
            {
                Assert.That(delivery!.Seq, Is.LessThan(fetch.Seq), $"the delivery to {fetch.SubscriptionId} has a lower seq than the fetch it caused");
                Assert.That(file.IndexOf(delivery), Is.LessThan(file.IndexOf(fetch)), $"and is written before it in transcript.jsonl (seq {delivery.Seq}, {fetch.Seq})");
            }
            Assert.That(evidence.Select(t => t.Seq), Is.Ordered.Ascending, "results.json's evidence in seq order");
        });
    }

    private const string RunTranscriptFileName = Engine.RunTranscript.FileName;

    /// <summary>An agent that, on buyer_configured, pulls /config and only then answers 200 (any other delivery: 200 at once).</summary>
    private sealed class FetchFirstAgent : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _fetchedBeforeAck;

        private FetchFirstAgent(WebApplication app) => _app = app;

        public string Url => _app.Urls.First();

        public int FetchedBeforeAck => Volatile.Read(ref _fetchedBeforeAck);

        public static async Task<FetchFirstAgent> StartAsync(int simPort, string secret)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var agent = new FetchFirstAgent(app);
            var platform = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{simPort}/") };
            app.MapPost("/hooks/agentdukaan", async (HttpContext http) =>
            {
                using var body = await JsonDocument.ParseAsync(http.Request.Body);
                if (body.RootElement.TryGetProperty("event", out var e) && e.GetString() == "buyer_configured"
                    && body.RootElement.TryGetProperty("subscriptionId", out var idElement) && idElement.GetString() is { } id)
                {
                    var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"api/subscriptions/{id}/config");
                    request.Headers.Add(Contract.Headers.Timestamp, ts.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add(Contract.Headers.Signature, Contract.RunToken.Sign(secret, id, ts));
                    using var answer = await platform.SendAsync(request);
                    Interlocked.Increment(ref agent._fetchedBeforeAck);
                    // The fetch has ended well before the 200 goes out: ordered by end, the fetch would come first.
                    await Task.Delay(50);
                }
                return Results.Ok(new { received = true });
            });
            await app.StartAsync();
            return agent;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
