using System.Text.Json;
using Dukaan.Contract;

namespace Dukaan.Cli.Configuration;

public enum ValueKind { String, Boolean, Integer, Number, StringArray, StringMap, Object, ObjectArray }

/// <summary>
/// One key of the config file: its kind, what it means, its children (for objects), its range (for numbers), and a
/// check the JSON Schema cannot fully express (returns a problem, or null). The schema mirrors all but the check, which it
/// approximates where it can (a pattern, "not both").
/// </summary>
public sealed record KeyShape(ValueKind Kind, string Description)
{
    /// <summary>For an object, its keys; for an array of objects, the keys of each item.</summary>
    public IReadOnlyDictionary<string, KeyShape>? Children { get; init; }

    public double? Minimum { get; init; }

    /// <summary>The value must be greater than this (a timeout of 0 s would never let anything happen).</summary>
    public double? ExclusiveMinimum { get; init; }

    public double? Maximum { get; init; }

    /// <summary>For a string array: what one item is, so a wrong item is named as such (a field id, a block type).</summary>
    public string ItemNoun { get; init; } = "a field id";

    /// <summary>For an array (of strings or of objects): an item as the seller would write it, for the "must be an array" message.</summary>
    public string ItemExample { get; init; } = "\"business_name\"";

    public Func<JsonElement, string?>? Check { get; init; }

    /// <summary>Whether a number is within this key's range; the matching certify flag is held to the same one.</summary>
    public bool InRange(double value) =>
        !(Minimum is { } min && value < min || ExclusiveMinimum is { } exclusive && value <= exclusive || Maximum is { } max && value > max);
}

/// <summary>The config file's shape, in one place: the loader walks it, and a test holds the JSON Schema to it.</summary>
public static class ConfigShape
{
    /// <summary>What init writes when it cannot tell how the agent starts; certify refuses to run it.</summary>
    public const string PlaceholderPrefix = "TODO";

    public static readonly IReadOnlyDictionary<string, KeyShape> Root = Keys(
        ("$schema", new(ValueKind.String, "The JSON Schema this file follows, so editors complete and check it. Ignored by the harness.")),
        ("agent", new(ValueKind.Object, "How to reach the agent: start it (cmd, workdir, env) or point at one that is already running (url, log). Give cmd or url, not both.")
        {
            Check = OneTarget,
            Children = Keys(
                ("cmd", new(ValueKind.String, "Command that starts the agent (run with /bin/sh -c). It gets PORT, AGENTDUKAAN_API_URL, AGENTDUKAAN_WEBHOOK_SECRET, OPENAI_BASE_URL and a fresh TMPDIR. Flag: --agent-cmd.") { Check = NotPlaceholder }),
                ("workdir", new(ValueKind.String, "Working directory of cmd, relative to this file (default: the current directory). Flag: --agent-workdir.")),
                ("url", new(ValueKind.String, "Base URL of an agent that is already running, e.g. http://127.0.0.1:3000 (instead of cmd; needs --sim-port and --secret). Flag: --agent-url.") { Check = HttpUrl }),
                ("log", new(ValueKind.String, "With url: a file holding the agent's output, scanned for secrets; relative to this file. Flag: --agent-log.")),
                ("env", new(ValueKind.StringMap, "Extra environment variables for the agent, e.g. {\"AGENT_HEARTBEAT_MS\": \"500\"}. --agent-env KEY=VALUE adds to or replaces these.") { Check = EnvNames })),
        }),
        ("profile", new(ValueKind.String, "The contract to certify against: agentdukaan (default), wakeel, agentdoor or agentdoor-sender. Flag: --profile.") { Check = KnownProfile }),
        ("webhookPath", new(ValueKind.String, "Path of the agent's webhook route (default: the profile's, /hooks/agentdukaan for agentdukaan). Flag: --webhook-path.") { Check = AbsolutePath }),
        ("triggerUrl", new(ValueKind.String, "URL the harness POSTs {\"subscriptionId\":\"…\"} to for one billable run; {port} is replaced by the agent's port. Flag: --trigger-url.") { Check = TriggerUrl }),
        ("listing", new(ValueKind.Object, "Your listing's setup wizard, so generated buyers look like yours. Every sensitive field gets a unique canary value the harness searches for.")
        {
            Children = Keys(
                ("fields", new(ValueKind.StringArray, "Non-sensitive field ids (default [\"business_name\", \"language\"]).")),
                ("sensitiveFields", new(ValueKind.StringArray, "Sensitive field ids (default [\"openai_api_key\"]).")),
                ("providerKeyField", new(ValueKind.String, "The sensitive field holding the OpenAI-style key the simulated provider checks (default openai_api_key, or the only sensitive field).")),
                ("tier", new(ValueKind.Object, "The tier generated buyers subscribe to (default: a generated one).")
                {
                    Children = Keys(
                        ("name", new(ValueKind.String, "Tier name (default Test).")),
                        ("priceINR", new(ValueKind.Integer, "Monthly price in INR (default 999).") { Minimum = 0 }),
                        ("runLimitPerMonth", new(ValueKind.Integer, "Billable runs allowed per month (default 1000; at least 3, so the happy path is not cut short).") { Minimum = 3 })),
                }),
                ("capabilities", new(ValueKind.Object, "In-app chat (contract 002 §6): the ChatBlock types and actions your agent's replies use, and whether it pushes messages unprompted. Left out: the listing declares no chat, and no chat message reaches your agent.")
                {
                    Check = HasBlocks,
                    Children = Keys(
                        ("blocks", new(ValueKind.StringArray, "ChatBlock types your replies use, e.g. [\"text\", \"buttons\"]: text, markdown, buttons, form, table, image, list or progress (chart was removed from the kit).")
                        { ItemNoun = "a block type", ItemExample = "\"text\"", Check = KnownBlocks }),
                        ("actions", new(ValueKind.StringArray, "Actions your blocks may trigger, e.g. [\"open_url\"] (default: none).")
                        { ItemNoun = "an action name", ItemExample = "\"open_url\"" }),
                        ("proactive", new(ValueKind.Object, "Push: messages your agent sends without a buyer message first. Opt-in, with a daily quota and the categories your pushes use (default: no push).")
                        {
                            Check = CategoriesWhenEnabled,
                            Children = Keys(
                                ("enabled", new(ValueKind.Boolean, "true: your agent may push (default false).")),
                                ("maxPerDay", new(ValueKind.Integer, "Pushes per conversation per day the platform accepts (default 10).") { Minimum = 1 }),
                                ("categories", new(ValueKind.StringArray, "What your pushes are, each push naming one: alert, report, nudge or transactional.")
                                { ItemNoun = "a push category", ItemExample = "\"alert\"", Check = KnownCategories })),
                        })),
                })),
        }),
        ("rules", new(ValueKind.String, "Only rules matching these globs, e.g. \"DK-SIG-*,DK-RUN-02\" (default: all). Flag: --rules.")),
        ("strict", new(ValueKind.Boolean, "true: SHOULD rules that are not met fail the run (exit 1) instead of warning. Flag: --strict.")),
        ("seed", new(ValueKind.Integer, "Seed for generated buyers, configs and canaries; the same seed replays the same run (default 1). Flag: --seed.")),
        ("out", new(ValueKind.String, "Report folder, relative to this file (default: reports/<timestamp>/). Flag: --out.")),
        ("baseline", new(ValueKind.String, "Baseline file of accepted failures, relative to this file. Flag: --baseline.")),
        ("startupTimeout", new(ValueKind.Number, "Seconds to wait for the agent's port (default 30). Flag: --startup-timeout.") { ExclusiveMinimum = 0, Maximum = 600 }),
        ("quietWindow", new(ValueKind.Number, "Seconds to watch for forbidden actions after a bad delivery, a 403 or a 429 (default 1.5). Flag: --quiet-window.") { ExclusiveMinimum = 0, Maximum = 60 }),
        ("observationWindow", new(ValueKind.Number, "Seconds to wait for something the agent must do, e.g. a /config fetch; the wait ends as soon as it happens (default 30). Flag: --observation-window.") { ExclusiveMinimum = 0, Maximum = 600 }),
        ("runDeadline", new(ValueKind.Number, "Seconds the scenarios may take once the agent is up (default 150). Flag: --run-deadline.") { Minimum = 5, Maximum = 3600 }));

    private static Dictionary<string, KeyShape> Keys(params (string Name, KeyShape Shape)[] keys) =>
        keys.ToDictionary(k => k.Name, k => k.Shape, StringComparer.Ordinal);

    private static string? OneTarget(JsonElement agent) =>
        agent.TryGetProperty("cmd", out _) && agent.TryGetProperty("url", out _)
            ? "gives both cmd and url; keep cmd to have the harness start the agent, or url to use one that is already running"
            : null;

    private static string? NotPlaceholder(JsonElement value) =>
        value.GetString()!.StartsWith(PlaceholderPrefix, StringComparison.Ordinal)
            ? "is still the placeholder `init` wrote; put the command that starts your agent there, e.g. \"node server.js\""
            : null;

    private static string? HttpUrl(JsonElement value) =>
        Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null : $"must be an http(s) URL such as \"http://127.0.0.1:3000\", got {Json(value)}";

    private static string? TriggerUrl(JsonElement value) =>
        Uri.TryCreate(value.GetString()!.Replace("{port}", "1", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null : $"must be an absolute URL such as \"http://127.0.0.1:{{port}}/_test/trigger\", got {Json(value)}";

    private static string? KnownProfile(JsonElement value)
    {
        try { Dukaan.Conformance.Profiles.ProfileRegistry.Get(value.GetString()); return null; }
        catch (Dukaan.Conformance.Profiles.UnknownProfileException ex) { return ex.Message; }
    }

    private static string? AbsolutePath(JsonElement value) =>
        value.GetString()!.StartsWith('/') ? null : $"must start with '/', e.g. \"/hooks/agentdukaan\", got {Json(value)}";

    private static string? EnvNames(JsonElement value) =>
        value.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n.Length == 0 || n.Contains('=', StringComparison.Ordinal)) is { } bad
            ? $"has {JsonSerializer.Serialize(bad)} as a variable name; names are non-empty and have no '='"
            : null;

    private static string? HasBlocks(JsonElement capabilities) =>
        capabilities.TryGetProperty("blocks", out _)
            ? null : "has no \"blocks\"; name the ChatBlock types your replies use, e.g. \"blocks\": [\"text\"] (or leave capabilities out: no chat)";

    // chart is named on its own: it was a block type until 002 §6.5 removed it, so old manifests still carry it.
    private static string? KnownBlocks(JsonElement blocks) =>
        Unknown(blocks, ChatBlockKit.RendererBlocks) is not { } bad ? null
        : bad.Value == ChatBlockKit.Chart ? $"has \"chart\" at [{bad.Index}], which the ChatBlock kit removed (002 §6.5); drop it, or draw the chart as an image or a table"
        : $"has {JsonSerializer.Serialize(bad.Value)} at [{bad.Index}], which is not a ChatBlock type; known: {string.Join(", ", ChatBlockKit.RendererBlocks)}";

    private static string? KnownCategories(JsonElement categories) =>
        Unknown(categories, ProactiveManifest.AllCategories) is { } bad
            ? $"has {JsonSerializer.Serialize(bad.Value)} at [{bad.Index}], which is not a push category; known: {string.Join(", ", ProactiveManifest.AllCategories)}"
            : null;

    private static (int Index, string Value)? Unknown(JsonElement array, IReadOnlyList<string> known)
    {
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (!known.Contains(item.GetString()!, StringComparer.Ordinal)) return (index, item.GetString()!);
            index++;
        }
        return null;
    }

    private static string? CategoriesWhenEnabled(JsonElement proactive) =>
        proactive.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.True
        && (!proactive.TryGetProperty("categories", out var categories) || categories.ValueKind == JsonValueKind.Array && categories.GetArrayLength() == 0)
            ? "enables push but names no categories; add e.g. \"categories\": [\"alert\"] (each push must name one of them)"
            : null;

    private static string Json(JsonElement value) => value.GetRawText();
}
