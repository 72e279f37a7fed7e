using System.Globalization;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The explanation a seller reads for a refused signed call, checked against what the simulator really records:
/// the diagnosis "ts-in-seconds" is shared by two different mistakes that need different advice.
/// </summary>
public sealed class RefusalExplanationTests
{
    private const string Secret = "whsec_refusal_explanations";

    private static async Task<Exchange> RefusedFetchAsync(Func<string, long, (long Header, string Signature)> sign)
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0, Secret = Secret });
        var subscription = host.Simulator.CreateSubscription(new CreateSubscriptionRequest());
        var (header, signature) = sign(subscription.Id, host.Simulator.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.Config(subscription.Id).TrimStart('/'));
        request.Headers.Add(Headers.Timestamp, header.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, signature);
        using var response = await http.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        return host.Simulator.Transcript.ForSubscription(subscription.Id).Single(e => e.Kind == ExchangeKinds.Config);
    }

    [Test]
    public async Task A_timestamp_header_in_seconds_is_explained_as_seconds_not_milliseconds()
    {
        var refused = await RefusedFetchAsync((id, ms) => (ms / 1000, RunToken.Sign(Secret, id, ms / 1000)));

        Assert.That(refused.Tag(TagKeys.ErrorCode), Is.EqualTo(ErrorCodes.StaleTimestamp));
        Assert.That(refused.Tag(TagKeys.Diagnosis), Is.EqualTo(RequestAuth.SecondsNotMillis));
        Assert.That(GlobalChecks.Explain(refused), Is.EqualTo("X-AgentDukaan-Ts in seconds, not milliseconds: use Date.now() (ms), not Date.now()/1000."));
    }

    [Test]
    public async Task A_millisecond_header_signed_over_seconds_is_explained_as_the_wrong_string()
    {
        var refused = await RefusedFetchAsync((id, ms) => (ms, RunToken.Sign(Secret, id, ms / 1000)));

        Assert.That(refused.Tag(TagKeys.ErrorCode), Is.EqualTo(ErrorCodes.InvalidSignature));
        Assert.That(refused.Tag(TagKeys.Diagnosis), Is.EqualTo(RequestAuth.SecondsNotMillis));
        Assert.That(GlobalChecks.Explain(refused),
            Is.EqualTo("Signed the wrong string (ts-in-seconds): it must be HMAC-SHA256(secret, `${subscriptionId}.${ts}`) in hex."));
    }

    [Test]
    public async Task A_timestamp_outside_the_window_is_explained_as_clock_drift()
    {
        var refused = await RefusedFetchAsync((id, ms) => (ms - 600_000, RunToken.Sign(Secret, id, ms - 600_000)));

        Assert.That(refused.Tag(TagKeys.ErrorCode), Is.EqualTo(ErrorCodes.StaleTimestamp));
        Assert.That(GlobalChecks.Explain(refused), Is.EqualTo("X-AgentDukaan-Ts is outside the 5-minute window: check the clock, and compute ts per request."));
    }
}
