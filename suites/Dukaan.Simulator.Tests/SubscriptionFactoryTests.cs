namespace Dukaan.Simulator.Tests;

/// <summary>
/// A seed replays the same buyers and canaries across versions: reports and baselines name them, so the factory must draw
/// from Bogus in the same order. The expected values were produced by the factory before its default config was shared.
/// </summary>
public sealed class SubscriptionFactoryTests
{
    private static string Describe(Subscription s) =>
        $"{s.Id}|{s.BuyerId}|{s.ListingId}|{s.Tier.Name}|{s.Tier.PriceInr}|{s.Tier.RunLimitPerMonth}|"
        + string.Join(",", s.NonSensitiveConfig.Select(kv => $"{kv.Key}={kv.Value}")) + "|"
        + string.Join(",", s.SensitiveConfig.Select(kv => $"{kv.Key}={kv.Value}"));

    [Test]
    public void Default_subscriptions_replay_exactly_from_the_seed()
    {
        var factory = new SubscriptionFactory(7);
        var described = Enumerable.Range(0, 3).Select(_ => Describe(factory.Create(new CreateSubscriptionRequest(), null))).ToArray();

        Assert.That(described, Is.EqualTo(new[]
        {
            "sub_6da05a0fdd7e|buyer_eea119fb9d23|listing_dbe9db2a|Growth|999|6000|business_name=Schneider  Harvey,language=hindi|openai_api_key=sk-dkcanary0qk6hd1y0hpra4532t5j",
            "sub_5b07112d40d9|buyer_f72780991cc8|listing_694305d2|Growth|3999|6000|business_name=Bogan and Sons,language=hinglish|openai_api_key=sk-dkcanaryvfbd6chwl7k9dnh77v6z",
            "sub_a289bc7e29b4|buyer_c9a67079e7df|listing_27a6b5b3|Pro|1999|1000|business_name=Green  Swaniawski,language=hindi|openai_api_key=sk-dkcanary6rxttf2wsc86v11dsviq",
        }));
        Assert.That(string.Join(",", factory.PlainConfig(["language", "shop_url"]).Select(kv => $"{kv.Key}={kv.Value}")), Is.EqualTo("language=english,shop_url=eos 662"));
    }
}
