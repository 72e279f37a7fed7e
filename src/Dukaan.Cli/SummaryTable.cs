using Dukaan.Conformance;
using Dukaan.Reporting;
using Spectre.Console;

namespace Dukaan.Cli;

public static class SummaryTable
{
    public static void Print(IAnsiConsole console, RunResults results, IReadOnlyList<string> written)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Level", "Verdict", "Observed");
        foreach (var rule in results.Rules.OrderBy(r => VerdictInfo.Rank(r.Verdict)).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var observed = rule.Verdict == Verdict.Pass ? "" : rule.Evidence.Diagnosis ?? rule.Evidence.Observed;
            table.AddRow(Markup.Escape(rule.Id), LevelInfo.Token(rule.Level), Badge(rule.Verdict), Markup.Escape(Shorten(observed, 110)));
        }
        console.Write(table);
        foreach (var note in results.Notes) console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        var s = results.Summary;
        var headline = results.Outcome switch
        {
            Outcome.Certified => "[green bold]CERTIFIED[/]",
            Outcome.NotCertified => "[red bold]NOT CERTIFIED[/]",
            Outcome.HarnessError => "[red bold]HARNESS / CONFIGURATION ERROR[/]",
            Outcome.Interrupted => "[yellow bold]INTERRUPTED[/]",
            _ => "[yellow bold]NOTHING SELECTED[/]",
        };
        console.MarkupLine($"{headline}  {s.Pass} pass · {s.Fail} fail · {s.Warn} warn · {s.NotExercised} not exercised · {s.HarnessError} harness error{(s.NotApplicable > 0 ? $" · {s.NotApplicable} not applicable" : "")} · {results.DurationMs / 1000.0:0.0} s");
        foreach (var path in written) console.MarkupLine($"  wrote [blue]{Markup.Escape(path)}[/]");
    }

    /// <summary>The verdict's results.json token in its terminal colour.</summary>
    public static string Badge(Verdict v)
    {
        var colour = v switch
        {
            Verdict.Pass => "green",
            Verdict.Warn => "yellow",
            Verdict.NotExercised => "grey",
            Verdict.NotApplicable => "grey",
            _ => "red",
        };
        return $"[{colour}]{VerdictInfo.Token(v)}[/]";
    }

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
