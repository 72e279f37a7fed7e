namespace Dukaan.Cli.Configuration;

public enum ValueKind { String, Boolean, Integer, Number, StringArray, StringMap, Object }

/// <summary>One key of the config file: its kind, its children (for objects), and what it means (shared with the schema).</summary>
public sealed record KeyShape(ValueKind Kind, string Description, IReadOnlyDictionary<string, KeyShape>? Children = null, double? Minimum = null);

/// <summary>The config file's shape, in one place: the loader walks it, and a test holds the JSON Schema to it.</summary>
public static class ConfigShape
{
    private static Dictionary<string, KeyShape> Keys(params (string Name, KeyShape Shape)[] keys) => keys.ToDictionary(k => k.Name, k => k.Shape, StringComparer.Ordinal);

    public static readonly IReadOnlyDictionary<string, KeyShape> Root = Keys(
        ("agent", new(ValueKind.Object, "How to reach the agent: start it (cmd, workdir) or point at it (url, log).", Keys(
            ("cmd", new(ValueKind.String, "Command that starts the agent (run with /bin/sh -c).")),
            ("workdir", new(ValueKind.String, "Working directory of cmd, relative to this file.")),
            ("url", new(ValueKind.String, "Base URL of an agent that is already running (instead of cmd).")),
            ("log", new(ValueKind.String, "With url: the agent's log file, scanned for secrets; relative to this file.")),
            ("env", new(ValueKind.StringMap, "Extra environment variables for the agent."))))),
        ("webhookPath", new(ValueKind.String, "Path of the agent's webhook route (default /hooks/agentdukaan).")),
        ("triggerUrl", new(ValueKind.String, "URL the harness POSTs {\"subscriptionId\"} to for one billable run; {port} is the agent's port.")),
        ("listing", new(ValueKind.Object, "The listing's setup wizard, so generated buyers look like yours.", Keys(
            ("fields", new(ValueKind.StringArray, "Non-sensitive field ids.")),
            ("sensitiveFields", new(ValueKind.StringArray, "Sensitive field ids: each gets a unique canary value.")),
            ("providerKeyField", new(ValueKind.String, "The sensitive field holding the OpenAI-style key the simulated provider checks.")),
            ("tier", new(ValueKind.Object, "The tier generated buyers subscribe to.", Keys(
                ("name", new(ValueKind.String, "Tier name.")),
                ("priceINR", new(ValueKind.Integer, "Price in INR.", Minimum: 0)),
                ("runLimitPerMonth", new(ValueKind.Integer, "Runs allowed per month (at least 3).", Minimum: 3)))))))),
        ("rules", new(ValueKind.String, "Only rules matching these globs, e.g. DK-SIG-*,DK-RUN-02.")),
        ("strict", new(ValueKind.Boolean, "SHOULD rules that are not met fail the run.")),
        ("seed", new(ValueKind.Integer, "Seed for generated buyers and canaries.")),
        ("out", new(ValueKind.String, "Report folder, relative to this file.")),
        ("baseline", new(ValueKind.String, "Baseline file of accepted failures, relative to this file.")),
        ("startupTimeout", new(ValueKind.Number, "Seconds to wait for the agent's port.", Minimum: 0)),
        ("quietWindow", new(ValueKind.Number, "Seconds to watch for forbidden actions.", Minimum: 0)),
        ("observationWindow", new(ValueKind.Number, "Seconds to wait for something the agent must do.", Minimum: 0)),
        ("runDeadline", new(ValueKind.Number, "Seconds the scenarios may take once the agent is up.", Minimum: 5)));
}
