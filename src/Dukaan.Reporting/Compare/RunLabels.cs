using System.Globalization;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>Names runs for a comparison's column headers: what was certified and when, which is what a reader recognises.</summary>
public static class RunLabels
{
    /// <summary>
    /// "target · 2026-11-23 12:30 UTC"; when two runs would read the same (the same agent certified twice within a
    /// minute, or one file given twice), each label also names its file so the columns can be told apart.
    /// </summary>
    public static IReadOnlyList<ComparedRun> Label(IReadOnlyList<(string Source, RunResults Results)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var basic = runs.Select(r => $"{r.Results.Target.Description} · {r.Results.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC").ToList();
        var ambiguous = basic.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return [.. runs.Select((r, i) => new ComparedRun(ambiguous.Contains(basic[i]) ? $"{basic[i]} · {ShortPath(r.Source)}" : basic[i], r.Results, r.Source))];
    }

    /// <summary>reports/20261123-130000/results.json → 20261123-130000/results.json: the folder is what tells runs apart.</summary>
    private static string ShortPath(string source)
    {
        var full = Path.GetFullPath(source);
        var folder = Path.GetFileName(Path.GetDirectoryName(full));
        return string.IsNullOrEmpty(folder) ? Path.GetFileName(full) : $"{folder}/{Path.GetFileName(full)}";
    }
}
