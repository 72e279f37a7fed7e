using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>The fleet's headline, reason, status words and rerun commands, worded the same in HTML, Markdown, JUnit and the terminal.</summary>
internal static class FleetText
{
    private const int NamesShown = 8;

    public static string Headline(FleetRun run)
    {
        var total = run.Manifest.Roster.Count;
        return run.ExitCode switch
        {
            FleetRun.ExitCertified => total == 1 ? "1 agent certified" : $"All {total} agents certified",
            FleetRun.ExitFailed => $"{run.Failed} of {OutcomeText.Plural(total, "agent")} failed",
            _ when run.Errors > 0 => $"{run.Errors} of {OutcomeText.Plural(total, "agent")} without a verdict",
            _ => $"Incomplete: {run.NotRun.Count} of {OutcomeText.Plural(total, "agent")} not run",
        };
    }

    /// <summary>One sentence per kind of trouble, worst first; the all-clear when there is none.</summary>
    public static IReadOnlyList<string> Reasons(FleetRun run)
    {
        var reasons = new List<string>();
        var failed = run.Agents.Where(a => a.Status == FleetAgentStatus.Failed).Select(a => a.Name).ToList();
        var errors = run.Agents.Where(a => a.Status == FleetAgentStatus.Error).Select(a => a.Name).ToList();
        if (failed.Count > 0) reasons.Add($"Broke a rule: {Names(failed)}.");
        if (errors.Count > 0) reasons.Add($"No verdict (configuration or harness error, or no results): {Names(errors)}.");
        foreach (var line in run.MissingShardLines()) reasons.Add(Capitalise(line) + ".");
        if (reasons.Count == 0)
        {
            var warned = run.Agents.Count(a => a.Results?.Summary.Warn > 0);
            reasons.Add(warned == 0 ? "Every agent passed every MUST rule." : $"Every agent passed every MUST rule; {OutcomeText.Plural(warned, "agent")} did not meet some SHOULD rules.");
        }
        return reasons;
    }

    public static string Names(IReadOnlyList<string> names) =>
        names.Count <= NamesShown ? string.Join(", ", names) : $"{string.Join(", ", names.Take(NamesShown))} and {names.Count - NamesShown} more";

    /// <summary>The report banner's class suffix: green, red, or purple for "no verdict".</summary>
    public static string OutcomeToken(FleetRun run) => run.ExitCode switch
    {
        FleetRun.ExitCertified => "certified",
        FleetRun.ExitFailed => "not-certified",
        _ => "harness-error",
    };

    public static string StatusLabel(FleetAgentStatus status) => status switch
    {
        FleetAgentStatus.Certified => "certified",
        FleetAgentStatus.Failed => "failed",
        _ => "no verdict",
    };

    /// <summary>The verdict colour an agent's status is drawn in.</summary>
    public static string StatusVerdictToken(FleetAgentStatus status) => status switch
    {
        FleetAgentStatus.Certified => "pass",
        FleetAgentStatus.Failed => "fail",
        _ => "harness-error",
    };

    /// <summary>Short marks for matrix cells, where a word per cell would make a 40-rule row unreadable.</summary>
    public static string Mark(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "✓",
        Verdict.Fail => "✕",
        Verdict.Warn => "!",
        Verdict.NotExercised => "–",
        Verdict.HarnessError => "⚡",
        Verdict.NotApplicable => "·",
        _ => "?",
    };

    /// <summary>The manifest's command for this agent, or else certify-fleet's own way to certify one agent of the file.</summary>
    public static string Rerun(FleetRun run, string agentName)
    {
        if (run.Agent(agentName)?.Entry.RerunCommand is { Length: > 0 } command) return command;
        return $"dukaan-conformance certify-fleet {ShellQuote(run.Manifest.FleetFile)} --agents {ShellQuote(agentName)}";
    }

    /// <summary>The agent a reader most likely wants to rerun: the first without a certificate, else the first.</summary>
    public static string? RerunExample(FleetRun run) =>
        (run.Agents.FirstOrDefault(a => a.Status != FleetAgentStatus.Certified) ?? run.Agents.FirstOrDefault())?.Name;

    public static string ShellQuote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '+' or ',' or '=' or ':' or '@')
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Shards(FleetRun run)
    {
        var held = string.Join(", ", run.Manifest.Shards.OrderBy(s => s.Index).Select(s => s.Label));
        return run.MissingShards.Count == 0 ? held : $"{held} (missing {string.Join(", ", run.MissingShards.Select(s => s.Label))})";
    }

    /// <summary>Text for a terminal: control characters (an agent name carrying an escape sequence) become '?', line breaks spaces.</summary>
    public static string Plain(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var flat = text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        return flat.Any(char.IsControl) ? string.Concat(flat.Select(c => char.IsControl(c) ? '?' : c)) : flat;
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
