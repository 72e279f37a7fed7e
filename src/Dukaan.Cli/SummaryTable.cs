using Dukaan.Conformance;
using Spectre.Console;

namespace Dukaan.Cli;

public static class SummaryTable
{
    public static void Print(RunResults results, IReadOnlyList<string> written)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Level", "Verdict", "Observed");
        foreach (var rule in results.Rules.OrderBy(r => Rank(r.Verdict)).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var observed = rule.Verdict == Verdict.Pass ? "" : rule.Evidence.Diagnosis ?? rule.Evidence.Observed;
            table.AddRow(Markup.Escape(rule.Id), rule.Level.ToString().ToUpperInvariant(), Badge(rule.Verdict), Markup.Escape(Shorten(observed, 110)));
        }
        AnsiConsole.Write(table);
        foreach (var note in results.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        var s = results.Summary;
        var headline = results.Outcome switch
        {
            Outcome.Certified => "[green bold]CERTIFIED[/]",
            Outcome.NotCertified => "[red bold]NOT CERTIFIED[/]",
            Outcome.HarnessError => "[red bold]HARNESS / CONFIGURATION ERROR[/]",
            _ => "[yellow bold]NOTHING SELECTED[/]",
        };
        AnsiConsole.MarkupLine($"{headline}  {s.Pass} pass · {s.Fail} fail · {s.Warn} warn · {s.NotExercised} not exercised · {s.HarnessError} harness error · {results.DurationMs / 1000.0:0.0} s");
        foreach (var path in written) AnsiConsole.MarkupLine($"  wrote [blue]{Markup.Escape(path)}[/]");
    }

    private static int Rank(Verdict v) => v switch { Verdict.Fail => 0, Verdict.HarnessError => 1, Verdict.Warn => 2, Verdict.NotExercised => 3, _ => 4 };

    public static string Badge(Verdict v) => v switch
    {
        Verdict.Pass => "[green]pass[/]",
        Verdict.Fail => "[red]fail[/]",
        Verdict.Warn => "[yellow]warn[/]",
        Verdict.NotExercised => "[grey]not-exercised[/]",
        _ => "[red]harness-error[/]",
    };

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
