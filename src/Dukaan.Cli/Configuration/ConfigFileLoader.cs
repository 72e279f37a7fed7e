using System.Text.Json;

namespace Dukaan.Cli.Configuration;

/// <summary>
/// Reads dukaan-conformance.json by walking it against <see cref="ConfigShape"/>, so every problem is reported with its
/// JSON path and what was expected — all at once, not one per run.
/// </summary>
public static class ConfigFileLoader
{
    public static string? Find(string directory)
    {
        var path = Path.Combine(directory, ConfigFile.FileName);
        return File.Exists(path) ? path : null;
    }

    public static ConfigFile Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ConfigFileException(path, [$"the file does not exist (--config {path})."]);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(full), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new ConfigFileException(path, [$"not valid JSON: {ex.Message}"]); }
        using (doc)
        {
            var problems = new List<string>();
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ConfigFileException(path, ["$ must be a JSON object."]);
            Check(doc.RootElement, ConfigShape.Root, "$", problems);
            if (problems.Count > 0) throw new ConfigFileException(path, problems);
            return Read(doc.RootElement, Path.GetDirectoryName(full)!, full);
        }
    }

    private static void Check(JsonElement element, IReadOnlyDictionary<string, KeyShape> shape, string at, List<string> problems)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = $"{at}.{property.Name}";
            // "$comment", "$comment:topic": notes for people, ignored like comments.
            if (property.Name == "$schema" || property.Name.StartsWith("$comment", StringComparison.Ordinal)) continue;
            if (!shape.TryGetValue(property.Name, out var key))
            {
                var suggestion = shape.Keys.MinBy(k => Distance(k, property.Name));
                problems.Add($"{path} is not a known key" + (suggestion is not null && Distance(suggestion, property.Name) <= 3 ? $" (did you mean \"{suggestion}\"?)" : $" (known here: {string.Join(", ", shape.Keys)})") + ".");
                continue;
            }
            var value = property.Value;
            var ok = key.Kind switch
            {
                ValueKind.String => value.ValueKind == JsonValueKind.String,
                ValueKind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                ValueKind.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
                ValueKind.Number => value.ValueKind == JsonValueKind.Number,
                ValueKind.StringArray => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String),
                ValueKind.StringMap => value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String),
                ValueKind.Object => value.ValueKind == JsonValueKind.Object,
                _ => false,
            };
            if (!ok)
            {
                // Name the entry that is wrong, not just its container.
                var bad = key.Kind == ValueKind.StringMap && value.ValueKind == JsonValueKind.Object
                    ? value.EnumerateObject().First(p => p.Value.ValueKind != JsonValueKind.String) : (JsonProperty?)null;
                var badItem = key.Kind == ValueKind.StringArray && value.ValueKind == JsonValueKind.Array
                    ? value.EnumerateArray().Select((v, i) => (v, i)).First(x => x.v.ValueKind != JsonValueKind.String) : ((JsonElement, int)?)null;
                problems.Add(bad is { } entry
                    ? $"{path}.{entry.Name} must be a string (environment values are text: write \"{entry.Value.GetRawText().Trim('"')}\"), got {Describe(entry.Value)}."
                    : badItem is var (item, index)
                        ? $"{path}[{index}] must be a string (a field id), got {Describe(item)}."
                        : $"{path} must be {Expected(key.Kind)}, got {Describe(value)}.");
                continue;
            }
            if (key.Minimum is { } min && value.ValueKind == JsonValueKind.Number && value.GetDouble() < min)
                problems.Add($"{path} must be at least {min}, got {value.GetRawText()}.");
            if (key.Kind == ValueKind.Object && key.Children is { } children) Check(value, children, path, problems);
        }
    }

    private static ConfigFile Read(JsonElement root, string dir, string source)
    {
        string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
        string? PathOf(JsonElement e, string name) => Str(e, name) is { } p ? Path.GetFullPath(Path.Combine(dir, p)) : null;
        IReadOnlyList<string>? List(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? [.. v.EnumerateArray().Select(x => x.GetString()!)] : null;
        double? Num(string name) => root.TryGetProperty(name, out var v) ? v.GetDouble() : null;
        AgentSection? agent = null;
        if (root.TryGetProperty("agent", out var a))
            agent = new AgentSection(Str(a, "cmd"), PathOf(a, "workdir"), Str(a, "url"), PathOf(a, "log"),
                a.TryGetProperty("env", out var env) ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : null);
        ListingSection? listing = null;
        if (root.TryGetProperty("listing", out var l))
        {
            TierSection? tier = null;
            if (l.TryGetProperty("tier", out var t))
                tier = new TierSection(Str(t, "name"), t.TryGetProperty("priceINR", out var p) ? p.GetInt32() : null, t.TryGetProperty("runLimitPerMonth", out var r) ? r.GetInt32() : null);
            listing = new ListingSection(List(l, "fields"), List(l, "sensitiveFields"), Str(l, "providerKeyField"), tier);
        }
        return new ConfigFile(source, agent, Str(root, "webhookPath"), Str(root, "triggerUrl"), listing, Str(root, "rules"),
            root.TryGetProperty("strict", out var s) ? s.GetBoolean() : null, root.TryGetProperty("seed", out var seed) ? seed.GetInt32() : null,
            PathOf(root, "out"), PathOf(root, "baseline"), Num("startupTimeout"), Num("quietWindow"), Num("observationWindow"), Num("runDeadline"));
    }

    private static string Expected(ValueKind kind) => kind switch
    {
        ValueKind.String => "a string",
        ValueKind.Boolean => "true or false",
        ValueKind.Integer => "a whole number",
        ValueKind.Number => "a number",
        ValueKind.StringArray => "an array of strings",
        ValueKind.StringMap => "an object of string values",
        _ => "an object",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
