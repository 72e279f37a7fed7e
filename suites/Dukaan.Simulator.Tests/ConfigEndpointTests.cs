using System.Net;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

public sealed class ConfigEndpointTests
{
    private static string LastDiagnosis(InProcessSimulator sim, string id) =>
        sim.Simulator.Transcript.ForSubscription(id).Last(e => e.Kind == ExchangeKinds.Config).Tag(TagKeys.Diagnosis) ?? "(none)";

    [Test]
    public async Task Returns_the_full_config_with_sensitive_values()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var data = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id));

        var config = data.GetProperty("config").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.That(sub.SensitiveConfig, Is.Not.Empty);
        foreach (var (field, value) in sub.SensitiveConfig)
            Assert.That(config[field], Is.EqualTo(value), field);
        foreach (var (field, value) in sub.NonSensitiveConfig)
            Assert.That(config[field], Is.EqualTo(value), field);
        Assert.That(config, Has.Count.EqualTo(sub.SensitiveConfig.Count + sub.NonSensitiveConfig.Count));
        Assert.That(config[SubscriptionFactory.DefaultProviderKeyField], Does.StartWith("sk-dkcanary"));
    }

    [Test]
    public async Task Each_successful_fetch_writes_one_audit_entry()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        for (var i = 0; i < 3; i++)
            Assert.That((await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, secret: "wrong"));

        Assert.That(sub.Audit.Count(a => a.Action == "config.fetched"), Is.EqualTo(3), "a refused fetch is not audited as a fetch");
    }

    [Test]
    public async Task Missing_signature_is_401_MISSING_SIGNATURE()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.Config(sub.Id));
        request.Headers.Add(Headers.Timestamp, sim.NowMs.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.MissingSignature);
    }

    [Test]
    public async Task Signature_made_with_another_secret_is_401_INVALID_SIGNATURE()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var response = await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, secret: "whsec_someone_else"));

        await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo("wrong-secret-or-string"));
    }

    [TestCase("reversed-order")]
    [TestCase("missing-dot")]
    [TestCase("prefixed-signature")]
    [TestCase("id-only")]
    [TestCase("unkeyed-sha256")]
    [TestCase("ts-in-seconds")]
    public async Task Known_signing_mistakes_are_diagnosed(string mistake)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var ts = sim.NowMs;
        var signature = mistake switch
        {
            "reversed-order" => TestSigning.HexHmac(InProcessSimulator.Secret, $"{ts}.{sub.Id}"),
            "missing-dot" => TestSigning.HexHmac(InProcessSimulator.Secret, $"{sub.Id}{ts}"),
            "id-only" => TestSigning.HexHmac(InProcessSimulator.Secret, sub.Id),
            "unkeyed-sha256" => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{sub.Id}.{ts}"))),
            // The header carries milliseconds but the signed string used seconds.
            "ts-in-seconds" => TestSigning.HexHmac(InProcessSimulator.Secret, $"{sub.Id}.{ts / 1000}"),
            _ => "sha256=" + TestSigning.HexHmac(InProcessSimulator.Secret, $"{sub.Id}.{ts}"),
        };
        var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.Config(sub.Id));
        request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, signature);

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo(mistake));
    }

    [Test]
    public async Task Missing_timestamp_is_401_MISSING_TIMESTAMP()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var request = sim.RunTokenRequest(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id);
        request.Headers.Remove(Headers.Timestamp);

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.MissingTimestamp);
    }

    [TestCase("abc")]
    [TestCase("1.7e12")]
    [TestCase("-5")]
    [TestCase("0x1F")]
    [TestCase("99999999999999999999999")]
    public async Task Non_numeric_timestamp_is_401_INVALID_TIMESTAMP(string header)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var request = sim.RunTokenRequest(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id);
        request.Headers.Remove(Headers.Timestamp);
        request.Headers.Add(Headers.Timestamp, header);

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.InvalidTimestamp);
    }

    [TestCase(-300_001, "ts-too-old")]
    [TestCase(300_001, "ts-in-future")]
    public async Task Timestamp_outside_the_window_is_401_STALE_TIMESTAMP(long offsetMs, string diagnosis)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var response = await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, sim.NowMs + offsetMs);

        await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo(diagnosis));
    }

    [TestCase(-300_000)]
    [TestCase(300_000)]
    public async Task Timestamp_exactly_at_the_window_edge_is_accepted(long offsetMs)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var response = await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, sim.NowMs + offsetMs);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_window_follows_the_simulator_clock()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var signedAt = sim.NowMs;

        sim.Clock.Advance(TimeSpan.FromMilliseconds(300_000));
        Assert.That((await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, signedAt)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        sim.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, signedAt),
            HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
    }

    [Test]
    public async Task Timestamp_in_seconds_is_refused_and_diagnosed()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var response = await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, sim.NowMs / 1000);

        var message = await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo(RequestAuth.SecondsNotMillis));
        Assert.That(message, Does.Contain("milliseconds"));
    }

    [TestCase(SubscriptionStatus.Cancelled)]
    [TestCase(SubscriptionStatus.Paused)]
    [TestCase(SubscriptionStatus.PastDue)]
    public async Task Inactive_subscription_is_403_SUBSCRIPTION_NOT_ACTIVE(SubscriptionStatus status)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        sim.Simulator.SetStatus(sub, status);

        var response = await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id);

        await Wire.ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
        Assert.That(sub.Audit.Any(a => a.Action == "config.fetched"), Is.False);
    }

    [Test]
    public async Task Unknown_subscription_is_404_SUBSCRIPTION_NOT_FOUND()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create();

        var response = await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config("sub_nobody"), "sub_nobody");

        await Wire.ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }

    [Test]
    public async Task Injected_failures_answer_503_then_the_fetch_recovers()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        sub.InjectConfigFailures(2);

        for (var i = 0; i < 2; i++)
            await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id),
                HttpStatusCode.ServiceUnavailable, "CONFIG_UNAVAILABLE");
        var data = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id));

        Assert.That(data.GetProperty("config").GetProperty(SubscriptionFactory.DefaultProviderKeyField).GetString(), Is.EqualTo(sub.CurrentProviderKey));
        Assert.That(sub.Audit.Count(a => a.Action == "config.fetched"), Is.EqualTo(1));
        Assert.That(sub.ConfigFailuresToInject, Is.Zero);
    }

    [Test]
    public async Task Injected_failure_does_not_bypass_authentication()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        sub.InjectConfigFailures(1);

        await Wire.ErrorAsync(await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id, secret: "wrong")),
            HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);

        Assert.That(sub.ConfigFailuresToInject, Is.EqualTo(1), "an unauthenticated call must not consume the injected failure");
    }
}
