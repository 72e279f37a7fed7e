using System.Text.RegularExpressions;

namespace Dukaan.Conformance.Rules;

/// <summary>Areas group rules in reports; the strings are stable because reports and CI filter on them.</summary>
public static class Areas
{
    public const string Signatures = "signatures";
    public const string Acknowledgement = "acknowledgement";
    public const string Credentials = "credentials";
    public const string SecretCustody = "secret-custody";
    public const string Runs = "runs";
    public const string Lifecycle = "lifecycle";
    public const string Heartbeat = "heartbeat";
    public const string RequestConfig = "request-config";
    public const string Operations = "operations";
    public const string Chat = "chat";
}

public sealed record RuleDefinition(string Id, RuleLevel Level, string Area, string Title, string Statement, string SeedReference);

/// <summary>
/// One profile's rules: the definitions, lookup by ID and selection by glob. An instance per profile, so engines,
/// reports and the CLI take the catalog of the profile they run, never a global one.
/// </summary>
public sealed class RuleCatalog
{
    private readonly Dictionary<string, RuleDefinition> _byId;
    private readonly string _example;

    public RuleCatalog(IReadOnlyList<RuleDefinition> definitions, string example)
    {
        All = definitions;
        _example = example;
        _byId = definitions.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<RuleDefinition> All { get; }

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>An unknown ID is a harness bug (a typo in a scenario), never a rule silently left not-exercised.</summary>
    public RuleDefinition Get(string id) =>
        _byId.TryGetValue(id, out var rule) ? rule : throw new ArgumentException($"Unknown rule id '{id}'.", nameof(id));

    /// <summary>
    /// Rules matching a comma-separated list of globs (<c>DK-SIG-*</c>, <c>DK-RUN-0?</c>, exact IDs), case-insensitive.
    /// A pattern that matches nothing is an error, not an empty run, so a typo never passes silently.
    /// </summary>
    public IReadOnlyList<RuleDefinition> Select(string? patterns)
    {
        if (string.IsNullOrWhiteSpace(patterns)) return All;
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in patterns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var regex = new Regex("^" + Regex.Escape(raw).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase);
            var matches = All.Where(r => regex.IsMatch(r.Id)).ToList();
            if (matches.Count == 0)
                throw new RuleSelectionException($"--rules pattern '{raw}' matches no rule. Run `dukaan-conformance list-rules` to see the IDs (e.g. {_example}).");
            foreach (var m in matches) selected.Add(m.Id);
        }
        return [.. All.Where(r => selected.Contains(r.Id))];
    }
}

/// <summary>
/// The AgentDukaan agent-side rules, in one place (docs/rules.md is generated from them). IDs are stable: never renamed, never reused.
/// </summary>
public static class AgentDukaanRules
{
    private const string Seed000 = "000 Deploying a Hosted Agent";
    private const string Seed002 = "002 Webhook & Callback Contract";

    public static readonly IReadOnlyList<RuleDefinition> Definitions =
    [
        new("DK-SIG-01", RuleLevel.Must, Areas.Signatures, "Verifies the HMAC over the raw body bytes",
            "A correctly signed delivery whose body is not canonical JSON (indentation, unusual key order, \\u00e9 escapes, trailing newline, an integer above 2^53) gets 2xx and is acted on.", $"{Seed000} §2a, §5; {Seed002} §1"),
        new("DK-SIG-02", RuleLevel.Must, Areas.Signatures, "Rejects a body altered after signing",
            "A delivery with one body byte changed after signing gets 4xx, and the agent does not fetch /config for that subscription.", $"{Seed002} §1"),
        new("DK-SIG-03", RuleLevel.Must, Areas.Signatures, "Rejects a delivery without X-AgentDukaan-Sig",
            "A delivery with no signature header gets 4xx and no action.", $"{Seed000} §2a; {Seed002} §1"),
        new("DK-SIG-04", RuleLevel.Must, Areas.Signatures, "Rejects a signature made with another secret",
            "A delivery signed with a different secret gets 4xx and no action.", $"{Seed000} §2a"),
        // How DK-SIG-05 is provoked, and the decision on a duplicated header: two X-AgentDukaan-Sig lines of which one is
        // the correct signature are ambiguous, not forged (the sender holds the secret whichever line a framework reads:
        // Node and ASP.NET Core join them, Python's http.server takes the first), so 2xx and 4xx both pass and only a
        // 5xx, a timeout or a dropped connection fails; two lines neither of which is valid must be refused like any bad
        // signature. The sources say "hex" without a case, so uppercase hex of the correct HMAC is sent and its answer
        // recorded, never judged.
        new("DK-SIG-05", RuleLevel.Must, Areas.Signatures, "Rejects malformed signatures without crashing",
            "Truncated, empty, non-hex, sha256=-prefixed and 8 KiB signatures, a 64-character one holding a raw non-ASCII byte (0xE9), and two " +
            "X-AgentDukaan-Sig lines neither of which is valid get 4xx: never 5xx, never 2xx. Two lines of which one is the correct signature " +
            "are ambiguous: 2xx or 4xx, never 5xx. Uppercase hex of the correct HMAC is sent and its answer recorded, not judged.", $"{Seed000} §2a"),
        new("DK-SIG-06", RuleLevel.Must, Areas.Signatures, "Stays up after bad deliveries",
            "A valid delivery sent after the bad ones still gets 2xx.", $"{Seed000} §2a"),
        new("DK-ACK-01", RuleLevel.Must, Areas.Acknowledgement, "2xx within 10 s for a valid buyer_configured",
            "Every valid buyer_configured delivery gets a 2xx status line within 10 s. A 5xx answered because the /config fetch it needed failed asks for the platform's retry (decision 30) and is not a failure; the redelivery is judged like any delivery.", $"{Seed000} §2a; {Seed002} §1"),
        new("DK-ACK-02", RuleLevel.Should, Areas.Acknowledgement, "2xx within 2 s",
            "Every valid buyer_configured delivery gets a 2xx status line within 2 s (ACK fast, work in the background).", $"{Seed000} §2a, §5"),
        new("DK-ACK-03", RuleLevel.Must, Areas.Acknowledgement, "A redelivered event gets 2xx",
            "The same bytes delivered again, as a retry sends them, get 2xx.", $"{Seed000} §2a; {Seed002} §1"),
        new("DK-ACK-04", RuleLevel.Must, Areas.Acknowledgement, "Unknown fields and event types never cause 5xx",
            "Additive unknown fields and an unknown event type never get 5xx, a dropped connection, or no answer within the 10 s ACK budget.", $"{Seed002} §1, §6.2"),
        new("DK-ACK-05", RuleLevel.Should, Areas.Acknowledgement, "Concurrent deliveries all get 2xx within 10 s",
            "20 buyer_configured deliveries for 20 subscriptions sent at once all get 2xx within 10 s.", $"{Seed000} §2a"),
        new("DK-CFG-01", RuleLevel.Must, Areas.Credentials, "Fetches /config after each valid buyer_configured",
            "After each valid buyer_configured the agent calls GET /api/subscriptions/{id}/config within the observation window.", $"{Seed000} §2b; {Seed002} §1, §2"),
        new("DK-CFG-02", RuleLevel.Must, Areas.Credentials, "Signs /config with the run token",
            "X-AgentDukaan-Sig is hex HMAC-SHA256 of `${subscriptionId}.${ts}` and X-AgentDukaan-Ts is epoch ms within 5 minutes.", $"{Seed000} §2b, §5; {Seed002} §2"),
        new("DK-CFG-03", RuleLevel.Must, Areas.Credentials, "Re-fetches on rotation and then uses only the new credential",
            "After the buyer rotates a key and a new buyer_configured arrives, the agent re-fetches and never uses the old key again.", $"{Seed000} §2a; {Seed002} §1"),
        new("DK-CFG-04", RuleLevel.Should, Areas.Credentials, "Survives a failed /config fetch",
            "When one /config fetch fails with 5xx, the agent recovers (by retrying; on the platform's redelivery, when it answered the delivery 5xx to ask for one, decision 30; or on the next event) and then serves the buyer.", $"{Seed000} §3 step 4; {Seed002} §1"),
        new("DK-SEC-01", RuleLevel.Must, Areas.SecretCustody, "Secrets never appear in stdout/stderr",
            "No sensitive value (nor its base64, URL-encoded or hex form) appears in the agent's output.", $"{Seed000} §2b; {Seed002} Key custody"),
        new("DK-SEC-02", RuleLevel.Must, Areas.SecretCustody, "Secrets never written to disk",
            "No sensitive value appears in any file the agent created or changed in its working directory, TMPDIR or HOME (with the XDG folders inside it).", $"{Seed000} §2b, §3 step 4; {Seed002} §2"),
        new("DK-SEC-03", RuleLevel.Must, Areas.SecretCustody, "Secrets never sent back to the platform",
            "No sensitive value appears in any request the agent makes to the platform (URL, headers or body).", $"{Seed002} Key custody"),
        new("DK-SEC-04", RuleLevel.Must, Areas.SecretCustody, "After a restart, credentials come from a new /config fetch",
            "After the agent process restarts, its first use of a credential follows a /config fetch made by the new process.", $"{Seed000} §3 step 4"),
        new("DK-SEC-05", RuleLevel.Should, Areas.SecretCustody, "After a restart, active subscriptions are still served",
            "After a restart the agent serves known subscriptions without a new buyer_configured (non-sensitive state persisted).", $"{Seed000} §3 step 4"),
        new("DK-RUN-01", RuleLevel.Must, Areas.Runs, "Every billable run is reported with POST /run",
            "Each billable run (a provider call answered 2xx) is reported with POST /run, signed like /config.", $"{Seed000} §2c; {Seed002} §3"),
        new("DK-RUN-02", RuleLevel.Must, Areas.Runs, "No more work after 429 RUN_LIMIT_EXCEEDED",
            "After a 429 RUN_LIMIT_EXCEEDED the agent does no more billable work for that subscription this period: no provider calls, no /run.", $"{Seed000} §2c; {Seed002} §3"),
        new("DK-RUN-03", RuleLevel.Must, Areas.Runs, "A 429 for one buyer does not stop the others",
            "While one subscription is over its limit, another is still served.", $"{Seed002} §3"),
        new("DK-SUB-01", RuleLevel.Must, Areas.Lifecycle, "Stops serving a buyer on 403 SUBSCRIPTION_NOT_ACTIVE",
            "After a 403 SUBSCRIPTION_NOT_ACTIVE the agent makes no provider call, /run or /heartbeat for that subscription.", $"{Seed002} §2 Active subscriptions only"),
        new("DK-SUB-02", RuleLevel.Must, Areas.Lifecycle, "Other buyers keep being served after a cancellation",
            "Cancelling one subscription does not stop the agent serving another.", $"{Seed002} §2 Active subscriptions only"),
        new("DK-SUB-03", RuleLevel.Should, Areas.Lifecycle, "A reactivated subscription is served again",
            "After a new buyer_configured for a reactivated subscription, the agent re-fetches and serves it.", $"{Seed002} §1"),
        new("DK-HB-01", RuleLevel.Info, Areas.Heartbeat, "Sends heartbeats",
            "The agent sends POST /api/subscriptions/{id}/heartbeat for active subscriptions.", $"{Seed002} §4"),
        new("DK-HB-02", RuleLevel.Must, Areas.Heartbeat, "Heartbeats are signed and stop for cancelled subscriptions",
            "Heartbeats, if sent, are signed like /config and are not sent for a subscription after its 403.", $"{Seed002} §2, §4"),
        new("DK-RCF-01", RuleLevel.Should, Areas.RequestConfig, "Asks the buyer to fix a rejected credential",
            "When the provider answers 401 to the buyer's key, the agent calls POST /request-config naming that field.", $"{Seed002} §5"),
        new("DK-RCF-02", RuleLevel.Must, Areas.RequestConfig, "Signs request-config over its own payload",
            "request-config is signed over `config_request.${id}.${ts}.${sortedFields}.${message ?? ''}` (ordinal sort) and the body matches what was signed.", $"{Seed002} §5"),
        new("DK-RCF-03", RuleLevel.Must, Areas.RequestConfig, "Never uses the run token for request-config",
            "The run token `${id}.${ts}` is never sent as a request-config signature.", $"{Seed002} §5"),
        new("DK-RCF-04", RuleLevel.Should, Areas.RequestConfig, "Works again after the buyer re-submits",
            "After the buyer re-submits (a new buyer_configured), the agent re-fetches and the new key is used successfully.", $"{Seed002} §5"),
        new("DK-OPS-01", RuleLevel.Should, Areas.Operations, "Listens on the port given in $PORT",
            "A spawned agent answers on 127.0.0.1:$PORT.", $"{Seed000} §3 step 2, §5"),
        // In-app chat (002 §6): only for listings that declare chat (listing.capabilities); otherwise not-applicable (decision 15).
        new("DK-CHAT-01", RuleLevel.Should, Areas.Chat, "A reply echoes the inbound messageId as replyTo",
            "Every reply to a relayed buyer message carries that message's `messageId` as `replyTo`, so a retried reply collapses to one bubble.", $"{Seed002} §6.1"),
        new("DK-CHAT-02", RuleLevel.Should, Areas.Chat, "replace only edits a bubble already sent",
            "A reply with `replace: true` follows a bubble the agent already sent for that `replyTo` (e.g. a placeholder it swaps for the result).", $"{Seed002} §6.1"),
        new("DK-CHAT-03", RuleLevel.Must, Areas.Chat, "Every push carries a clientMsgId, reused on a retry",
            "Every push carries a `clientMsgId`; a push re-sent after a failure (the push endpoint answers 503 once) carries the same `clientMsgId` and an equivalent body.", $"{Seed002} §6.3"),
        new("DK-CHAT-04", RuleLevel.Must, Areas.Chat, "Push is signed over its own domain and the exact bytes",
            "Every push is signed over `chat_push.${id}.${ts}.${sha256hex(raw)}` of the exact bytes posted: not the run token, not another chat domain, not a body re-serialized after signing.", $"{Seed002} §6.3"),
        new("DK-CHAT-05", RuleLevel.Must, Areas.Chat, "State PUT signs its own domain; state GET uses the run token",
            "Every state PUT is signed over `chat_state.${id}.${ts}.${sha256hex(raw)}`; every state GET carries the run token `${id}.${ts}`.", $"{Seed002} §6.4"),
        new("DK-CHAT-06", RuleLevel.Must, Areas.Chat, "A muted push (202) is treated as delivered",
            "When a push to a muted conversation gets 202, that `clientMsgId` is never sent again.", $"{Seed002} §6.3"),
        new("DK-CHAT-07", RuleLevel.Must, Areas.Chat, "A 429 push is not hot-retried",
            "After a push gets 429 (over the daily quota), the agent sends no further push for that subscription within the quiet window.", $"{Seed002} §6.3"),
        new("DK-CHAT-08", RuleLevel.Must, Areas.Chat, "Emits only the blocks the buyer can see",
            "Every block in a reply or push is a type the relay's `platform.blocks` listed: never `chart`, `progress` only when listed; `range` form fields carry numeric min and max; a button's `confirm` is a string.", $"{Seed002} §6.2, §6.5"),
        new("DK-CHAT-09", RuleLevel.Must, Areas.Chat, "Does not trust an attachment's declared size or mime",
            "Given a fileRef declared as a 1 KB text/csv whose download is an endless stream of other bytes, the agent stops reading well before 64 MiB (the harness allows 32 MiB) and still answers the next message.", $"{Seed002} §6.6"),
        new("DK-CHAT-10", RuleLevel.Must, Areas.Chat, "Replies are signed with the chat reply scheme",
            "Every reply is signed over `chat_reply.${id}.${ts}.${sha256hex(raw)}` of the exact bytes posted (decision 9).", $"{Seed002} §6"),
        new("DK-CHAT-11", RuleLevel.Must, Areas.Chat, "Never pushes without the opt-in; a 403 push is not retried",
            "For a conversation whose relays say `platform.proactive.enabled: false`, the agent sends no push when asked to; a push refused with 403 is never re-sent.", $"{Seed002} §6.3"),
        new("DK-CHAT-12", RuleLevel.Must, Areas.Chat, "Secrets never appear in chat state, replies or pushes",
            "No sensitive value (nor its base64, URL-encoded or hex form) appears in any reply, push or state the agent sends.", $"{Seed002} §6.4; Key custody"),
        new("DK-CHAT-13", RuleLevel.Must, Areas.Chat, "Bad relays are refused; additive ones never cause 5xx",
            "A relay with a missing or wrong signature gets 4xx and no reply; a relay with unknown fields, unknown block types and unknown capability values gets 2xx, never 5xx.", $"{Seed002} §6.2"),
        new("DK-CHAT-14", RuleLevel.Info, Areas.Chat, "Builds on the durable state it saved",
            "After a restart, a relay carrying the state the agent saved before leads to a state that builds on it rather than starting over.", $"{Seed002} §6.4"),
    ];

    public static RuleCatalog Catalog { get; } = new(Definitions, example: "DK-SIG-*, DK-RUN-02");
}

public sealed class RuleSelectionException(string message) : Exception(message);
