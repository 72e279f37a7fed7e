using System.Globalization;
using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// compare.md: the comparison as GitHub-flavoured Markdown (a job summary, a PR comment): the verdict, what changed,
/// then the matrix. Text from results files goes through <see cref="Markdown.Text"/>, so it cannot mention people,
/// link issues or break a table.
/// </summary>
public static class ComparisonMarkdownWriter
{
    public static string Render(RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var sb = new StringBuilder();
        var regressions = comparison.Regressions;
        var n = comparison.Runs.Count;
        sb.AppendLine($"## {comparison.Runs[^1].Results.Title} — comparison").AppendLine();
        sb.AppendLine(regressions.Count == 0
            ? $"✅ **No regression** across {n} runs; {OutcomeText.Plural(comparison.Changes.Count, "rule")} changed verdict."
            : $"❌ **{OutcomeText.Plural(regressions.Count, "regression")}** across {n} runs (passed before, not any more): {string.Join(", ", regressions.Select(r => Markdown.Text(r.RuleId)))}.");
        foreach (var caveat in comparison.Caveats) sb.AppendLine().Append("> ⚠️ ").AppendLine(Markdown.Text(caveat));
        sb.AppendLine();

        sb.AppendLine("| run | label | outcome | pass | fail | warn | not exercised | harness error |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i)))
        {
            var s = run.Results.Summary;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {i + 1} | {Markdown.Text(run.Label)} | {OutcomeText.Emoji(run.Results.Outcome)} {OutcomeText.Headline(run.Results.Outcome)} | {s.Pass} | {s.Fail} | {s.Warn} | {s.NotExercised} | {s.HarnessError} |");
        }
        sb.AppendLine();

        if (comparison.Changes.Count > 0)
        {
            sb.AppendLine("### What changed").AppendLine();
            sb.AppendLine("| rule | level | change |").AppendLine("| --- | --- | --- |");
            foreach (var row in comparison.Changes.OrderBy(r => r.Regressed ? 0 : 1))
            {
                var steps = string.Join("; ", row.Transitions.Select(t =>
                    $"run {t.FromRun + 1} {Cell(t.From)} → run {t.ToRun + 1} {Cell(t.To)}{(t.IsRegression ? " **regressed**" : "")}"));
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {Markdown.Text(row.RuleId)} {Markdown.Text(row.Title)} | {Level(row)} | {steps} |");
            }
            sb.AppendLine();
        }

        sb.AppendLine("<details><summary>All rules × runs</summary>").AppendLine();
        sb.Append("| rule | level |");
        for (var i = 0; i < n; i++) sb.Append(CultureInfo.InvariantCulture, $" run {i + 1} |");
        sb.AppendLine().Append("| --- | --- |").Append(string.Concat(Enumerable.Repeat(" --- |", n))).AppendLine();
        foreach (var row in comparison.Rows)
        {
            var mark = row.Regressed ? " ⬇ **regressed**" : row.Changed ? " ↔ changed" : "";
            sb.Append(CultureInfo.InvariantCulture, $"| {Markdown.Text(row.RuleId)}{mark} | {Level(row)} |");
            foreach (var v in row.Verdicts) sb.Append(' ').Append(v is { } verdict ? Cell(verdict) : "—").Append(" |");
            sb.AppendLine();
        }
        sb.AppendLine().AppendLine("</details>").AppendLine();
        sb.AppendLine("_A rule regressed when it passed in one run and not in the next run that checked it. — : that run did not check the rule._");
        return sb.ToString();
    }

    private static string Cell(Verdict verdict) => $"{VerdictInfo.Emoji(verdict)} {VerdictInfo.Label(verdict)}";

    private static string Level(ComparisonRow row) => row.Level is { } level ? LevelInfo.Token(level) : "";
}
