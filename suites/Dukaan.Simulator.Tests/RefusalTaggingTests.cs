using System.Net;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>
/// Every refusal of an agent call is tagged in the transcript with the code its body carries, and with the named mistake when
/// one was recognised: the rules explain failures from these tags.
/// </summary>
public sealed class RefusalTaggingTests
{
    private static Exchange Last(InProcessSimulator sim) => sim.Simulator.Transcript.Snapshot()[^1];

    private static async Task AssertTaggedAsync(InProcessSimulator sim, HttpResponseMessage response, HttpStatusCode status, string code, string? diagnosis = null)
    {
        await Wire.ErrorAsync(response, status, code);
        var exchange = Last(sim);
        Assert.That(exchange.Status, Is.EqualTo((int)status));
        Assert.That(exchange.Tag(TagKeys.ErrorCode), Is.EqualTo(code));
        Assert.That(exchange.Tag(TagKeys.Diagnosis), Is.EqualTo(diagnosis));
    }

    [Test]
    public async Task Config_injected_failure_run_limit_missing_inactive_and_bad_signature_are_tagged()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 0);

        sub.InjectConfigFailures(1);
        await AssertTaggedAsync(sim, await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id),
            HttpStatusCode.ServiceUnavailable, "CONFIG_UNAVAILABLE");
        await AssertTaggedAsync(sim, await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id),
            HttpStatusCode.TooManyRequests, ErrorCodes.RunLimitExceeded);
        await AssertTaggedAsync(sim, await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat("sub_nobody"), "sub_nobody"),
            HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
        await AssertTaggedAsync(sim, await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Heartbeat(sub.Id), sub.Id, ts: sim.NowMs / 1000)),
            HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp, RequestAuth.SecondsNotMillis);

        sim.Simulator.SetStatus(sub, SubscriptionStatus.Paused);
        await AssertTaggedAsync(sim, await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat(sub.Id), sub.Id),
            HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
    }

    [Test]
    public async Task Request_config_refusals_are_tagged_with_code_and_diagnosis()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var ts = sim.NowMs;

        HttpRequestMessage Request(string id, string signature)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, ApiPaths.RequestConfig(id))
            {
                Content = InProcessSimulator.Json($"{{\"fields\":[\"{SubscriptionFactory.DefaultProviderKeyField}\"]}}"),
            };
            request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(Headers.Signature, signature);
            return request;
        }

        await AssertTaggedAsync(sim, await sim.Client.SendAsync(Request(sub.Id, RunToken.Sign(InProcessSimulator.Secret, sub.Id, ts))),
            HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature, RequestAuth.RunTokenOnRequestConfig);
        var signed = ConfigRequestSignature.Sign(InProcessSimulator.Secret, "sub_nobody", ts, [SubscriptionFactory.DefaultProviderKeyField], null);
        await AssertTaggedAsync(sim, await sim.Client.SendAsync(Request("sub_nobody", signed)),
            HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }

    [Test]
    public async Task A_stale_timestamp_is_refused_quoting_the_window_and_the_clock_it_was_judged_by()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var ts = sim.NowMs - 300_001;

        var message = await Wire.ErrorAsync(await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id, ts: ts)),
            HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);

        Assert.That(message, Is.EqualTo(
            $"{Headers.Timestamp} {ts} is more than 300000 ms from the platform clock ({sim.NowMs}); check for clock drift."));
        Assert.That(Last(sim).Tag(TagKeys.Diagnosis), Is.EqualTo("ts-too-old"));
    }
}
