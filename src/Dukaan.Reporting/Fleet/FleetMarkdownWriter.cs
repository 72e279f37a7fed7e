using System.Globalization;
using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>
/// fleet.md, which doubles as the GitHub job summary: the verdict, the totals, the failing agents with their failing
/// rules, then a matrix per profile. GitHub refuses summaries over 1 MiB, so a big fleet's matrix folds the agents
/// where every rule passed (and says how many), caps its rows, and the whole text is bounded like summary.md.
/// </summary>
public static class FleetMarkdownWriter
{
    /// <summary>Up to this many agents, every agent gets a matrix row: a small fleet reads best whole.</summary>
    public const int FoldAbove = 30;

    /// <summary>Rows per profile matrix after folding; the rest are named in one line.</summary>
    public const int MaxMatrixRows = 300;

    private const int MaxTextChars = 300;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(FleetRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var m = run.Manifest;
        var md = new StringBuilder(64 * 1024);
        var emoji = run.ExitCode switch { FleetRun.ExitCertified => "✅", FleetRun.ExitFailed => "❌", _ => "💥" };
        md.Append(Inv, $"## {emoji} {Markdown.Text(FleetText.Headline(run))} — fleet {Markdown.Text(m.FleetName)}\n\n");
        foreach (var reason in FleetText.Reasons(run)) md.Append(Markdown.Text(reason)).Append("  \n");
        md.Append('\n');

        var t = run.VerdictTotals();
        md.Append(Inv, $"**Totals:** {m.Roster.Count} agents — ✅ {run.Certified} certified · ❌ {run.Failed} failed · 💥 {run.Errors} no verdict · ⏭️ {run.NotRun.Count} not run  \n");
        md.Append(Inv, $"Rules over all agents: {string.Join(" · ", VerdictInfo.WorstFirst.Select(v => $"{VerdictInfo.Count(t, v)} {VerdictInfo.Label(v)}"))}  \n");
        md.Append(Inv, $"Shards {Markdown.Text(FleetText.Shards(run))} · harness {Markdown.Text(m.HarnessVersion)} · {Formatting.Duration(m.DurationMs)} · {Formatting.Date(m.StartedAt)} · exit {run.ExitCode}\n\n");

        foreach (var line in run.MissingShardLines()) md.Append("> ⚠️ ").Append(Markdown.Text(line)).Append('\n');
        if (run.NotRun.Count > 0) md.Append('\n');

        var failed = run.Agents.Where(a => a.Status == FleetAgentStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            md.Append(Inv, $"### ❌ Failing agents ({failed.Count})\n\n");
            foreach (var agent in failed)
            {
                var rules = agent.Failing;
                var must = rules.Where(r => r.Level == RuleLevel.Must).ToList();
                var other = rules.Where(r => r.Level != RuleLevel.Must).ToList();
                md.Append(Inv, $"- **{Markdown.Text(agent.Name)}** ({Markdown.Code(agent.Profile)}, exit {agent.ExitCode}): ");
                md.Append(must.Count > 0 ? "MUST " + string.Join(", ", must.Select(Rule)) : "no MUST rule failed");
                if (other.Count > 0) md.Append("; also ").Append(string.Join(", ", other.Select(r => $"{Rule(r)} ({LevelInfo.Token(r.Level)})")));
                md.Append('\n');
            }
            md.Append('\n');
        }

        var errors = run.Agents.Where(a => a.Status == FleetAgentStatus.Error).ToList();
        if (errors.Count > 0)
        {
            md.Append(Inv, $"### 💥 No verdict ({errors.Count})\n\n");
            foreach (var agent in errors)
                md.Append(Inv, $"- **{Markdown.Text(agent.Name)}** ({Markdown.Code(agent.Profile)}, exit {agent.ExitCode}): {Markdown.Text(Shorten(agent.Problem ?? ""))} — rerun: {Markdown.Code(FleetText.Rerun(run, agent.Name))}\n");
            md.Append('\n');
        }

        foreach (var matrix in run.Profiles) Matrix(md, run, matrix);

        md.Append("<sub>Full report: index.html · each agent: agents/&lt;name&gt;/index.html · CI: junit.xml · marks: ");
        md.Append(string.Join(" · ", VerdictInfo.WorstFirst.Select(v => $"{VerdictInfo.Emoji(v)} {VerdictInfo.Label(v)}"))).Append(" · — not checked</sub>\n");
        return Bound(md.ToString());
    }

    private static void Matrix(StringBuilder md, FleetRun run, FleetProfileMatrix matrix)
    {
        var withResults = matrix.Agents.Where(a => a.Results is not null).ToList();
        if (withResults.Count == 0 || matrix.Rules.Count == 0) return;
        var fold = run.Agents.Count > FoldAbove;
        var shown = fold ? withResults.Where(a => !a.AllPass).ToList() : withResults;
        var folded = fold ? withResults.Where(a => a.AllPass).Select(a => a.Name).ToList() : [];

        md.Append(Inv, $"### {Markdown.Text(matrix.Title)} ({Markdown.Code(matrix.Profile)}) — {OutcomeText.Plural(matrix.Agents.Count, "agent")} × {OutcomeText.Plural(matrix.Rules.Count, "rule")}\n\n");
        if (shown.Count > 0)
        {
            md.Append("| agent | exit |");
            foreach (var rule in matrix.Rules) md.Append(' ').Append(Markdown.Text(rule.Id)).Append(" |");
            md.Append("\n| --- | ---: |").Append(string.Concat(Enumerable.Repeat(" :-: |", matrix.Rules.Count))).Append('\n');
            foreach (var agent in shown.Take(MaxMatrixRows))
            {
                var mark = agent.Status switch { FleetAgentStatus.Certified => "✅", FleetAgentStatus.Failed => "❌", _ => "💥" };
                md.Append(Inv, $"| {Markdown.Text(agent.Name)} | {mark} {agent.ExitCode} |");
                foreach (var rule in matrix.Rules)
                    md.Append(' ').Append(agent.VerdictOf(rule.Id) is { } v ? VerdictInfo.Emoji(v) : "—").Append(" |");
                md.Append('\n');
            }
            md.Append('\n');
            if (shown.Count > MaxMatrixRows)
                md.Append(Inv, $"_{shown.Count - MaxMatrixRows} more agents not shown here: {Markdown.Text(FleetText.Names([.. shown.Skip(MaxMatrixRows).Select(a => a.Name)]))}; see index.html._\n\n");
        }
        if (folded.Count > 0)
            md.Append(Inv, $"_{OutcomeText.Plural(folded.Count, "agent")} where every rule passed folded: {Markdown.Text(FleetText.Names(folded))}._\n\n");
    }

    private static string Rule(RuleResult rule) => $"{Markdown.Text(rule.Id)} {Markdown.Text(Shorten(rule.Title))}";

    private static string Shorten(string text) => text.Length <= MaxTextChars ? text : text[..MaxTextChars] + "…";

    /// <summary>GitHub's limit is 1 MiB of bytes, and matrix marks are 3–4 bytes each: the bound counts UTF-8 bytes, and half the limit leaves room for other steps.</summary>
    public const int MaxBytes = 512 * 1024;

    private static string Bound(string markdown)
    {
        if (Encoding.UTF8.GetByteCount(markdown) <= MaxBytes) return markdown;
        const string cut = "\n\n…fleet summary cut to stay within GitHub's step-summary limit; see index.html for everything.\n";
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(cut);
        var end = 0;
        var bytes = 0;
        while (end < markdown.Length)
        {
            var width = char.IsHighSurrogate(markdown[end]) && end + 1 < markdown.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(markdown.AsSpan(end, width));
            if (bytes + size > budget) break;
            bytes += size;
            end += width;
        }
        // Cut at a line end so a table row is never left half-written.
        var lineEnd = markdown.LastIndexOf('\n', Math.Max(0, end - 1));
        return markdown[..(lineEnd > 0 ? lineEnd : end)] + cut;
    }
}
