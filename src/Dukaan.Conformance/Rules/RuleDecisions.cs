namespace Dukaan.Conformance.Rules;

/// <summary>One interpretation decision: how the harness reads the contract where its sources are vague or disagree.</summary>
/// <param name="Text">Markdown: the first sentence names the question, the rest is the decision.</param>
public sealed record RuleDecision(int Number, string Text);

/// <summary>
/// The decisions the catalog, the simulator and the scenarios follow, kept in code beside the catalog so docs/rules.md
/// is generated from one place (`list-rules --format markdown`) and code can cite them by number ("decision 8").
/// Numbers are stable like rule IDs: a decision that changes keeps its number and says what changed.
/// </summary>
public static class RuleDecisions
{
    public static readonly IReadOnlyList<RuleDecision> All =
    [
        new(1, "ACK timing. 000 says ACK fast and fetch config in the background; 002 says return 2xx only once processed. " +
            "Both fit inside the 10 s budget: the rule is \"2xx within 10 s\" (MUST) plus \"fetches /config after every buyer_configured\" (MUST); " +
            "\"2xx within 2 s\" is a SHOULD."),
        new(2, "Rejection status. 000's sample answers 401, Wakeel answers 403. Any 4xx (401 or 403 preferred) passes a rejection rule; " +
            "2xx fails it; 5xx fails it (a crash is not a rejection)."),
        new(3, "Retries. \"retried 3×\" = 1 first attempt + up to 3 retries, exponential backoff, 10 s timeout per attempt."),
        new(4, "Timestamp window. `X-AgentDukaan-Ts` is epoch milliseconds; the simulator accepts |now − ts| ≤ 300 000 ms (past and future) " +
            "and rejects the rest with 401."),
        new(5, "Field order in the request-config signature is ordinal (byte / UTF-16 code unit) order, as JavaScript's default `sort()` gives — " +
            "not culture-aware order. `[\"b\",\"B\",\"a\"]` signs as `B,a,b`."),
        new(6, "The chat reply HMAC scheme is not spelled out in the sources (\"unchanged\"); the simulator assumes the body-bound form " +
            "`chat_reply.${subscriptionId}.${ts}.${sha256hex(raw)}` and the report says so."),
        new(7, "Cancellation. /config, /run and /heartbeat answer 403 with code `SUBSCRIPTION_NOT_ACTIVE` for a cancelled, paused or past-due subscription."),
        new(8, "Error bodies of the simulator: `{ \"success\": false, \"error\": { \"code\": \"...\", \"message\": \"...\" } }`."),
        new(9, "Chat wire. Replies: the simulator accepts `chat_reply.${subscriptionId}.${ts}.${sha256hex(raw)}` (decision 6) at " +
            "`POST /api/subscriptions/{id}/chat/reply`. Relays to the agent are signed like `buyer_configured` (raw-body HMAC in `X-AgentDukaan-Sig`) " +
            "with `X-AgentDukaan-Event: chat_message` and body `event: \"chat_message\"`, posted to the webhook path. Both are assumptions and the report says so."),
        new(10, "Chat manifest. `capabilities.blocks`, `capabilities.actions` and `capabilities.proactive {enabled, maxPerDay, categories}` come from the " +
            "settings file's `listing.capabilities`; without it the listing declares no chat and the DK-CHAT rules are not-applicable. The bundled reference agent declares chat."),
        new(11, "Push categories are `alert | report | nudge | transactional`; a push whose category the manifest does not list gets 403."),
        new(12, "Asking a chat agent to push: the trigger is POSTed `{\"subscriptionId\": \"...\", \"action\": \"push\"}`; plain `{\"subscriptionId\"}` still means one " +
            "billable run. A relayed buyer message is itself a stimulus for work: without a trigger, a chat agent is asked for billable work with a relay."),
        new(15, "`not-applicable`: a rule whose precondition the target does not declare (chat rules for a listing without chat; push rules for a listing that " +
            "does not opt in to push). Unlike `not-exercised`, it does not keep a run from certifying. It is never used to hide a missing stimulus."),
        new(19, "Chat limits the sources leave open. State is a \"small\" blob: the simulator refuses a state PUT above 16 KiB with 413. The quiet window of " +
            "DK-CHAT-06/07/11 is the run's quiet window. An attachment read counts as \"well before 64 MiB\" below 32 MiB written by the simulator (socket buffers included)."),
        new(30, "A 5xx that asks for the platform's retry. A delivery answered 5xx because a platform call it depended on failed (the `/config` fetch the agent " +
            "makes before it ACKs, in the config-failure scenario) is the retry request of 002 §1 (\"return 2xx only once you've processed it\"; \"retried 3× with " +
            "backoff\"): it is not a DK-ACK-01 failure. The harness, playing the platform, redelivers the same bytes on the contract's schedule (decision 3), and " +
            "DK-CFG-04 judges whether the agent got its config once `/config` recovered. A 4xx/5xx to a delivery the agent could process stays a DK-ACK-01 failure."),
        new(31, "What is billable. A billable run (DK-RUN-01) is a provider call answered 2xx. A call the provider refused (401, 429, 5xx) is not billable work " +
            "and needs no `/run`; reporting it anyway is not a failure either (the platform counts it)."),
        new(32, "A pass needs a witness: the exchanges, or the scanned outputs with a non-zero count, that exercised the rule. A rule about something optional " +
            "that the target never did in the run (heartbeats from an agent that sends none, or none within the run) is `not-applicable` with that reason — never " +
            "`pass`, and never a blocking `not-exercised`. The trigger's answer is the agent's own business: what the agent did on the wire after the request " +
            "decides, and a trigger counts as refused only when no work followed."),
    ];

    /// <summary>The decision with this number, for a profile that leans on it too (numbers are shared by all profiles).</summary>
    public static RuleDecision Get(int number) => All.Single(d => d.Number == number);

    /// <summary>Decision 32, which every profile's verdicts follow: the assembler enforces it for all of them.</summary>
    public static RuleDecision PassNeedsWitness => Get(32);
}
