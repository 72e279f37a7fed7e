using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>
/// The AgentDoor receiver rules (seed 003), IDs and levels as RULES.md fixes them. IDs are stable: never renamed,
/// never reused. The texts live here: the project carries its own contract (docs/rules.md is generated from them).
/// </summary>
public static class AgentDoorRules
{
    private const string Seed = "003 AgentDoor";

    // Areas of their own: idempotency and replay are not AgentDukaan's groupings, and the shared Areas stay untouched.
    public const string Idempotency = "idempotency";
    public const string Replay = "replay";

    public static readonly IReadOnlyList<RuleDefinition> Definitions =
    [
        new("AD-R-01", RuleLevel.Must, Areas.Signatures, "Verifies the signature over the raw payload",
            "Verifies `X-AgentDoor-Signature: sha256=<hex>` over the raw payload: a validly signed non-canonical body (indentation, unusual key order, " +
            "\\u00e9 escapes, a trailing newline, an integer above 2^53) gets 2xx and is processed.", $"{Seed} Webhook Headers, Signature verification"),
        new("AD-R-02", RuleLevel.Must, Areas.Signatures, "Refuses missing, wrong-secret and tampered signatures",
            "Missing, wrong-secret and tampered signatures get 4xx (401 preferred) and no effect.", $"{Seed} Signature verification"),
        new("AD-R-03", RuleLevel.Must, Areas.Signatures, "Malformed signatures never cause 5xx",
            "Malformed signatures (no prefix, truncated, non-hex, a non-ASCII byte at the right length, empty) never cause 5xx.", $"{Seed} Signature verification"),
        new("AD-R-04", RuleLevel.Must, Areas.Acknowledgement, "2xx within 10 s",
            "Every valid delivery of the seed's event types (and a redelivery) gets 2xx within 10 s, the emitter's default `timeoutMs`.", $"{Seed} Retry policy (timeoutMs)"),
        new("AD-R-05", RuleLevel.Should, Idempotency, "A duplicate event is processed once",
            "A duplicate event (same `id` and bytes, as a retry sends it) gets 2xx and is processed once (one effect).", $"{Seed} Best practices (idempotency)"),
        new("AD-R-06", RuleLevel.Must, Areas.Acknowledgement, "Every event type, unknown types and extra fields get 2xx",
            "Every event type of seed 003, an unknown type and extra fields get 2xx within 10 s, never 5xx.", $"{Seed} Event Types, Event Payload"),
        new("AD-R-07", RuleLevel.Info, Replay, "Stale events are refused or ignored",
            "A validly signed event whose payload `timestamp` is more than 5 minutes old is refused or ignored (replay): no 5xx and no effect.", $"{Seed} Best practices"),
        new("AD-R-08", RuleLevel.Must, Areas.SecretCustody, "The webhook secret never leaks",
            "The webhook secret (nor its base64, URL-encoded or hex form) never appears in stdout/stderr or in files the receiver wrote.", $"{Seed} Best practices (secret)"),
    ];

    public static RuleCatalog Catalog { get; } = new(Definitions, example: "AD-R-0*, AD-R-05");
}
