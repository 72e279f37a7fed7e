using System.Text.Json;

namespace Dukaan.Cli.Configuration;

/// <summary>
/// Walks a parsed config file against <see cref="ConfigShape"/> and lists every problem with its JSON path and what was
/// expected. It never stops at the first one: a seller fixes the whole file in one edit instead of one run per typo.
/// </summary>
public static class ConfigValidator
{
    public static IReadOnlyList<string> Problems(JsonElement root) => Problems(root, ConfigShape.Root, "{ \"agent\": { … }, … }");

    /// <summary>The same walk over another file's shape (the fleet file); <paramref name="example"/> shows the root object in the message for a non-object.</summary>
    public static IReadOnlyList<string> Problems(JsonElement root, IReadOnlyDictionary<string, KeyShape> shape, string example)
    {
        var problems = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"$ must be a JSON object ({example}), got {Describe(root)}");
            return problems;
        }
        Walk(root, shape, "$", problems);
        return problems;
    }

    private static void Walk(JsonElement element, IReadOnlyDictionary<string, KeyShape> shape, string at, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var path = PathOf(at, property.Name);
            // JSON readers keep only one of two equal keys, silently; which one is not something a seller should guess.
            if (!seen.Add(property.Name)) { problems.Add($"{path} is given more than once; keep one"); continue; }
            var value = property.Value;
            // JSON has no comments, so notes are "$comment" keys ("$comment:topic" for several in one object).
            if (property.Name.StartsWith("$comment", StringComparison.Ordinal))
            {
                if (value.ValueKind != JsonValueKind.String) problems.Add($"{path} must be a string (a note for people), got {Describe(value)}");
                continue;
            }
            if (!shape.TryGetValue(property.Name, out var key)) { problems.Add(UnknownKey(path, property.Name, shape)); continue; }
            if (TypeProblem(key, value, path) is { } typeProblem) { problems.Add(typeProblem); continue; }
            if (RangeProblem(key, value) is { } rangeProblem) problems.Add($"{path} {rangeProblem}, got {value.GetRawText()}");
            if (key.Check?.Invoke(value) is { } checkProblem) problems.Add($"{path} {checkProblem}");
            if (key.Kind == ValueKind.ObjectArray && key.Children is { } itemShape)
            {
                foreach (var (item, index) in value.EnumerateArray().Select((v, i) => (v, i)))
                {
                    if (item.ValueKind != JsonValueKind.Object) problems.Add($"{path}[{index}] must be an object {{ … }}, got {Describe(item)}");
                    else Walk(item, itemShape, $"{path}[{index}]", problems);
                }
            }
            else if (key.Children is { } children) Walk(value, children, path, problems);
        }
    }

    /// <summary>Names other tools (and people) use for a key, so the message points at the right one.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["command"] = "cmd",
        ["trigger"] = "triggerUrl",
        ["secret"] = "secretEnv",
        ["webhookSecret"] = "secretEnv",
        ["port"] = "simPort",
    };

    private static string UnknownKey(string path, string name, IReadOnlyDictionary<string, KeyShape> shape)
    {
        if (Aliases.TryGetValue(name, out var alias) && shape.ContainsKey(alias))
            return $"{path} is not a known key (did you mean \"{alias}\"?)";
        var suggestion = shape.Keys.Where(k => k != "$schema").MinBy(k => Distance(k, name));
        return suggestion is not null && Distance(suggestion, name) <= Math.Max(2, name.Length / 3)
            ? $"{path} is not a known key (did you mean \"{suggestion}\"?)"
            : $"{path} is not a known key (known keys here: {string.Join(", ", shape.Keys)})";
    }

    private static string? TypeProblem(KeyShape key, JsonElement value, string path)
    {
        var ok = key.Kind switch
        {
            ValueKind.String => value.ValueKind == JsonValueKind.String,
            ValueKind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            ValueKind.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            ValueKind.Number => value.ValueKind == JsonValueKind.Number,
            ValueKind.StringArray or ValueKind.ObjectArray => value.ValueKind == JsonValueKind.Array,
            ValueKind.StringMap or ValueKind.Object => value.ValueKind == JsonValueKind.Object,
            _ => false,
        };
        // null is how other tools say "unset"; here leaving the key out is.
        var hint = value.ValueKind == JsonValueKind.Null ? " (leave the key out to use the default)" : "";
        if (!ok) return $"{path} must be {Expected(key)}, got {Describe(value)}{hint}";
        if (key.Kind == ValueKind.String && value.GetString()!.Length == 0)
            return $"{path} must not be empty (leave the key out to use the default)";
        if (key.Kind == ValueKind.StringArray)
            foreach (var (item, index) in value.EnumerateArray().Select((v, i) => (v, i)))
                if (item.ValueKind != JsonValueKind.String || item.GetString()!.Length == 0)
                    return $"{path}[{index}] must be a non-empty string ({key.ItemNoun}), got {Describe(item)}";
        if (key.Kind == ValueKind.StringMap)
            foreach (var entry in value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.String))
                return $"{PathOf(path, entry.Name)} must be a string (environment values are text: write \"{entry.Value.GetRawText().Trim('"')}\"), got {Describe(entry.Value)}";
        return null;
    }

    private static string? RangeProblem(KeyShape key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number) return null;
        if (key.InRange(value.GetDouble())) return null;
        var lower = key.Minimum is { } m ? $"at least {m}" : key.ExclusiveMinimum is { } e ? $"more than {e}" : null;
        var upper = key.Maximum is { } x ? $"at most {x}" : null;
        return "must be " + string.Join(" and ", new[] { lower, upper }.OfType<string>());
    }

    private static string Expected(KeyShape key) => key.Kind switch
    {
        ValueKind.String => "a string",
        ValueKind.Boolean => "true or false",
        ValueKind.Integer => "a whole number",
        ValueKind.Number => "a number",
        ValueKind.StringArray => $"an array of strings, e.g. [{key.ItemExample}]",
        ValueKind.StringMap => "an object of string values, e.g. { \"KEY\": \"value\" }",
        ValueKind.ObjectArray => $"an array of objects, e.g. [{key.ItemExample}]",
        _ => "an object { … }",
    };

    /// <summary>The value as the seller wrote it (short), so they can find it in the file.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ when value.GetRawText() is { Length: > 40 } text => text[..37] + "…",
        _ => value.GetRawText(),
    };

    /// <summary>Dot notation where it reads unambiguously, brackets for keys with spaces, dots or quotes.</summary>
    private static string PathOf(string at, string name) =>
        name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$' or ':' or '-')
            ? $"{at}.{name}" : $"{at}[{JsonSerializer.Serialize(name)}]";

    /// <summary>Edit distance ignoring case, '_' and '-', so trigger_url and TriggerURL both find triggerUrl.</summary>
    private static int Distance(string known, string typed)
    {
        static string Fold(string s) => new(s.Where(c => c is not ('_' or '-')).Select(char.ToLowerInvariant).ToArray());
        var (a, b) = (Fold(known), Fold(typed));
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
