using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles;

/// <summary>One variable the harness gives the target, as the profile's README table shows it.</summary>
public sealed record EnvironmentVariable(string Name, string Meaning);

/// <summary>
/// Everything about a contract that reports, the CLI and results.json show: stable id, title, which edition of which
/// source documents, where deliveries go by default, what the target is given. Reporters read these from results.json,
/// never from code, so a report of any profile renders with any build.
/// </summary>
public sealed record ProfileInfo(
    string Id,
    string Title,
    string ContractVersion,
    IReadOnlyList<string> SeedReferences,
    string DefaultWebhookPath,
    IReadOnlyList<EnvironmentVariable> Environment,
    string TriggerHint);

/// <summary>How one scenario is documented: what it plays, which rules it judges.</summary>
public sealed record ScenarioDoc(string Name, string Description, IReadOnlyList<string> Rules);

/// <summary>
/// What docs/rules.md says about a profile beyond its rules: its heading, its sources, the decisions where the sources
/// are vague, its scenarios, and how its whole-run rules are observed (rule ID → text).
/// </summary>
public sealed record ProfileDocs(
    string Heading,
    string Sources,
    IReadOnlyList<RuleDecision> Decisions,
    IReadOnlyList<ScenarioDoc> Scenarios,
    IReadOnlyDictionary<string, string> WholeRunChecks);

/// <summary>
/// A contract the harness certifies: its metadata, its rule catalog, and how to certify a target against it (the
/// simulated counterpart, the scenarios, the whole-run checks). Shared machinery — agent supervision, the transcript,
/// findings into verdicts, secrets, the reports and the CLI — knows profiles only through this.
/// </summary>
public interface IProfile
{
    ProfileInfo Info { get; }

    RuleCatalog Rules { get; }

    ProfileDocs Docs { get; }

    /// <summary>
    /// Whether a run plays every scenario whatever rules are selected (so a rerun never needs --scenarios); otherwise a
    /// scenario runs when one of its rules is selected or --scenarios names it.
    /// </summary>
    bool RunsEveryScenario => false;

    Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken);
}

/// <summary>The profiles this build knows. A new contract is one folder and one line here.</summary>
public static class ProfileRegistry
{
    public const string DefaultId = AgentDukaan.AgentDukaanProfile.Id;

    public static IReadOnlyList<IProfile> All { get; } =
    [
        new AgentDukaan.AgentDukaanProfile(),
        new Wakeel.WakeelProfile(),
        new AgentDoor.AgentDoorProfile(),
        new AgentDoorSender.AgentDoorSenderProfile(),
        new AgentDukaanPlatform.PlatformProfile(),
    ];

    /// <summary>The profile with this id; an unknown id fails with the list of known ones, never falls back silently.</summary>
    public static IProfile Get(string? id)
    {
        var wanted = string.IsNullOrWhiteSpace(id) ? DefaultId : id.Trim();
        return All.FirstOrDefault(p => string.Equals(p.Info.Id, wanted, StringComparison.OrdinalIgnoreCase))
            ?? throw new UnknownProfileException($"Unknown profile '{wanted}'. Known profiles: {string.Join(", ", All.Select(p => p.Info.Id))}.");
    }
}

public sealed class UnknownProfileException(string message) : Exception(message);
