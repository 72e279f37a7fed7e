using System.Globalization;
using System.Text.RegularExpressions;
using Dukaan.Conformance.Profiles.AgentDukaanPlatform;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Cli.Fleet;

/// <summary>
/// --shard I/N: which slice of the fleet this run certifies. The agent at 0-based position p in the file belongs to
/// shard (p mod N) + 1, so every agent is in exactly one shard and the split depends on nothing but the file.
/// </summary>
public static class Sharding
{
    public static readonly FleetShard Whole = new(1, 1);

    public static FleetShard Parse(string text)
    {
        var match = Regex.Match(text.Trim(), @"^(\d{1,9})\s*/\s*(\d{1,9})$", RegexOptions.CultureInvariant);
        if (!match.Success)
            throw new UsageException($"--shard '{text}' must look like I/N, e.g. --shard 2/5 (shard 2 of 5, counting from 1).");
        var index = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var count = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (count < 1)
            throw new UsageException($"--shard {text}: N, the number of shards, must be at least 1 (--shard 1/1 is the whole fleet).");
        if (index < 1)
            throw new UsageException($"--shard {text}: shards count from 1, so I is between 1 and {count}. Kubernetes' JOB_COMPLETION_INDEX counts from 0: pass --shard $((JOB_COMPLETION_INDEX + 1))/{count}.");
        if (index > count)
            throw new UsageException($"--shard {text}: there {(count == 1 ? "is only 1 shard" : $"are only {count} shards")}, so I is between 1 and {count}.");
        return new FleetShard(index, count);
    }

    /// <summary>The shard (1-based) of the agent at 0-based <paramref name="position"/> when the fleet is split in <paramref name="count"/>.</summary>
    public static int ShardOf(int position, int count) => position % count + 1;

    public static bool Holds(this FleetShard shard, int position) => ShardOf(position, shard.Count) == shard.Index;
}

/// <summary>--agents GLOB[,GLOB…]: only agents whose name matches one of the globs (* any run of characters, ? one).</summary>
public sealed class AgentFilter
{
    private readonly Regex _regex;

    private AgentFilter(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    public static AgentFilter Parse(string text)
    {
        var globs = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (globs.Length == 0 || globs.Any(g => !g.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '*' or '?')))
            throw new UsageException($"--agents '{text}' must be agent names or globs separated by commas, e.g. --agents 'node-*,python-compliant' (* matches any characters, ? one).");
        var pattern = string.Join('|', globs.Select(g => Regex.Escape(g).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal)));
        return new AgentFilter(text, new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant));
    }

    public bool Matches(string name) => _regex.IsMatch(name);
}

/// <summary>
/// What one certify-fleet run does: which agents (its shard, narrowed by --agents), and for each the certify flags it
/// is certified with. A fleet agent is certified exactly as `certify` with those flags would certify it.
/// </summary>
public sealed record FleetPlan(FleetFile Fleet, FleetShard Shard, IReadOnlyList<FleetFileAgent> Agents)
{
    /// <summary>
    /// The agents of <paramref name="shard"/> that <paramref name="filter"/> keeps, in file order. Refuses a filter that
    /// matches no agent of the whole fleet (a typo), and agents whose secretEnv names an unset variable: better before
    /// the first agent starts than after the last one.
    /// </summary>
    public static FleetPlan Create(FleetFile fleet, FleetShard shard, AgentFilter? filter, Func<string, string?> environment)
    {
        if (filter is not null && !fleet.Agents.Any(a => filter.Matches(a.Name)))
            throw new UsageException($"--agents '{filter.Text}' matches none of the fleet's {fleet.Agents.Count} agents ({Names(fleet.Agents)}).");
        var agents = fleet.Agents.Where(a => shard.Holds(a.Position) && (filter?.Matches(a.Name) ?? true)).ToList();
        var problems = agents
            .Where(a => a.SecretEnv is { } variable && string.IsNullOrEmpty(environment(variable)))
            .Select(a => $"{a.Where}.secretEnv names {a.SecretEnv}, which is not set (or empty) in this environment; export it with the agent's webhook secret (in CI, from the pipeline's secrets)")
            .ToList();
        if (problems.Count > 0) throw new FleetFileException(fleet.ShownPath, problems);
        return new FleetPlan(fleet, shard, agents);
    }

    private static string Names(IReadOnlyList<FleetFileAgent> agents) =>
        agents.Count <= 10 ? string.Join(", ", agents.Select(a => a.Name)) : string.Join(", ", agents.Take(10).Select(a => a.Name)) + $", … {agents.Count - 10} more";

    /// <summary>
    /// The certify flags of <paramref name="agent"/>: its own settings, then the fleet's defaults, then (by certify's own
    /// resolution, since these count as flags) its settings file. Paths are absolute, so the current directory does not matter.
    /// </summary>
    public CertifyFlags FlagsFor(FleetFileAgent agent, int? seed, string outDir, Func<string, string?> environment)
    {
        var settings = agent.Settings.Over(Fleet.Defaults);
        // The platform profile certifies a platform at its control adapter's URL, which certify takes as --platform-url.
        var platform = settings.Profile == PlatformProfile.Id;
        return new CertifyFlags
        {
            Config = agent.SettingsFile,
            AgentCmd = agent.Cmd,
            // Relative paths in a fleet file are relative to its folder; so is a command's, unless its settings file says where.
            AgentWorkdir = agent.Workdir ?? (agent.Cmd is not null && agent.SettingsFile is null ? Fleet.Folder : null),
            AgentUrl = platform ? null : agent.Url,
            PlatformUrl = platform ? agent.Url : null,
            AgentLog = agent.Log,
            AgentEnv = settings.Env,
            WebhookPath = settings.WebhookPath,
            TriggerUrl = settings.TriggerUrl,
            Rules = settings.Rules,
            Strict = settings.Strict,
            Seed = seed,
            Out = outDir,
            Baseline = agent.Baseline,
            StartupTimeout = settings.StartupTimeout,
            QuietWindow = settings.QuietWindow,
            ObservationWindow = settings.ObservationWindow,
            RunDeadline = settings.RunDeadline,
            SimPort = agent.SimPort,
            Secret = agent.SecretEnv is { } variable ? environment(variable) : null,
            Profile = settings.Profile,
        };
    }

    /// <summary>Spawned agents of this plan that share a working directory, which their secret scans then share too.</summary>
    public IReadOnlyList<IGrouping<string, FleetFileAgent>> SharedWorkdirs() =>
    [
        .. Agents.Where(a => a.Cmd is not null)
            .GroupBy(a => a.Workdir ?? (a.SettingsFile is null ? Fleet.Folder : "(settings)"), StringComparer.Ordinal)
            .Where(g => g.Key != "(settings)" && g.Count() > 1),
    ];
}
