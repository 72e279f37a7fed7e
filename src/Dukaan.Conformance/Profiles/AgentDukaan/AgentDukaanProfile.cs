using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDukaan;

/// <summary>
/// The AgentDukaan hosted agent (seeds 000, 002): the fake platform in Dukaan.Simulator, the scenarios in
/// Dukaan.Conformance.Scenarios and the whole-run checks in <see cref="GlobalChecks"/>. It was the harness's only
/// contract before profiles, so its engine lives where it grew; newer profiles keep everything in their own folder.
/// </summary>
public sealed class AgentDukaanProfile : IProfile
{
    public const string Id = "agentdukaan";

    public static ProfileInfo Metadata { get; } = new(
        Id,
        "AgentDukaan conformance",
        "agentdukaan-hosted-2026.06 (seeds 000, 002)",
        ["000 Deploying a Hosted Agent", "002 Webhook & Callback Contract"],
        "/hooks/agentdukaan",
        [
            new("PORT", "a free port the harness chose; listen on 127.0.0.1:$PORT"),
            new("AGENTDUKAAN_API_URL", "the simulated platform, e.g. http://127.0.0.1:41234"),
            new("AGENTDUKAAN_WEBHOOK_SECRET", "a per-run webhook secret"),
            new("OPENAI_BASE_URL", "the simulated provider, ending in /v1"),
            new("TMPDIR", "a fresh directory, scanned for secrets afterwards"),
            new("HOME", "a fresh directory, with XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME inside it; scanned for secrets afterwards"),
        ],
        "POST {\"subscriptionId\":\"…\"} asks for one billable run");

    public ProfileInfo Info => Metadata;

    public RuleCatalog Rules => AgentDukaanRules.Catalog;

    public ProfileDocs Docs { get; } = new(
        "AgentDukaan — agent under test (profile `agentdukaan`)",
        "`000` = Deploying a Hosted Agent, `002` = Webhook & Callback Contract",
        RuleDecisions.All,
        [.. CertificationEngine.AllScenarios().Select(s => new ScenarioDoc(s.Name, s.Description, s.Rules))],
        GlobalChecks.Observations.Concat(Scenarios.Chat.ChatChecks.Observations).ToDictionary());

    public Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        CertificationEngine.RunAsync(request, progress, cancellationToken);
}
