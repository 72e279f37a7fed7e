using Dukaan.Conformance.Agents;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// What the agent factory gets from a profile's simulated counterpart: the variables its contract gives an agent
/// (PORT and TMPDIR come from the spawner).
/// </summary>
public record PeerCoordinates(IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The contract's environment plus the caller's extras; the contract's values win, so a run cannot be pointed elsewhere.</summary>
    public Dictionary<string, string> AgentEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(extra ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in Environment) environment[key] = value;
        return environment;
    }
}

/// <summary>The AgentDukaan simulator's coordinates (000 §3).</summary>
public sealed record PlatformCoordinates(Uri ApiUrl, Uri ProviderBaseUrl, string WebhookSecret) : PeerCoordinates(new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["AGENTDUKAAN_API_URL"] = ApiUrl.ToString().TrimEnd('/'),
    ["AGENTDUKAAN_WEBHOOK_SECRET"] = WebhookSecret,
    ["OPENAI_BASE_URL"] = ProviderBaseUrl.ToString().TrimEnd('/'),
});

/// <param name="StartPlatform">
/// Hosts the simulator; by default Kestrel on a free loopback port. In-process certification supplies a TestServer.
/// </param>
/// <param name="Scenarios">
/// Scenarios to run whatever <paramref name="RulePatterns"/> selects (--scenarios): a rule's rerun command names the
/// scenarios whose work judged it when that rule alone would not run them. Names of the profile's scenarios.
/// </param>
/// <param name="NotApplicable">
/// Rules this kind of target cannot exercise by its nature (an in-process agent has no process to restart, watch or
/// scan). They still appear as not-exercised, but do not keep the run from certifying: the caller says elsewhere how
/// to cover them.
/// </param>
public sealed record CertificationRequest(
    TargetInfo Target,
    Func<PeerCoordinates, CancellationToken, Task<IAgentUnderTest>> StartAgent,
    RunSettings Settings,
    string? RulePatterns = null,
    Func<SimulatorOptions, CancellationToken, Task<IPlatformHost>>? StartPlatform = null,
    IReadOnlySet<string>? NotApplicable = null,
    Profiles.ProfileInfo? Profile = null,
    IReadOnlySet<string>? Scenarios = null)
{
    /// <summary>Whether the run must play <paramref name="scenario"/> even when no selected rule is its own.</summary>
    public bool AlsoRuns(string scenario) => Scenarios?.Contains(scenario) == true;

    /// <summary>The contract this run certifies against; AgentDukaan's unless the caller chose another profile.</summary>
    public Profiles.ProfileInfo ProfileInfo => Profile ?? Profiles.AgentDukaan.AgentDukaanProfile.Metadata;
}

/// <summary>A finished run: its results (already redacted) and the secrets it handed out, so writers can redact defensively.</summary>
public sealed record CertificationRun(RunResults Results, IReadOnlyList<string> Secrets);

public static class HarnessInfo
{
    public static string Version => typeof(HarnessInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

}
