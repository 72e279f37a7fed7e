using System.Globalization;
using System.Text;
using System.Text.Json;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>An accepted failure: a rule allowed to fail for now, and why (required, so a baseline is never a shrug).</summary>
public sealed record BaselineEntry(string Rule, string Reason);

/// <summary>
/// <c>{ "accepted": [ { "rule": "DK-SEC-05", "reason": "state store lands next sprint" } ] }</c>: the failures a
/// CI gate accepts until they are fixed.
/// </summary>
public sealed record Baseline(IReadOnlyList<BaselineEntry> Accepted)
{
    /// <param name="knownRuleIds">Rule IDs that exist; an entry naming another one is a typo and refused.</param>
    public static Baseline Load(string path, IReadOnlySet<string> knownRuleIds)
    {
        if (!File.Exists(path)) throw new BaselineFormatException($"Baseline file '{path}' does not exist.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new BaselineFormatException($"{path} is not valid JSON: {ex.Message}"); }
        using (doc)
        {
            var problems = new List<string>();
            var entries = new List<BaselineEntry>();
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("accepted", out var accepted) || accepted.ValueKind != JsonValueKind.Array)
                throw new BaselineFormatException($"{path}: expected {{ \"accepted\": [ {{ \"rule\": \"DK-…\", \"reason\": \"why it is accepted\" }} ] }}.");
            foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("accepted" or "$schema" or "$comment")))
                problems.Add($"$.{property.Name} is not a known key (expected \"accepted\").");
            var index = 0;
            foreach (var item in accepted.EnumerateArray())
            {
                var at = $"$.accepted[{index++}]";
                if (item.ValueKind != JsonValueKind.Object) { problems.Add($"{at} must be an object with \"rule\" and \"reason\"."); continue; }
                foreach (var property in item.EnumerateObject().Where(p => p.Name is not ("rule" or "reason" or "$comment")))
                    problems.Add($"{at}.{property.Name} is not a known key (expected \"rule\" and \"reason\").");
                var rule = item.TryGetProperty("rule", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : null;
                var reason = item.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString()!.Trim() : null;
                if (rule is null) problems.Add($"{at}.rule must be a rule ID string such as \"DK-SEC-05\".");
                else if (!knownRuleIds.Contains(rule)) problems.Add($"{at}.rule \"{rule}\" is not a rule ID (see `dukaan-conformance list-rules`).");
                else if (entries.Any(e => e.Rule == rule)) problems.Add($"{at}.rule \"{rule}\" is listed twice; keep one entry.");
                if (string.IsNullOrEmpty(reason)) problems.Add($"{at}.reason is required: say why this failure is accepted (a ticket, a date).");
                if (rule is not null && !string.IsNullOrEmpty(reason)) entries.Add(new BaselineEntry(rule, reason));
            }
            if (problems.Count > 0) throw new BaselineFormatException($"{path} has {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
            return new Baseline(entries);
        }
    }
}

public sealed class BaselineFormatException(string message) : Exception(message);

/// <summary>What a baseline makes of a run.</summary>
public sealed record BaselineOutcome(
    int ExitCode,
    IReadOnlyList<RuleResult> UnexpectedFailures,
    IReadOnlyList<BaselineEntry> StillFailing,
    IReadOnlyList<BaselineEntry> StaleEntries)
{
    /// <summary>Entries to paste into the baseline, one per unexpected failure, the reason left for a human.</summary>
    public string PasteSnippet => string.Join(",\n", UnexpectedFailures.Select(r =>
        $"    {{ \"rule\": \"{r.Id}\", \"reason\": \"TODO: why '{r.Title.Replace("\"", "'", StringComparison.Ordinal)}' may fail for now\" }}"));

    public void Write(TextWriter output)
    {
        foreach (var entry in StillFailing) output.WriteLine($"baseline: {entry.Rule} still fails, accepted ({entry.Reason}).");
        foreach (var entry in StaleEntries) output.WriteLine($"baseline: {entry.Rule} now passes; remove it from the baseline (it was accepted because: {entry.Reason}).");
        if (UnexpectedFailures.Count > 0)
        {
            output.WriteLine($"baseline: {UnexpectedFailures.Count} failure(s) not in the baseline: {string.Join(", ", UnexpectedFailures.Select(r => r.Id))}. Fix them, or accept them by adding:");
            output.WriteLine(PasteSnippet);
        }
    }
}

/// <summary>
/// A CI gate with a baseline: accepted failures do not fail the build, unexpected ones do, and so does an accepted
/// failure that now passes (a stale baseline would hide the next regression of that rule).
/// </summary>
public static class BaselineGate
{
    public static BaselineOutcome Evaluate(RunResults results, Baseline baseline)
    {
        var accepted = baseline.Accepted.ToDictionary(e => e.Rule, StringComparer.Ordinal);
        var failing = results.Rules.Where(r => r.Verdict == Verdict.Fail).ToList();
        var unexpected = failing.Where(r => !accepted.ContainsKey(r.Id)).ToList();
        var still = failing.Where(r => accepted.ContainsKey(r.Id)).Select(r => accepted[r.Id]).ToList();
        var stale = baseline.Accepted.Where(e => results.Rules.Any(r => r.Id == e.Rule && r.Verdict == Verdict.Pass)).ToList();
        // Not-exercised MUST rules keep a run from certifying with or without a baseline; harness errors stay 2.
        var mustUnexercised = results.Rules.Any(r => r.Level == RuleLevel.Must && r.Verdict == Verdict.NotExercised && !accepted.ContainsKey(r.Id));
        var exit = results.ExitCode == 2 ? 2 : unexpected.Count > 0 || stale.Count > 0 || mustUnexercised ? 1 : 0;
        return new BaselineOutcome(exit, unexpected, still, stale);
    }
}
