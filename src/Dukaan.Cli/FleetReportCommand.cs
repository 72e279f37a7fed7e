using System.CommandLine;
using Dukaan.Reporting;
using Dukaan.Reporting.Fleet;
using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>
/// `fleet-report DIR… [--out OUT] [--allow-partial]`: merges certify-fleet's shard folders into one fleet folder (or
/// re-renders a whole run) and prints the fleet on one screen. Also the fleet half of `compare`.
/// </summary>
public static class FleetReportCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("folders") { Description = "Fleet folders written by certify-fleet --out: the shards of one run, or one whole run to re-render.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "The merged fleet folder (required for several folders; must not overlap them). Default for one folder: re-render it in place." };
        var allowPartial = new Option<bool>("--allow-partial") { Description = "Missing shards do not make the exit code 2; their agents are still listed as not run." };
        var command = new Command("fleet-report", "Merge certify-fleet shard folders into one fleet folder and render its index.html, fleet.md and junit.xml; exit 0 all certified, 1 an agent failed, 2 an agent has no verdict or a shard is missing.")
        {
            folders, outDir, allowPartial,
        };
        command.SetAction((parse, _) =>
        {
            var io = parse.InvocationConfiguration;
            return Task.FromResult(Run(parse.GetValue(folders) ?? [], parse.GetValue(outDir), parse.GetValue(allowPartial), io.Output, io.Error));
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> folders, string? outDir, bool allowPartial, TextWriter output, TextWriter error)
    {
        FleetMergeResult merged;
        try
        {
            merged = FleetMerge.Run(folders, outDir);
        }
        catch (FleetFormatException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.HarnessOrConfigError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the fleet to {outDir ?? folders[0]}: {ex.Message} Give a writable folder with --out.");
            return ExitCodes.HarnessOrConfigError;
        }

        var run = merged.Run;
        if (!merged.InPlace)
        {
            output.WriteLine($"merged {(folders.Count == 1 ? "1 fleet folder" : $"{folders.Count} fleet folders")} into {merged.OutDir}");
            output.WriteLine($"wrote {merged.ManifestPath}");
        }
        foreach (var path in merged.Reports.All) output.WriteLine($"wrote {path}");
        FleetSummaryText.Write(run, output, allowPartial);
        if (!allowPartial)
        {
            foreach (var line in run.MissingShardLines())
                error.WriteLine($"error: {line}; merge every shard's folder, or pass --allow-partial to accept a partial fleet.");
        }
        if (GitHubStepSummary.AppendIfConfigured(() => File.ReadAllText(merged.Reports.FleetMarkdown)) is { } summary)
            output.WriteLine($"  appended the job summary to {summary}");
        return run.ExitCodeFor(allowPartial);
    }

    /// <summary>`compare OLD NEW` when either is a fleet folder: both must be, and the exit code is 1 when an agent regressed.</summary>
    public static int Compare(string[] paths, string? outDir, string format, TextWriter output, TextWriter error)
    {
        if (paths.Length != 2)
        {
            error.WriteLine($"error: compare takes two fleet folders, oldest first (got {paths.Length} paths): e.g. compare fleets/monday fleets/tuesday.");
            return ExitCodes.HarnessOrConfigError;
        }
        var single = paths.Where(p => !FleetManifestFile.IsFleet(p)).ToList();
        if (single.Count > 0)
        {
            var fleet = paths.First(FleetManifestFile.IsFleet);
            error.WriteLine($"error: {fleet} is a fleet folder but {single[0]} is not (no {FleetManifest.FileName}): compare two fleet folders, or two single runs (a fleet agent's run is its agents/<name>/results.json).");
            return ExitCodes.HarnessOrConfigError;
        }
        var runs = new List<FleetRun>();
        foreach (var path in paths)
        {
            try
            {
                runs.Add(FleetRun.Load(path));
            }
            catch (FleetFormatException ex)
            {
                error.WriteLine($"error: {ex.Message}");
            }
        }
        if (runs.Count != 2) return ExitCodes.HarnessOrConfigError;

        var comparison = FleetComparison.Build(runs[0], runs[1], paths[0], paths[1]);
        var markdown = new Lazy<string>(() => FleetComparisonMarkdownWriter.Render(comparison));
        var html = new Lazy<string>(() => FleetComparisonHtmlWriter.Render(comparison));
        // The written page links into the newer fleet's agent reports relative to where it is written.
        var page = new Lazy<string>(() => FleetComparisonHtmlWriter.Render(comparison, outDir));
        if (!ReportCommands.WriteComparison(format, outDir, html, markdown, () => FleetCompareTable.Write(comparison, output), output, error, page)) return ExitCodes.HarnessOrConfigError;
        return comparison.Regressed.Count > 0 ? ExitCodes.RuleFailed : ExitCodes.Success;
    }
}

/// <summary>A fleet comparison on a terminal: regressions first, then improvements and other changes, roster changes, the verdict.</summary>
public static class FleetCompareTable
{
    /// <summary>Improvements and other changes beyond this are counted, not listed: the regressions are what the screen is for.</summary>
    public const int MaxQuietRows = 40;

    public static void Write(FleetComparison comparison, TextWriter output)
    {
        var console = Terminal.For(output);
        console.MarkupLine($"[bold]#1[/] {Text(Describe(comparison.Old))} [grey]{Text(comparison.OldSource)}[/]");
        console.MarkupLine($"[bold]#2[/] {Text(Describe(comparison.New))} [grey]{Text(comparison.NewSource)}[/]");
        foreach (var caveat in comparison.Caveats) console.MarkupLine($"[yellow]note:[/] {Text(caveat)}");

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Agent", "Rule", "Level", "#1", "#2", "Change");
        var quiet = 0;
        foreach (var agent in comparison.Changed.OrderBy(c => c.Regressed ? 0 : 1))
        {
            var name = Markup.Escape(FleetText.Plain(agent.Name));
            if (agent.Old.Status != agent.New.Status)
                table.AddRow(name, "certification", "", Status(agent.Old.Status), Status(agent.New.Status),
                    agent.StatusRegressed ? "[red bold]⬇ regressed[/]" : agent.StatusImproved ? "[green]⬆ improved[/]" : "[yellow]↔ changed[/]");
            foreach (var rule in agent.Rules.OrderBy(r => r.Kind))
            {
                if (rule.Kind != FleetChangeKind.Regressed && quiet++ >= MaxQuietRows) continue;
                var change = rule.Kind switch
                {
                    FleetChangeKind.Regressed => "[red bold]⬇ regressed[/]",
                    FleetChangeKind.Improved => "[green]⬆ improved[/]",
                    _ => "[yellow]↔ changed[/]",
                };
                table.AddRow(name, Markup.Escape(rule.RuleId), rule.Level is { } level ? LevelInfo.Token(level) : "", Badge(rule.From), Badge(rule.To), change);
            }
        }
        if (table.Rows.Count > 0) console.Write(table);
        if (quiet > MaxQuietRows) console.MarkupLine($"[grey]… {quiet - MaxQuietRows} more improvements and changes in compare.md (--out)[/]");
        if (comparison.Added.Count > 0) console.MarkupLine($"added: {Text(string.Join(", ", comparison.Added.Select(a => $"{a.Name} ({FleetText.StatusLabel(a.Status)})")))}");
        if (comparison.Removed.Count > 0) console.MarkupLine($"removed: {Text(string.Join(", ", comparison.Removed.Select(a => a.Name)))}");
        foreach (var move in comparison.ProfileChanged)
            console.MarkupLine($"profile changed: {Text($"{move.Name} {move.From} → {move.To} (rules not compared)")}");
        var regressed = comparison.Regressed;
        console.MarkupLine(regressed.Count == 0
            ? $"[green bold]NO REGRESSION[/] across {comparison.Changed.Count + comparison.Unchanged} agents in both fleets · {comparison.Changed.Count} changed"
            : $"[red bold]{regressed.Count} AGENT(S) REGRESSED[/]: {Text(FleetText.Names([.. regressed.Select(FleetComparisonText.Describe)]))}");
    }

    /// <summary>Names come from fleet files: escaped for Spectre's markup and stripped of control characters for the terminal.</summary>
    private static string Text(string text) => Markup.Escape(FleetText.Plain(text));

    private static string Describe(FleetRun run) =>
        $"{run.Manifest.FleetName} · {run.Manifest.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC · {run.Manifest.Roster.Count} agents: {run.Certified} certified, {run.Failed} failed, {run.Errors} no verdict, {run.NotRun.Count} not run";

    private static string Badge(Dukaan.Conformance.Verdict? verdict) => verdict is { } v ? SummaryTable.Badge(v) : "[grey]—[/]";

    private static string Status(FleetAgentStatus status) => status switch
    {
        FleetAgentStatus.Certified => "[green]certified[/]",
        FleetAgentStatus.Failed => "[red]failed[/]",
        _ => "[red]no verdict[/]",
    };
}
