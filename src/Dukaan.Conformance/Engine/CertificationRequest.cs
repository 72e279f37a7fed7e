using Dukaan.Conformance.Agents;

namespace Dukaan.Conformance.Engine;

/// <summary>What the agent factory gets: the simulator's coordinates, to put into the agent's environment.</summary>
public sealed record PlatformCoordinates(Uri ApiUrl, Uri ProviderBaseUrl, string WebhookSecret);

public sealed record CertificationRequest(
    TargetInfo Target,
    Func<PlatformCoordinates, CancellationToken, Task<IAgentUnderTest>> StartAgent,
    RunSettings Settings,
    string? RulePatterns = null);

public static class HarnessInfo
{
    public static string Version => typeof(HarnessInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Which edition of the AgentDukaan documents the rules were written from.</summary>
    public const string ContractVersion = "agentdukaan-hosted-2026.06 (seeds 000, 002)";

    public const string Profile = "agentdukaan";
}
