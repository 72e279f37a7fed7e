using Dukaan.Conformance.Agents;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>What the agent factory gets: the simulator's coordinates, to put into the agent's environment.</summary>
public sealed record PlatformCoordinates(Uri ApiUrl, Uri ProviderBaseUrl, string WebhookSecret)
{
    /// <summary>The environment the contract gives an agent (000 §3), plus the caller's extras; PORT and TMPDIR come from the spawner.</summary>
    public Dictionary<string, string> AgentEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(extra ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["AGENTDUKAAN_API_URL"] = ApiUrl.ToString().TrimEnd('/'),
            ["AGENTDUKAAN_WEBHOOK_SECRET"] = WebhookSecret,
            ["OPENAI_BASE_URL"] = ProviderBaseUrl.ToString().TrimEnd('/'),
        };
        return environment;
    }
}

/// <param name="StartPlatform">
/// Hosts the simulator; by default Kestrel on a free loopback port. In-process certification supplies a TestServer.
/// </param>
/// <param name="NotApplicable">
/// Rules this kind of target cannot exercise by its nature (an in-process agent has no process to restart, watch or
/// scan). They still appear as not-exercised, but do not keep the run from certifying: the caller says elsewhere how
/// to cover them.
/// </param>
public sealed record CertificationRequest(
    TargetInfo Target,
    Func<PlatformCoordinates, CancellationToken, Task<IAgentUnderTest>> StartAgent,
    RunSettings Settings,
    string? RulePatterns = null,
    Func<SimulatorOptions, CancellationToken, Task<IPlatformHost>>? StartPlatform = null,
    IReadOnlySet<string>? NotApplicable = null);

/// <summary>A finished run: its results (already redacted) and the secrets it handed out, so writers can redact defensively.</summary>
public sealed record CertificationRun(RunResults Results, IReadOnlyList<string> Secrets);

public static class HarnessInfo
{
    public static string Version => typeof(HarnessInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Which edition of the AgentDukaan documents the rules were written from.</summary>
    public const string ContractVersion = "agentdukaan-hosted-2026.06 (seeds 000, 002)";

    public const string Profile = "agentdukaan";
}
