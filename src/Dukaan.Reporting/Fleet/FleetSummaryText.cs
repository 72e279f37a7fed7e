using System.Globalization;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>
/// The fleet on a terminal in one screen, whatever its size: agents by status, rule verdicts over all agents, the
/// failing agents with their failing rules, the agents without a verdict, the shards not merged, the verdict line.
/// Plain text, so certify-fleet, fleet-report and a CI log all print the same thing.
/// </summary>
public static class FleetSummaryText
{
    /// <summary>Agent lines per kind of trouble; the rest are counted, and named in index.html and fleet.md.</summary>
    public const int MaxLines = 15;

    public static void Write(FleetRun run, TextWriter output, bool allowPartial = false)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        // Every line goes through Plain: names and errors come from fleet files and agents, and must not drive the terminal.
        output = new PlainWriter(output);
        var m = run.Manifest;
        output.WriteLine($"Fleet {m.FleetName} · {OutcomeText.Plural(m.Roster.Count, "agent")} · shards {FleetText.Shards(run)} · harness {m.HarnessVersion} · {Formatting.Duration(m.DurationMs)}");
        output.WriteLine($"  agents: {run.Certified} certified · {run.Failed} failed · {run.Errors} no verdict · {run.NotRun.Count} not run");
        var t = run.VerdictTotals();
        output.WriteLine($"  rules over all agents: {string.Join(" · ", VerdictInfo.WorstFirst.Select(v => $"{VerdictInfo.Count(t, v)} {VerdictInfo.Label(v)}"))}");
        foreach (var profile in run.Profiles)
            output.WriteLine($"  {profile.Profile}: {OutcomeText.Plural(profile.Agents.Count, "agent")} × {OutcomeText.Plural(profile.Rules.Count, "rule")}");

        var failed = run.Agents.Where(a => a.Status == FleetAgentStatus.Failed).ToList();
        var width = Math.Min(40, run.Agents.Select(a => a.Name.Length).DefaultIfEmpty(0).Max());
        foreach (var agent in failed.Take(MaxLines))
        {
            var rules = agent.Failing.Select(r => r.Level == RuleLevel.Must ? r.Id : $"{r.Id} ({LevelInfo.Token(r.Level)})").ToList();
            output.WriteLine($"FAILED     {Pad(agent.Name, width)}  {agent.Profile}, exit {agent.ExitCode}: {FleetText.Names(rules)}");
        }
        More(output, failed.Count, "failing agent");
        var errors = run.Agents.Where(a => a.Status == FleetAgentStatus.Error).ToList();
        foreach (var agent in errors.Take(MaxLines))
            output.WriteLine($"NO VERDICT {Pad(agent.Name, width)}  {agent.Profile}, exit {agent.ExitCode}: {OneLine(agent.Problem ?? "")}");
        More(output, errors.Count, "agent without a verdict");
        // A shard job holds its slice only: naming every agent of the other shards would fill a 20-shard fleet's log.
        if (allowPartial && run.NotRun.Count > 0 && run.NotRun.All(n => n.ShardMissing))
            output.WriteLine($"NOT HERE   {OutcomeText.Plural(run.NotRun.Count, "agent")} of shards {string.Join(", ", run.MissingShards.Select(s => s.Label))}: merge every shard's folder with `dukaan-conformance fleet-report DIR…`");
        else
            foreach (var line in run.MissingShardLines()) output.WriteLine($"NOT RUN    {line}");

        var exit = run.ExitCodeFor(allowPartial);
        var verdict = exit switch
        {
            FleetRun.ExitCertified when run.NotRun.Count > 0 => $"CERTIFIED (PARTIAL): every agent that ran is certified; {run.NotRun.Count} not run (--allow-partial)",
            FleetRun.ExitCertified => $"CERTIFIED: all {OutcomeText.Plural(m.Roster.Count, "agent")} certified",
            FleetRun.ExitFailed => $"NOT CERTIFIED: {run.Failed} of {OutcomeText.Plural(m.Roster.Count, "agent")} failed a rule",
            _ => $"NO VERDICT: {FleetText.Headline(run)}",
        };
        output.WriteLine($"{verdict} (exit {exit.ToString(CultureInfo.InvariantCulture)})");
        if (exit != FleetRun.ExitCertified && FleetText.RerunExample(run) is { } name && run.Agents.Any(a => a.Name == name))
            output.WriteLine($"  rerun {name}: {FleetText.Rerun(run, name)}");
    }

    public static string Render(FleetRun run, bool allowPartial = false)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(run, writer, allowPartial);
        return writer.ToString();
    }

    /// <summary>Passes whole lines on with control characters neutralised.</summary>
    private sealed class PlainWriter(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(char.IsControl(value) && value is not ('\n' or '\r') ? '?' : value);

        public override void WriteLine(string? value) => inner.WriteLine(FleetText.Plain(value));
    }

    private static void More(TextWriter output, int count, string noun)
    {
        if (count > MaxLines) output.WriteLine($"           … and {count - MaxLines} more {noun}s (see index.html)");
    }

    private static string Pad(string name, int width) => name.Length >= width ? name : name.PadRight(width);

    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}
