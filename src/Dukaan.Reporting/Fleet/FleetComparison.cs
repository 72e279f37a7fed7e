using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>
/// How bad a verdict or an agent's status is, defined once for the fleet comparison: a move to a higher number is a
/// regression, to a lower one an improvement, between equals (pass ↔ not applicable) only a change.
/// </summary>
public static class VerdictSeverity
{
    /// <summary>pass = not applicable &lt; not exercised &lt; warn &lt; harness error &lt; fail. A rule an agent was not checked against counts as not exercised.</summary>
    public static int Of(Verdict? verdict) => verdict switch
    {
        Verdict.Pass or Verdict.NotApplicable => 0,
        null or Verdict.NotExercised => 1,
        Verdict.Warn => 2,
        Verdict.HarnessError => 3,
        Verdict.Fail => 4,
        _ => 1,
    };

    /// <summary>certified &lt; no verdict &lt; failed: losing the certificate for any reason is a regression.</summary>
    public static int Of(FleetAgentStatus status) => status switch
    {
        FleetAgentStatus.Certified => 0,
        FleetAgentStatus.Error => 1,
        _ => 2,
    };
}

public enum FleetChangeKind
{
    Regressed,
    Improved,
    Changed,
}

/// <summary>One rule of one agent whose verdict moved; null where that run did not check the rule.</summary>
public sealed record FleetRuleChange(string RuleId, string Title, RuleLevel? Level, Verdict? From, Verdict? To, FleetChangeKind Kind);

/// <summary>An agent present in both fleets whose status or any rule verdict moved.</summary>
public sealed record FleetAgentChange(FleetAgent Old, FleetAgent New, IReadOnlyList<FleetRuleChange> Rules)
{
    public string Name => New.Name;

    public bool StatusRegressed => VerdictSeverity.Of(New.Status) > VerdictSeverity.Of(Old.Status);

    public bool StatusImproved => VerdictSeverity.Of(New.Status) < VerdictSeverity.Of(Old.Status);

    public IReadOnlyList<FleetRuleChange> Regressions => [.. Rules.Where(r => r.Kind == FleetChangeKind.Regressed)];

    public IReadOnlyList<FleetRuleChange> Improvements => [.. Rules.Where(r => r.Kind == FleetChangeKind.Improved)];

    /// <summary>A rule got worse, or the agent lost its certificate (also when it has no results to compare rules with).</summary>
    public bool Regressed => StatusRegressed || Rules.Any(r => r.Kind == FleetChangeKind.Regressed);
}

/// <summary>An agent certified against a different profile in each fleet: its rules are not comparable.</summary>
public sealed record FleetProfileChange(string Name, string From, string To);

/// <summary>
/// Two fleet folders, oldest first, compared agent by agent: which agents regressed and on which rules, which improved,
/// which were added, removed or moved to another profile. "Which of our agents break after a contract change" is
/// <see cref="Regressed"/>.
/// </summary>
public sealed record FleetComparison(
    FleetRun Old,
    FleetRun New,
    string OldSource,
    string NewSource,
    IReadOnlyList<FleetAgentChange> Changed,
    IReadOnlyList<FleetAgent> Added,
    IReadOnlyList<FleetAgent> Removed,
    IReadOnlyList<FleetProfileChange> ProfileChanged,
    int Unchanged,
    IReadOnlyList<string> Caveats)
{
    public IReadOnlyList<FleetAgentChange> Regressed => [.. Changed.Where(c => c.Regressed)];

    /// <summary>Rule regressions over all agents: (agent, change), agents in roster order, rules in natural order.</summary>
    public IReadOnlyList<(FleetAgentChange Agent, FleetRuleChange Rule)> RuleRegressions =>
        [.. Changed.SelectMany(c => c.Regressions.Select(r => (c, r)))];

    public IReadOnlyList<(FleetAgentChange Agent, FleetRuleChange Rule)> RuleImprovements =>
        [.. Changed.SelectMany(c => c.Improvements.Select(r => (c, r)))];

    public static FleetComparison Build(FleetRun old, FleetRun @new, string oldSource, string newSource)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var before = old.Agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var after = @new.Agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var changed = new List<FleetAgentChange>();
        var profiles = new List<FleetProfileChange>();
        var unchanged = 0;
        foreach (var agent in @new.Agents)
        {
            if (!before.TryGetValue(agent.Name, out var was)) continue;
            if (!string.Equals(was.Profile, agent.Profile, StringComparison.Ordinal))
            {
                profiles.Add(new FleetProfileChange(agent.Name, was.Profile, agent.Profile));
                continue;
            }
            var rules = RuleChanges(was, agent);
            if (rules.Count > 0 || was.Status != agent.Status) changed.Add(new FleetAgentChange(was, agent, rules));
            else unchanged++;
        }
        return new FleetComparison(old, @new, oldSource, newSource, changed,
            [.. @new.Agents.Where(a => !before.ContainsKey(a.Name))],
            [.. old.Agents.Where(a => !after.ContainsKey(a.Name))],
            profiles, unchanged, CaveatsOf(old, @new));
    }

    private static List<FleetRuleChange> RuleChanges(FleetAgent old, FleetAgent @new)
    {
        // An agent without results on either side has nothing to compare rule by rule; its status says what changed.
        if (old.Results is null || @new.Results is null) return [];
        var ids = old.Results.Rules.Select(r => r.Id).Concat(@new.Results.Rules.Select(r => r.Id))
            .Distinct(StringComparer.Ordinal).Order(NaturalIdComparer.Instance);
        var changes = new List<FleetRuleChange>();
        foreach (var id in ids)
        {
            var was = old.Rule(id);
            var now = @new.Rule(id);
            if (was?.Verdict == now?.Verdict) continue;
            var named = now ?? was!;
            changes.Add(new FleetRuleChange(id, named.Title, named.Level, was?.Verdict, now?.Verdict, Kind(was?.Verdict, now?.Verdict)));
        }
        return changes;
    }

    /// <summary>
    /// A rule new to the contract that the agent does not pass is a regression: that is how an agent breaks after a
    /// contract change. A rule the new run no longer checks is only a change: dropping a rule fixes nothing.
    /// </summary>
    private static FleetChangeKind Kind(Verdict? from, Verdict? to)
    {
        if (to is null) return FleetChangeKind.Changed;
        var delta = VerdictSeverity.Of(to).CompareTo(VerdictSeverity.Of(from));
        if (from is null) return delta > 0 ? FleetChangeKind.Regressed : FleetChangeKind.Changed;
        return delta > 0 ? FleetChangeKind.Regressed : delta < 0 ? FleetChangeKind.Improved : FleetChangeKind.Changed;
    }

    private static IReadOnlyList<string> CaveatsOf(FleetRun old, FleetRun @new)
    {
        var caveats = new List<string>();
        if (!string.Equals(old.Manifest.HarnessVersion, @new.Manifest.HarnessVersion, StringComparison.Ordinal))
            caveats.Add($"Harness versions differ ({old.Manifest.HarnessVersion} → {@new.Manifest.HarnessVersion}): checks may have changed between them.");
        if (old.NotRun.Count > 0) caveats.Add($"The old fleet is partial: {OutcomeText.Plural(old.NotRun.Count, "agent")} not run ({FleetText.Names([.. old.NotRun.Select(n => n.Name)])}); they count as absent.");
        if (@new.NotRun.Count > 0) caveats.Add($"The new fleet is partial: {OutcomeText.Plural(@new.NotRun.Count, "agent")} not run ({FleetText.Names([.. @new.NotRun.Select(n => n.Name)])}); they count as absent.");
        var strictness = @new.Agents.Where(a => a.Results is not null)
            .Join(old.Agents.Where(a => a.Results is not null), a => a.Name, a => a.Name, (n, o) => (n, o), StringComparer.Ordinal)
            .Where(x => x.n.Results!.Strict != x.o.Results!.Strict).Select(x => x.n.Name).ToList();
        if (strictness.Count > 0)
            caveats.Add($"Strictness differs for {FleetText.Names(strictness)}: a SHOULD rule that is not met is fail in a strict run and warn otherwise.");
        return caveats;
    }
}
