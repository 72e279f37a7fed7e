using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>One labelled run in a comparison.</summary>
public sealed record ComparedRun(string Label, RunResults Results);

/// <summary>One rule across runs: its verdict in each (null where that run did not select it).</summary>
public sealed record ComparisonRow(string RuleId, string Title, IReadOnlyList<Verdict?> Verdicts, bool Changed, bool Regressed);

/// <summary>
/// The rules × runs matrix of Autobahn|Testsuite's report: what a contract change or a new agent version changed.
/// A regression is a rule that passed in an earlier run and does not pass in a later one.
/// </summary>
public sealed record RunComparison(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<ComparisonRow> Rows)
{
    public IReadOnlyList<ComparisonRow> Regressions => [.. Rows.Where(r => r.Regressed)];
    public IReadOnlyList<ComparisonRow> Changes => [.. Rows.Where(r => r.Changed)];

    public static RunComparison Build(IReadOnlyList<ComparedRun> runs)
    {
        if (runs.Count < 2) throw new ArgumentException("A comparison needs at least two runs.", nameof(runs));
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in runs.SelectMany(r => r.Results.Rules)) titles.TryAdd(rule.Id, rule.Title);
        var rows = titles.Keys.Order(NaturalIdComparer.Instance).Select(id =>
        {
            var verdicts = runs.Select(r => r.Results.Rules.FirstOrDefault(x => x.Id == id)?.Verdict).ToList();
            var present = verdicts.Where(v => v is not null).Select(v => v!.Value).ToList();
            var changed = present.Distinct().Count() > 1;
            // Passed somewhere and something later is not a pass: a regression, whichever run the pass was in.
            var regressed = verdicts.Select((v, i) => (v, i)).Any(a => a.v == Verdict.Pass &&
                verdicts.Skip(a.i + 1).Any(later => later is not null && later != Verdict.Pass));
            return new ComparisonRow(id, titles[id], verdicts, changed, regressed);
        }).ToList();
        return new RunComparison(runs, rows);
    }
}
