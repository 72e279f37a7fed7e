namespace Dukaan.Simulator.Tests;

/// <summary>
/// A seed replays the same buyers and canaries: reports name them, and a rule's rerun command (another --rules, the same
/// --seed) must meet the same buyers. Each scenario draws from its own stream, so what other scenarios draw, and when,
/// changes nothing.
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

        // Pinned so that a change of draw order, which would change every buyer a seed replays, is a visible decision.
        Assert.That(described, Is.EqualTo(new[]
        {
            "sub_fed70f70c291|buyer_1a49a3a5aadb|listing_a3b3cd56|Growth|999|1000|business_name=Nicolas Huel and Blanda,language=hindi|openai_api_key=sk-dkcanaryjp305mr1jaso76q41v9f",
            "sub_f257012cda2e|buyer_15134cce2a0c|listing_7c273bdb|Growth|3999|1000|business_name=Nader Batz and Lakin,language=english|openai_api_key=sk-dkcanary9iwnlaknorzav26gnl72",
            "sub_600ef12aeca0|buyer_df805cb88e91|listing_d6007849|Starter|1999|5000|business_name=Bahringer  Moore,language=hindi|openai_api_key=sk-dkcanaryakyisah4imm04bvfko7n",
        }));
    }

    [Test]
    public void A_scopes_nth_buyer_is_the_same_whatever_other_scopes_draw_before_or_between()
    {
        var alone = new SubscriptionFactory(3);
        var aloneBuyers = new[] { alone.Create(new(), null, "happy-path"), alone.Create(new(), null, "happy-path") };

        var crowded = new SubscriptionFactory(3);
        crowded.Create(new(), null, "bad-signatures");
        var first = crowded.Create(new(), null, "happy-path");
        crowded.Create(new(), null, "bad-signatures");
        crowded.Create(new(), null);
        var second = crowded.Create(new(), null, "happy-path");

        Assert.Multiple(() =>
        {
            Assert.That(new[] { Describe(first), Describe(second) }, Is.EqualTo(aloneBuyers.Select(Describe)));
            // A key rotation draws from the buyer's own stream too.
            Assert.That(crowded.NewCanary(second, "openai_api_key"), Is.EqualTo(alone.NewCanary(aloneBuyers[1], "openai_api_key")));
            Assert.That(Describe(aloneBuyers[0]), Is.Not.EqualTo(Describe(aloneBuyers[1])), "the n-th and the next buyer of a scope differ");
            Assert.That(Describe(new SubscriptionFactory(4).Create(new(), null, "happy-path")), Is.Not.EqualTo(Describe(aloneBuyers[0])), "another seed gives other buyers");
        });
    }

    [Test]
    public void The_listings_plain_fields_are_generated_when_the_request_gives_no_config()
    {
        var made = new SubscriptionFactory(7).Create(new(), null, "happy-path", ["language", "shop_url"]);
        Assert.That(made.NonSensitiveConfig.Keys, Is.EqualTo(new[] { "language", "shop_url" }));
        Assert.That(made.NonSensitiveConfig["shop_url"], Does.Match("^[a-z]+ [0-9]{1,3}$"));
    }
}
