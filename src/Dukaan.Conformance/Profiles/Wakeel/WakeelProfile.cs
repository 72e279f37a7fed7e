using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>
/// Wakeel (seed 001): the harness plays Wakeel, pushing signed contract.deploy webhooks with secrets in config, and
/// serves the callback endpoint and a CRM the agent checks its key against. Everything lives in this folder.
/// </summary>
public sealed class WakeelProfile : IProfile
{
    public const string Id = "wakeel";

    public static ProfileInfo Metadata { get; } = new(
        Id,
        "Wakeel conformance",
        "wakeel-2026 (seed 001)",
        ["001 Wakeel"],
        "/wakeel/deploy",
        [
            new("PORT", "a free port the harness chose; listen on 127.0.0.1:$PORT"),
            new("WAKEEL_API_URL", "the simulated Wakeel; callbacks go to ${WAKEEL_API_URL}/api/agent-callback"),
            new("WAKEEL_CALLBACK_SECRET", "verifies X-Wakeel-Signature and goes as secret in every callback body"),
            new("CRM_BASE_URL", "the simulated CRM: GET {CRM_BASE_URL}/v1/me with Authorization: Bearer <crm_api_key>"),
            new("TMPDIR", "a fresh directory, scanned for secrets afterwards"),
            new("HOME", "a fresh directory, with XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME inside it; scanned for secrets afterwards"),
        ],
        "no trigger: the deploy itself is the stimulus");

    public ProfileInfo Info => Metadata;

    public RuleCatalog Rules => WakeelRules.Catalog;

    public ProfileDocs Docs { get; } = new(
        "Wakeel — agent under test (profile `wakeel`)",
        "`001` = Wakeel",
        WakeelRules.Decisions,
        [.. WakeelScenarios.All.Select(s => new ScenarioDoc(s.Name, s.Description, s.Rules))],
        WakeelChecks.Observations);

    /// <summary>Every scenario runs whatever --rules selects: they share the agent's callbacks, which the whole-run checks judge.</summary>
    public bool RunsEveryScenario => true;

    public Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        WakeelEngine.RunAsync(request, progress, cancellationToken);
}
