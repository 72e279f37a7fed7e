using Dukaan.Reporting;
using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>The comparison on a terminal: who the runs are, the matrix with changed rows marked in words and colour, the verdict.</summary>
public static class CompareTable
{
    public static void Write(RunComparison comparison, TextWriter output)
    {
        var console = Terminal.For(output);
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i)))
            console.MarkupLine($"[bold]#{i + 1}[/] {Markup.Escape(run.Label)}" + (run.Source is { } source ? $" [grey]{Markup.Escape(source)}[/]" : ""));
        foreach (var caveat in comparison.Caveats) console.MarkupLine($"[yellow]note:[/] {Markup.Escape(caveat)}");

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Rule").AddColumn("Level");
        for (var i = 0; i < comparison.Runs.Count; i++) table.AddColumn($"#{i + 1}");
        table.AddColumn("Change");
        foreach (var row in comparison.Rows)
        {
            var id = Markup.Escape(row.RuleId);
            var rule = row.Regressed ? $"[red bold]{id} ⬇ regressed[/]" : row.Changed ? $"[yellow]{id} ↔ changed[/]" : id;
            var change = string.Join(", ", row.Transitions.Select(t => $"#{t.FromRun + 1} {SummaryTable.Badge(t.From)} → #{t.ToRun + 1} {SummaryTable.Badge(t.To)}"));
            table.AddRow([rule, row.Level is { } level ? LevelInfo.Token(level) : "", .. row.Verdicts.Select(v => v is { } verdict ? SummaryTable.Badge(verdict) : "[grey]—[/]"), change]);
        }
        console.Write(table);
        console.MarkupLine(comparison.Regressions.Count == 0
            ? $"[green bold]NO REGRESSION[/] across {comparison.Runs.Count} runs · {comparison.Changes.Count} rule(s) changed verdict"
            : $"[red bold]{comparison.Regressions.Count} REGRESSION(S)[/] (passed, then did not): {Markup.Escape(string.Join(", ", comparison.Regressions.Select(r => r.RuleId)))}");
    }
}
