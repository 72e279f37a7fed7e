using Dukaan.Cli.Configuration;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Profiles;

namespace Dukaan.Cli;

/// <summary>What the command line said: null for every flag that was not given (its default does not count as given).</summary>
public sealed record CertifyFlags
{
    public string? Config { get; init; }
    public string? AgentCmd { get; init; }
    public string? AgentWorkdir { get; init; }
    public string? AgentUrl { get; init; }
    public string? AgentLog { get; init; }
    public IReadOnlyDictionary<string, string> AgentEnv { get; init; } = new Dictionary<string, string>();
    public string? WebhookPath { get; init; }
    public string? TriggerUrl { get; init; }
    public string? Rules { get; init; }
    /// <summary>--scenarios: a flag only; it replays the scenarios behind a verdict (rerun commands), it is no setting of the agent.</summary>
    public string? Scenarios { get; init; }
    public bool? Strict { get; init; }
    public int? Seed { get; init; }
    public string? Out { get; init; }
    public string? Baseline { get; init; }
    public double? StartupTimeout { get; init; }
    public double? QuietWindow { get; init; }
    public double? ObservationWindow { get; init; }
    public double? RunDeadline { get; init; }
    public int? SimPort { get; init; }
    public string? Secret { get; init; }
    public string? Profile { get; init; }
    public string? PlatformUrl { get; init; }
    public double? TimeScale { get; init; }
    /// <summary>--transcript-capacity: a flag only, since it sizes this machine's memory, not the agent's contract.</summary>
    public int? TranscriptCapacity { get; init; }
}

/// <summary>
/// The settings of one certify run: a flag given on the command line wins, then the config file, then the default.
/// Paths from flags are as typed (relative to the current directory); paths from the file are already absolute.
/// </summary>
public sealed record CertifyOptions
{
    // The engine's own defaults, in the seconds the flags and the file use, so a run without flags is a default run.
    private static readonly RunSettings EngineDefaults = new();

    /// <summary>The default profile's webhook path; another profile brings its own (<see cref="ProfileInfo.DefaultWebhookPath"/>).</summary>
    public const string DefaultWebhookPath = "/hooks/agentdukaan";
    public static readonly int DefaultSeed = EngineDefaults.Seed;
    public const double DefaultStartupTimeout = 30;
    public static readonly double DefaultQuietWindow = EngineDefaults.QuietWindow.TotalSeconds;
    public static readonly double DefaultObservationWindow = EngineDefaults.ObservationWindow.TotalSeconds;
    public static readonly double DefaultRunDeadline = EngineDefaults.RunDeadline.TotalSeconds;

    /// <summary>The config file the run read (absolute), or null.</summary>
    public string? ConfigFile { get; init; }
    public string? AgentCmd { get; init; }
    public string? AgentWorkdir { get; init; }
    public string? AgentUrl { get; init; }
    public string? AgentLog { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string WebhookPath { get; init; } = DefaultWebhookPath;
    public string? TriggerUrl { get; init; }
    public string? Rules { get; init; }
    public bool Strict { get; init; }
    public int Seed { get; init; } = DefaultSeed;
    public string? Out { get; init; }
    /// <summary>Path of the baseline file of accepted failures, or null for none.</summary>
    public string? Baseline { get; init; }
    public double StartupTimeout { get; init; } = DefaultStartupTimeout;
    public double QuietWindow { get; init; } = DefaultQuietWindow;
    public double ObservationWindow { get; init; } = DefaultObservationWindow;
    public double RunDeadline { get; init; } = DefaultRunDeadline;
    public ListingProfile Listing { get; init; } = ListingProfile.Default;
    public int SimPort { get; init; }
    public string? Secret { get; init; }

    /// <summary>Profile agentdukaan-platform: the platform to certify (flag only, like --secret); null certifies the bundled simulator.</summary>
    public string? PlatformUrl { get; init; }

    /// <summary>Profile agentdukaan-platform with --platform-url: how much faster than real time that platform's delays run.</summary>
    public double? TimeScale { get; init; }

    /// <summary>The contract to certify against (--profile, or "profile" in the file; agentdukaan by default).</summary>
    public IProfile Profile { get; init; } = ProfileRegistry.Get(null);

    /// <summary>What the command line itself said, so a rerun command can repeat just that next to --config.</summary>
    public CertifyFlags Given { get; init; } = new();

    /// <summary>For each flag whose value came from the config file, where in the file (for messages about that value).</summary>
    public IReadOnlyDictionary<string, string> FromFile { get; init; } = new Dictionary<string, string>();

    /// <summary>How to name a setting in a message: the flag, or the key in the file it came from.</summary>
    public string NameOf(string flag) => FromFile.TryGetValue(flag, out var key) ? key : flag;

    public static CertifyOptions Resolve(CertifyFlags flags, ConfigFile? file)
    {
        var fromFile = new Dictionary<string, string>(StringComparer.Ordinal);
        T? Pick<T>(string flag, T? given, T? inFile, string key)
        {
            if (given is not null || inFile is null) return given;
            fromFile[flag] = $"{key} in {file!.ShownPath}";
            return inFile;
        }

        // The target is one choice: a flag that picks one (start a command, or use a URL) drops the file's other kind,
        // so `--agent-url` against a file with a cmd is a URL run, not a "both given" error.
        var agent = file?.Agent;
        if (flags.AgentUrl is not null) agent = agent is null ? null : agent with { Cmd = null, Workdir = null };
        if (flags.AgentCmd is not null) agent = agent is null ? null : agent with { Url = null, Log = null };

        var env = new Dictionary<string, string>(agent?.Env ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in flags.AgentEnv) env[key] = value;

        var listing = file?.Listing?.ToProfile();
        var profile = ProfileRegistry.Get(Pick("--profile", flags.Profile, file?.Profile, "$.profile"));
        return new CertifyOptions
        {
            ConfigFile = file?.FullPath,
            AgentCmd = Pick("--agent-cmd", flags.AgentCmd, agent?.Cmd, "$.agent.cmd"),
            AgentWorkdir = Pick("--agent-workdir", flags.AgentWorkdir, agent?.Workdir, "$.agent.workdir"),
            AgentUrl = Pick("--agent-url", flags.AgentUrl, agent?.Url, "$.agent.url"),
            AgentLog = Pick("--agent-log", flags.AgentLog, agent?.Log, "$.agent.log"),
            Env = env,
            Profile = profile,
            WebhookPath = Pick("--webhook-path", flags.WebhookPath, file?.WebhookPath, "$.webhookPath") ?? profile.Info.DefaultWebhookPath,
            TriggerUrl = Pick("--trigger-url", flags.TriggerUrl, file?.TriggerUrl, "$.triggerUrl"),
            Rules = Pick("--rules", flags.Rules, file?.Rules, "$.rules"),
            Strict = Pick("--strict", flags.Strict, file?.Strict, "$.strict") ?? false,
            Seed = Pick("--seed", flags.Seed, file?.Seed, "$.seed") ?? DefaultSeed,
            Out = Pick("--out", flags.Out, file?.Out, "$.out"),
            Baseline = Pick("--baseline", flags.Baseline, file?.Baseline, "$.baseline"),
            StartupTimeout = Pick("--startup-timeout", flags.StartupTimeout, file?.StartupTimeout, "$.startupTimeout") ?? DefaultStartupTimeout,
            QuietWindow = Pick("--quiet-window", flags.QuietWindow, file?.QuietWindow, "$.quietWindow") ?? DefaultQuietWindow,
            ObservationWindow = Pick("--observation-window", flags.ObservationWindow, file?.ObservationWindow, "$.observationWindow") ?? DefaultObservationWindow,
            RunDeadline = Pick("--run-deadline", flags.RunDeadline, file?.RunDeadline, "$.runDeadline") ?? DefaultRunDeadline,
            Listing = listing ?? ListingProfile.Default,
            SimPort = flags.SimPort ?? 0,
            Secret = flags.Secret,
            PlatformUrl = flags.PlatformUrl,
            TimeScale = flags.TimeScale,
            FromFile = fromFile,
            Given = flags,
        };
    }
}
