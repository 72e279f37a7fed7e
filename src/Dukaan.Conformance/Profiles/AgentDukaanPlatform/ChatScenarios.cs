using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>Chat calls as an agent makes them: body-bound signatures over the exact bytes.</summary>
internal static class ChatCalls
{
    public static byte[] Push(string clientMsgId) => JsonSerializer.SerializeToUtf8Bytes(new { text = "Stock is running low on 3 items.", clientMsgId, category = "alert" });

    public static Task<Exchange> PushAsync(PlatformRun run, string scenario, string id, byte[] body, BodyBoundDomain signedAs, CancellationToken cancellationToken) =>
        run.Caller.SendAsync(scenario, ExchangeKinds.ChatPush, id, HttpMethod.Post, PlatformCaller.ChatPath(id, "push"), run.Caller.BodyBound(signedAs, id, body), body, cancellationToken);

    /// <summary>
    /// The conversation must opt in to push for the push rules to mean anything: a platform started without a chat manifest
    /// that enables push (simulate --chat) cannot be judged, which is not a failure of the platform.
    /// </summary>
    public static async Task<string?> RequireOptInAsync(PlatformRun run, string scenario, string id, CancellationToken cancellationToken)
    {
        var chat = await run.Control.GetChatAsync(scenario, id, cancellationToken);
        return chat.TryGetProperty("proactiveEnabled", out var p) && p.ValueKind == JsonValueKind.True ? null
            : "The platform's listing does not opt in to push for new conversations (the adapter's chat view says proactiveEnabled is not true): start it with a chat manifest whose proactive.enabled is true and whose categories include alert (simulate --chat).";
    }
}

/// <summary>PL-CHAT-01: push without the opt-in (403), over the quota (429), to a muted conversation (202), and a re-POSTed clientMsgId (no-op).</summary>
public sealed class PushRulesScenario : PlatformScenario
{
    public override string Name => "push-rules";
    public override string Description => "Four conversations of a listing that opts in to push: one whose opt-in the adapter turns off (push → 403), one whose maxPerDay it sets to 2 (the third push → 429), one it mutes (push → 202), and one that gets the same push twice with the same clientMsgId (the second a no-op: one bubble).";
    public override IReadOnlyList<string> Rules => ["PL-CHAT-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(await run.Control.CreateSubscriptionAsync(Name, run.Receiver.Slot(Name, Reply.Ok).Url, cancellationToken));
        if (await ChatCalls.RequireOptInAsync(run, Name, ids[0], cancellationToken) is { } why)
        {
            run.Report(Name, "PL-CHAT-01", FindingOutcome.NotExercised, why);
            return;
        }
        var problems = new List<string>();
        var seqs = new List<long>();
        async Task<Exchange> Push(string id, string clientMsgId)
        {
            var e = await ChatCalls.PushAsync(run, Name, id, ChatCalls.Push(clientMsgId), BodyBoundDomain.ChatPush, cancellationToken);
            seqs.Add(e.Seq);
            return e;
        }

        await run.Control.SetProactiveAsync(Name, ids[0], enabled: false, maxPerDay: null, cancellationToken);
        var optedOut = await Push(ids[0], "pl-optout-1");
        if (optedOut.Status != 403) problems.Add($"push without the opt-in: {PlatformCaller.Describe(optedOut)}, not 403");

        await run.Control.SetProactiveAsync(Name, ids[1], enabled: null, maxPerDay: 2, cancellationToken);
        var quota = new List<Exchange>();
        for (var i = 1; i <= 3; i++) quota.Add(await Push(ids[1], $"pl-quota-{i}"));
        if (quota.Take(2).FirstOrDefault(e => e.Status is not (>= 200 and < 300)) is { } early) problems.Add($"a push within maxPerDay 2: {PlatformCaller.Describe(early)}");
        if (quota[2].Status != 429) problems.Add($"the third push with maxPerDay 2: {PlatformCaller.Describe(quota[2])}, not 429");

        await run.Control.MuteAsync(Name, ids[2], true, cancellationToken);
        var muted = await Push(ids[2], "pl-muted-1");
        if (muted.Status != 202) problems.Add($"push to a muted conversation: {PlatformCaller.Describe(muted)}, not 202");

        var first = await Push(ids[3], "pl-dup-1");
        var again = await Push(ids[3], "pl-dup-1");
        if (first.Status is not (>= 200 and < 300)) problems.Add($"the first push of clientMsgId pl-dup-1: {PlatformCaller.Describe(first)}");
        if (again.Status is >= 500 or 429 || again.Status is null) problems.Add($"the re-POST of clientMsgId pl-dup-1: {PlatformCaller.Describe(again)}");
        var chat = await run.Control.GetChatAsync(Name, ids[3], cancellationToken);
        var bubbles = chat.TryGetProperty("bubbles", out var b) && b.ValueKind == JsonValueKind.Array
            ? b.EnumerateArray().Count(x => x.TryGetProperty("clientMsgId", out var c) && c.GetString() == "pl-dup-1") : -1;
        if (bubbles != 1) problems.Add(bubbles < 0 ? "the adapter's chat view has no \"bubbles\" to count" : $"the conversation shows {bubbles} bubbles for clientMsgId pl-dup-1, not 1");
        run.Judge(Name, "PL-CHAT-01", problems, "Push without the opt-in got 403, the third push over maxPerDay 2 got 429, a muted conversation got 202, and a re-POSTed clientMsgId left one bubble.", seqs,
            "Check the opt-in, then the clientMsgId, the mute and the day's quota, in the order 002 §6.3 gives.");
    }
}

/// <summary>
/// PL-CHAT-02: push, state PUT and reply each accept their own domain's signature over the exact bytes sent, compact or
/// not, and refuse the other chat domains', the run token, and their own signature with a ts outside the window.
/// </summary>
public sealed class ChatDomainsScenario : PlatformScenario
{
    private static readonly BodyBoundDomain[] Domains = [BodyBoundDomain.ChatPush, BodyBoundDomain.ChatState, BodyBoundDomain.ChatReply];
    private const long Minute = 60_000L;

    public override string Name => "chat-domains";
    public override string Description => "Push, state PUT and reply, each called signed with its own domain over compact JSON and over a non-compact body (spaces, newlines; signed over the exact bytes sent), both accepted; and with each other chat domain over the same bytes, with the run token, and with its own domain at a ts 6 minutes old and 6 minutes ahead, each refused with 401.";
    public override IReadOnlyList<string> Rules => ["PL-CHAT-02"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var id = await run.Control.CreateSubscriptionAsync(Name, run.Receiver.Slot(Name, Reply.Ok).Url, cancellationToken);
        if (await ChatCalls.RequireOptInAsync(run, Name, id, cancellationToken) is { } why)
        {
            run.Report(Name, "PL-CHAT-02", FindingOutcome.NotExercised, why);
            return;
        }
        var problems = new List<string>();
        var seqs = new List<long>();
        var probe = 0;
        var secret = run.Caller.Secret;
        Dictionary<string, string> Signed(string signature, long ts) => new() { [Headers.Signature] = signature, [Headers.Timestamp] = PlatformCaller.Text(ts) };
        foreach (var endpoint in Domains)
        {
            // What each probe signs with, given the bytes and the ts; whether the endpoint must accept it; and whether the body is non-compact.
            var probes = new List<(string What, Func<byte[], long, string> Sign, long Shift, bool Accept, bool Loose)>();
            foreach (var other in Domains.Where(d => d != endpoint))
                probes.Add(($"signed as {other.Name}", (b, ts) => other.Sign(secret, id, ts, b), 0, false, false));
            probes.Add(("signed with the run token", (_, ts) => RunToken.Sign(secret, id, ts), 0, false, false));
            probes.Add(("signed with a ts 6 minutes old", (b, ts) => endpoint.Sign(secret, id, ts, b), -6 * Minute, false, false));
            probes.Add(("signed with a ts 6 minutes ahead", (b, ts) => endpoint.Sign(secret, id, ts, b), 6 * Minute, false, false));
            probes.Add(("correctly signed", (b, ts) => endpoint.Sign(secret, id, ts, b), 0, true, false));
            probes.Add(("correctly signed over a non-compact body", (b, ts) => endpoint.Sign(secret, id, ts, b), 0, true, true));
            foreach (var (what, sign, shift, accept, loose) in probes)
            {
                var (kind, method, path, body) = Request(endpoint, id, ++probe, loose);
                var ts = PlatformCaller.NowMs() + shift;
                var e = await run.Caller.SendAsync(Name, kind, id, method, path, Signed(sign(body, ts), ts), body, cancellationToken);
                seqs.Add(e.Seq);
                if (accept && e.Status is not (>= 200 and < 300)) problems.Add($"{endpoint.Name} {what}: {PlatformCaller.Describe(e)}");
                if (!accept && e.Status != 401) problems.Add($"{endpoint.Name} {what}: {PlatformCaller.Describe(e)}, not 401");
            }
        }
        run.Judge(Name, "PL-CHAT-02", problems,
            "Each of push, state PUT and reply accepted its own domain over compact and non-compact bodies, and answered 401 to the two other chat domains over the same bytes, to the run token, and to a ts 6 minutes old or ahead.", seqs,
            "Verify each endpoint with its own domain prefix only (`chat_push.`, `chat_state.`, `chat_reply.`), never the run token, over sha256 of the raw bytes received (not the parsed and re-serialized JSON), with ts within 5 minutes of the platform clock either way.");
    }

    /// <param name="loose">
    /// A body as a pretty-printer or a hand-written template leaves it: spacing that neither a compact writer (JSON.stringify,
    /// System.Text.Json) nor Python's json.dumps (", " and ": ") reproduces, so a platform that hashes its own re-serialization fails.
    /// </param>
    private static (string Kind, HttpMethod Method, string Path, byte[] Body) Request(BodyBoundDomain endpoint, string id, int probe, bool loose)
    {
        if (endpoint == BodyBoundDomain.ChatPush)
            return (ExchangeKinds.ChatPush, HttpMethod.Post, PlatformCaller.ChatPath(id, "push"),
                loose ? Encoding.UTF8.GetBytes($"{{\n  \"text\": \"Stock is running low on 3 items.\",\n  \"clientMsgId\": \"pl-domain-{probe}\",\n  \"category\": \"alert\"\n}}\n") : ChatCalls.Push($"pl-domain-{probe}"));
        if (endpoint == BodyBoundDomain.ChatState)
            return (ExchangeKinds.ChatState, HttpMethod.Put, PlatformCaller.ChatPath(id, "state"),
                loose ? Encoding.UTF8.GetBytes($"{{ \"state\" : {{ \"step\" : {probe} }} }}") : JsonSerializer.SerializeToUtf8Bytes(new { state = new { step = probe } }));
        return (ExchangeKinds.ChatReply, HttpMethod.Post, PlatformCaller.ChatPath(id, "reply"),
            loose ? Encoding.UTF8.GetBytes($"{{ \"text\" : \"Reply {probe}\" }}\r\n") : JsonSerializer.SerializeToUtf8Bytes(new { text = $"Reply {probe}" }));
    }
}

/// <summary>PL-ERR-01: malformed requests get a JSON 4xx error body, never a 5xx, never a hang.</summary>
public sealed class MalformedRequestsScenario : PlatformScenario
{
    /// <summary>Above the simulator's 1 MiB cap, the size the adapter document asks a platform to refuse.</summary>
    internal const int OversizedBytes = (1 << 20) + (64 << 10);

    /// <summary>"Never a hang" (decision 27): a malformed request is answered within this much real time.</summary>
    internal static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    public override string Name => "malformed-requests";
    public override string Description => $"Bodies that are not JSON on /request-config, chat push and chat state (the chat ones correctly signed over the broken bytes), a /run without any header, a /heartbeat whose ts is not a number, a {OversizedBytes / 1024} KiB /run body, and two unknown routes: each must get a 4xx with a JSON error body, {ErrorShape.Nested} or {ErrorShape.Flat} (decision 38), within {AnswerBound.TotalSeconds:0} s.";
    public override IReadOnlyList<string> Rules => ["PL-ERR-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var id = await run.Control.CreateSubscriptionAsync(Name, run.Receiver.Slot(Name, Reply.Ok).Url, cancellationToken);
        var bad = "{\"fields\": [\"openai_api_key\""u8.ToArray();
        var now = PlatformCaller.NowMs();
        (string What, Func<Task<Exchange>> Send)[] probes =
        [
            ("request-config with a body that is not JSON", () => run.Caller.SendAsync(Name, ExchangeKinds.RequestConfig, id, HttpMethod.Post, PlatformCaller.RequestConfigPath(id),
                new Dictionary<string, string> { [Headers.Signature] = new string('a', 64), [Headers.Timestamp] = PlatformCaller.Text(now) }, bad, cancellationToken)),
            ("chat push with a signed body that is not JSON", () => run.Caller.SendAsync(Name, ExchangeKinds.ChatPush, id, HttpMethod.Post, PlatformCaller.ChatPath(id, "push"),
                run.Caller.BodyBound(BodyBoundDomain.ChatPush, id, bad), bad, cancellationToken)),
            ("chat state PUT with a signed body that is not JSON", () => run.Caller.SendAsync(Name, ExchangeKinds.ChatState, id, HttpMethod.Put, PlatformCaller.ChatPath(id, "state"),
                run.Caller.BodyBound(BodyBoundDomain.ChatState, id, bad), bad, cancellationToken)),
            ("/run without any header", () => run.Caller.SendAsync(Name, ExchangeKinds.Run, id, HttpMethod.Post, PlatformCaller.RunPath(id), null, "{}"u8.ToArray(), cancellationToken)),
            ("/heartbeat with a non-numeric ts", () => run.Caller.SendAsync(Name, ExchangeKinds.Heartbeat, id, HttpMethod.Post, PlatformCaller.HeartbeatPath(id),
                new Dictionary<string, string> { [Headers.Signature] = RunToken.Sign(run.Caller.Secret, id, now), [Headers.Timestamp] = "soon" }, "{}"u8.ToArray(), cancellationToken)),
            ($"/run with a {OversizedBytes / 1024} KiB body", () => run.Caller.SendAsync(Name, ExchangeKinds.Run, id, HttpMethod.Post, PlatformCaller.RunPath(id),
                run.Caller.RunToken(id), Oversized(), cancellationToken)),
            ("an unknown route under the subscription", () => run.Caller.SendAsync(Name, ExchangeKinds.Unknown, id, HttpMethod.Get, $"api/subscriptions/{Uri.EscapeDataString(id)}/nope",
                run.Caller.RunToken(id), null, cancellationToken)),
            ("an unknown route", () => run.Caller.SendAsync(Name, ExchangeKinds.Unknown, null, HttpMethod.Post, "api/definitely-not-a-route", null, "{}"u8.ToArray(), cancellationToken)),
        ];
        var problems = new List<string>();
        var seqs = new List<long>();
        var shapes = new List<string>();
        foreach (var (what, send) in probes)
        {
            var e = await send();
            seqs.Add(e.Seq);
            if (Problem(e) is { } problem) problems.Add($"{what}: {problem}");
            else shapes.Add(PlatformCaller.ErrorOf(e)!.Shape);
        }
        var seen = string.Join(", ", shapes.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}"));
        run.Judge(Name, "PL-ERR-01", problems, $"All {probes.Length} malformed requests got a 4xx with a JSON error body ({seen}; either shape passes, decision 38), none slower than {AnswerBound.TotalSeconds:0} s.", seqs,
            $"Validate before you parse, and turn every parse failure into a 4xx with {ErrorShape.Nested} (the simulator's) or {ErrorShape.Flat}.");
    }

    private static byte[] Oversized()
    {
        var body = new byte[OversizedBytes];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        body[^1] = (byte)'}';
        return body;
    }

    private static string? Problem(Exchange e)
    {
        if (e.Status is null) return e.Error ?? "no answer";
        if (e.DurationMs > AnswerBound.TotalMilliseconds) return $"{e.Status} after {e.DurationMs / 1000:0.0} s, more than {AnswerBound.TotalSeconds:0} s (a hang)";
        if (e.Status is < 400 or >= 500) return $"status {e.Status}, not 4xx";
        if (PlatformCaller.Json(e) is not { ValueKind: JsonValueKind.Object } json) return $"{e.Status} with a body that is not JSON";
        var claimsSuccess = json.TryGetProperty("success", out var s) && s.ValueKind == JsonValueKind.True;
        // Decision 38: the status and the code decide; the code may be nested or flat.
        if (PlatformCaller.ErrorOf(e) is null)
            return $"{e.Status} whose body carries no error code, neither {ErrorShape.Nested} nor {ErrorShape.Flat}: {Clip(e.ResponseBody)}";
        return claimsSuccess ? $"{e.Status} whose body says \"success\": true: {Clip(e.ResponseBody)}" : null;
    }

    private static string Clip(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
