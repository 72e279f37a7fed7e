using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>Where one agent of a fleet stands: the three answers a platform team acts on differently.</summary>
public enum FleetAgentStatus
{
    /// <summary>certify exited 0: every MUST rule passed.</summary>
    Certified,

    /// <summary>certify exited 1: the agent broke a rule. The only status that blames the agent.</summary>
    Failed,

    /// <summary>No verdict on the agent: a configuration or harness error, nothing selected, interrupted, or no readable results.json.</summary>
    Error,
}

/// <summary>One certified agent of a fleet: its manifest entry, its results when it has any, and why not when it has none.</summary>
public sealed class FleetAgent
{
    private readonly Dictionary<string, RuleResult> _byId;

    /// <param name="error">The manifest's error, or why its results.json could not be read; null when <paramref name="results"/> is there.</param>
    public FleetAgent(FleetAgentEntry entry, RunResults? results, string? error)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entry = entry;
        Results = results;
        Error = error;
        _byId = (results?.Rules ?? []).GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public FleetAgentEntry Entry { get; }

    public RunResults? Results { get; }

    public string? Error { get; }

    public string Name => Entry.Name;

    public string Profile => Entry.Profile;

    public int ExitCode => Entry.ExitCode;

    public FleetAgentStatus Status => Results is null || Error is not null ? FleetAgentStatus.Error : ExitCode switch
    {
        0 => FleetAgentStatus.Certified,
        1 => FleetAgentStatus.Failed,
        _ => FleetAgentStatus.Error,
    };

    /// <summary>Why this agent has no verdict, in one line; null unless <see cref="Status"/> is Error.</summary>
    public string? Problem => Status != FleetAgentStatus.Error ? null
        : Error ?? (Results is { } r ? $"{OutcomeText.Headline(r.Outcome)} (exit {ExitCode}): {OutcomeText.Reason(r)}" : $"exit {ExitCode} and no results.");

    public RuleResult? Rule(string id) => _byId.GetValueOrDefault(id);

    public Verdict? VerdictOf(string id) => Rule(id)?.Verdict;

    /// <summary>The broken rules, MUST first: what a failing agent's row says.</summary>
    public IReadOnlyList<RuleResult> Failing =>
        [.. (Results?.Rules ?? []).Where(r => r.Verdict == Verdict.Fail).OrderBy(r => r.Level).ThenBy(r => r.Id, NaturalIdComparer.Instance)];

    /// <summary>Every verdict is pass or not applicable: an agent a big fleet's summary can fold away.</summary>
    public bool AllPass => Status == FleetAgentStatus.Certified && Results!.Rules.All(r => r.Verdict is Verdict.Pass or Verdict.NotApplicable);
}

/// <summary>A roster agent this folder has no entry for.</summary>
/// <param name="ShardMissing">True when its whole shard is absent (not merged, or never run); false when its shard is here but lost it.</param>
public sealed record FleetNotRun(string Name, FleetShard Shard, bool ShardMissing)
{
    public string Reason => ShardMissing ? $"not run: shard {Shard.Label} missing" : $"not run: absent from shard {Shard.Label}";
}

/// <summary>A rule as a matrix column: its ID and what the newest agent's results call it.</summary>
public sealed record FleetRuleColumn(string Id, string Title, RuleLevel Level, string Area);

/// <summary>
/// The agents of one profile against the rules of that profile. Profiles have different rule sets, so a fleet is a
/// matrix per profile rather than one sparse grid of dashes.
/// </summary>
public sealed record FleetProfileMatrix(string Profile, string Title, IReadOnlyList<FleetRuleColumn> Rules, IReadOnlyList<FleetAgent> Agents);

/// <summary>
/// A loaded fleet folder: the manifest, each agent's results (or why it has none), the roster agents it lacks, and
/// what follows from them: the fleet's exit code, the per-profile matrices, the union of rule IDs.
/// </summary>
public sealed class FleetRun
{
    public const int ExitCertified = 0;
    public const int ExitFailed = 1;
    public const int ExitNoVerdict = 2;

    private readonly Dictionary<string, FleetAgent> _byName;

    public FleetRun(FleetManifest manifest, IEnumerable<FleetAgent> agents, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(agents);
        Manifest = manifest;
        Folder = folder;
        var position = manifest.Roster.Select((name, i) => (name, i)).GroupBy(x => x.name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        Agents = [.. agents.OrderBy(a => position.GetValueOrDefault(a.Name, int.MaxValue))];
        _byName = Agents.GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        ShardCount = manifest.Shards.Count > 0 ? manifest.Shards[0].Count : 1;
        var present = manifest.Shards.Select(s => s.Index).ToHashSet();
        MissingShards = [.. Enumerable.Range(1, ShardCount).Where(i => !present.Contains(i)).Select(i => new FleetShard(i, ShardCount))];
        var here = Agents.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        NotRun =
        [
            .. manifest.Roster.Select((name, i) => (name, shard: ShardOf(i)))
                .Where(x => !here.Contains(x.name))
                .Select(x => new FleetNotRun(x.name, x.shard, !present.Contains(x.shard.Index))),
        ];
        Profiles = BuildProfiles(Agents);
        RuleIds = [.. Agents.SelectMany(a => a.Results?.Rules ?? []).Select(r => r.Id).Distinct(StringComparer.Ordinal).Order(NaturalIdComparer.Instance)];
    }

    public FleetManifest Manifest { get; }

    /// <summary>The fleet folder it was loaded from (agent folders are relative to it); null when built in memory.</summary>
    public string? Folder { get; }

    /// <summary>Every agent with an entry, in roster order.</summary>
    public IReadOnlyList<FleetAgent> Agents { get; }

    /// <summary>Roster agents without an entry, in roster order.</summary>
    public IReadOnlyList<FleetNotRun> NotRun { get; }

    public int ShardCount { get; }

    /// <summary>Shards of the split that this folder does not hold.</summary>
    public IReadOnlyList<FleetShard> MissingShards { get; }

    public IReadOnlyList<FleetProfileMatrix> Profiles { get; }

    /// <summary>Every rule ID any agent was checked against, in natural order (DK-SIG-2 before DK-SIG-10).</summary>
    public IReadOnlyList<string> RuleIds { get; }

    public int Certified => Agents.Count(a => a.Status == FleetAgentStatus.Certified);

    public int Failed => Agents.Count(a => a.Status == FleetAgentStatus.Failed);

    public int Errors => Agents.Count(a => a.Status == FleetAgentStatus.Error);

    /// <summary>0 every roster agent certified; 1 an agent broke a rule; 2 an agent has no verdict or a roster agent was not run.</summary>
    public int ExitCode => ExitCodeFor(allowPartial: false);

    /// <param name="allowPartial">Roster agents that were not run (a shard not merged) do not make the fleet exit 2.</param>
    public int ExitCodeFor(bool allowPartial)
    {
        if (Failed > 0) return ExitFailed;
        if (Errors > 0 || (!allowPartial && NotRun.Count > 0)) return ExitNoVerdict;
        return ExitCertified;
    }

    /// <summary>The shard an agent at <paramref name="rosterPosition"/> (0-based) belongs to: round robin, as certify-fleet splits.</summary>
    public FleetShard ShardOf(int rosterPosition) => new((rosterPosition % ShardCount) + 1, ShardCount);

    /// <summary>"shard 2/3 missing: agents a, b, c not certified", one line per missing shard.</summary>
    public IReadOnlyList<string> MissingShardLines() =>
    [
        .. NotRun.GroupBy(n => n.Shard).OrderBy(g => g.Key.Index).Select(g => g.First().ShardMissing
            ? $"shard {g.Key.Label} missing: {(g.Count() == 1 ? "agent" : "agents")} {string.Join(", ", g.Select(n => n.Name))} not certified"
            : $"shard {g.Key.Label} lacks {(g.Count() == 1 ? "agent" : "agents")} {string.Join(", ", g.Select(n => n.Name))}: not certified"),
    ];

    /// <summary>Sums of every agent's rule verdicts.</summary>
    public Summary VerdictTotals()
    {
        var rules = Agents.Select(a => a.Results?.Summary).OfType<Summary>().ToList();
        return new Summary(rules.Sum(s => s.Pass), rules.Sum(s => s.Fail), rules.Sum(s => s.Warn), rules.Sum(s => s.NotExercised), rules.Sum(s => s.HarnessError), rules.Sum(s => s.NotApplicable));
    }

    /// <summary>The agent of that name, or null when it has no entry here.</summary>
    public FleetAgent? Agent(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Reads <c>fleetDir/fleet.json</c> and every agent's results.json (kept without timelines and transcripts). A broken manifest throws
    /// <see cref="FleetFormatException"/>; a broken or missing results.json is that agent's <see cref="FleetAgent.Error"/>:
    /// one bad agent must not hide the other hundreds.
    /// </summary>
    public static FleetRun Load(string fleetDir)
    {
        var manifest = FleetManifestFile.Load(fleetDir);
        var folder = FleetManifestFile.FolderOf(fleetDir);
        var agents = manifest.Agents.Select(entry => LoadAgent(folder, entry)).ToList();
        return new FleetRun(manifest, agents, folder);
    }

    private static FleetAgent LoadAgent(string folder, FleetAgentEntry entry)
    {
        var results = Path.Combine(folder, entry.Folder, ReportSet.ResultsFileName);
        // An agent that failed before its run has no results.json; the manifest says why, which is the better message.
        if (entry.Error is not null && !File.Exists(results)) return new FleetAgent(entry, null, entry.Error);
        try
        {
            return new FleetAgent(entry, Slim(ResultsFile.Load(results)), entry.Error);
        }
        catch (ResultsFormatException ex)
        {
            return new FleetAgent(entry, null, entry.Error ?? ex.Message);
        }
    }

    /// <summary>
    /// The results without scenario timelines and wire transcripts: a real results.json runs to megabytes, mostly
    /// those, and hundreds of agents held whole would not fit in memory. Fleet reports need verdicts and evidence
    /// text; the full story stays in each agent's own report, which the fleet reports link to.
    /// </summary>
    internal static RunResults Slim(RunResults results) => results with
    {
        Scenarios = [],
        Rules = [.. results.Rules.Select(r => r.Evidence.Transcript.Count == 0 ? r : r with { Evidence = r.Evidence with { Transcript = [] } })],
    };

    private static IReadOnlyList<FleetProfileMatrix> BuildProfiles(IReadOnlyList<FleetAgent> agents) =>
    [
        .. agents.GroupBy(a => a.Profile, StringComparer.Ordinal).Select(g =>
        {
            // The newest results name a rule: titles are reworded over time, IDs never change meaning.
            var columns = g.Where(a => a.Results is not null)
                .OrderByDescending(a => a.Results!.StartedAt)
                .SelectMany(a => a.Results!.Rules)
                .GroupBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => new FleetRuleColumn(r.Key, r.First().Title, r.First().Level, r.First().Area))
                .OrderBy(c => AreaInfo.Order(c.Area))
                .ThenBy(c => c.Area, StringComparer.OrdinalIgnoreCase)
                .ThenBy(c => c.Id, NaturalIdComparer.Instance)
                .ToList();
            var title = g.Select(a => a.Results?.Title).FirstOrDefault(t => t is not null) ?? g.Key;
            return new FleetProfileMatrix(g.Key, title, columns, [.. g]);
        }),
    ];
}
