using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>One labelled run in a comparison; <paramref name="Source"/> is the file it came from, when there is one.</summary>
public sealed record ComparedRun(string Label, RunResults Results, string? Source = null);

/// <summary>A rule's verdict moving between two runs (0-based run indexes; runs that did not check the rule are skipped).</summary>
public sealed record VerdictChange(int FromRun, int ToRun, Verdict From, Verdict To)
{
    /// <summary>It passed and then did not: whatever it became (fail, warn, not exercised, harness error).</summary>
    public bool IsRegression => From == Verdict.Pass && To != Verdict.Pass;
}

/// <summary>One rule across runs: its verdict in each (null where that run did not check it) and how it moved.</summary>
public sealed record ComparisonRow(string RuleId, string Title, RuleLevel? Level, IReadOnlyList<Verdict?> Verdicts, IReadOnlyList<VerdictChange> Transitions)
{
    public bool Changed => Transitions.Count > 0;

    public bool Regressed => Transitions.Any(t => t.IsRegression);
}

/// <summary>
/// The rules × runs matrix of Autobahn|Testsuite's report: what a contract change or a new agent version changed.
/// Runs are in the order given (oldest first). A rule regressed when it passed in one run and does not pass in the
/// next run that checked it; comparing every consecutive pair this way also catches "passed first, not last".
/// </summary>
public sealed record RunComparison(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<string> Caveats)
{
    public IReadOnlyList<ComparisonRow> Regressions => [.. Rows.Where(r => r.Regressed)];

    public IReadOnlyList<ComparisonRow> Changes => [.. Rows.Where(r => r.Changed)];

    public static RunComparison Build(IReadOnlyList<ComparedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count < 2) throw new ArgumentException("A comparison needs at least two runs.", nameof(runs));
        var byRun = runs.Select(r => r.Results.Rules.GroupBy(x => x.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).ToList();
        var ids = byRun.SelectMany(d => d.Keys).Distinct(StringComparer.Ordinal).Order(new CatalogOrder(runs)).ToList();
        var rows = ids.Select(id =>
        {
            var seen = byRun.Select(d => d.GetValueOrDefault(id)).ToList();
            // The newest run's wording wins: titles are reworded over time, IDs never change meaning.
            var latest = seen.Last(r => r is not null)!;
            return new ComparisonRow(id, latest.Title, latest.Level, [.. seen.Select(r => r?.Verdict)], Transitions(seen));
        }).ToList();
        return new RunComparison(runs, rows, RunCaveats.Of(runs));
    }

    private static List<VerdictChange> Transitions(List<RuleResult?> seen)
    {
        var changes = new List<VerdictChange>();
        (int Index, Verdict Verdict)? previous = null;
        for (var i = 0; i < seen.Count; i++)
        {
            if (seen[i] is not { } rule) continue;
            if (previous is { } p && p.Verdict != rule.Verdict) changes.Add(new VerdictChange(p.Index, i, p.Verdict, rule.Verdict));
            previous = (i, rule.Verdict);
        }
        return changes;
    }

    /// <summary>
    /// Rules in the contract's order, as the newest run lists them (results.json keeps its profile's catalog order);
    /// IDs only older runs know come after them.
    /// </summary>
    private sealed class CatalogOrder(IReadOnlyList<ComparedRun> runs) : IComparer<string>
    {
        private readonly Dictionary<string, int> Position = runs[^1].Results.Rules.Select((r, i) => (r.Id, i))
            .GroupBy(x => x.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);

        public int Compare(string? x, string? y)
        {
            var px = x is not null && Position.TryGetValue(x, out var a) ? a : int.MaxValue;
            var py = y is not null && Position.TryGetValue(y, out var b) ? b : int.MaxValue;
            return px != py ? px.CompareTo(py) : NaturalIdComparer.Instance.Compare(x, y);
        }
    }
}
