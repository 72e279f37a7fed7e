using Dukaan.Conformance;

namespace Dukaan.Reporting;

internal sealed record AreaGroup(string Area, string DisplayName, IReadOnlyList<RuleResult> Rules)
{
    public Verdict Worst => Rules.MinBy(r => VerdictInfo.Rank(r.Verdict))?.Verdict ?? Verdict.Pass;
}

/// <summary>
/// Puts what needs attention first: areas with the worst verdict lead, and within an area failures come before passes.
/// Ties keep the contract's order so the page stays familiar from run to run.
/// </summary>
internal static class RuleOrdering
{
    /// <summary>Worst verdict first, then the contract's area order, then ID: the order of flat lists (summary, annotations).</summary>
    public static IReadOnlyList<RuleResult> WorstFirst(IEnumerable<RuleResult> rules) =>
        [.. rules.OrderBy(r => VerdictInfo.Rank(r.Verdict)).ThenBy(r => AreaInfo.Order(r.Area)).ThenBy(r => r.Id, NaturalIdComparer.Instance)];

    public static IReadOnlyList<AreaGroup> Groups(IEnumerable<RuleResult> rules) =>
    [
        .. rules
            .GroupBy(r => r.Area, StringComparer.OrdinalIgnoreCase)
            .Select(g => new AreaGroup(g.First().Area, AreaInfo.DisplayName(g.First().Area), WorstFirst(g)))
            .OrderBy(g => VerdictInfo.Rank(g.Worst))
            .ThenBy(g => AreaInfo.Order(g.Area))
            .ThenBy(g => g.Area, StringComparer.OrdinalIgnoreCase),
    ];
}
