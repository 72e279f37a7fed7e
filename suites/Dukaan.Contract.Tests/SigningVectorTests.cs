using System.Text;
using Dukaan.Contract;

namespace Dukaan.Contract.Tests;

/// <summary>
/// Every expected hex here was computed outside .NET with <c>printf '%s' PAYLOAD | openssl dgst -sha256 -hmac whsec_test</c>,
/// so a bug shared by the signer and the verifier cannot hide.
/// </summary>
public sealed class SigningVectorTests
{
    private const string Secret = "whsec_test";
    private const string Id = "sub_123";
    private const long Ts = 1718600000000;

    [Test]
    public void Prefixed_body_signature_is_sha256_equals_and_the_hmac_of_the_exact_bytes()
    {
        // printf '{"event":"contract.deploy"}' | openssl dgst -sha256 -hmac whsec_wakeel
        Assert.That(PrefixedBodySignature.Sign("whsec_wakeel", "{\"event\":\"contract.deploy\"}"u8),
            Is.EqualTo("sha256=39a581e683bf151a3aae1f4c9e4c5c1aa8eb4367af8823454f2d9e2d1d388b40"));
    }

    [Test]
    public void Body_signature_is_hmac_of_the_exact_bytes()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_123\"}");
        Assert.That(BodySignature.Sign(Secret, body), Is.EqualTo("f08b2403d2a56d8ecb74ad9f4b11af1f5b03d63af9aaebbb59b72de7df5c0c81"));
    }

    [Test]
    public void Body_signature_covers_whitespace_escapes_and_trailing_newline()
    {
        var body = Encoding.UTF8.GetBytes("{\n  \"a\": \"\\u00e9\"\n}\n");
        Assert.That(BodySignature.Sign(Secret, body), Is.EqualTo("5fd932c78a882d4e1e865ec6557408cf447be07c8d1a1c6a0a6ee84870f6ea01"));
    }

    [Test]
    public void Run_token_signs_id_dot_ts()
    {
        Assert.That(RunToken.Payload(Id, Ts), Is.EqualTo("sub_123.1718600000000"));
        Assert.That(RunToken.Sign(Secret, Id, Ts), Is.EqualTo("94a79023b2087b5f03c5e94b810da10bb7bd9bfa058ce7ba9453e0209eaee8ba"));
    }

    [Test]
    public void Config_request_binds_fields_and_message()
    {
        Assert.That(
            ConfigRequestSignature.Sign(Secret, Id, Ts, ["openai_api_key"], "Your OpenAI key returned 401."),
            Is.EqualTo("0e44a292a81b80df99e0b1129f875a0c04921da8dd45ea6c764469a52372a97d"));
    }

    [Test]
    public void Config_request_sorts_ordinally_like_javascript_not_by_culture()
    {
        Assert.That(ConfigRequestSignature.SortedFields(["b", "B", "a"]), Is.EqualTo("B,a,b"));
        Assert.That(ConfigRequestSignature.Payload(Id, Ts, ["b", "B", "a"], null), Is.EqualTo("config_request.sub_123.1718600000000.B,a,b."));
        Assert.That(ConfigRequestSignature.Sign(Secret, Id, Ts, ["b", "B", "a"], null),
            Is.EqualTo("7c2ab3510c58fe33603176b7e8cd50d5c916cb83ead37d9ec6f7f231b1adb4ed"));
        // The culture-aware order "a,b,B" signs differently; a verifier using it would reject Node agents.
        Assert.That(ConfigRequestSignature.Sign(Secret, Id, Ts, ["b", "B", "a"], null),
            Is.Not.EqualTo("7e5e194676830efa273246bf1ffe85ed0795d3440108e8601e6ca60eed57432d"));
        Assert.That(ConfigRequestSignature.Sign(Secret, Id, Ts, ["beta_key", "Zeta", "alpha"], "fix it"),
            Is.EqualTo("c9f12246dcae70b062445e275869cad22390cc74ded05e2411328aa50cc41d77"));
    }

    [Test]
    public void Config_request_message_null_and_empty_sign_the_same()
    {
        Assert.That(ConfigRequestSignature.Sign(Secret, Id, Ts, ["x"], null), Is.EqualTo(ConfigRequestSignature.Sign(Secret, Id, Ts, ["x"], "")));
    }

    [Test]
    public void Chat_push_signs_sha256_of_raw_bytes()
    {
        const string raw = "{\"text\":\"Your site is back up ✓\",\"clientMsgId\":\"site-up-2026-06-20\",\"category\":\"alert\"}";
        Assert.That(Hmac.Sha256Hex(Encoding.UTF8.GetBytes(raw)), Is.EqualTo("79a06b52de22d5ba3bb0aeaf9de63f74ea8cc7778de6ba890ce298a874afa899"));
        Assert.That(BodyBoundDomain.ChatPush.Sign(Secret, Id, Ts, raw), Is.EqualTo("9693558a5780152f629c99c177f1797dac9b80de38e14ae549aa404a39ac2cce"));
    }

    [Test]
    public void Chat_state_and_reply_are_separate_domains()
    {
        const string raw = "{\"state\":{\"step\":2}}";
        Assert.That(BodyBoundDomain.ChatState.Sign(Secret, Id, Ts, raw), Is.EqualTo("730a169a57053c101c17d1912926cdac00010f3c2741bcc790ea064c0a6a7937"));
        Assert.That(BodyBoundDomain.ChatReply.Sign(Secret, Id, Ts, raw), Is.EqualTo("f8bf5d6ac8a97e5cde85d1e4715687f37b5d12d6dee64a44b81091751cdb1b0c"));
    }

    [Test]
    public void Verify_accepts_the_right_signature_in_either_hex_case_and_rejects_the_rest()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_123\"}");
        const string good = "f08b2403d2a56d8ecb74ad9f4b11af1f5b03d63af9aaebbb59b72de7df5c0c81";
        Assert.Multiple(() =>
        {
            Assert.That(BodySignature.Verify(Secret, body, good), Is.True);
            Assert.That(BodySignature.Verify(Secret, body, good.ToUpperInvariant()), Is.True);
            Assert.That(BodySignature.Verify(Secret, body, null), Is.False);
            Assert.That(BodySignature.Verify(Secret, body, ""), Is.False);
            Assert.That(BodySignature.Verify(Secret, body, good[..63]), Is.False);
            Assert.That(BodySignature.Verify(Secret, body, "sha256=" + good), Is.False);
            Assert.That(BodySignature.Verify("other", body, good), Is.False);
            Assert.That(RunToken.Verify(Secret, Id, Ts, "94a79023b2087b5f03c5e94b810da10bb7bd9bfa058ce7ba9453e0209eaee8ba"), Is.True);
            Assert.That(RunToken.Verify(Secret, Id, Ts + 1, "94a79023b2087b5f03c5e94b810da10bb7bd9bfa058ce7ba9453e0209eaee8ba"), Is.False);
            Assert.That(ConfigRequestSignature.Verify(Secret, Id, Ts, ["openai_api_key"], "Your OpenAI key returned 401.",
                "0e44a292a81b80df99e0b1129f875a0c04921da8dd45ea6c764469a52372a97d"), Is.True);
            Assert.That(ConfigRequestSignature.Verify(Secret, Id, Ts, ["openai_api_key"], "another message",
                "0e44a292a81b80df99e0b1129f875a0c04921da8dd45ea6c764469a52372a97d"), Is.False);
            // The run token must never pass as a config_request signature.
            Assert.That(ConfigRequestSignature.Verify(Secret, Id, Ts, ["openai_api_key"], null, RunToken.Sign(Secret, Id, Ts)), Is.False);
        });
    }

    [Test]
    public void Body_bound_verify_accepts_its_own_domain_only()
    {
        var raw = Encoding.UTF8.GetBytes("{\"state\":{\"step\":2}}");
        const string state = "730a169a57053c101c17d1912926cdac00010f3c2741bcc790ea064c0a6a7937";
        Assert.Multiple(() =>
        {
            Assert.That(BodyBoundDomain.ChatState.Verify(Secret, Id, Ts, raw, state), Is.True);
            Assert.That(BodyBoundDomain.ChatState.Verify(Secret, Id, Ts, raw, state.ToUpperInvariant()), Is.True);
            Assert.That(BodyBoundDomain.ChatReply.Verify(Secret, Id, Ts, raw, state), Is.False, "domains must not cross-verify");
            Assert.That(BodyBoundDomain.ChatState.Verify(Secret, Id, Ts + 1, raw, state), Is.False);
            Assert.That(BodyBoundDomain.ChatState.Verify(Secret, Id, Ts, [.. raw, (byte)'\n'], state), Is.False, "the hash covers the exact bytes");
            Assert.That(BodyBoundDomain.ChatState.Verify(Secret, Id, Ts, raw, null), Is.False);
        });
    }
}
