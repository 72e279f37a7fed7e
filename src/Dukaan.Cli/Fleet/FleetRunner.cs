using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dukaan.Conformance;
using Dukaan.Conformance.Profiles;
using Dukaan.Reporting;
using Dukaan.Reporting.Fleet;
using Spectre.Console;

namespace Dukaan.Cli.Fleet;

/// <summary>How certify-fleet runs a plan.</summary>
/// <param name="Parallel">Agents certified at a time (at least 1).</param>
/// <param name="OutDir">The fleet folder (absolute): fleet.json, the fleet reports, and agents/&lt;name&gt;/ for each agent.</param>
/// <param name="FleetFileAsTyped">The fleet file as given on the command line, for rerun commands.</param>
/// <param name="Seed">--seed when given; null leaves each agent's settings file or the default to decide.</param>
public sealed record FleetRunOptions(int Parallel, string OutDir, string FleetFileAsTyped, int? Seed);

/// <summary>
/// Certifies the agents of a plan, at most <see cref="FleetRunOptions.Parallel"/> at a time, each through
/// <see cref="CertifyCommand.CertifyAsync"/> into its own folder with its own log, and writes fleet.json for those that
/// ran. The console gets whole lines only (an agent starting, an agent done), so concurrent agents never interleave.
/// </summary>
public sealed class FleetRunner(FleetPlan plan, FleetRunOptions options, TextWriter output, Func<string, string?> environment)
{
    public const string AgentsFolder = "agents";
    public const string LogFileName = "certify.log";

    /// <summary>The files certify writes into an agent's folder, cleared before it runs so a rerun into the same --out never shows last time's report.</summary>
    private static readonly string[] AgentFiles = [ReportSet.ResultsFileName, ReportSet.HtmlFileName, ReportSet.JUnitFileName, ReportSet.SummaryFileName, Conformance.Engine.RunTranscript.FileName, LogFileName];

    private readonly IAnsiConsole _console = Terminal.For(output);
    private readonly Lock _consoleGate = new();
    private readonly int _width = Math.Min(40, plan.Agents.Select(a => a.Name.Length).DefaultIfEmpty(0).Max());
    private int _done;

    /// <summary>
    /// Runs the plan and writes fleet.json. When <paramref name="cancellationToken"/> fires (Ctrl+C, SIGTERM), no further
    /// agent starts, the running ones end as interrupted (certify's own handling), and fleet.json lists what ran.
    /// </summary>
    public async Task<FleetManifest> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutDir);
        // A fleet.json left from an earlier run into this folder must not pass for this run's, should this one be killed.
        File.Delete(Path.Combine(options.OutDir, FleetManifest.FileName));

        using var gate = new SemaphoreSlim(options.Parallel);
        var running = new List<Task<FleetAgentEntry>>();
        foreach (var agent in plan.Agents)
        {
            try { await gate.WaitAsync(cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            // A slot that came free just as the signal did must not start one more agent.
            if (cancellationToken.IsCancellationRequested)
            {
                gate.Release();
                break;
            }
            running.Add(Task.Run(async () =>
            {
                try { return await CertifyOneAsync(agent, cancellationToken).ConfigureAwait(false); }
                finally { gate.Release(); }
            }, CancellationToken.None));
        }
        var entries = await Task.WhenAll(running).ConfigureAwait(false);
        var skipped = plan.Agents.Count - entries.Length;
        if (skipped > 0) Line($"[yellow]interrupted:[/] {skipped} of {plan.Agents.Count} agents were not started");

        var manifest = new FleetManifest(
            FleetManifest.CurrentSchemaVersion,
            Conformance.Engine.HarnessInfo.Version,
            plan.Fleet.Name,
            options.FleetFileAsTyped,
            plan.Fleet.Digest,
            [.. plan.Fleet.Agents.Select(a => a.Name)],
            [plan.Shard],
            started,
            clock.ElapsedMilliseconds,
            entries);
        FleetManifestFile.Write(manifest, options.OutDir);
        return manifest;
    }

    private async Task<FleetAgentEntry> CertifyOneAsync(FleetFileAgent agent, CancellationToken cancellationToken)
    {
        var folder = $"{AgentsFolder}/{agent.Name}";
        var dir = Path.Combine(options.OutDir, AgentsFolder, agent.Name);
        Directory.CreateDirectory(dir);
        foreach (var file in AgentFiles) File.Delete(Path.Combine(dir, file));
        var flags = plan.FlagsFor(agent, options.Seed, dir, environment);
        var profile = flags.Profile ?? ProfileRegistry.DefaultId;
        var rerun = $"dukaan-conformance certify-fleet {Shell.Quote(options.FleetFileAsTyped)} --agents {agent.Name}"
            + (options.Seed is { } seed ? $" --seed {seed.ToString(CultureInfo.InvariantCulture)}" : "");
        Line($"{Name(agent)}  [grey]started[/]    {Markup.Escape(Target(agent, profile))}");

        var clock = Stopwatch.StartNew();
        CertifyOutcome outcome;
        var log = new StreamWriter(Path.Combine(dir, LogFileName), append: false, new UTF8Encoding(false)) { AutoFlush = true };
        await using (log.ConfigureAwait(false))
        {
            try
            {
                outcome = await CertifyCommand.CertifyAsync(flags, new CertifySink(log, log, FindSettingsFile: false, SpeakGitHub: false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One agent's harness failure must not take the other agents down: it is that agent's error.
                await log.WriteLineAsync($"error: the harness failed certifying this agent: {ex}").ConfigureAwait(false);
                outcome = new CertifyOutcome(ExitCodes.HarnessOrConfigError, $"the harness failed: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}", null, null, null);
            }
            catch (OperationCanceledException)
            {
                outcome = new CertifyOutcome(TerminationSignals.Current?.ExitCode ?? 130, "interrupted before its run started", null, null, null);
            }
        }
        var done = Interlocked.Increment(ref _done);
        Line($"{Name(agent)}  {Ended(outcome)} · exit {outcome.ExitCode} · {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s · {done}/{plan.Agents.Count} done");
        return new FleetAgentEntry(agent.Name, outcome.Results?.Profile ?? outcome.Profile ?? profile, folder, outcome.ExitCode, outcome.Results is null ? outcome.Error ?? "no results were written" : null, rerun);
    }

    private string Name(FleetFileAgent agent) => Markup.Escape(agent.Name.PadRight(_width));

    private static string Target(FleetFileAgent agent, string profile) =>
        $"{profile} · " + (agent.Cmd ?? agent.Url ?? (agent.SettingsFile is not null ? $"from {Path.GetFileName(agent.SettingsFile)}"
            : profile == ProfileRegistry.DefaultId ? "bundled reference agent" : "bundled simulator"));

    private static string Ended(CertifyOutcome outcome)
    {
        if (outcome.Results is not { } results)
            return $"{(outcome.ExitCode > 128 ? "[yellow]interrupted[/]" : "[red]error[/]     ")} {Markup.Escape(outcome.Error ?? "no results")}";
        var s = results.Summary;
        var counts = $"{s.Pass} pass · {s.Fail} fail · {s.Warn} warn · {s.NotExercised} not exercised · {s.HarnessError} harness error";
        return (results.Outcome, outcome.ExitCode) switch
        {
            (Outcome.Interrupted, _) => $"[yellow]interrupted[/] {counts}",
            (_, ExitCodes.Certified) => $"[green]certified[/]  {counts}",
            (_, ExitCodes.RuleFailed) => $"[red]failed[/]     {counts}",
            (_, ExitCodes.NothingSelected) => $"[yellow]nothing selected[/] {counts}",
            _ => $"[red]error[/]      {counts}",
        };
    }

    /// <summary>One whole line at a time: concurrent agents take turns, never share a line.</summary>
    private void Line(string markup)
    {
        lock (_consoleGate) _console.MarkupLine("  " + markup);
    }
}
