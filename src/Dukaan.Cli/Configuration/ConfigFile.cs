using Dukaan.Conformance.Engine;

namespace Dukaan.Cli.Configuration;

public sealed record AgentSection
{
    public string? Cmd { get; init; }
    public string? Workdir { get; init; }
    public string? Url { get; init; }
    public string? Log { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}

public sealed record TierSection
{
    public string? Name { get; init; }
    public int? PriceInr { get; init; }
    public int? RunLimitPerMonth { get; init; }
}

public sealed record ProactiveSection
{
    public bool? Enabled { get; init; }
    public int? MaxPerDay { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary><c>listing.capabilities</c>: the listing's chat manifest (decision 10).</summary>
public sealed record CapabilitiesSection
{
    public IReadOnlyList<string>? Blocks { get; init; }
    public IReadOnlyList<string>? Actions { get; init; }
    public ProactiveSection? Proactive { get; init; }

    /// <summary>The manifest with the contract's defaults: no actions, no push, 10 pushes a day.</summary>
    public Dukaan.Contract.ChatManifest ToManifest() => new(
        Blocks ?? [],
        Actions ?? [],
        Proactive is null ? null : new Dukaan.Contract.ProactiveManifest(
            Proactive.Enabled ?? false, Proactive.MaxPerDay ?? Dukaan.Contract.ProactiveManifest.DefaultMaxPerDay, Proactive.Categories ?? []));
}

public sealed record ListingSection
{
    public IReadOnlyList<string>? Fields { get; init; }
    public IReadOnlyList<string>? SensitiveFields { get; init; }
    public string? ProviderKeyField { get; init; }
    public TierSection? Tier { get; init; }

    /// <summary>Null: the listing declares no chat.</summary>
    public CapabilitiesSection? Capabilities { get; init; }

    /// <summary>
    /// The listing the run uses: what the file says, the default listing for the rest. A missing provider key field is
    /// the default one when it is sensitive here, else the only sensitive field, so a one-key listing needs no extra line.
    /// </summary>
    public ListingProfile ToProfile()
    {
        var defaults = ListingProfile.Default;
        var sensitive = SensitiveFields ?? defaults.SensitiveFields;
        var providerKey = ProviderKeyField
            ?? (sensitive.Contains(defaults.ProviderKeyField, StringComparer.Ordinal) || sensitive.Count != 1 ? defaults.ProviderKeyField : sensitive[0]);
        var tier = Tier is null ? null : new Dukaan.Contract.Tier(Tier.Name ?? "Test", Tier.PriceInr ?? 999, Tier.RunLimitPerMonth ?? 1000);
        return new ListingProfile(Fields ?? defaults.Fields, sensitive, providerKey, tier, Capabilities?.ToManifest());
    }
}

/// <summary>
/// dukaan-conformance.json: what a seller would otherwise repeat on every run. Every member is optional (null: the file
/// does not say); flags on the command line override it. Paths are already absolute, resolved against the file's folder.
/// </summary>
public sealed record ConfigFile
{
    public const string FileName = "dukaan-conformance.json";

    /// <summary>Where the file was read from (absolute).</summary>
    public string FullPath { get; init; } = FileName;

    /// <summary>The same, as the seller should see it in messages: relative to the current directory when below it.</summary>
    public string ShownPath { get; init; } = FileName;

    public AgentSection? Agent { get; init; }
    public string? Profile { get; init; }
    public string? WebhookPath { get; init; }
    public string? TriggerUrl { get; init; }
    public ListingSection? Listing { get; init; }
    public string? Rules { get; init; }
    public bool? Strict { get; init; }
    public int? Seed { get; init; }
    public string? Out { get; init; }
    public string? Baseline { get; init; }
    public double? StartupTimeout { get; init; }
    public double? QuietWindow { get; init; }
    public double? ObservationWindow { get; init; }
    public double? RunDeadline { get; init; }
}

/// <summary>Everything wrong with a config file, each problem naming its JSON path, so one edit fixes them all.</summary>
public sealed class ConfigFileException(string path, IReadOnlyList<string> problems)
    : Exception(string.Join('\n', problems.Select(p => $"{path}: {p}")))
{
    public string ConfigPath { get; } = path;

    /// <summary>Each problem without the file name, e.g. <c>$.strict must be true or false, got "yes"</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
