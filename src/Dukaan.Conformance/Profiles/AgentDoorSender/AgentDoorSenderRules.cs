using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// The AgentDoor sender rules (seed 003), IDs and levels as the project's rules document fixes them. IDs are stable:
/// never renamed, never reused. The texts live here: the project carries its own contract.
/// </summary>
public static class AgentDoorSenderRules
{
    private const string Seed = "003 AgentDoor";

    // Areas of their own: the sender's wire and its retry policy are not AgentDukaan's groupings.
    public const string Wire = "wire";
    public const string Retries = "retries";

    public static readonly IReadOnlyList<RuleDefinition> Definitions =
    [
        new("AD-S-01", RuleLevel.Must, Wire, "Sends the AgentDoor headers",
            "Every attempt carries `Content-Type: application/json`, a `User-Agent`, `X-AgentDoor-Event` equal to the payload's `type`, " +
            "`X-AgentDoor-Event-Id` equal to the payload's `id`, and an ISO 8601 `X-AgentDoor-Timestamp`.", $"{Seed} Webhook Headers"),
        new("AD-S-02", RuleLevel.Must, Areas.Signatures, "Signs the exact payload bytes",
            "Every attempt carries `X-AgentDoor-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes sent>`, keyed with AGENTDOOR_WEBHOOK_SECRET.",
            $"{Seed} Signature Verification"),
        new("AD-S-03", RuleLevel.Must, Wire, "The payload is the event and agrees with the headers",
            "Every body is a JSON object `{id, type, timestamp, data}`: `type` and `data` are the emitted ones, `timestamp` is ISO 8601, `id`, `type` and " +
            "`timestamp` agree with the headers, and `id` is unique per event.", $"{Seed} Event Payload"),
        new("AD-S-04", RuleLevel.Must, Retries, "Retries after 5xx, 429, a timeout and a reset connection",
            "After an attempt answered 500, one answered 429, one never answered (abandoned after timeoutMs) and one whose connection was reset, the " +
            "sender tries again (the retry is answered 200).", $"{Seed} Retry Logic; decision 21"),
        new("AD-S-05", RuleLevel.Must, Retries, "Never retries after a 4xx other than 429",
            "After an attempt answered 400, 401, 404 or 410 the sender makes no further attempt for that event.", $"{Seed} Retry Logic"),
        new("AD-S-06", RuleLevel.Must, Retries, "Retries up to maxRetries times, then stops",
            "Against a receiver that answers 500 forever, the sender makes maxRetries (3) retries after the first attempt — 4 attempts in all — and then no more.",
            $"{Seed} Endpoint Configuration (maxRetries), Retry Logic; decision 13"),
        new("AD-S-07", RuleLevel.Should, Retries, "Backs off exponentially",
            "The delay before retry n is within [0.5×, 1.5×] of min(1000·2^(n−1), 10000) ms, and never above 11 s.", $"{Seed} Retry Logic (backoff); decision 20"),
        new("AD-S-08", RuleLevel.Info, Retries, "Jitters its backoff",
            "The retry delays vary around their nominal values (\"exponential with jitter\") rather than hitting them exactly.", $"{Seed} Retry Logic (jitter); decision 20"),
        new("AD-S-09", RuleLevel.Must, Retries, "A retry is the same event",
            "Every retry of an event carries the same event id, the same payload bytes and the same signature as its first attempt.", $"{Seed} Best Practices (idempotency)"),
        new("AD-S-10", RuleLevel.Must, Retries, "Abandons an attempt after timeoutMs",
            "An attempt the receiver never answers is abandoned after timeoutMs (10 s, + 1 s tolerance; not before 5 s) and counts as a failure: a retry follows.",
            $"{Seed} Endpoint Configuration (timeoutMs), Retry Logic; decision 20"),
    ];

    public static RuleCatalog Catalog { get; } = new(Definitions, example: "AD-S-04, AD-S-0*");

    /// <summary>Decisions 13 and 32 from the project's rules document, and the two this profile adds; numbers are stable like rule IDs.</summary>
    public static readonly IReadOnlyList<RuleDecision> Decisions =
    [
        new(13, "AgentDoor `maxRetries`. The seed calls it \"Max retry attempts (default: 3)\"; retries are the attempts after the first, as AgentDukaan's " +
            "\"retried 3×\" (decision 3): 4 attempts in all by default. A sender that stops after 3 attempts in all fails AD-S-06 with a diagnosis naming the off-by-one."),
        new(20, "AgentDoor sender timing. A retry's delay runs from the end of the failed attempt as the receiver saw it (the answer sent, the reset, or the " +
            "sender closing an unanswered attempt) to the next attempt's arrival. Retry n's nominal delay is min(1000·2^(n−1), 10000) ms (the seed's \"1s, 2s, 4s, 8s, " +
            "max 10s\"); AD-S-07 accepts [0.5×, 1.5×] of it, plus 0.5 s on the upper bound for the wire and scheduling (the receiver measures the sender's timer from outside) and, on a loaded machine, " +
            "as much as the harness's own timers ran late during the run (the report says so), never above 11 s. So a retry that has not come 11 s after a failure is taken as not coming: that is how " +
            "long the harness watches after a 4xx (AD-S-05) and after the 4th attempt (AD-S-06). AD-S-08 sees jitter when a delay within AD-S-07's bounds (after an answer or a reset, whose end the receiver knows exactly) came " +
            "below 0.97× nominal: timers fire late on a loaded machine, by hundreds of milliseconds, never 3 % early, so only jitter's downward half can be told " +
            "from load; a sender jittering ±20 % shows it in 24 of 25 runs, and AD-S-08 is INFO. An unanswered attempt must be abandoned by 11 s " +
            "(timeoutMs 10 000 + 1 s) and not before 5 s (a sender that gives up sooner does not give the receiver its 10 s; the margin absorbs late arrival " +
            "on a loaded machine); one still open at 11 s is closed by the harness (a reset) so the run goes on."),
        new(21, "AgentDoor sender wire. \"Network errors\" are provoked by resetting the connection (TCP RST) after the request arrived: a refused connection cannot be " +
            "scripted for one event while others share the URL. Events are told apart by `data.agent_id`, unique per emitted event. `Content-Type` may carry " +
            "parameters (`application/json; charset=utf-8`). \"Same payload bytes\" is byte equality; \"agrees with the headers\" is string equality for id and type and " +
            "the same instant for the timestamps. The emit request may be answered before or after delivery ends; any 2xx means emitted."),
        RuleDecisions.PassNeedsWitness,
    ];
}
