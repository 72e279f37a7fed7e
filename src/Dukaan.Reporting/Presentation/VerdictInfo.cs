using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>How a verdict is named, ordered and marked in every report format.</summary>
internal static class VerdictInfo
{
    /// <summary>Worst first: the order in which a reader should look at rules.</summary>
    public static IReadOnlyList<Verdict> WorstFirst { get; } = [Verdict.Fail, Verdict.HarnessError, Verdict.Warn, Verdict.NotExercised, Verdict.Pass, Verdict.NotApplicable];

    public static int Rank(Verdict verdict) => verdict switch
    {
        Verdict.Fail => 0,
        Verdict.HarnessError => 1,
        Verdict.Warn => 2,
        Verdict.NotExercised => 3,
        Verdict.Pass => 4,
        Verdict.NotApplicable => 5,
        _ => 6,
    };

    /// <summary>The token results.json uses; also the CSS class suffix and test id suffix.</summary>
    public static string Token(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "fail",
        Verdict.Warn => "warn",
        Verdict.NotExercised => "not-exercised",
        Verdict.HarnessError => "harness-error",
        Verdict.NotApplicable => "not-applicable",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    public static string Label(Verdict verdict) => verdict switch
    {
        Verdict.NotExercised => "not exercised",
        Verdict.HarnessError => "harness error",
        Verdict.NotApplicable => "not applicable",
        _ => Token(verdict),
    };

    public static string Emoji(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "✅",
        Verdict.Fail => "❌",
        Verdict.Warn => "⚠️",
        Verdict.NotExercised => "⏭️",
        Verdict.HarnessError => "💥",
        Verdict.NotApplicable => "➖",
        _ => "•",
    };

    public static int Count(Summary summary, Verdict verdict) => verdict switch
    {
        Verdict.Pass => summary.Pass,
        Verdict.Fail => summary.Fail,
        Verdict.Warn => summary.Warn,
        Verdict.NotExercised => summary.NotExercised,
        Verdict.HarnessError => summary.HarnessError,
        Verdict.NotApplicable => summary.NotApplicable,
        _ => 0,
    };
}

internal static class LevelInfo
{
    public static IReadOnlyList<RuleLevel> All { get; } = [RuleLevel.Must, RuleLevel.Should, RuleLevel.Info];

    public static string Token(RuleLevel level) => level switch
    {
        RuleLevel.Must => "MUST",
        RuleLevel.Should => "SHOULD",
        RuleLevel.Info => "INFO",
        _ => level.ToString().ToUpperInvariant(),
    };
}
