using System.Text;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>
/// A correctly signed body that no JSON library would produce by re-serializing: the classic mistake of hashing
/// parsed JSON instead of the raw bytes fails here and only here.
/// </summary>
public sealed class NonCanonicalBodyScenario : Scenario
{
    public override string Name => "non-canonical-body";
    public override string Description => "A signed delivery with indentation, unusual key order, \\u00e9 escapes, a trailing newline and an integer above 2^53.";
    public override IReadOnlyList<string> Rules => ["DK-SIG-01"];

    public static byte[] Body(PlatformSimulator simulator, Subscription s)
    {
        var message = simulator.BuildBuyerConfigured(s);
        var json = $$"""
        {
            "ts": {{message.Ts}},
            "tier": {
                "runLimitPerMonth": {{message.Tier.RunLimitPerMonth}},
                "priceINR": {{message.Tier.PriceInr}},
                "name": "{{message.Tier.Name}}"
            },
            "config": {
                "language": "hinglish",
                "business_name": "Caf\u00e9 M\u00fcller \u0026 Sons",
                "loyalty_account": 9007199254740993
            },
            "sensitiveFields": [ "{{string.Join("\", \"", message.SensitiveFields)}}" ],
            "credentialsUrl": "{{message.CredentialsUrl.Replace("/", "\\/", StringComparison.Ordinal)}}",
            "listingId": "{{message.ListingId}}",
            "buyerId": "{{message.BuyerId}}",
            "subscriptionId": "{{message.SubscriptionId}}",
            "event": "buyer_configured"
        }

        """;
        return Encoding.UTF8.GetBytes(json.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    public override async Task RunAsync(ScenarioContext context)
    {
        var subscription = context.NewSubscription();
        var body = Body(context.Simulator, subscription);
        var attempt = await context.SendAsync(subscription, context.Signed(subscription, EventTypes.BuyerConfigured, body));
        const string expected = "2xx, then a /config fetch for the subscription (the body is signed correctly, byte for byte)";
        if (!attempt.Is2xx())
        {
            context.Fail("DK-SIG-01", expected, $"The delivery was answered {attempt.Describe()}.",
                attempt.Is4xx()
                    ? "Signature verified over re-serialized JSON: the agent probably hashes JSON.stringify(req.body), json.dumps(request.json) or an equivalent instead of the raw request bytes. HMAC exactly the bytes received: express.raw / express.json({ verify }) in Express, a raw-buffer content-type parser in Fastify, await c.req.arrayBuffer() in Hono, request.get_data() in Flask, await request.body() in FastAPI, rfile.read(Content-Length) in http.server."
                    : null,
                [attempt.ExchangeSeq]);
            return;
        }
        var fetch = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > attempt.ExchangeSeq);
        if (fetch is null)
            context.Fail("DK-SIG-01", expected, $"Answered {attempt.Describe()} but never fetched /config for it: the delivery was acknowledged and not acted on.", null, [attempt.ExchangeSeq]);
        else
            context.Pass("DK-SIG-01", expected, $"Answered {attempt.Describe()} and fetched /config ({fetch.Describe()}).", [attempt.ExchangeSeq, fetch.Seq]);
    }
}
