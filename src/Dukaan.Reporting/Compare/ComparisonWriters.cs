using System.Globalization;
using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>compare.md: the matrix as a Markdown table, regressions first.</summary>
public static class ComparisonMarkdownWriter
{
    public static string Render(RunComparison comparison)
    {
        var sb = new StringBuilder();
        var regressions = comparison.Regressions;
        sb.AppendLine("# Conformance comparison").AppendLine();
        sb.AppendLine(regressions.Count == 0
            ? $"No regression across {comparison.Runs.Count} runs; {comparison.Changes.Count} rule(s) changed verdict."
            : $"**{regressions.Count} regression(s)** (a rule that passed and later did not): {string.Join(", ", regressions.Select(r => r.RuleId))}.");
        sb.AppendLine();
        sb.Append("| rule |");
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i))) sb.Append(CultureInfo.InvariantCulture, $" {i + 1}: {Markdown.Text(run.Label)} |");
        sb.AppendLine().Append("| --- |").Append(string.Concat(Enumerable.Repeat(" --- |", comparison.Runs.Count))).AppendLine();
        foreach (var row in comparison.Rows)
        {
            var mark = row.Regressed ? " ⬇ regressed" : row.Changed ? " ↔ changed" : "";
            sb.Append(CultureInfo.InvariantCulture, $"| {Markdown.Text(row.RuleId)}{mark} |");
            foreach (var v in row.Verdicts) sb.Append(' ').Append(v is { } verdict ? VerdictInfo.Token(verdict) : "—").Append(" |");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

/// <summary>compare.html: one self-contained page (no script, no fetch), changed rows highlighted.</summary>
public static class ComparisonHtmlWriter
{
    public static string Render(RunComparison comparison)
    {
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Conformance comparison</title><style>")
          .Append("body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2328}")
          .Append("table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}")
          .Append("th{background:#f6f8fa;vertical-align:bottom}tr.changed{background:#fff8c5}tr.regressed{background:#ffebe9}")
          .Append(".pass{color:#1a7f37}.fail,.harness-error{color:#cf222e;font-weight:600}.warn{color:#9a6700}.not-exercised{color:#6e7781}")
          .Append(".banner{padding:12px 16px;border-radius:6px;margin-bottom:16px}.ok{background:#dafbe1}.bad{background:#ffebe9}")
          .Append("</style></head><body>");
        var regressions = comparison.Regressions;
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"banner {(regressions.Count == 0 ? "ok" : "bad")}\" data-testid=\"compare-banner\"><strong>")
          .Append(regressions.Count == 0 ? "No regression" : $"{regressions.Count} regression(s)")
          .Append(CultureInfo.InvariantCulture, $"</strong> across {comparison.Runs.Count} runs · {comparison.Changes.Count} rule(s) changed verdict</div>");
        sb.Append("<table><thead><tr><th>Rule</th>");
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i)))
            sb.Append(CultureInfo.InvariantCulture, $"<th>{i + 1}. {Html.Escape(run.Label)}<br><small>{Html.Escape(run.Results.StartedAt.ToString("u", CultureInfo.InvariantCulture))} · {Html.Escape(OutcomeToken(run.Results.Outcome))}</small></th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in comparison.Rows)
        {
            var css = row.Regressed ? "regressed" : row.Changed ? "changed" : "";
            sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\" data-testid=\"compare-row-{Html.Escape(row.RuleId)}\"><td title=\"{Html.Escape(row.Title)}\">{Html.Escape(row.RuleId)}</td>");
            foreach (var v in row.Verdicts)
                sb.Append(v is { } verdict ? $"<td class=\"{VerdictInfo.Token(verdict)}\">{VerdictInfo.Token(verdict)}</td>" : "<td>—</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></body></html>");
        return sb.ToString();
    }

    private static string OutcomeToken(Outcome outcome) => outcome switch
    {
        Outcome.Certified => "certified",
        Outcome.NotCertified => "not certified",
        Outcome.HarnessError => "harness error",
        _ => "nothing selected",
    };
}
