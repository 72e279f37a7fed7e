using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>
/// The Wakeel agent-side rules (seed 001). IDs and levels are the project's rules document's, copied here because the
/// build must not read anything outside the repository; IDs are stable: never renamed, never reused.
/// </summary>
public static class WakeelRules
{
    private const string Seed = "001 Wakeel";

    /// <summary>Area names as reports and CI filter on them; the shared ones reuse <see cref="Areas"/>.</summary>
    public const string Callbacks = "callbacks";
    public const string Redelivery = "redelivery";

    public static readonly IReadOnlyList<RuleDefinition> Definitions =
    [
        new("WK-SIG-01", RuleLevel.Must, Areas.Signatures, "Accepts a validly signed contract.deploy whatever its formatting",
            "A contract.deploy correctly signed over a non-canonical body (indentation, unusual key order, \\u00e9 escapes, trailing newline) gets 2xx and is acted on: the HMAC is computed over the raw body, not JSON.stringify(req.body).", $"{Seed}; decision 14"),
        new("WK-SIG-02", RuleLevel.Should, Areas.Signatures, "Rejects missing, wrong, tampered and malformed signatures with 4xx",
            "A delivery whose X-Wakeel-Signature is missing, made with another secret, over a tampered body, or malformed gets 4xx (403 as the seed's example). Judged by the status only; taking no action is WK-CB-05. The seed calls verification recommended, so --strict makes it fail.", $"{Seed}; decisions 2, 14"),
        new("WK-SIG-03", RuleLevel.Must, Areas.Signatures, "Malformed signatures never cause 5xx",
            "A signature without the sha256= prefix, truncated, non-hex, empty, or holding a raw non-ASCII byte (0xE9) at the right length never gets 5xx or a dropped connection.", Seed),
        new("WK-ACK-01", RuleLevel.Must, Areas.Acknowledgement, "2xx within 10 s for a valid contract.deploy",
            "Every valid compact contract.deploy (first delivery and redelivery) gets a 2xx status line within 10 s.", Seed),
        new("WK-ACK-02", RuleLevel.Should, Areas.Acknowledgement, "2xx within 2 s",
            "Every valid compact contract.deploy gets a 2xx status line within 2 s (respond first, set up after).", Seed),
        new("WK-ACK-03", RuleLevel.Must, Areas.Acknowledgement, "Unknown fields and unknown events never cause 5xx",
            "A contract.deploy with additive unknown fields and a signed event of an unknown type never get 5xx or a dropped connection (a timeout is WK-ACK-01's business).", Seed),
        new("WK-CB-01", RuleLevel.Must, Callbacks, "Reports ACTIVE or ERROR after a valid deploy",
            "After each valid contract.deploy the agent POSTs /api/agent-callback with status ACTIVE or ERROR for that contractId within the observation window (whatever Wakeel answers).", Seed),
        new("WK-CB-02", RuleLevel.Must, Callbacks, "Every callback is well-formed",
            "Every callback is a JSON object with a known contractId, the callback secret as secret, status ACTIVE, ERROR or activity, a string message, and, when present, a metadata object whose type is info, warning or error.", Seed),
        new("WK-CB-03", RuleLevel.Should, Callbacks, "A credential the CRM rejects ends in ERROR",
            "A deploy whose crm_api_key the CRM answers 401 to ends in an ERROR status callback with a non-empty message, never ACTIVE.", Seed),
        new("WK-CB-04", RuleLevel.Info, Callbacks, "Sends activity updates with metadata",
            "The agent sends activity callbacks carrying a metadata object whose type is info, warning or error.", Seed),
        new("WK-CB-05", RuleLevel.Must, Callbacks, "No callback and no CRM call for a refused deploy",
            "For a delivery the agent refused (answered 4xx), no callback names its contractId and no CRM call uses its crm_api_key.", Seed),
        new("WK-RED-01", RuleLevel.Should, Redelivery, "A redelivered deploy gets 2xx and no second ACTIVE",
            "The same contract.deploy bytes delivered again (as a retry sends them) get 2xx and do not produce a second ACTIVE callback.", Seed),
        new("WK-SEC-01", RuleLevel.Must, Areas.SecretCustody, "Pushed secrets and the callback secret never leak",
            "No config canary nor the callback secret (nor their base64, URL-encoded or hex forms) appears in the agent's stdout/stderr, in files it wrote, or in a callback's message or metadata.", Seed),
    ];

    public static RuleCatalog Catalog { get; } = new(Definitions, "WK-SIG-*, WK-CB-01");

    /// <summary>The project's decisions 2, 14 and 32, the ones this contract leans on; numbers kept as the rules document has them.</summary>
    public static readonly IReadOnlyList<RuleDecision> Decisions =
    [
        new(2, "Rejection status. 000's sample answers 401, Wakeel answers 403. Any 4xx (401 or 403 preferred) passes a rejection rule; " +
            "2xx fails it; 5xx fails it (a crash is not a rejection)."),
        new(14, "Wakeel signs the body it sends with the callback secret; `sha256=` + hex. Any 4xx rejects (403 as in the seed)."),
        RuleDecisions.PassNeedsWitness,
    ];
}
