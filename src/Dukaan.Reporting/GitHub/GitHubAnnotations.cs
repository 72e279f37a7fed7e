using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// GitHub workflow commands that pin failures and warnings to the job's annotations panel:
/// <c>::error title=…::message</c> for fail (and harness-error), <c>::warning title=…::message</c> for warn.
/// A failure a baseline accepts is a <c>::notice</c>: a red annotation on a green build teaches people to ignore red.
/// </summary>
public static class GitHubAnnotations
{
    public static IReadOnlyList<string> Lines(RunResults results, Baseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var accepted = (baseline?.Accepted ?? []).ToDictionary(e => e.Rule, e => e.Reason, StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var rule in RuleOrdering.WorstFirst(results.Rules))
        {
            var e = rule.Evidence;
            var why = EvidenceText.Why(e);
            var rerun = e.RerunCommand.Length > 0 ? $" Rerun: {e.RerunCommand}" : "";
            switch (rule.Verdict)
            {
                case Verdict.Fail when accepted.TryGetValue(rule.Id, out var reason):
                    lines.Add(Command("notice", $"{rule.Id} accepted failure", $"{rule.Id} ({LevelInfo.Token(rule.Level)}) failed, accepted by the baseline ({reason}): {why}{rerun}"));
                    break;
                case Verdict.Fail:
                    lines.Add(Command("error", $"{rule.Id} {rule.Title}", $"{rule.Id} ({LevelInfo.Token(rule.Level)}) failed: {why}{rerun}"));
                    break;
                case Verdict.HarnessError:
                    lines.Add(Command("error", $"{rule.Id} harness error", $"The harness broke while checking {rule.Id}; this is not a verdict on the agent: {why}{rerun}"));
                    break;
                case Verdict.Warn:
                    lines.Add(Command("warning", $"{rule.Id} {rule.Title}", $"{rule.Id} ({LevelInfo.Token(rule.Level)}) not met: {why}{rerun}"));
                    break;
            }
        }
        return lines;
    }

    public static void Write(RunResults results, TextWriter output, Baseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var line in Lines(results, baseline)) output.WriteLine(line);
    }

    public static string Command(string command, string title, string message) =>
        $"::{command} title={EscapeProperty(title)}::{EscapeData(message)}";

    /// <summary>Message escaping per the workflow-command rules: % first, then CR and LF.</summary>
    public static string EscapeData(string value) =>
        new StringBuilder(value)
            .Replace("%", "%25")
            .Replace("\r", "%0D")
            .Replace("\n", "%0A")
            .ToString();

    /// <summary>Property values additionally escape ':' and ',' which would otherwise end the value.</summary>
    public static string EscapeProperty(string value) =>
        new StringBuilder(EscapeData(value))
            .Replace(":", "%3A")
            .Replace(",", "%2C")
            .ToString();
}
