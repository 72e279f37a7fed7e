using System.CommandLine;
using System.Globalization;
using Dukaan.Cli.Fleet;
using Dukaan.Conformance.Engine;
using Dukaan.Reporting;
using Dukaan.Reporting.Fleet;
using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>
/// `certify-fleet FILE`: certifies every agent of a fleet file (or one shard of it) as `certify` would, a few at a
/// time, each into OUT/agents/&lt;name&gt;/, then writes OUT/fleet.json and the fleet reports. Past one machine, a CI
/// matrix or a Kubernetes Indexed Job runs the shards and `fleet-report` merges their folders (docs/fleet.md).
/// </summary>
public static class CertifyFleetCommand
{
    private static readonly Argument<string> File = new("fleet-file") { Description = "The fleet file: a JSON list of agents (schemas/fleet.schema.json, docs/fleet.md)." };
    private static readonly Option<int> Parallel = new("--parallel") { Description = "Agents certified at a time (default: the number of processors).", DefaultValueFactory = _ => DefaultParallel };
    private static readonly Option<string?> Shard = new("--shard") { Description = "Certify only shard I of N, e.g. 2/5 (counting from 1): the agents at positions I, I+N, I+2N… of the file. Default 1/1, the whole fleet." };
    private static readonly Option<string?> Out = new("--out") { Description = "Fleet folder: fleet.json, index.html, fleet.md, junit.xml and agents/<name>/ (default: reports/fleet-<timestamp>/)." };
    private static readonly Option<string?> Agents = new("--agents") { Description = "Only agents whose name matches these globs, e.g. 'node-*,staging' (within the shard)." };
    private static readonly Option<int?> Seed = new("--seed") { Description = "Seed for every agent's generated buyers, configs and canaries (default: each agent's settings file, else 1)." };

    public static int DefaultParallel => Math.Max(1, Environment.ProcessorCount);

    public static Command Create()
    {
        var command = new Command("certify-fleet", "Certify every agent of a fleet file (or one --shard of it), a few at a time, and write fleet.json plus fleet reports to --out. Exit 0 all certified, 1 an agent failed a rule, 2 an agent could not be certified.")
        {
            File, Parallel, Shard, Out, Agents, Seed,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var fileAsTyped = parse.GetValue(File)!;
        var parallel = parse.GetValue(Parallel);
        var filterText = parse.GetValue(Agents);
        FleetPlan plan;
        string outDir;
        try
        {
            if (parallel < 1)
                throw new UsageException($"--parallel must be at least 1 (how many agents are certified at a time), got {parallel}.");
            var shard = parse.GetValue(Shard) is { } typed ? Sharding.Parse(typed) : Sharding.Whole;
            var filter = filterText is null ? null : AgentFilter.Parse(filterText);
            var fleet = FleetFileLoader.Load(fileAsTyped);
            plan = FleetPlan.Create(fleet, shard, filter, Environment.GetEnvironmentVariable);
            outDir = Path.GetFullPath(parse.GetValue(Out) ?? Path.Combine(RepositoryLayout.FindRoot() ?? Directory.GetCurrentDirectory(), "reports",
                "fleet-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        }
        catch (UsageException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.HarnessOrConfigError;
        }
        catch (FleetFileException ex)
        {
            foreach (var line in ex.Message.Split('\n')) error.WriteLine($"error: {line}");
            error.WriteLine($"Fix {(ex.Problems.Count == 1 ? "it" : $"these {ex.Problems.Count} problems")} in {ex.FleetPath} (with \"$schema\" pointing at schemas/fleet.schema.json, editors complete and check every key).");
            return ExitCodes.HarnessOrConfigError;
        }

        var console = Terminal.For(output);
        var fleetFile = plan.Fleet;
        var shardText = plan.Shard.Count > 1 ? $"shard {plan.Shard.Label}: " : "";
        var narrowed = filterText is not null ? $" matching --agents {filterText}" : "";
        console.MarkupLine($"[bold]DukaanConformance[/] {HarnessInfo.Version} · fleet [blue]{Markup.Escape(fleetFile.Name)}[/] ({Markup.Escape(fleetFile.ShownPath)}) · "
            + $"{shardText}{Plural(plan.Agents.Count, "agent")} of {fleetFile.Agents.Count}{Markup.Escape(narrowed)} · {Math.Min(parallel, Math.Max(1, plan.Agents.Count))} at a time");
        console.MarkupLine($"  [grey]reports: {Markup.Escape(outDir)} (each agent's progress: agents/<name>/certify.log)[/]");
        if (parallel > 1)
            foreach (var shared in plan.SharedWorkdirs())
                console.MarkupLine($"  [yellow]note:[/] {Markup.Escape(string.Join(", ", shared.Select(a => a.Name)))} share the workdir {Markup.Escape(shared.Key)}: a file one of them writes there is scanned for secrets in the others' runs too. Give each its own workdir if they write files.");
        if (plan.Agents.Count == 0)
            console.MarkupLine($"  [grey]nothing to certify here: {(plan.Shard.Count > fleetFile.Agents.Count ? $"the fleet has fewer agents than shards ({fleetFile.Agents.Count} < {plan.Shard.Count})" : "no agent of this shard matches --agents")}[/]");

        var runner = new FleetRunner(plan, new FleetRunOptions(parallel, outDir, fileAsTyped, parse.GetValue(Seed)), output, Environment.GetEnvironmentVariable);
        var manifest = await runner.RunAsync(cancellationToken);
        var interrupted = cancellationToken.IsCancellationRequested;

        FleetRun run;
        try
        {
            run = FleetRun.Load(outDir);
        }
        catch (FleetFormatException ex)
        {
            error.WriteLine($"error: the fleet folder just written cannot be read back: {ex.Message}");
            return ExitCodes.HarnessOrConfigError;
        }
        var written = FleetReportWriter.Write(run, outDir);
        console.MarkupLine($"  wrote [blue]{Markup.Escape(Path.Combine(outDir, FleetManifest.FileName))}[/]");
        foreach (var path in written.All) console.MarkupLine($"  wrote [blue]{Markup.Escape(path)}[/]");
        // A shard, or a run narrowed by --agents, certifies part of the roster by design: the rest is not missing.
        var partial = plan.Shard.Count > 1 || filterText is not null;
        output.WriteLine();
        FleetSummaryText.Write(run, output, allowPartial: partial);
        // One summary for the fleet, however many agents: each agent's own summary stays in its folder.
        if (GitHubStepSummary.AppendIfConfigured(() => System.IO.File.ReadAllText(written.FleetMarkdown)) is { } summary)
            output.WriteLine($"  appended the fleet summary to {summary}");
        if (interrupted)
        {
            error.WriteLine($"interrupted: {manifest.Agents.Count} of {plan.Agents.Count} agents ran; fleet.json lists them.");
            return TerminationSignals.Current?.ExitCode ?? 130;
        }
        return run.ExitCodeFor(allowPartial: partial);
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
