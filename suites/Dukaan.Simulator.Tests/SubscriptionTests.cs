using Dukaan.Contract;

namespace Dukaan.Simulator.Tests;

/// <summary>The subscription's own bookkeeping, without HTTP: the run limit and which provider keys it owns.</summary>
public sealed class SubscriptionTests
{
    private static Subscription New(int runLimit = 3) => new("sub_t", "buyer_t", "listing_t", new Tier("Starter", 999, runLimit),
        new Dictionary<string, string>(), new Dictionary<string, string> { ["openai_api_key"] = "sk-one" }, "openai_api_key", null);

    [Test]
    public void Run_limit_follows_the_tier_and_SetRunLimit_changes_both()
    {
        var sub = New(runLimit: 3);
        Assert.That(sub.RunLimit, Is.EqualTo(3));

        sub.SetRunLimit(1);

        Assert.That(sub.RunLimit, Is.EqualTo(1));
        Assert.That(sub.Tier.RunLimitPerMonth, Is.EqualTo(1));
        Assert.That(sub.TryConsumeRun(DateTimeOffset.UnixEpoch), Is.EqualTo(new RunData(true, 0)));
        Assert.That(sub.TryConsumeRun(DateTimeOffset.UnixEpoch), Is.EqualTo(new RunData(false, 0)));
    }

    [Test]
    public void Provider_key_matches_as_current_then_retired_after_rotation()
    {
        var sub = New();
        Assert.Multiple(() =>
        {
            Assert.That(sub.TryMatchProviderKey("sk-one", out var current), Is.True);
            Assert.That(current, Is.True);
            Assert.That(sub.TryMatchProviderKey("sk-other", out _), Is.False);
        });

        sub.Rotate("openai_api_key", "sk-two");

        Assert.Multiple(() =>
        {
            Assert.That(sub.TryMatchProviderKey("sk-one", out var current), Is.True);
            Assert.That(current, Is.False);
            Assert.That(sub.TryMatchProviderKey("sk-two", out current), Is.True);
            Assert.That(current, Is.True);
            Assert.That(sub.TryMatchProviderKey("SK-TWO", out _), Is.False, "keys compare ordinally");
        });
    }
}
