using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>The fleet comparison's headline and reason, worded the same on the page, in Markdown and on the terminal.</summary>
public static class FleetComparisonText
{
    public static string Headline(FleetComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return comparison.Regressed.Count switch
        {
            0 => "No regression",
            var n => $"{OutcomeText.Plural(n, "agent")} regressed",
        };
    }

    public static string Reason(FleetComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var regressed = comparison.Regressed;
        if (regressed.Count > 0)
            return $"Got worse: {FleetText.Names([.. regressed.Select(Describe)])}.";
        var both = comparison.Changed.Count + comparison.Unchanged;
        return comparison.Changed.Count == 0
            ? $"All {OutcomeText.Plural(both, "agent")} in both fleets have the same verdicts."
            : $"No agent in both fleets got worse; {OutcomeText.Plural(comparison.Changed.Count, "agent")} changed.";
    }

    /// <summary>"shop-a (DK-SIG-05 pass → fail)", or "shop-b (certified → no verdict)" when no rule can be compared.</summary>
    public static string Describe(FleetAgentChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var rules = change.Regressions.Select(r => $"{r.RuleId} {Label(r.From)} → {Label(r.To)}").ToList();
        if (rules.Count == 0) return $"{change.Name} ({FleetText.StatusLabel(change.Old.Status)} → {FleetText.StatusLabel(change.New.Status)})";
        const int shown = 3;
        var list = rules.Count <= shown ? string.Join(", ", rules) : $"{string.Join(", ", rules.Take(shown))} and {rules.Count - shown} more";
        return $"{change.Name} ({list})";
    }

    public static string Label(Verdict? verdict) => verdict is { } v ? VerdictInfo.Label(v) : "not checked";

    public static string Token(Verdict? verdict) => verdict is { } v ? VerdictInfo.Token(v) : "—";
}
