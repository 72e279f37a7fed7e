using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>
/// AgentDoor webhook receivers (seed 003): the harness plays the emitter, signing and delivering each event, and an
/// effects sink shows what the receiver processed. No trigger: each delivery is the stimulus.
/// </summary>
public sealed class AgentDoorProfile : IProfile
{
    public const string Id = "agentdoor";

    public static ProfileInfo Metadata { get; } = new(
        Id,
        "AgentDoor receiver conformance",
        "agentdoor-webhooks-2026 (seed 003)",
        ["003 AgentDoor"],
        "/webhooks/agentdoor",
        [
            new("PORT", "a free port the harness chose; listen on 127.0.0.1:$PORT"),
            new("AGENTDOOR_WEBHOOK_SECRET", "a per-run signing secret (a canary: it must never show in output or files)"),
            new("AGENTDOOR_EFFECTS_URL", "test mode: POST {\"eventId\": \"...\", \"type\": \"...\"} there for each event processed"),
            new("TMPDIR", "a fresh directory, scanned for the secret afterwards"),
            new("HOME", "a fresh directory, with XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME inside it; scanned for the secret afterwards"),
        ],
        "no trigger: each delivery is the stimulus");

    public ProfileInfo Info => Metadata;

    public RuleCatalog Rules => AgentDoorRules.Catalog;

    public ProfileDocs Docs { get; } = new(
        "AgentDoor receivers (profile `agentdoor`)",
        "`003` = AgentDoor",
        [
            new(2, "Rejection status. 000's sample answers 401, Wakeel answers 403. Any 4xx (401 or 403 preferred) passes a rejection rule; " +
                "2xx fails it; 5xx fails it (a crash is not a rejection)."),
            new(16, "AgentDoor effects. A receiver shows what it processed by POSTing `{\"eventId\", \"type\"}` to `AGENTDOOR_EFFECTS_URL`. " +
                "A receiver that posts no effect for any valid event within the observation window leaves AD-R-05 and AD-R-07 (when it acknowledged the stale event) " +
                "`not-exercised`, and AD-R-01 and AD-R-02 are judged on status codes alone; the run says so in a note."),
            new(17, "AgentDoor timing. Deliveries time out at 10 s, the emitter's default `timeoutMs`, with no tolerance. AD-R-04 is timed on the seed's own eight " +
                "types and the redelivered pair; unknown types and extra fields are AD-R-06's. Every delivery that expects processing carries a fresh payload " +
                "`timestamp`; the id and type a receiver should use are the signed payload's, the `X-AgentDoor-*` headers merely repeat them."),
            new(18, "AgentDoor replay (AD-R-07). \"Refused or ignored\" = any answer but a 5xx or a dropped connection, and no effect; an acknowledgement that " +
                "arrives after 10 s is still not a processing. AD-R-03 is \"never 5xx\" only: the malformed probes' answers are not graded under AD-R-02."),
            RuleDecisions.PassNeedsWitness,
        ],
        AgentDoorEngine.Scenarios,
        AgentDoorEngine.WholeRunChecks);

    public Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        AgentDoorEngine.RunAsync(request, progress, cancellationToken);
}
