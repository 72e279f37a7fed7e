namespace Dukaan.Cli.Fleet;

/// <summary>
/// The settings "defaults" gives every agent and an agent may override: the certify flags that make sense fleet-wide.
/// Null: not said here.
/// </summary>
public sealed record FleetSettings
{
    public string? Profile { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public string? TriggerUrl { get; init; }
    public string? WebhookPath { get; init; }
    public string? Rules { get; init; }
    public bool? Strict { get; init; }
    public double? StartupTimeout { get; init; }
    public double? QuietWindow { get; init; }
    public double? ObservationWindow { get; init; }
    public double? RunDeadline { get; init; }

    /// <summary>These settings with <paramref name="defaults"/> under them: each value said here wins, env merges by name.</summary>
    public FleetSettings Over(FleetSettings defaults)
    {
        var env = new Dictionary<string, string>(defaults.Env, StringComparer.Ordinal);
        foreach (var (key, value) in Env) env[key] = value;
        return new FleetSettings
        {
            Profile = Profile ?? defaults.Profile,
            Env = env,
            TriggerUrl = TriggerUrl ?? defaults.TriggerUrl,
            WebhookPath = WebhookPath ?? defaults.WebhookPath,
            Rules = Rules ?? defaults.Rules,
            Strict = Strict ?? defaults.Strict,
            StartupTimeout = StartupTimeout ?? defaults.StartupTimeout,
            QuietWindow = QuietWindow ?? defaults.QuietWindow,
            ObservationWindow = ObservationWindow ?? defaults.ObservationWindow,
            RunDeadline = RunDeadline ?? defaults.RunDeadline,
        };
    }
}

/// <summary>One agent of a fleet file. Paths are absolute, resolved against the fleet file's folder.</summary>
/// <param name="Position">0-based place in the file's "agents": it decides the agent's shard.</param>
public sealed record FleetFileAgent(int Position, string Name)
{
    public string? Cmd { get; init; }
    public string? Workdir { get; init; }
    public string? Url { get; init; }
    public string? Log { get; init; }
    public string? SecretEnv { get; init; }
    public int? SimPort { get; init; }
    public string? SettingsFile { get; init; }
    public string? Baseline { get; init; }

    /// <summary>What the agent's entry itself says, without the defaults.</summary>
    public FleetSettings Settings { get; init; } = new();

    /// <summary>Where the agent sits in the file, for messages: <c>$.agents[3] (node-agent)</c>.</summary>
    public string Where => $"$.agents[{Position}] ({Name})";
}

/// <summary>A fleet file (fleet.schema.json), read and checked by <see cref="FleetFileLoader"/>.</summary>
/// <param name="FullPath">Where it was read from (absolute).</param>
/// <param name="ShownPath">The same as the user should see it: relative to the current directory when below it.</param>
/// <param name="Digest">sha256 (lowercase hex) of the file's bytes: shards of one fleet carry the same.</param>
public sealed record FleetFile(string FullPath, string ShownPath, string Name, string Digest, FleetSettings Defaults, IReadOnlyList<FleetFileAgent> Agents)
{
    public string Folder => Path.GetDirectoryName(FullPath)!;
}

/// <summary>Everything wrong with a fleet file, each problem naming its JSON path, so one edit fixes them all.</summary>
public sealed class FleetFileException(string path, IReadOnlyList<string> problems)
    : Exception(string.Join('\n', problems.Select(p => $"{path}: {p}")))
{
    public string FleetPath { get; } = path;

    /// <summary>Each problem without the file name, e.g. <c>$.agents[2].name "a" is also the name of $.agents[0]…</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
