using System.Text.Json;
using Dukaan.Conformance.Rules;

namespace Dukaan.Reporting;

/// <summary>An accepted failure: a rule allowed to fail for now, and why (required, so a baseline is never a shrug).</summary>
public sealed record BaselineEntry(string Rule, string Reason);

/// <summary>
/// <c>{ "accepted": [ { "rule": "DK-SEC-05", "reason": "state store lands next sprint" } ] }</c>: the failures a
/// CI gate accepts until they are fixed. Comments and trailing commas are allowed (people annotate these files);
/// unknown keys are not, because a misspelt "reason" would otherwise silently accept a failure without one.
/// </summary>
public sealed record Baseline(IReadOnlyList<BaselineEntry> Accepted)
{
    public const string ReasonPlaceholder = "TODO: why this failure is accepted";

    private const string Shape = "A baseline looks like { \"accepted\": [ { \"rule\": \"DK-SEC-05\", \"reason\": \"state store lands next sprint (JIRA-123)\" } ] }.";

    /// <summary>Loads a baseline whose rules must be in the AgentDukaan rule catalog.</summary>
    public static Baseline Load(string path) => Load(path, AgentDukaanRules.Catalog.All.Select(r => r.Id).ToHashSet(StringComparer.Ordinal));

    /// <param name="path">The baseline file.</param>
    /// <param name="knownRuleIds">Rule IDs that exist; an entry naming another one is a typo and refused.</param>
    /// <exception cref="BaselineFormatException">Every problem of the file at once, each with its JSON path and the fix.</exception>
    public static Baseline Load(string path, IReadOnlySet<string> knownRuleIds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(knownRuleIds);
        if (Directory.Exists(path)) throw new BaselineFormatException($"Baseline '{path}' is a folder; give the baseline JSON file, e.g. dukaan-baseline.json.");
        if (!File.Exists(path)) throw new BaselineFormatException($"Baseline file '{path}' does not exist. Create it ({{ \"accepted\": [] }} accepts nothing) or drop --baseline.");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BaselineFormatException($"Baseline file '{path}' cannot be read: {ex.Message}");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new BaselineFormatException($"{path} is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message.Split([" LineNumber:", " Path:"], StringSplitOptions.None)[0].TrimEnd()} {Shape}");
        }
        using (doc)
        {
            var problems = new List<string>();
            var entries = Read(doc.RootElement, knownRuleIds, problems);
            if (problems.Count > 0)
                throw new BaselineFormatException($"{path} has {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
            return new Baseline(entries);
        }
    }

    private static List<BaselineEntry> Read(JsonElement root, IReadOnlySet<string> known, List<string> problems)
    {
        var entries = new List<BaselineEntry>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"$ is {Describe(root)}, expected an object. {Shape}");
            return entries;
        }
        foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("accepted" or "$schema" or "$comment")))
            problems.Add($"$.{property.Name} is not a known key; the only key is \"accepted\" (a misspelling of it?).");
        if (!root.TryGetProperty("accepted", out var accepted))
        {
            problems.Add($"$.accepted is missing. {Shape}");
            return entries;
        }
        if (accepted.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"$.accepted is {Describe(accepted)}, expected an array of {{ \"rule\", \"reason\" }} objects.");
            return entries;
        }
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = -1;
        foreach (var item in accepted.EnumerateArray())
        {
            var at = $"$.accepted[{++index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{at} is {Describe(item)}, expected an object {{ \"rule\": \"DK-…\", \"reason\": \"why it is accepted\" }}.");
                continue;
            }
            foreach (var property in item.EnumerateObject().Where(p => p.Name is not ("rule" or "reason" or "$comment")))
                problems.Add($"{at}.{property.Name} is not a known key; an entry has only \"rule\" and \"reason\".");
            var rule = Rule(item, at, known, firstIndex, index, problems);
            var reason = Reason(item, at, problems);
            if (rule is not null && reason is not null) entries.Add(new BaselineEntry(rule, reason));
        }
        return entries;
    }

    private static string? Rule(JsonElement item, string at, IReadOnlySet<string> known, Dictionary<string, int> firstIndex, int index, List<string> problems)
    {
        if (!item.TryGetProperty("rule", out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } rule)
        {
            problems.Add($"{at}.rule is required: a rule ID string such as \"DK-SEC-05\".");
            return null;
        }
        if (!known.Contains(rule))
        {
            var nearly = known.FirstOrDefault(k => string.Equals(k, rule.Trim(), StringComparison.OrdinalIgnoreCase));
            problems.Add(nearly is not null
                ? $"{at}.rule \"{rule}\" is not a rule ID; did you mean \"{nearly}\"? (IDs are exact.)"
                : $"{at}.rule \"{rule}\" is not a rule ID; `dukaan-conformance list-rules` shows them.");
            return null;
        }
        if (firstIndex.TryGetValue(rule, out var first))
        {
            problems.Add($"{at}.rule \"{rule}\" is already accepted by $.accepted[{first}]; keep one entry per rule.");
            return null;
        }
        firstIndex[rule] = index;
        return rule;
    }

    private static string? Reason(JsonElement item, string at, List<string> problems)
    {
        var reason = item.TryGetProperty("reason", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (string.IsNullOrEmpty(reason))
        {
            problems.Add($"{at}.reason is required: say why this failure is accepted and until when (a ticket, a date).");
            return null;
        }
        if (string.Equals(reason, ReasonPlaceholder, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{at}.reason is still the pasted placeholder \"{ReasonPlaceholder}\"; replace it with the actual reason.");
            return null;
        }
        return reason;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "an object",
    };
}

/// <summary>A baseline file that cannot be used; the message names each problem's JSON path and how to fix it.</summary>
public sealed class BaselineFormatException(string message) : Exception(message);
