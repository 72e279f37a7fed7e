using System.Net;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

public sealed class RequestConfigTests
{
    private const string Key = SubscriptionFactory.DefaultProviderKeyField;

    private static HttpRequestMessage Request(InProcessSimulator sim, string id, string body, string signature, long? ts = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ApiPaths.RequestConfig(id)) { Content = InProcessSimulator.Json(body) };
        request.Headers.Add(Headers.Timestamp, (ts ?? sim.NowMs).ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, signature);
        return request;
    }

    /// <summary>A correctly signed request for <paramref name="fields"/> (signed in ordinal order) and <paramref name="message"/>.</summary>
    private static HttpRequestMessage Signed(InProcessSimulator sim, string id, string[] fields, string? message)
    {
        var ts = sim.NowMs;
        var sorted = string.Join(',', fields.Order(StringComparer.Ordinal));
        var body = JsonSerializer.Serialize(new { fields, message });
        return Request(sim, id, body, TestSigning.ConfigRequest(InProcessSimulator.Secret, id, ts, sorted, message ?? ""), ts);
    }

    private static string? LastDiagnosis(InProcessSimulator sim, string id) =>
        sim.Simulator.Transcript.ForSubscription(id).Last(e => e.Kind == ExchangeKinds.RequestConfig).Tag(TagKeys.Diagnosis);

    [Test]
    public async Task Correctly_signed_request_flags_action_needed()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var data = await Wire.DataAsync(await sim.Client.SendAsync(Signed(sim, sub.Id, [Key], "The provider rejected this key.")));

        Assert.That(data.GetProperty("actionNeeded").GetBoolean(), Is.True);
        Assert.That(data.GetProperty("fields").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { Key }));
        Assert.That(sub.ActionNeeded, Is.True);
        Assert.That(sub.RequestedFields, Is.EqualTo(new[] { Key }));
        Assert.That(sub.RequestedMessage, Is.EqualTo("The provider rejected this key."));
        Assert.That(sub.Audit.Any(a => a.Action == "config.requested" && a.Detail == Key), Is.True);
    }

    [Test]
    public async Task A_missing_message_is_signed_as_the_empty_string()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var ts = sim.NowMs;

        var response = await sim.Client.SendAsync(Request(sim, sub.Id, $$"""{"fields":["{{Key}}"]}""",
            TestSigning.ConfigRequest(InProcessSimulator.Secret, sub.Id, ts, Key, ""), ts));

        Assert.That((await Wire.DataAsync(response)).GetProperty("actionNeeded").GetBoolean(), Is.True);
        Assert.That(sub.RequestedMessage, Is.Null);
    }

    [Test]
    public async Task The_run_token_is_refused_and_diagnosed()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var ts = sim.NowMs;

        var response = await sim.Client.SendAsync(Request(sim, sub.Id, $$"""{"fields":["{{Key}}"],"message":"m"}""",
            TestSigning.HexHmac(InProcessSimulator.Secret, $"{sub.Id}.{ts}"), ts));

        await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo(RequestAuth.RunTokenOnRequestConfig));
        Assert.That(sub.ActionNeeded, Is.False);
    }

    [TestCase("fields")]
    [TestCase("message")]
    public async Task A_body_that_differs_from_what_was_signed_is_401(string altered)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(); // sensitive: openai_api_key; non-sensitive: business_name, language
        var ts = sim.NowMs;
        var signature = TestSigning.ConfigRequest(InProcessSimulator.Secret, sub.Id, ts, Key, "please re-enter");
        var body = altered == "fields"
            ? $$"""{"fields":["language"],"message":"please re-enter"}"""
            : $$"""{"fields":["{{Key}}"],"message":"please re-enter!"}""";

        await Wire.ErrorAsync(await sim.Client.SendAsync(Request(sim, sub.Id, body, signature, ts)), HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo("body-does-not-match-signature"));
        Assert.That(sub.ActionNeeded, Is.False);
    }

    private static Subscription CreateWithMixedCaseFields(InProcessSimulator sim) =>
        sim.Simulator.CreateSubscription(new CreateSubscriptionRequest(
            Sensitive: new Dictionary<string, string> { ["b"] = "vb", ["B"] = "vB", ["a"] = "va" }, ProviderKeyField: "a"));

    [Test]
    public async Task Mixed_case_fields_signed_in_ordinal_order_are_accepted()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = CreateWithMixedCaseFields(sim);
        var ts = sim.NowMs;

        // Ordinal (JavaScript sort()) order of ["b","B","a"] is B,a,b (docs/rules.md decision 5); written out, not computed.
        var response = await sim.Client.SendAsync(Request(sim, sub.Id, """{"fields":["b","B","a"],"message":"x"}""",
            TestSigning.ConfigRequest(InProcessSimulator.Secret, sub.Id, ts, "B,a,b", "x"), ts));

        Assert.That((await Wire.DataAsync(response)).GetProperty("actionNeeded").GetBoolean(), Is.True);
        Assert.That(sub.RequestedFields, Is.EqualTo(new[] { "b", "B", "a" }), "the fields are kept as sent");
    }

    [Test]
    public async Task Mixed_case_fields_signed_in_culture_order_are_refused()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = CreateWithMixedCaseFields(sim);
        var ts = sim.NowMs;

        var response = await sim.Client.SendAsync(Request(sim, sub.Id, """{"fields":["b","B","a"],"message":"x"}""",
            TestSigning.ConfigRequest(InProcessSimulator.Secret, sub.Id, ts, "a,b,B", "x"), ts));

        await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo("culture-sorted-fields"));
    }

    [TestCase("fields-not-sorted")]
    [TestCase("message-undefined")]
    [TestCase("missing-domain")]
    public async Task Known_request_config_signing_mistakes_are_diagnosed(string mistake)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = CreateWithMixedCaseFields(sim);
        var ts = sim.NowMs;
        var (body, payload) = mistake switch
        {
            "fields-not-sorted" => ("""{"fields":["b","a"],"message":"x"}""", $"config_request.{sub.Id}.{ts}.b,a.x"),
            "message-undefined" => ("""{"fields":["a"]}""", $"config_request.{sub.Id}.{ts}.a.undefined"),
            _ => ("""{"fields":["a"],"message":"x"}""", $"{sub.Id}.{ts}.a.x"),
        };

        await Wire.ErrorAsync(await sim.Client.SendAsync(Request(sim, sub.Id, body, TestSigning.HexHmac(InProcessSimulator.Secret, payload), ts)),
            HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastDiagnosis(sim, sub.Id), Is.EqualTo(mistake));
    }

    [TestCase("{not json")]
    [TestCase("")]
    [TestCase("""{"fields":"openai_api_key"}""")]
    [TestCase("""{"fields":["a"],"message":42}""")]
    [TestCase("[1,2,3]")]
    public async Task Malformed_json_is_400_MALFORMED_JSON(string body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await sim.Client.SendAsync(Request(sim, sub.Id, body, new string('a', 64))),
            HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
    }

    [TestCase("""{"fields":[]}""")]
    [TestCase("""{"message":"no fields"}""")]
    [TestCase("""{"fields":[""]}""")]
    [TestCase("""{"fields":[null]}""")]
    [TestCase("null")]
    public async Task Empty_or_missing_fields_are_400_VALIDATION_FAILED(string body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var response = await sim.Client.SendAsync(Request(sim, sub.Id, body, new string('a', 64)));

        // "null" parses to no body at all, which is malformed rather than empty; either 400 is a correct refusal.
        var code = body == "null" ? ErrorCodes.MalformedJson : ErrorCodes.ValidationFailed;
        await Wire.ErrorAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Test]
    public async Task A_field_the_listing_does_not_have_is_400_VALIDATION_FAILED()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var message = await Wire.ErrorAsync(await sim.Client.SendAsync(Signed(sim, sub.Id, ["anthropic_api_key"], null)),
            HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(message, Does.Contain("anthropic_api_key"));
        Assert.That(sub.ActionNeeded, Is.False);
    }

    [Test]
    public async Task Missing_signature_and_stale_timestamp_are_401()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var unsigned = new HttpRequestMessage(HttpMethod.Post, ApiPaths.RequestConfig(sub.Id)) { Content = InProcessSimulator.Json($$"""{"fields":["{{Key}}"]}""") };
        unsigned.Headers.Add(Headers.Timestamp, sim.NowMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Wire.ErrorAsync(await sim.Client.SendAsync(unsigned), HttpStatusCode.Unauthorized, ErrorCodes.MissingSignature);

        var stale = sim.NowMs - 400_000;
        await Wire.ErrorAsync(await sim.Client.SendAsync(Request(sim, sub.Id, $$"""{"fields":["{{Key}}"]}""",
            TestSigning.ConfigRequest(InProcessSimulator.Secret, sub.Id, stale, Key, ""), stale)), HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
        Assert.That(sub.ActionNeeded, Is.False);
    }

    [TestCase(SubscriptionStatus.Cancelled)]
    [TestCase(SubscriptionStatus.Paused)]
    [TestCase(SubscriptionStatus.PastDue)]
    public async Task Inactive_subscription_is_403(SubscriptionStatus status)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        sim.Simulator.SetStatus(sub, status);

        await Wire.ErrorAsync(await sim.Client.SendAsync(Signed(sim, sub.Id, [Key], null)), HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
        Assert.That(sub.ActionNeeded, Is.False);
    }

    [Test]
    public async Task Unknown_subscription_is_404()
    {
        await using var sim = await InProcessSimulator.StartAsync();

        await Wire.ErrorAsync(await sim.Client.SendAsync(Signed(sim, "sub_ghost", [Key], null)), HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }

    [Test]
    public async Task Rotating_the_requested_field_clears_action_needed()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        await Wire.DataAsync(await sim.Client.SendAsync(Signed(sim, sub.Id, [Key], "rejected")));

        await Wire.JsonAsync(await sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/rotate", InProcessSimulator.Json("""{"deliver":false}""")));

        Assert.That(sub.ActionNeeded, Is.False);
        Assert.That(sub.RequestedFields, Is.Empty);
    }
}
