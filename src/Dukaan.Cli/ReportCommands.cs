using System.CommandLine;
using Dukaan.Conformance;
using Dukaan.Reporting;
using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>`report` re-renders an old run; `compare` shows what changed between runs.</summary>
public static class ReportCommands
{
    public static Command Report()
    {
        var file = new Argument<string>("results") { Description = "A results.json written by certify." };
        var outDir = new Option<string?>("--out") { Description = "Where to write (default: the folder of the results file)." };
        var command = new Command("report", "Re-render index.html, junit.xml and summary.md from a results.json (for example of an older run).") { file, outDir };
        command.SetAction(parse =>
        {
            if (Load(parse.GetValue(file)!) is not { } results) return ExitCodes.HarnessOrConfigError;
            var target = parse.GetValue(outDir) ?? Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(file)!))!;
            // The results were redacted when written; nothing secret is left to pass on.
            foreach (var path in ReportSet.Write(results, target, []).All) Console.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }

    public static Command Compare()
    {
        var files = new Argument<string[]>("results") { Description = "Two or more results.json files, oldest first.", Arity = new ArgumentArity(2, 100) };
        var outDir = new Option<string?>("--out") { Description = "Also write compare.html and compare.md here." };
        var command = new Command("compare", "Rules × runs matrix of several results.json files; exit 1 when a rule that passed no longer passes.") { files, outDir };
        command.SetAction(parse =>
        {
            var runs = new List<ComparedRun>();
            foreach (var path in parse.GetValue(files)!)
            {
                if (Load(path) is not { } results) return ExitCodes.HarnessOrConfigError;
                runs.Add(new ComparedRun(Label(path, results), results));
            }
            var comparison = RunComparison.Build(runs);
            Print(comparison);
            if (parse.GetValue(outDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "compare.html"), ComparisonHtmlWriter.Render(comparison));
                File.WriteAllText(Path.Combine(dir, "compare.md"), ComparisonMarkdownWriter.Render(comparison));
                Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(dir, "compare.html"))} and compare.md");
            }
            return comparison.Regressions.Count > 0 ? ExitCodes.RuleFailed : 0;
        });
        return command;
    }

    private static RunResults? Load(string path)
    {
        try
        {
            if (!File.Exists(path)) throw new ResultsFormatException($"{path} does not exist.");
            return ResultsJson.Deserialize(File.ReadAllText(path), path);
        }
        catch (ResultsFormatException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }

    /// <summary>The parent folder names a run better than "results.json" does (reports/&lt;timestamp&gt;/results.json).</summary>
    private static string Label(string path, RunResults results)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        return $"{folder} ({results.Target.Description})";
    }

    private static void Print(RunComparison comparison)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Rule");
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i))) table.AddColumn(Markup.Escape($"{i + 1}. {run.Label}"));
        foreach (var row in comparison.Rows)
        {
            var id = row.Regressed ? $"[red bold]{row.RuleId} ⬇[/]" : row.Changed ? $"[yellow]{row.RuleId} ↔[/]" : row.RuleId;
            table.AddRow([id, .. row.Verdicts.Select(v => v is { } verdict ? SummaryTable.Badge(verdict) : "—")]);
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(comparison.Regressions.Count == 0
            ? $"[green]no regression[/] · {comparison.Changes.Count} rule(s) changed verdict"
            : $"[red bold]{comparison.Regressions.Count} regression(s)[/]: {Markup.Escape(string.Join(", ", comparison.Regressions.Select(r => r.RuleId)))}");
    }
}
