using System.CommandLine;
using Dukaan.Conformance;
using Dukaan.Reporting;

namespace Dukaan.Cli;

/// <summary>`report` re-renders an old run; `compare` shows what changed between runs.</summary>
public static class ReportCommands
{
    public const string CompareHtmlFileName = "compare.html";
    public const string CompareMarkdownFileName = "compare.md";

    private static readonly string[] Formats = ["table", "markdown", "html"];

    public static Command Report()
    {
        var file = new Argument<string>("results") { Description = "A results.json written by certify, or the folder holding it." };
        var outDir = new Option<string?>("--out") { Description = "Where to write (default: the folder of the results file)." };
        var command = new Command("report", "Re-render index.html, junit.xml and summary.md (and a copy of results.json) from a results.json, e.g. of an older run.") { file, outDir };
        command.SetAction((parse, _) =>
        {
            var io = parse.InvocationConfiguration;
            return Task.FromResult(RunReport(parse.GetValue(file)!, parse.GetValue(outDir), io.Output, io.Error));
        });
        return command;
    }

    public static Command Compare()
    {
        var files = new Argument<string[]>("results") { Description = "Two or more results.json files (or folders holding one), oldest first; or two fleet folders (holding fleet.json).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = $"Also write {CompareHtmlFileName} and {CompareMarkdownFileName} into this folder." };
        var format = new Option<string>("--format") { Description = "What to print: a terminal table, Markdown (e.g. >> $GITHUB_STEP_SUMMARY) or the HTML page.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(Formats);
        var command = new Command("compare", "Rules × runs matrix of several results.json files, or two fleet folders agent by agent; exit 1 when a rule that passed stops passing in a later run (for fleets: when an agent got worse).") { files, outDir, format };
        command.SetAction((parse, _) =>
        {
            var io = parse.InvocationConfiguration;
            return Task.FromResult(RunCompare(parse.GetValue(files) ?? [], parse.GetValue(outDir), parse.GetValue(format)!, io.Output, io.Error));
        });
        return command;
    }

    private static int RunReport(string file, string? outDir, TextWriter output, TextWriter error)
    {
        if (Load(file, error) is not { } results) return ExitCodes.HarnessOrConfigError;
        var target = outDir ?? (Directory.Exists(file) ? file : Path.GetDirectoryName(Path.GetFullPath(file))!);
        try
        {
            // The results were redacted when certify wrote them: there is no secret left to pass on.
            foreach (var path in ReportSet.Write(results, target, []).All) output.WriteLine($"wrote {path}");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the reports to {target}: {ex.Message} Give a writable folder with --out.");
            return ExitCodes.HarnessOrConfigError;
        }
    }

    /// <summary>
    /// Prints the comparison in the chosen format and, with --out, writes compare.html and compare.md; false (after an
    /// error line) when the folder cannot be written. Single runs and fleets share this, so their outputs behave alike.
    /// </summary>
    /// <param name="pageHtml">The page as written into --out, when its links depend on where it is written; else <paramref name="html"/>.</param>
    internal static bool WriteComparison(string format, string? outDir, Lazy<string> html, Lazy<string> markdown, Action writeTable, TextWriter output, TextWriter error, Lazy<string>? pageHtml = null)
    {
        switch (format)
        {
            case "markdown": output.Write(markdown.Value); break;
            case "html": output.Write(html.Value); break;
            default: writeTable(); break;
        }
        if (outDir is null) return true;
        // With a document on stdout, status lines go to stderr so a redirect captures only the document.
        var status = format == "table" ? output : error;
        try
        {
            Directory.CreateDirectory(outDir);
            status.WriteLine($"wrote {ReportSet.WriteFile(outDir, CompareHtmlFileName, (pageHtml ?? html).Value)}");
            status.WriteLine($"wrote {ReportSet.WriteFile(outDir, CompareMarkdownFileName, markdown.Value)}");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the comparison to {outDir}: {ex.Message} Give a writable folder with --out.");
            return false;
        }
    }

    private static int RunCompare(string[] files, string? outDir, string format, TextWriter output, TextWriter error)
    {
        // Fleet folders compare agent by agent; one fleet among single runs is refused there, with the reason.
        if (files.Any(Reporting.Fleet.FleetManifestFile.IsFleet)) return FleetReportCommand.Compare(files, outDir, format, output, error);
        if (files.Length < 2)
        {
            error.WriteLine($"error: compare needs at least two results.json files, oldest first (got {files.Length}): e.g. compare reports/old/results.json reports/new/results.json.");
            return ExitCodes.HarnessOrConfigError;
        }
        var loaded = new List<(string, RunResults)>();
        var bad = false;
        foreach (var path in files)
        {
            // Every bad file is named at once rather than one per attempt.
            if (Load(path, error) is { } results) loaded.Add((path, results));
            else bad = true;
        }
        if (bad) return ExitCodes.HarnessOrConfigError;
        // Verdicts of different contracts share no rule: a matrix of them would be all dashes and mean nothing.
        var profiles = loaded.GroupBy(l => l.Item2.Profile, StringComparer.Ordinal).ToList();
        if (profiles.Count > 1)
        {
            error.WriteLine($"error: these runs certify different profiles ({string.Join("; ", profiles.Select(g => $"{g.Key}: {string.Join(", ", g.Select(l => l.Item1))}"))}); " +
                "compare runs of one profile at a time.");
            return ExitCodes.HarnessOrConfigError;
        }

        var comparison = RunComparison.Build(RunLabels.Label(loaded));
        // Each document is rendered once, whether it goes to stdout, to --out, or both.
        var html = new Lazy<string>(() => ComparisonHtmlWriter.Render(comparison));
        var markdown = new Lazy<string>(() => ComparisonMarkdownWriter.Render(comparison));
        if (!WriteComparison(format, outDir, html, markdown, () => CompareTable.Write(comparison, output), output, error)) return ExitCodes.HarnessOrConfigError;
        return comparison.Regressions.Count > 0 ? ExitCodes.RuleFailed : ExitCodes.Success;
    }

    private static RunResults? Load(string path, TextWriter error)
    {
        try
        {
            return ResultsFile.Load(path);
        }
        catch (ResultsFormatException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }
}
