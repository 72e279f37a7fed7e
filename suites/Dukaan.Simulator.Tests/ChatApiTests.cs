using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dukaan.Contract;
using Dukaan.Simulator.Chat;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>The chat endpoints (002 §6) in process: signatures per domain, reply dedup and replace, push rules, state.</summary>
public sealed class ChatApiTests
{
    private static readonly ChatManifest Manifest = new(["text", "buttons", "form"], ["open_url"], new ProactiveManifest(true, 10, ["alert"]));

    private static Task<InProcessSimulator> StartAsync(ChatManifest? manifest = null) =>
        InProcessSimulator.StartAsync(o => o with { Chat = manifest ?? Manifest });

    private static string Sha256Hex(byte[] raw) => Convert.ToHexStringLower(SHA256.HashData(raw));

    /// <summary>A request signed over <c>{domain}.{id}.{ts}.{sha256hex(signedBody ?? body)}</c>, with the test's own HMAC code.</summary>
    private static HttpRequestMessage Signed(InProcessSimulator sim, HttpMethod method, string path, string id, string domain, string body, string? signedBody = null)
    {
        var ts = sim.NowMs;
        var raw = Encoding.UTF8.GetBytes(body);
        var signed = signedBody is null ? raw : Encoding.UTF8.GetBytes(signedBody);
        var request = new HttpRequestMessage(method, path) { Content = InProcessSimulator.Json(body) };
        request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, TestSigning.HexHmac(InProcessSimulator.Secret, $"{domain}.{id}.{ts}.{Sha256Hex(signed)}"));
        return request;
    }

    private static Task<HttpResponseMessage> ReplyAsync(InProcessSimulator sim, string id, string body) =>
        sim.Client.SendAsync(Signed(sim, HttpMethod.Post, ChatPaths.Reply(id), id, "chat_reply", body));

    private static Task<HttpResponseMessage> PushAsync(InProcessSimulator sim, string id, string body, string domain = "chat_push") =>
        sim.Client.SendAsync(Signed(sim, HttpMethod.Post, ChatPaths.Push(id), id, domain, body));

    private static string? LastTag(InProcessSimulator sim, string id, string kind, string tag) =>
        sim.Simulator.Transcript.ForSubscription(id).Last(e => e.Kind == kind).Tag(tag);

    [Test]
    public async Task A_retried_reply_collapses_to_one_bubble_and_replace_edits_the_placeholder()
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        await Wire.DataAsync(await ReplyAsync(sim, sub.Id, """{"text":"working…","replyTo":"msg_1","replace":false}"""));
        await Wire.DataAsync(await ReplyAsync(sim, sub.Id, """{"text":"working…","replyTo":"msg_1","replace":false}"""));
        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatReply, TagKeys.ChatBubble), Is.EqualTo("duplicate"));

        await Wire.DataAsync(await ReplyAsync(sim, sub.Id, """{"text":"Done ✓","replyTo":"msg_1","replace":true}"""));

        var bubble = sub.Chat.Bubbles.Single();
        Assert.Multiple(() =>
        {
            Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatReply, TagKeys.ChatBubble), Is.EqualTo("edited"));
            Assert.That(bubble.Text, Is.EqualTo("Done ✓"));
            Assert.That(bubble.Edits, Is.EqualTo(1));
            Assert.That(bubble.EarlierTexts, Is.EqualTo(new[] { "working…" }));
        });
    }

    [Test]
    public async Task A_replace_with_nothing_to_replace_is_appended_and_tagged()
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        await Wire.DataAsync(await ReplyAsync(sim, sub.Id, """{"text":"Done","replyTo":"msg_9","replace":true}"""));
        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatReply, TagKeys.ChatBubble), Is.EqualTo("nothing-to-replace"));
        Assert.That(sub.Chat.Bubbles, Has.Count.EqualTo(1));
    }

    [TestCase("run-token")]
    [TestCase("chat_push-domain")]
    [TestCase("body-reserialized")]
    public async Task A_wrongly_signed_reply_is_401_and_names_the_mistake(string mistake)
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        const string pretty = "{\n  \"text\": \"hi\",\n  \"replyTo\": \"msg_1\"\n}";
        var request = mistake switch
        {
            "run-token" => WithBody(sim.RunTokenRequest(HttpMethod.Post, ChatPaths.Reply(sub.Id), sub.Id), pretty),
            "chat_push-domain" => Signed(sim, HttpMethod.Post, ChatPaths.Reply(sub.Id), sub.Id, "chat_push", pretty),
            _ => Signed(sim, HttpMethod.Post, ChatPaths.Reply(sub.Id), sub.Id, "chat_reply", pretty, signedBody: """{"text":"hi","replyTo":"msg_1"}"""),
        };

        var message = await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);

        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatReply, TagKeys.Diagnosis), Is.EqualTo(mistake), message);
        Assert.That(sub.Chat.Bubbles, Is.Empty);
    }

    private static HttpRequestMessage WithBody(HttpRequestMessage request, string body)
    {
        request.Content = InProcessSimulator.Json(body);
        return request;
    }

    [Test]
    public async Task Push_answers_in_the_contracts_order_opt_in_category_503_mute_quota_and_dedup()
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        sub.Chat.SetMaxPerDay(1);

        await Wire.ErrorAsync(await PushAsync(sim, sub.Id, """{"text":"x"}"""), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        await Wire.ErrorAsync(await PushAsync(sim, sub.Id, """{"text":"x","clientMsgId":"a","category":"nudge"}"""), HttpStatusCode.Forbidden, ChatErrorCodes.CategoryNotAllowed);
        sub.Chat.InjectPushFailures(1);
        await Wire.ErrorAsync(await PushAsync(sim, sub.Id, """{"text":"x","clientMsgId":"a","category":"alert"}"""), HttpStatusCode.ServiceUnavailable, ChatErrorCodes.PushUnavailable);
        await Wire.DataAsync(await PushAsync(sim, sub.Id, """{"text":"x","clientMsgId":"a","category":"alert"}"""));
        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatPush, TagKeys.ChatPush), Is.EqualTo("delivered"));
        await Wire.DataAsync(await PushAsync(sim, sub.Id, """{"text":"x","clientMsgId":"a","category":"alert"}"""));
        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatPush, TagKeys.ChatPush), Is.EqualTo("duplicate"));
        await Wire.ErrorAsync(await PushAsync(sim, sub.Id, """{"text":"y","clientMsgId":"b","category":"alert"}"""), HttpStatusCode.TooManyRequests, ChatErrorCodes.PushQuotaExceeded);

        sub.Chat.SetMuted(true);
        var muted = await Wire.JsonAsync(await PushAsync(sim, sub.Id, """{"text":"z","clientMsgId":"c","category":"alert"}"""), HttpStatusCode.Accepted);
        Assert.That(muted.GetProperty("data").GetProperty("muted").GetBoolean(), Is.True);

        sim.Clock.Advance(TimeSpan.FromDays(1));
        sub.Chat.SetMuted(false);
        await Wire.DataAsync(await PushAsync(sim, sub.Id, """{"text":"y","clientMsgId":"b","category":"alert"}"""));
        Assert.That(sub.Chat.Bubbles.Where(b => !b.Hidden).Select(b => b.ClientMsgId), Is.EqualTo(new[] { "a", "b" }), "the quota resets with the UTC day");
        Assert.That(sub.Chat.Bubbles.Single(b => b.Hidden).ClientMsgId, Is.EqualTo("c"));
    }

    [Test]
    public async Task Push_without_the_opt_in_is_403_whatever_the_signature_says_next()
    {
        await using var sim = await StartAsync(Manifest with { Proactive = null });
        var sub = sim.Create();
        await Wire.ErrorAsync(await PushAsync(sim, sub.Id, """{"text":"x","clientMsgId":"a","category":"alert"}"""), HttpStatusCode.Forbidden, ChatErrorCodes.ProactiveNotEnabled);
        Assert.That(sub.Chat.Bubbles, Is.Empty);
    }

    [Test]
    public async Task State_put_is_body_bound_get_uses_the_run_token_and_the_next_relay_carries_it()
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        await Wire.JsonAsync(await sim.Client.SendAsync(Signed(sim, HttpMethod.Put, ChatPaths.State(sub.Id), sub.Id, "chat_state", """{"state":{"turns":3}}""")));

        var got = await Wire.JsonAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ChatPaths.State(sub.Id), sub.Id));
        Assert.That(got.GetProperty("state").GetProperty("turns").GetInt32(), Is.EqualTo(3));
        Assert.That(sim.Simulator.BuildChatRelay(sub, "hi").State?.GetProperty("turns").GetInt32(), Is.EqualTo(3));

        var put = WithBody(sim.RunTokenRequest(HttpMethod.Put, ChatPaths.State(sub.Id), sub.Id), """{"state":{"turns":4}}""");
        await Wire.ErrorAsync(await sim.Client.SendAsync(put), HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(LastTag(sim, sub.Id, ExchangeKinds.ChatState, TagKeys.Diagnosis), Is.EqualTo("run-token"));
    }

    [Test]
    public async Task A_relay_announces_the_negotiated_capabilities_and_the_conversations_push_state()
    {
        await using var sim = await StartAsync(Manifest with { Blocks = ["text", "buttons", "form", "markdown"] });
        var sub = sim.Create();
        sub.Chat.SetProactive(false);
        var relay = sim.Simulator.BuildChatRelay(sub, "hi", sub.Chat.Platform(rendererBlocks: ["text", "buttons"], capsVersion: 2));
        Assert.Multiple(() =>
        {
            Assert.That(relay.Platform.Blocks, Is.EqualTo(new[] { "text", "buttons" }));
            Assert.That(relay.Platform.CapsVersion, Is.EqualTo(2));
            Assert.That(relay.Platform.Proactive.Enabled, Is.False);
            Assert.That(relay.Event, Is.EqualTo(EventTypes.ChatMessage));
            Assert.That(Encoding.UTF8.GetString(PlatformSimulator.Serialize(relay)), Does.Not.Contain("fileRef"), "no attachment, no fileRef key");
        });
    }

    private static IEnumerable<TestCaseData> SignedButBroken()
    {
        TestCaseData Case(string name, string method, string endpoint, string domain, string body, HttpStatusCode status, string code) =>
            new TestCaseData(method, endpoint, domain, body, status, code).SetName($"Never_500: chat {name} is {(int)status} {code}");
        yield return Case("reply with truncated JSON", "POST", "reply", "chat_reply", "{\"text\":", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
        yield return Case("reply with an array", "POST", "reply", "chat_reply", "[]", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
        yield return Case("reply with neither text nor blocks", "POST", "reply", "chat_reply", "{\"replyTo\":\"m\"}", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        yield return Case("reply with blocks that are a string", "POST", "reply", "chat_reply", "{\"blocks\":\"nope\"}", HttpStatusCode.UnprocessableEntity, ChatErrorCodes.InvalidBlocks);
        yield return Case("reply with a chart", "POST", "reply", "chat_reply", "{\"blocks\":[{\"type\":\"chart\"}]}", HttpStatusCode.UnprocessableEntity, ChatErrorCodes.InvalidBlocks);
        yield return Case("reply with deep nesting", "POST", "reply", "chat_reply", new string('[', 5000) + new string(']', 5000), HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
        yield return Case("push with a numeric clientMsgId", "POST", "push", "chat_push", "{\"clientMsgId\":5}", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        yield return Case("push with binary garbage", "POST", "push", "chat_push", "\u0000\u0001", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
        yield return Case("state with a number", "PUT", "state", "chat_state", "{\"state\":5}", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        yield return Case("state over 16 KiB", "PUT", "state", "chat_state", "{\"state\":{\"x\":\"" + new string('a', 17 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge, ChatErrorCodes.StateTooLarge);
    }

    [TestCaseSource(nameof(SignedButBroken))]
    public async Task Correctly_signed_broken_chat_bodies_get_a_4xx_json_error(string method, string endpoint, string domain, string body, HttpStatusCode status, string code)
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        var response = await sim.Client.SendAsync(Signed(sim, new HttpMethod(method), $"/api/subscriptions/{sub.Id}/chat/{endpoint}", sub.Id, domain, body));
        await Wire.ErrorAsync(response, status, code);
        Assert.That(sub.Chat.Bubbles, Is.Empty);
    }

    [TestCase("GET", "reply")]
    [TestCase("DELETE", "state")]
    [TestCase("PUT", "push")]
    public async Task Wrong_method_on_a_chat_endpoint_is_405(string method, string endpoint)
    {
        await using var sim = await StartAsync();
        var response = await sim.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/subscriptions/sub_x/chat/{endpoint}"));
        await Wire.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
    }

    [Test]
    public async Task Chat_calls_for_an_unknown_or_cancelled_subscription_are_404_and_403()
    {
        await using var sim = await StartAsync();
        var sub = sim.Create();
        sim.Simulator.SetStatus(sub, SubscriptionStatus.Cancelled);
        await Wire.ErrorAsync(await ReplyAsync(sim, "sub_nobody", """{"text":"hi"}"""), HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
        await Wire.ErrorAsync(await ReplyAsync(sim, sub.Id, """{"text":"hi"}"""), HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
    }
}
