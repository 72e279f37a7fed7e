using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// The AgentDukaan platform-side rules: what a platform must do for the agents it hosts. IDs and levels as the
/// specification fixes them; never renamed, never reused. The texts live here (docs/rules.md is generated from them).
/// </summary>
public static class PlatformRules
{
    private const string Seed000 = "000 Deploying a Hosted Agent";
    private const string Seed002 = "002 Webhook & Callback Contract";

    // Areas of their own: judging the platform groups differently from judging an agent, and the shared Areas stay untouched.
    public const string Delivery = "platform-delivery";
    public const string Auth = "platform-auth";
    public const string Api = "platform-api";
    public const string ChatApi = "platform-chat";
    public const string Errors = "platform-errors";

    public static readonly IReadOnlyList<RuleDefinition> Definitions =
    [
        new("PL-DLV-01", RuleLevel.Must, Delivery, "Deliveries carry the headers and an HMAC of the exact bytes",
            "A delivery carries `Content-Type: application/json`, `X-AgentDukaan-Event: buyer_configured`, and `X-AgentDukaan-Sig` = hex HMAC of the exact bytes received.", $"{Seed000} §2a; {Seed002} §1"),
        new("PL-DLV-02", RuleLevel.Must, Delivery, "The webhook body describes the subscription and carries no sensitive value",
            "The webhook body's event, subscriptionId, buyerId, listingId, tier, non-sensitive config, `sensitiveFields` ids and ts describe the subscription, and its `credentialsUrl` names that subscription's /config; no sensitive value is in the body or headers, in any encoding (plain, base64 at any offset, base64url, hex, URL- or JSON-escaped).", $"{Seed000} §2a, §3; {Seed002} §1"),
        new("PL-DLV-03", RuleLevel.Must, Delivery, "10 s per attempt",
            "An attempt that answers 2xx within 10 s succeeds; one that has not answered after 10 s (+1 s tolerance) is abandoned. The 10 s cover the whole attempt (an answer that trickles in included), and an answer after them does not count.", $"{Seed000} §2a; {Seed002} §1 (timeouts)"),
        new("PL-DLV-04", RuleLevel.Must, Delivery, "1 attempt + up to 3 retries, growing delays",
            "A failed attempt (non-2xx, timeout, refused or reset connection) is retried: 1 attempt + up to 3 retries, after delays of seconds that grow (exponential backoff).", $"{Seed000} §2a; {Seed002} §1 (retries)"),
        new("PL-DLV-05", RuleLevel.Must, Delivery, "A retry resends the same bytes; nothing after a 2xx",
            "A retry sends the same bytes and signature; nothing is sent after a 2xx.", $"{Seed002} §1 (retries)"),
        new("PL-AUTH-01", RuleLevel.Must, Auth, "Bad run tokens get 401",
            "/config, /run, /heartbeat answer 401 to a missing, wrong or stale (> 5 min, past or future) signature, and to ts in seconds.", $"{Seed000} §2b; {Seed002} §2"),
        new("PL-AUTH-02", RuleLevel.Must, Auth, "A correct run token is accepted",
            "A correct run token with ts in epoch ms inside the window is accepted.", $"{Seed000} §2b; {Seed002} §2"),
        new("PL-SUB-01", RuleLevel.Must, Api, "Inactive subscriptions get 403 SUBSCRIPTION_NOT_ACTIVE",
            "403 `SUBSCRIPTION_NOT_ACTIVE` on /config, /run, /heartbeat for cancelled, paused and past-due subscriptions.", $"{Seed002} §4"),
        new("PL-RUN-01", RuleLevel.Must, Api, "Exactly runLimitPerMonth runs, also under concurrency",
            "/run admits exactly `runLimitPerMonth` runs, also under 200 concurrent calls, then 429 `RUN_LIMIT_EXCEEDED`.", $"{Seed000} §4; {Seed002} §3"),
        new("PL-RUN-02", RuleLevel.Must, Api, "Heartbeats are free",
            "/heartbeat never consumes a run.", $"{Seed002} §3"),
        new("PL-CFG-01", RuleLevel.Must, Api, "/config returns the secrets and audits each fetch",
            "/config returns `{success, data: {config}}` with the sensitive values, and each fetch appears in the audit log.", $"{Seed000} §3; {Seed002} §2"),
        new("PL-RCF-01", RuleLevel.Must, Api, "/request-config checks its own signature over the body",
            "/request-config answers 401 to the run token, another domain's signature, a body that differs from what was signed, and a ts outside the 5-minute window (past or future); it accepts the config_request signature over the field ids sorted in ordinal order, whatever order the body lists them in, and flags \"action needed\".", $"{Seed002} §5"),
        new("PL-CHAT-01", RuleLevel.Must, ChatApi, "Push honours opt-in, quota, mute and clientMsgId",
            "Push: 403 without the manifest opt-in, 429 over `maxPerDay` (default 10), 202 for a muted conversation, a re-POSTed `clientMsgId` is a no-op.", $"{Seed002} §6.3"),
        new("PL-CHAT-02", RuleLevel.Must, ChatApi, "Each chat endpoint accepts only its own signature domain, over the exact bytes, in the window",
            "Push, state PUT and reply each accept only their own signature domain — not another chat domain's, not the run token — computed over the exact bytes sent (compact JSON or not), with ts within 5 minutes either way.", $"{Seed002} §6.3, §6.4"),
        new("PL-ERR-01", RuleLevel.Must, Errors, "Malformed requests get a JSON 4xx, never 5xx or a hang",
            "Malformed requests (bad JSON, missing headers, non-numeric ts, oversized body, unknown route) get 4xx with a JSON error body (`success: false` and an error code, nested or flat: decision 38), never 5xx, never a hang (an answer within 10 s).",
            $"{Seed002} §2 (the `{{success, data}}` envelope), §3 (error codes such as 429 RUN_LIMIT_EXCEEDED); decisions 8, 38"),
    ];

    public static RuleCatalog Catalog { get; } = new(Definitions, example: "PL-DLV-*, PL-RUN-01");
}
