using System.Text;
using System.Text.Json;

namespace Dukaan.Cli.Configuration;

/// <summary>
/// Finds and reads dukaan-conformance.json. Problems come back all at once in a <see cref="ConfigFileException"/>, each
/// with the JSON path (or the line and column) and what was expected; a bad file never surfaces as a stack trace.
/// </summary>
public static class ConfigFileLoader
{
    /// <summary>The config file in <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Find(string directory)
    {
        var path = Path.Combine(directory, ConfigFile.FileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Reads the file at <paramref name="path"/> (or the config file inside it, when it is a folder).</summary>
    public static ConfigFile Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) full = Path.Combine(full, ConfigFile.FileName);
        var shown = Shown(full);
        if (!File.Exists(full))
            throw new ConfigFileException(shown, [$"the file does not exist; give the path of a {ConfigFile.FileName}, or run `dukaan-conformance init` to write a starter one"]);

        string text;
        try { text = File.ReadAllText(full); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException(shown, [$"cannot be read: {ex.Message}"]);
        }
        if (string.IsNullOrWhiteSpace(text))
            throw new ConfigFileException(shown, ["the file is empty; write {} to use the defaults, or run `dukaan-conformance init` for a starter file"]);

        using var doc = Parse(text, problem => new ConfigFileException(shown, [problem]));
        var problems = ConfigValidator.Problems(doc.RootElement).ToList();
        // The listing's own rules (the provider key is sensitive, no field twice) only make sense once its types are right.
        var listingTyped = doc.RootElement.ValueKind == JsonValueKind.Object && !problems.Any(p => p.StartsWith("$.listing", StringComparison.Ordinal));
        ListingSection? listing = null;
        if (listingTyped && doc.RootElement.TryGetProperty("listing", out var listingElement))
        {
            listing = ReadListing(listingElement);
            if (listing.ToProfile().Problem() is { } listingProblem) problems.Add($"$.listing: {listingProblem}");
        }
        if (problems.Count > 0) throw new ConfigFileException(shown, problems);
        // With no problems at all the listing's types were right, so it was read above (or the file has none).
        return Read(doc.RootElement, full, shown, listing);
    }

    /// <summary>Parses JSON text; a syntax error becomes <paramref name="fail"/>'s exception over one line with the line, column and a hint.</summary>
    internal static JsonDocument Parse(string text, Func<string, Exception> fail)
    {
        try { return JsonDocument.Parse(text); }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line && ex.BytePositionInLine is { } bytes ? $" at line {line + 1}, column {Column(text, (int)line, (int)bytes)}" : "";
            // The parser quotes the bytes it choked on, line breaks included; a problem stays one line.
            var reason = ex.Message.Split([" LineNumber:", " Path:"], StringSplitOptions.None)[0].TrimEnd('.', ' ')
                .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            throw fail($"not valid JSON{where}: {reason}{Hint(text)}");
        }
    }

    /// <summary>The two things people carry over from JSONC and JavaScript, named, since the parser's message does not.</summary>
    private static string Hint(string text)
    {
        static bool Parses(string text, JsonDocumentOptions options)
        {
            try { JsonDocument.Parse(text, options).Dispose(); return true; }
            catch (JsonException) { return false; }
        }
        if (Parses(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }))
            return " (JSON has no comments: write notes as \"$comment\" keys instead)";
        if (Parses(text, new JsonDocumentOptions { AllowTrailingCommas = true }))
            return " (JSON allows no comma before } or ])";
        if (Parses(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
            return " (JSON has no comments and no comma before } or ]: write notes as \"$comment\" keys)";
        return "";
    }

    /// <summary>The parser counts bytes; an editor counts characters.</summary>
    private static int Column(string text, int line, int bytes)
    {
        var lines = text.Split('\n');
        if (line >= lines.Length) return bytes + 1;
        var utf8 = Encoding.UTF8.GetBytes(lines[line]);
        return Encoding.UTF8.GetString(utf8, 0, Math.Min(bytes, utf8.Length)).Length + 1;
    }

    private static ConfigFile Read(JsonElement root, string full, string shown, ListingSection? listing)
    {
        var dir = Path.GetDirectoryName(full)!;
        string? PathIn(JsonElement e, string name) => Str(e, name) is { } p ? Path.GetFullPath(Path.Combine(dir, p)) : null;
        double? Num(string name) => root.TryGetProperty(name, out var v) ? v.GetDouble() : null;
        AgentSection? agent = null;
        if (root.TryGetProperty("agent", out var a))
            agent = new AgentSection
            {
                Cmd = Str(a, "cmd"),
                Workdir = PathIn(a, "workdir"),
                Url = Str(a, "url"),
                Log = PathIn(a, "log"),
                Env = a.TryGetProperty("env", out var env) ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal) : null,
            };
        return new ConfigFile
        {
            FullPath = full,
            ShownPath = shown,
            Agent = agent,
            Profile = Str(root, "profile"),
            WebhookPath = Str(root, "webhookPath"),
            TriggerUrl = Str(root, "triggerUrl"),
            Listing = listing,
            Rules = Str(root, "rules"),
            Strict = root.TryGetProperty("strict", out var s) ? s.GetBoolean() : null,
            Seed = root.TryGetProperty("seed", out var seed) ? seed.GetInt32() : null,
            Out = PathIn(root, "out"),
            Baseline = PathIn(root, "baseline"),
            StartupTimeout = Num("startupTimeout"),
            QuietWindow = Num("quietWindow"),
            ObservationWindow = Num("observationWindow"),
            RunDeadline = Num("runDeadline"),
        };
    }

    private static ListingSection ReadListing(JsonElement l)
    {
        IReadOnlyList<string>? List(string name) => Strings(l, name);
        TierSection? tier = null;
        if (l.TryGetProperty("tier", out var t))
            tier = new TierSection
            {
                Name = Str(t, "name"),
                PriceInr = t.TryGetProperty("priceINR", out var p) ? p.GetInt32() : null,
                RunLimitPerMonth = t.TryGetProperty("runLimitPerMonth", out var r) ? r.GetInt32() : null,
            };
        return new ListingSection
        {
            Fields = List("fields"), SensitiveFields = List("sensitiveFields"), ProviderKeyField = Str(l, "providerKeyField"), Tier = tier,
            Capabilities = l.TryGetProperty("capabilities", out var c) ? ReadCapabilities(c) : null,
        };
    }

    private static CapabilitiesSection ReadCapabilities(JsonElement c)
    {
        ProactiveSection? proactive = null;
        if (c.TryGetProperty("proactive", out var p))
            proactive = new ProactiveSection
            {
                Enabled = p.TryGetProperty("enabled", out var e) ? e.GetBoolean() : null,
                MaxPerDay = p.TryGetProperty("maxPerDay", out var m) ? m.GetInt32() : null,
                Categories = Strings(p, "categories"),
            };
        return new CapabilitiesSection { Blocks = Strings(c, "blocks"), Actions = Strings(c, "actions"), Proactive = proactive };
    }

    private static IReadOnlyList<string>? Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? [.. v.EnumerateArray().Select(x => x.GetString()!)] : null;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    /// <summary>Relative to the current directory when it is below it, as the seller typed it; else absolute.</summary>
    internal static string Shown(string full)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
