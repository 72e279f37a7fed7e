namespace Dukaan.Cli.Configuration;

public sealed record AgentSection(string? Cmd, string? Workdir, string? Url, string? Log, IReadOnlyDictionary<string, string>? Env);

public sealed record TierSection(string? Name, int? PriceInr, int? RunLimitPerMonth);

public sealed record ListingSection(IReadOnlyList<string>? Fields, IReadOnlyList<string>? SensitiveFields, string? ProviderKeyField, TierSection? Tier);

/// <summary>
/// dukaan-conformance.json: what a seller would otherwise repeat on every run. Every member is optional; flags on the
/// command line override it. Paths are already resolved against the file's directory.
/// </summary>
public sealed record ConfigFile(
    string SourcePath,
    AgentSection? Agent,
    string? WebhookPath,
    string? TriggerUrl,
    ListingSection? Listing,
    string? Rules,
    bool? Strict,
    int? Seed,
    string? Out,
    string? Baseline,
    double? StartupTimeout,
    double? QuietWindow,
    double? ObservationWindow,
    double? RunDeadline)
{
    public const string FileName = "dukaan-conformance.json";
}

public sealed class ConfigFileException(string path, IReadOnlyList<string> problems)
    : Exception($"{path} has {problems.Count} problem(s):\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
