using System.Text.Json;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// A CI gate with a baseline: accepted failures do not fail the build, unexpected ones do, and so does an accepted
/// failure that now passes (a stale entry would hide the next regression of that rule).
/// </summary>
public static class BaselineGate
{
    /// <remarks>
    /// A rule blocks certification when its verdict is fail (a SHOULD under --strict is already fail), or when it is a
    /// MUST rule the run could not exercise and the run itself counted that against certification (exit code 1):
    /// both can be accepted. Exit codes 2 (harness or configuration error) and 3 (nothing selected) pass through,
    /// since a baseline says nothing about a run that did not judge the agent.
    /// </remarks>
    public static BaselineOutcome Evaluate(RunResults results, Baseline baseline)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(baseline);
        var accepted = baseline.Accepted.ToDictionary(e => e.Rule, StringComparer.Ordinal);
        var byId = results.Rules.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        bool Blocks(RuleResult r) => r.Verdict == Verdict.Fail || (r.Verdict == Verdict.NotExercised && r.Level == RuleLevel.Must && results.ExitCode == 1);

        var unexpected = results.Rules.Where(r => Blocks(r) && !accepted.ContainsKey(r.Id)).ToList();
        var stillFailing = baseline.Accepted.Where(e => byId.TryGetValue(e.Rule, out var r) && Blocks(r)).ToList();
        var stale = baseline.Accepted.Where(e => byId.TryGetValue(e.Rule, out var r) && r.Verdict == Verdict.Pass).ToList();
        var unjudged = baseline.Accepted.Except(stillFailing).Except(stale).ToList();
        var exit = results.ExitCode is 2 or 3 ? results.ExitCode
            : unexpected.Count > 0 || stale.Count > 0 ? 1
            : 0;
        return new BaselineOutcome(exit, results.ExitCode, unexpected, stale, stillFailing, unjudged);
    }
}

/// <summary>What a baseline makes of a run, and the words and the JSON a developer needs to act on it.</summary>
/// <param name="ExitCode">What the CI step should exit with: 0, 1, or the run's own 2 or 3.</param>
/// <param name="RunExitCode">The run's exit code without the baseline.</param>
/// <param name="UnexpectedFailures">Rules that block certification and are not in the baseline.</param>
/// <param name="StaleEntries">Entries whose rule now passes: to be removed.</param>
/// <param name="StillFailing">Entries whose rule still blocks: accepted, the build passes on them.</param>
/// <param name="NotJudged">Entries whose rule this run did not judge (not selected, not exercised, only a warning).</param>
public sealed record BaselineOutcome(
    int ExitCode,
    int RunExitCode,
    IReadOnlyList<RuleResult> UnexpectedFailures,
    IReadOnlyList<BaselineEntry> StaleEntries,
    IReadOnlyList<BaselineEntry> StillFailing,
    IReadOnlyList<BaselineEntry> NotJudged)
{
    /// <summary>
    /// Entries ready to paste into the "accepted" array, one per unexpected failure, comma-separated. The reason is
    /// <see cref="Baseline.ReasonPlaceholder"/>, which <see cref="Baseline.Load(string)"/> refuses: someone must write the real one.
    /// </summary>
    public string PasteSnippet => string.Join(",\n", UnexpectedFailures.Select(r =>
        $"    {{ \"rule\": {JsonSerializer.Serialize(r.Id)}, \"reason\": {JsonSerializer.Serialize(Baseline.ReasonPlaceholder)} }}"));

    /// <summary>Prints what the gate decided and why, ending with the exit code; nothing when there is nothing to say.</summary>
    public void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (RunExitCode is 2 or 3)
        {
            output.WriteLine($"baseline: not applied — the run ended with exit code {RunExitCode} ({(RunExitCode == 2 ? "harness or configuration error" : "nothing selected")}), so it judged no rule.");
            return;
        }
        foreach (var entry in StillFailing)
            output.WriteLine($"baseline: {entry.Rule} still fails; accepted ({entry.Reason}).");
        foreach (var entry in NotJudged)
            output.WriteLine($"baseline: {entry.Rule} was not judged by this run (not selected, not exercised, or only a warning); its entry is kept.");
        foreach (var entry in StaleEntries)
            output.WriteLine($"baseline: {entry.Rule} now passes; remove it from the baseline (it was accepted because: {entry.Reason}). A stale entry would hide its next regression.");
        if (UnexpectedFailures.Count > 0)
        {
            output.WriteLine($"baseline: {UnexpectedFailures.Count} failure(s) not in the baseline:");
            foreach (var rule in UnexpectedFailures)
                output.WriteLine($"  {rule.Id} ({LevelInfo.Token(rule.Level)}, {VerdictInfo.Label(rule.Verdict)}): {rule.Title}");
            output.WriteLine("Fix them, or accept them for now by adding these entries to \"accepted\" and writing each reason:");
            output.WriteLine(PasteSnippet);
        }
        output.WriteLine(ExitCode == 0
            ? $"baseline: passed (exit 0){(StillFailing.Count > 0 ? $": {StillFailing.Count} failure(s) accepted, none unexpected" : "")}."
            : $"baseline: failed (exit 1): {Because()}.");
    }

    private string Because()
    {
        var parts = new List<string>();
        if (UnexpectedFailures.Count > 0) parts.Add($"{UnexpectedFailures.Count} unexpected failure(s)");
        if (StaleEntries.Count > 0) parts.Add($"{StaleEntries.Count} stale entr{(StaleEntries.Count == 1 ? "y" : "ies")}");
        return string.Join(" and ", parts);
    }
}
