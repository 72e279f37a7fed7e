using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>The headline and the one-sentence reason, worded the same in every report format.</summary>
internal static class OutcomeText
{
    public static string Token(Outcome outcome) => outcome switch
    {
        Outcome.Certified => "certified",
        Outcome.NotCertified => "not-certified",
        Outcome.HarnessError => "harness-error",
        Outcome.NothingSelected => "nothing-selected",
        Outcome.Interrupted => "interrupted",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    public static string Headline(Outcome outcome) => outcome switch
    {
        Outcome.Certified => "Certified",
        Outcome.NotCertified => "Not certified",
        Outcome.HarnessError => "Harness error",
        Outcome.NothingSelected => "Nothing selected",
        Outcome.Interrupted => "Interrupted",
        _ => outcome.ToString(),
    };

    public static string Emoji(Outcome outcome) => outcome switch
    {
        Outcome.Certified => "✅",
        Outcome.NotCertified => "❌",
        Outcome.HarnessError => "💥",
        Outcome.NothingSelected => "⭕",
        Outcome.Interrupted => "⏹",
        _ => "•",
    };

    public static string Reason(RunResults results)
    {
        var s = results.Summary;
        return results.Outcome switch
        {
            Outcome.Certified => s.Warn == 0
                ? $"Every MUST rule passed ({Plural(results.Rules.Count, "rule")} checked)."
                : $"Every MUST rule passed; {Plural(s.Warn, "SHOULD rule")} not met.",
            Outcome.NotCertified when s.Fail > 0 => $"{FailureCount(results)} failed: {IdList(results.Rules, Verdict.Fail)}.",
            Outcome.NotCertified when results.Strict && s.Warn > 0 => $"Strict mode: {Plural(s.Warn, "SHOULD rule")} not met: {IdList(results.Rules, Verdict.Warn)}.",
            Outcome.NotCertified => "The run did not meet the certification bar; see the rules below.",
            Outcome.HarnessError => s.HarnessError > 0
                ? $"The harness itself broke, so there is no verdict on the agent ({IdList(results.Rules, Verdict.HarnessError)}). See the notes."
                : "The harness itself broke before it could judge the agent. See the notes.",
            Outcome.NothingSelected => results.RuleSelection is { Length: > 0 } selection
                ? $"No rule matched the selection “{selection}”, so nothing was checked."
                : "No rule was selected, so nothing was checked.",
            Outcome.Interrupted => $"The run was interrupted (Ctrl+C or SIGTERM) after {results.DurationMs / 1000.0:0.0} s: no verdict on the agent; {Plural(s.NotExercised, "rule")} not judged by then.",
            _ => "",
        };
    }

    /// <summary>"3 MUST rules" when all failures share a level, else "4 rules (3 MUST, 1 SHOULD)": SHOULD fails only under --strict.</summary>
    private static string FailureCount(RunResults results)
    {
        var byLevel = results.Rules.Where(r => r.Verdict == Verdict.Fail).GroupBy(r => r.Level).OrderBy(g => g.Key).ToList();
        var total = byLevel.Sum(g => g.Count());
        if (byLevel.Count == 1) return Plural(total, LevelInfo.Token(byLevel[0].Key) + " rule");
        return $"{Plural(total, "rule")} ({string.Join(", ", byLevel.Select(g => $"{g.Count()} {LevelInfo.Token(g.Key)}"))})";
    }

    private static string IdList(IEnumerable<RuleResult> rules, Verdict verdict)
    {
        var ids = RuleOrdering.WorstFirst(rules.Where(r => r.Verdict == verdict)).Select(r => r.Id).ToList();
        const int shown = 6;
        return ids.Count <= shown ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(shown))} and {ids.Count - shown} more";
    }

    public static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
