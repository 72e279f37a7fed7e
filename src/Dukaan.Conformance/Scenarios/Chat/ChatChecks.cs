using System.Text.Json;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>
/// Chat rules judged over every chat request of the run, whichever scenario provoked it: reply threading and
/// replacement, the signatures of replies, pushes and state calls, the blocks sent, and secrets in any of them.
/// </summary>
public static class ChatChecks
{
    private const string Scope = "chat (whole run)";

    public static IReadOnlyDictionary<string, string> Observations { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DK-CHAT-01"] = "Every reply the agent posts during the run is matched to the buyer messages relayed to that subscription.",
        ["DK-CHAT-02"] = "Every reply with replace: true is checked against the bubbles the agent had already sent for that replyTo.",
        ["DK-CHAT-04"] = "The simulator checks every push signature; a refusal names the mistake it matches (run token, another domain, a re-serialized body).",
        ["DK-CHAT-05"] = "The simulator checks every state PUT (chat_state domain) and state GET (run token); state is optional, so for an agent that never uses it the rule is not-applicable (decision 32).",
        ["DK-CHAT-08"] = "Every block of every reply and push is validated against the platform.blocks of the relay it answers (a push: the conversation's latest relay).",
        ["DK-CHAT-10"] = "The simulator checks every reply signature against the chat_reply domain (decision 9).",
        ["DK-CHAT-12"] = "The canaries, and their base64, URL-encoded and hex forms, are searched for in every reply, push and state request.",
    };

    public static void Evaluate(RunContext run)
    {
        if (run.Settings.Listing.Chat is null) return;
        var transcript = run.Simulator.Transcript.Snapshot();
        var relays = run.Chat.Relays;
        // Replies to forged relays are the agent acting on a message it should have refused: DK-CHAT-13 reports them.
        var replies = Of(transcript, ExchangeKinds.ChatReply).Where(e => !run.Chat.IsForged(RecordedJson.String(e.RequestBody, "replyTo"))).ToList();
        var pushes = Of(transcript, ExchangeKinds.ChatPush);
        var states = Of(transcript, ExchangeKinds.ChatState);
        Threading(run, replies, relays);
        Replacing(run, replies);
        Signed(run, "DK-CHAT-10", replies, "reply", "chat_reply.${id}.${ts}.${sha256hex(raw)}",
            relays.Count == 0 ? "No buyer message was relayed." : $"The agent posted no reply to the {relays.Count} buyer message(s) relayed.", optional: false);
        if (pushes.Count > 0 || run.Settings.Listing.Chat.Proactive is { Enabled: true })
            Signed(run, "DK-CHAT-04", pushes, "push", "chat_push.${id}.${ts}.${sha256hex(raw)}", "The agent sent no push.", optional: false);
        Signed(run, "DK-CHAT-05", states, "state call", "chat_state.${id}.${ts}.${sha256hex(raw)} for PUT, the run token for GET",
            "The agent made no state call during the run (state is optional).", optional: true);
        Blocks(run, replies.Concat(pushes).OrderBy(e => e.Seq).ToList(), relays);
        Secrets(run, [.. replies, .. pushes, .. states]);
    }

    private static List<Exchange> Of(IReadOnlyList<Exchange> transcript, string kind) =>
        [.. transcript.Where(e => e.Direction == Direction.AgentToPlatform && e.Kind == kind)];

    private static void Threading(RunContext run, IReadOnlyList<Exchange> replies, IReadOnlyList<SentRelay> relays)
    {
        const string expected = "Every reply carries the messageId of a buyer message relayed to that subscription as replyTo";
        if (replies.Count == 0)
        {
            run.Report(Scope, "DK-CHAT-01", FindingOutcome.Violated, expected,
                $"The agent posted no reply to any of the {relays.Count} buyer message(s) relayed.", "Answer each relay with POST /api/subscriptions/{id}/chat/reply carrying replyTo.");
            return;
        }
        var known = relays.Select(r => (r.SubscriptionId, r.Relay.MessageId)).ToHashSet();
        var bad = replies.Where(e => RecordedJson.String(e.RequestBody, "replyTo") is not { } to || !known.Contains((e.SubscriptionId!, to))).ToList();
        if (bad.Count == 0)
            run.Report(Scope, "DK-CHAT-01", FindingOutcome.Satisfied, expected, $"{replies.Count} repl{(replies.Count == 1 ? "y" : "ies")}, each with the replyTo of a relayed message.", null, replies.Take(3).Select(e => e.Seq));
        else
            run.Report(Scope, "DK-CHAT-01", FindingOutcome.Violated, expected,
                $"{bad.Count} of {replies.Count} replies had no replyTo, or one that names no relayed message: {string.Join("; ", bad.Take(3).Select(e => $"#{e.Seq} replyTo={RecordedJson.String(e.RequestBody, "replyTo") ?? "(none)"}"))}",
                "Echo the inbound messageId as replyTo: the platform uses it to collapse a retried reply into one bubble (002 §6.1).", bad.Take(5).Select(e => e.Seq));
    }

    private static void Replacing(RunContext run, IReadOnlyList<Exchange> replies)
    {
        const string expected = "A reply with replace: true follows a bubble the agent already sent for that replyTo";
        var replacing = replies.Where(e => e.IsOk() && RecordedJson.IsTrue(e.RequestBody, "replace") && RecordedJson.String(e.RequestBody, "replyTo") is not null).ToList();
        var orphans = replacing.Where(e => e.Tag(TagKeys.ChatBubble) == "nothing-to-replace").ToList();
        if (orphans.Count > 0)
            run.Report(Scope, "DK-CHAT-02", FindingOutcome.Violated, expected,
                $"{orphans.Count} repl{(orphans.Count == 1 ? "y" : "ies")} said replace: true with no earlier bubble for that replyTo, so the buyer saw a new bubble: {string.Join("; ", orphans.Take(3).Select(e => e.Describe()))}",
                "Send replace: true only to swap a bubble you already posted for that message (e.g. a \"working…\" placeholder).", orphans.Take(5).Select(e => e.Seq));
        else if (replies.Count == 0)
            run.Report(Scope, "DK-CHAT-02", FindingOutcome.NotExercised, expected, "The agent posted no reply.");
        else if (replacing.Count == 0)
            // Replacing is optional: an agent that never replaces has no replace to judge (decision 32).
            run.Report(Scope, "DK-CHAT-02", FindingOutcome.NotApplicable, expected, $"{replies.Count} replies, none with replace: true (replacing a bubble is optional).");
        else
            run.Report(Scope, "DK-CHAT-02", FindingOutcome.Satisfied, expected,
                $"{replacing.Count} replace(s), each editing a bubble already sent (e.g. {replacing[0].Describe()}).", null, replacing.Take(3).Select(e => e.Seq));
    }

    /// <param name="optional">
    /// The call is optional in the contract: an agent that never makes it has broken no rule about signing it, and the
    /// rule is not-applicable (decision 32).
    /// </param>
    private static void Signed(RunContext run, string ruleId, IReadOnlyList<Exchange> calls, string label, string scheme, string none, bool optional)
    {
        var expected = $"Every {label} is signed over {scheme}";
        if (calls.Count == 0)
        {
            run.Report(Scope, ruleId, optional ? FindingOutcome.NotApplicable : FindingOutcome.NotExercised, expected, none);
            return;
        }
        var refused = calls.Where(e => e.Status == 401).ToList();
        if (refused.Count == 0)
            run.Report(Scope, ruleId, FindingOutcome.Satisfied, expected, $"{calls.Count} {label}(s), all accepted by the signature check.", null, calls.Take(3).Select(e => e.Seq));
        else
            run.Report(Scope, ruleId, FindingOutcome.Violated, expected, $"{refused.Count} of {calls.Count} {label}(s) were refused with 401: {string.Join("; ", refused.Take(3).Select(e => e.Describe()))}",
                RefusalMessage(refused[0]) ?? GlobalChecks.Explain(refused[0]), refused.Take(5).Select(e => e.Seq));
    }

    private static void Blocks(RunContext run, IReadOnlyList<Exchange> sent, IReadOnlyList<SentRelay> relays)
    {
        const string expected = "Every block sent is a type the answered relay's platform.blocks listed; no chart; range fields with min and max; confirm is a string";
        var byMessage = relays.ToDictionary(r => r.Relay.MessageId, r => r.Relay.Platform.Blocks);
        var problems = new List<(Exchange Call, string Problem)>();
        var blocks = 0;
        foreach (var call in sent)
        {
            if (RecordedJson.Member(call.RequestBody, "blocks") is not { } list) continue;
            blocks += list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 1;
            var allowed = RecordedJson.String(call.RequestBody, "replyTo") is { } to && byMessage.TryGetValue(to, out var listed) ? listed
                : relays.LastOrDefault(r => r.SubscriptionId == call.SubscriptionId && r.Mark < call.Seq)?.Relay.Platform.Blocks ?? [];
            problems.AddRange(ChatBlockKit.Problems(list, [.. allowed]).Select(p => (call, $"#{call.Seq} {call.Kind}: {p}")));
        }
        if (sent.Count == 0)
            run.Report(Scope, "DK-CHAT-08", FindingOutcome.NotExercised, expected, "The agent sent no reply or push, so no block could be checked.");
        else if (problems.Count == 0)
            run.Report(Scope, "DK-CHAT-08", FindingOutcome.Satisfied, expected,
                $"{sent.Count} replies and pushes with {blocks} block(s), all within the capabilities of the relay they answered (including a text-only renderer).", null, sent.Take(3).Select(e => e.Seq));
        else
            run.Report(Scope, "DK-CHAT-08", FindingOutcome.Violated, expected, string.Join("; ", problems.Take(4).Select(p => p.Problem)),
                "Read platform.blocks from each relay and emit only those types; chart was removed from the kit and progress needs declaring (002 §6.5).",
                problems.Select(p => p.Call.Seq).Distinct().Take(5));
    }

    private static void Secrets(RunContext run, IReadOnlyList<Exchange> calls)
    {
        const string expected = "No secret (plain, base64, URL-encoded or hex) in any reply, push or chat state";
        if (calls.Count == 0)
        {
            run.Report(Scope, "DK-CHAT-12", FindingOutcome.NotExercised, expected, "The agent sent no reply, push or state.");
            return;
        }
        var scanner = new SecretScanner(run.AllSecrets());
        var leaks = calls.Where(e => scanner.InText(e.Url + "\n" + e.RequestBody, "chat request").Any()).ToList();
        if (leaks.Count == 0)
            run.Report(Scope, "DK-CHAT-12", FindingOutcome.Satisfied, expected, $"Scanned {calls.Count} chat request(s): no secret found.", null, calls.Take(3).Select(e => e.Seq));
        else
            run.Report(Scope, "DK-CHAT-12", FindingOutcome.Violated, expected, $"{leaks.Count} chat request(s) carried a secret: {string.Join("; ", leaks.Take(3).Select(e => e.Describe()))}",
                "Chat state, replies and pushes are stored and shown by the platform: never put a credential in them; it stays on the /config path (002 §6.4).", leaks.Take(5).Select(e => e.Seq));
    }

    /// <summary>The simulator's own explanation of a refusal (it names the mistake the signature matches).</summary>
    private static string? RefusalMessage(Exchange refused) =>
        RecordedJson.Member(refused.ResponseBody, "error") is { ValueKind: JsonValueKind.Object } error && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString() : null;
}
