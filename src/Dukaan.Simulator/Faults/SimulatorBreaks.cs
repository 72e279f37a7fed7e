namespace Dukaan.Simulator.Faults;

/// <summary>
/// Deliberate contract violations a simulator can be started with (<c>simulate --break NAME</c>), so the platform
/// profile can show each of its rules failing on a platform that really breaks it. Each break changes one behaviour
/// only; the rule it is meant to fail is named next to it.
/// </summary>
public static class SimulatorBreaks
{
    public const string SignParsedJson = "sign-parsed-json";
    public const string NoEventHeader = "no-event-header";
    public const string SecretInBody = "secret-in-body";
    public const string Timeout5s = "timeout-5s";
    public const string NoRetry = "no-retry";
    public const string RetryAfter2xx = "retry-after-2xx";
    public const string NewBytesOnRetry = "new-bytes-on-retry";
    public const string AcceptStaleTs = "accept-stale-ts";
    public const string AcceptSeconds = "accept-seconds";
    public const string RejectValidToken = "reject-valid-token";
    public const string ServeCancelled = "serve-cancelled";
    public const string OveradmitRun = "overadmit-run";
    public const string HeartbeatChargesRun = "heartbeat-charges-run";
    public const string NoConfigAudit = "no-config-audit";
    public const string AcceptRunTokenRcf = "accept-run-token-rcf";
    public const string PushWithoutOptIn = "push-without-opt-in";
    public const string PushAnyDomain = "push-any-domain";
    public const string ServerErrorOnBadJson = "500-on-bad-json";
    // A style, not a bug (decision 38): certifies. Kept apart from the rule-breaking ones above.
    public const string FlatErrorBody = "flat-error-body";

    // Delivery retries and the attempt budget (issue 19, items 1, 2 and 6).
    public const string NoRetryOnTimeout = "no-retry-on-timeout";
    public const string RetryDelaysMs = "retry-delays-ms";
    public const string Retry5Times = "retry-5-times";
    public const string PerReadTimeout = "per-read-timeout";
    public const string LateAnswerCounts = "late-answer-counts";

    // Signatures on the other endpoints (issue 19, item 3).
    public const string RcfNoTsWindow = "rcf-no-ts-window";
    public const string RcfFieldsUnsorted = "rcf-fields-unsorted";
    public const string ChatNoTsWindow = "chat-no-ts-window";
    public const string PushAcceptsRunToken = "push-accepts-run-token";
    public const string ChatHashReserialized = "chat-hash-reserialized";
    // What a delivery says (item 4) and secrets in other encodings (item 5).
    public const string EventHeaderDotted = "event-header-dotted";
    public const string CredentialsUrlBuyerId = "credentials-url-buyer-id";
    public const string ConfigBase64InBody = "config-base64-in-body";

    /// <summary>Every break, with what it does and the platform rule it violates ("" for a style that must certify).</summary>
    public static IReadOnlyDictionary<string, (string Rule, string Effect)> All { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [SignParsedJson] = ("PL-DLV-01", "deliveries are sent pretty-printed but signed over the compact JSON: the signature is not over the bytes sent"),
        [NoEventHeader] = ("PL-DLV-01", "deliveries carry no X-AgentDukaan-Event header"),
        [SecretInBody] = ("PL-DLV-02", "buyer_configured carries the sensitive values inside config"),
        [Timeout5s] = ("PL-DLV-03", "a delivery attempt is abandoned after 5 s instead of 10 s"),
        [NoRetry] = ("PL-DLV-04", "a failed delivery is never retried"),
        [RetryAfter2xx] = ("PL-DLV-05", "one more attempt is sent after an attempt answered 2xx"),
        [NewBytesOnRetry] = ("PL-DLV-05", "each retry is rebuilt (new timestamp) and re-signed, so its bytes differ"),
        [AcceptStaleTs] = ("PL-AUTH-01", "run tokens (/config, /run, /heartbeat) whose timestamp is more than 5 minutes in the past or future are accepted"),
        [AcceptSeconds] = ("PL-AUTH-01", "timestamps in epoch seconds are accepted"),
        [RejectValidToken] = ("PL-AUTH-02", "a correct run token whose ts is more than 60 s from now is refused, though it is inside the 5-minute window"),
        [ServeCancelled] = ("PL-SUB-01", "cancelled subscriptions are served as if active"),
        [OveradmitRun] = ("PL-RUN-01", "/run checks the limit, yields, then increments: concurrent calls over-admit"),
        [HeartbeatChargesRun] = ("PL-RUN-02", "/heartbeat consumes a run"),
        [NoConfigAudit] = ("PL-CFG-01", "/config fetches are not written to the audit log"),
        [AcceptRunTokenRcf] = ("PL-RCF-01", "/request-config accepts the run token"),
        [PushWithoutOptIn] = ("PL-CHAT-01", "chat push is accepted for a conversation without the proactive opt-in"),
        [PushAnyDomain] = ("PL-CHAT-02", "chat push accepts a signature of any chat domain (reply, state) over its bytes"),
        [ServerErrorOnBadJson] = ("PL-ERR-01", "a body that is not JSON on /request-config and chat endpoints crashes the handler (500)"),

        [NoRetryOnTimeout] = ("PL-DLV-04", "only an attempt answered non-2xx is retried; a timed-out, refused or reset attempt ends the delivery"),
        [RetryDelaysMs] = ("PL-DLV-04", "the backoff's unit is mixed up: retries wait 1, 2 and 4 milliseconds instead of seconds"),
        [Retry5Times] = ("PL-DLV-04", "a failed delivery is retried 5 times (6 attempts) on the doubling schedule, not 3"),
        [PerReadTimeout] = ("PL-DLV-03", "the 10 s limit applies to each socket read (as Python requests' timeout=10), not to the attempt: a receiver that keeps sending header bytes holds an attempt open as long as it likes"),
        [LateAnswerCounts] = ("PL-DLV-03", "the attempt budget is 11 s (10 s plus a 1 s grace), so an answer that arrives after 10 s counts as delivered"),

        [RcfNoTsWindow] = ("PL-RCF-01", "/request-config verifies its signature but not the timestamp window: a captured request can be replayed forever"),
        [RcfFieldsUnsorted] = ("PL-RCF-01", "/request-config joins the field ids in the order the body sends them instead of sorting them, so several fields in another order get 401"),
        [ChatNoTsWindow] = ("PL-CHAT-02", "chat reply, push and state PUT verify their signature but not the timestamp window"),
        [PushAcceptsRunToken] = ("PL-CHAT-02", "chat push also accepts the run token `${id}.${ts}` (its auth falls back to /run's)"),
        [ChatHashReserialized] = ("PL-CHAT-02", "chat endpoints hash the body re-serialized from the parsed JSON, not the bytes received: a non-compact body signed as sent gets 401"),

        [EventHeaderDotted] = ("PL-DLV-01", "deliveries carry X-AgentDukaan-Event: buyer.configured instead of buyer_configured"),
        [CredentialsUrlBuyerId] = ("PL-DLV-02", "a delivery's credentialsUrl names the buyer id instead of the subscription id"),
        [ConfigBase64InBody] = ("PL-DLV-02", "buyer_configured also carries the whole config, sensitive values included, base64-encoded in \"configB64\""),
        // No rule: a style the contract allows, which must certify.
        [FlatErrorBody] = ("", "error bodies are the flat {success: false, code, message} instead of {success: false, error: {code, message}}: a style, not a violation (decision 38), so it certifies"),
    };

    /// <summary>The breaks named in <paramref name="names"/> (comma-separated, repeatable); an unknown name fails with the valid ones.</summary>
    public static IReadOnlySet<string> Parse(IEnumerable<string> names)
    {
        var parsed = names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
        Validate(parsed);
        return parsed;
    }

    public static void Validate(IEnumerable<string> names)
    {
        var unknown = names.Where(n => !All.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown break{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}. Valid breaks: {string.Join(", ", All.Keys)}.");
    }
}
