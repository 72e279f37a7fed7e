using System.Text.Json;
using System.Text.RegularExpressions;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Fleet;

/// <summary>
/// The fleet file's shape, in one place: the loader walks it (with the settings file's validator, so both files speak
/// the same messages) and a test holds schemas/fleet.schema.json to it. Keys that also exist in dukaan-conformance.json
/// keep that file's name, type, range and check, so a value moves between the two files unchanged.
/// </summary>
public static partial class FleetShape
{
    /// <summary>An agent's name becomes its report folder (agents/&lt;name&gt;/): no path separators, no leading dot.</summary>
    public const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

    /// <summary>The longest name: folder names and report tables stay readable.</summary>
    public const int NameMaxLength = 100;

    public const string EnvNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    private static readonly IReadOnlyDictionary<string, KeyShape> Settings = ConfigShape.Root;
    private static readonly IReadOnlyDictionary<string, KeyShape> AgentSettings = ConfigShape.Root["agent"].Children!;

    /// <summary>What "defaults" may say, and every agent too (the agent's value wins).</summary>
    public static readonly IReadOnlyDictionary<string, KeyShape> Shared = Keys(
        ("profile", Settings["profile"] with { Description = "The contract to certify against: agentdukaan (default), wakeel, agentdoor, agentdoor-sender or agentdukaan-platform. Flag of certify: --profile." }),
        ("env", AgentSettings["env"] with { Description = "Extra environment variables for the agent, e.g. {\"AGENT_HEARTBEAT_MS\": \"500\"}. An agent's env adds to the defaults' env (its value wins for the same name). Flag of certify: --agent-env." }),
        ("triggerUrl", Settings["triggerUrl"] with { Description = "URL the harness POSTs {\"subscriptionId\":\"…\"} to for one billable run; {port} is replaced by the agent's port. Flag of certify: --trigger-url." }),
        ("webhookPath", Settings["webhookPath"] with { Description = "Path of the agent's webhook route (default: the profile's, /hooks/agentdukaan for agentdukaan). Flag of certify: --webhook-path." }),
        ("rules", Settings["rules"] with { Description = "Only rules matching these globs, e.g. \"DK-SIG-*,DK-RUN-02\" (default: all). Flag of certify: --rules." }),
        ("strict", Settings["strict"] with { Description = "true: SHOULD rules that are not met fail the agent (exit 1) instead of warning. Flag of certify: --strict." }),
        ("startupTimeout", Settings["startupTimeout"] with { Description = "Seconds to wait for the agent's port (default 30). Flag of certify: --startup-timeout." }),
        ("quietWindow", Settings["quietWindow"] with { Description = "Seconds to watch for forbidden actions after a bad delivery, a 403 or a 429 (default 1.5). Flag of certify: --quiet-window." }),
        ("observationWindow", Settings["observationWindow"] with { Description = "Seconds to wait for something the agent must do, e.g. a /config fetch; the wait ends as soon as it happens (default 30). Flag of certify: --observation-window." }),
        ("runDeadline", Settings["runDeadline"] with { Description = "Seconds the scenarios may take once the agent is up (default 150). Flag of certify: --run-deadline." }));

    /// <summary>One agent of the fleet: its name, its target, and the settings it overrides.</summary>
    public static readonly IReadOnlyDictionary<string, KeyShape> Agent = Keys(
        [
            ("name", new(ValueKind.String, "The agent's name: unique in the fleet, letters, digits, '.', '_' and '-' (it names the agent's report folder, agents/<name>/).") { Check = AgentName }),
            ("cmd", AgentSettings["cmd"] with { Description = "Command that starts the agent (run with /bin/sh -c in workdir). It gets PORT, AGENTDUKAAN_API_URL, AGENTDUKAAN_WEBHOOK_SECRET, OPENAI_BASE_URL and a fresh TMPDIR of its own. Give cmd or url, not both. Flag of certify: --agent-cmd." }),
            ("workdir", AgentSettings["workdir"] with { Description = "Working directory of cmd, relative to the fleet file (default: the fleet file's folder, or what settings says). Flag of certify: --agent-workdir." }),
            ("url", AgentSettings["url"] with { Description = "Base URL of an agent that is already running, e.g. http://127.0.0.1:3000 (instead of cmd; needs simPort and secretEnv). With profile agentdukaan-platform: the platform's control adapter (certify's --platform-url). Flag of certify: --agent-url." }),
            ("log", AgentSettings["log"] with { Description = "With url: a file holding the agent's output, scanned for secrets; relative to the fleet file. Flag of certify: --agent-log." }),
            ("secretEnv", new(ValueKind.String, "With url: the name of the environment variable holding the webhook secret the running agent (or platform) was started with. The secret itself never sits in the fleet file. Flag of certify: --secret.") { Check = EnvName }),
            ("simPort", new(ValueKind.Integer, "With url: the port of the harness's simulator the running agent was started against (AGENTDUKAAN_API_URL=http://127.0.0.1:PORT). Flag of certify: --sim-port.") { Minimum = 1, Maximum = 65535 }),
            ("settings", new(ValueKind.String, "The agent's dukaan-conformance.json, relative to the fleet file: its listing and anything the fleet file does not say for this agent.")),
            ("baseline", Settings["baseline"] with { Description = "Baseline file of accepted failures for this agent, relative to the fleet file. Flag of certify: --baseline." }),
            .. Shared.Select(k => (k.Key, k.Value)),
        ]);

    public static readonly IReadOnlyDictionary<string, KeyShape> Root = Keys(
        ("$schema", Settings["$schema"]),
        ("name", new(ValueKind.String, "The fleet's name in reports (default: the file name without .json).")),
        ("defaults", new(ValueKind.Object, "Settings every agent gets unless it says otherwise; they also win over each agent's settings file.") { Children = Shared }),
        ("agents", new(ValueKind.ObjectArray, "The agents to certify, in order: shard I of N certifies the agents at positions I, I+N, I+2N… (counting from 1).")
        {
            Children = Agent,
            ItemExample = "{ \"name\": \"my-agent\", \"cmd\": \"node server.js\" }",
            Check = NotEmpty,
        }));

    private static Dictionary<string, KeyShape> Keys(params (string Name, KeyShape Shape)[] keys) =>
        keys.ToDictionary(k => k.Name, k => k.Shape, StringComparer.Ordinal);

    [GeneratedRegex(NamePattern)]
    private static partial Regex NameRegex();

    [GeneratedRegex(EnvNamePattern)]
    private static partial Regex EnvNameRegex();

    /// <summary>Whether <paramref name="name"/> can be an agent's name (and so a folder name).</summary>
    public static bool IsAgentName(string name) => name.Length <= NameMaxLength && NameRegex().IsMatch(name);

    private static string? AgentName(JsonElement value) =>
        IsAgentName(value.GetString()!) ? null
        : $"must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most {NameMaxLength}), e.g. \"node-agent.v2\": it names the agent's report folder; got {value.GetRawText()}";

    private static string? EnvName(JsonElement value) =>
        EnvNameRegex().IsMatch(value.GetString()!) ? null
        : $"must be an environment variable's name such as \"STAGING_SECRET\" (letters, digits and '_'), got {value.GetRawText()}; the secret itself never goes in the fleet file";

    private static string? NotEmpty(JsonElement value) =>
        value.GetArrayLength() > 0 ? null : "is empty; list at least one agent, e.g. [{ \"name\": \"my-agent\", \"cmd\": \"node server.js\" }]";
}
