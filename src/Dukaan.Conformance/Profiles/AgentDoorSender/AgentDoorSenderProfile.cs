using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// AgentDoor webhook senders (seed 003): the harness plays the receiving endpoint and scripts its answer per attempt;
/// the sender is asked to emit each event through its emit route.
/// </summary>
public sealed class AgentDoorSenderProfile : IProfile
{
    public const string Id = "agentdoor-sender";

    public static ProfileInfo Metadata { get; } = new(
        Id,
        "AgentDoor sender conformance",
        "agentdoor-webhooks-2026 (seed 003)",
        ["003 AgentDoor"],
        "/emit",
        [
            new("PORT", "a free port the harness chose; serve the emit route on 127.0.0.1:$PORT"),
            new("AGENTDOOR_WEBHOOK_URL", "the harness's receiver: deliver every event there (maxRetries 3, timeoutMs 10000, the defaults under test)"),
            new("AGENTDOOR_WEBHOOK_SECRET", "the endpoint's signing secret"),
            new("TMPDIR", "a fresh directory"),
            new("HOME", "a fresh directory, with XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME inside it"),
        ],
        "POST {\"type\": \"...\", \"data\": {...}} to the emit route (default http://127.0.0.1:{port}/emit, or --trigger-url) emits one event; it may answer before or after delivery ends");

    public ProfileInfo Info => Metadata;

    public RuleCatalog Rules => AgentDoorSenderRules.Catalog;

    public ProfileDocs Docs { get; } = new(
        "AgentDoor senders (profile `agentdoor-sender`)",
        "`003` = AgentDoor. The harness is the receiving endpoint; it asks the sender to emit each event with `POST /emit` (`{\"type\", \"data\"}`; `--trigger-url` " +
        "gives another URL, `{port}` is the sender's port), so \"deliveries\" below means the emit requests",
        AgentDoorSenderRules.Decisions,
        SenderScenarios.Docs,
        AgentDoorSenderEngine.WholeRunChecks);

    public Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        AgentDoorSenderEngine.RunAsync(request, progress, cancellationToken);
}
