using System.Text.Json;
using Dukaan.Contract;

namespace Dukaan.Contract.Tests;

/// <summary>The ChatBlock validator of 002 §6.5, which DK-CHAT-08 and the simulator's reply/push endpoints share.</summary>
public sealed class ChatBlockKitTests
{
    private static IReadOnlyList<string> Problems(string blocks, params string[] allowed)
    {
        using var doc = JsonDocument.Parse(blocks);
        return ChatBlockKit.Problems(doc.RootElement, allowed);
    }

    [Test]
    public void Listed_blocks_with_well_formed_members_have_no_problem() =>
        Assert.That(Problems("""
            [{"type":"text","text":"hi"},
             {"type":"buttons","buttons":[{"label":"Reset","action":"reset","confirm":"Sure?"},{"label":"Open"}]},
             {"type":"form","fields":[{"id":"d","type":"range","min":1,"max":5},{"id":"n","type":"text"}]},
             {"type":"progress","value":0.5,"shiny":true}]
            """, "text", "buttons", "form", "progress"), Is.Empty);

    [TestCase("""[{"type":"chart","series":[1]}]""", "removed")]
    [TestCase("""[{"type":"progress","value":1}]""", "is a `progress`, but the relay's platform.blocks listed only")]
    [TestCase("""[{"type":"form","fields":[{"id":"d","type":"range","min":1}]}]""", "without numeric min and max")]
    [TestCase("""[{"type":"form","fields":[{"id":"d","type":"range","min":9,"max":1}]}]""", "min is above its max")]
    [TestCase("""[{"type":"buttons","buttons":[{"label":"x","confirm":true}]}]""", "confirm is true, not a string")]
    [TestCase("""[{"text":"no type"}]""", "no string \"type\"")]
    [TestCase("""{"type":"text"}""", "not an array")]
    public void Each_broken_block_is_named(string blocks, string expected)
    {
        Assert.That(Problems(blocks, "text", "form", "buttons"), Has.Some.Contains(expected));
    }

    [Test]
    public void Null_blocks_are_no_blocks() => Assert.That(Problems("null"), Is.Empty);

    [Test]
    public void Negotiation_intersects_the_manifest_with_the_renderer_and_keeps_push_off_without_the_opt_in()
    {
        var manifest = new ChatManifest(["text", "progress", "buttons"], ["open_url"], new ProactiveManifest(true, 20, ["alert"]));
        var narrowed = manifest.Negotiate(rendererBlocks: ["text", "buttons"]);
        var off = manifest.Negotiate(proactiveAllowed: false);
        Assert.Multiple(() =>
        {
            Assert.That(narrowed.Blocks, Is.EqualTo(new[] { "text", "buttons" }));
            Assert.That(narrowed.Proactive, Is.EqualTo(narrowed.Proactive with { Enabled = true, MaxPerDay = 20 }));
            Assert.That(off.Proactive.Enabled, Is.False);
            Assert.That(off.Proactive.Categories, Is.Empty);
            Assert.That(new ChatManifest(["text"], [], null).Negotiate().Proactive.MaxPerDay, Is.EqualTo(ProactiveManifest.DefaultMaxPerDay));
        });
    }

    /// <summary>A vector computed independently (HMACSHA256 over the documented string) for each body-bound chat domain.</summary>
    [TestCase("chat_reply")]
    [TestCase("chat_push")]
    [TestCase("chat_state")]
    public void Chat_domains_sign_the_documented_string(string name)
    {
        var raw = """{"text":"Your site is back up ✓","clientMsgId":"site-up-2026-06-20"}"""u8.ToArray();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw));
        using var hmac = new System.Security.Cryptography.HMACSHA256("whsec_test"u8.ToArray());
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(System.Text.Encoding.UTF8.GetBytes($"{name}.sub_1.1718600000000.{sha}")));
        var domain = new BodyBoundDomain(name);
        Assert.That(domain.Sign("whsec_test", "sub_1", 1718600000000, raw), Is.EqualTo(expected));
        Assert.That(domain.Verify("whsec_test", "sub_1", 1718600000000, raw, expected), Is.True);
    }
}
