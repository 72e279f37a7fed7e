using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dukaan.Cli.Configuration;
using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Profiles.AgentDukaanPlatform;

namespace Dukaan.Cli.Fleet;

/// <summary>
/// Reads a fleet file. Problems come back all at once in a <see cref="FleetFileException"/>, each with its JSON path
/// and how to fix it: a typo in agent 40 of 500 is found before agent 1 starts, not an hour later.
/// </summary>
public static class FleetFileLoader
{
    public const string Example = "{ \"name\": \"my-fleet\", \"agents\": [{ \"name\": \"my-agent\", \"cmd\": \"node server.js\" }] }";

    public static FleetFile Load(string path)
    {
        var full = Path.GetFullPath(path);
        var shown = ConfigFileLoader.Shown(full);
        if (Directory.Exists(full))
            throw new FleetFileException(shown, ["is a folder; give the fleet file itself (a .json file listing the agents, see docs/fleet.md)"]);
        if (!File.Exists(full))
            throw new FleetFileException(shown, ["the file does not exist; give the path of a fleet file (a .json file listing the agents, see docs/fleet.md)"]);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(full); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetFileException(shown, [$"cannot be read: {ex.Message}"]);
        }
        var text = new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
            throw new FleetFileException(shown, [$"the file is empty; a fleet file lists its agents, e.g. {Example}"]);

        using var doc = ConfigFileLoader.Parse(text, problem => new FleetFileException(shown, [problem]));
        var root = doc.RootElement;
        var problems = ConfigValidator.Problems(root, FleetShape.Root, "{ \"agents\": [ … ] }").ToList();
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (!root.TryGetProperty("agents", out var agents))
                problems.Add($"$ has no \"agents\"; list the agents to certify, e.g. {Example}");
            else if (agents.ValueKind == JsonValueKind.Array)
                problems.AddRange(AgentProblems(agents, root.TryGetProperty("defaults", out var d) && d.ValueKind == JsonValueKind.Object ? Str(d, "profile") : null));
        }
        if (problems.Count > 0) throw new FleetFileException(shown, problems);
        return Read(root, full, shown, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>What the per-key walk cannot see: names unique, one target per agent, and what each target needs.</summary>
    private static IEnumerable<string> AgentProblems(JsonElement agents, string? defaultProfile)
    {
        var names = new Dictionary<string, (int Index, string Name)>(StringComparer.OrdinalIgnoreCase);
        var index = -1;
        foreach (var agent in agents.EnumerateArray())
        {
            index++;
            if (agent.ValueKind != JsonValueKind.Object) continue;
            var at = $"$.agents[{index}]";
            var name = Str(agent, "name");
            if (!agent.TryGetProperty("name", out _))
                yield return $"{at} has no \"name\"; give every agent one, e.g. \"name\": \"node-agent\" (it names the agent's report folder)";
            else if (name is not null && FleetShape.IsAgentName(name))
            {
                if (names.TryGetValue(name, out var first))
                    yield return first.Name == name
                        ? $"{at}.name \"{name}\" is also the name of $.agents[{first.Index}]; give each agent its own name (it names its report folder)"
                        : $"{at}.name \"{name}\" differs from $.agents[{first.Index}]'s \"{first.Name}\" only in case; names must differ in more than case (they name folders, and some file systems ignore case)";
                else names[name] = (index, name);
                at = $"{at} ({name})";
            }

            var cmd = Has(agent, "cmd");
            var url = Has(agent, "url");
            var profile = Str(agent, "profile") ?? defaultProfile;
            var knownProfile = profile is null || ProfileRegistry.All.Any(p => p.Info.Id == profile);
            var platform = profile == PlatformProfile.Id;
            if (cmd && url)
                yield return $"{at} gives both cmd and url; keep cmd to have the harness start the agent, or url to use one that is already running";
            if (!cmd && !url && !Has(agent, "settings") && knownProfile && !platform && (profile ?? ProfileRegistry.DefaultId) != ProfileRegistry.DefaultId)
                yield return $"{at} gives neither cmd nor url; give \"cmd\" to have the harness start the agent, or \"url\" (with \"simPort\" and \"secretEnv\") for one that is already running "
                    + $"(only {ProfileRegistry.DefaultId} has a bundled agent to fall back on)";
            if (platform && cmd)
                yield return $"{at}.cmd makes no sense with profile {PlatformProfile.Id}: the harness plays the agent and certifies the platform; drop cmd to certify the bundled simulator, or give url and secretEnv for another platform";
            if (url && !Has(agent, "secretEnv"))
                yield return platform
                    ? $"{at} has a url but no \"secretEnv\"; name the environment variable holding the listing's webhook secret the platform signs with"
                    : $"{at} has a url but no \"secretEnv\"; name the environment variable holding the webhook secret the running agent was started with (AGENTDUKAAN_WEBHOOK_SECRET)";
            if (url && !platform && !Has(agent, "simPort"))
                yield return $"{at} has a url but no \"simPort\"; give the port the running agent was started against (AGENTDUKAAN_API_URL=http://127.0.0.1:PORT)";
            if (!url)
            {
                foreach (var (key, why) in new[]
                {
                    ("secretEnv", "an agent the harness starts gets a fresh generated secret"),
                    ("simPort", "an agent the harness starts gets a simulator on a free port"),
                    ("log", "the output of an agent the harness starts is captured directly"),
                })
                    if (Has(agent, key)) yield return $"{at}.{key} only applies with url ({why}); remove it, or give url";
            }
            else if (Has(agent, "workdir"))
                yield return $"{at}.workdir only applies with cmd (an agent at a url is already running where it runs); remove it";
        }
    }

    private static bool Has(JsonElement e, string name) => e.TryGetProperty(name, out _);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static FleetFile Read(JsonElement root, string full, string shown, string digest)
    {
        var dir = Path.GetDirectoryName(full)!;
        string? PathIn(JsonElement e, string name) => Str(e, name) is { } p ? Path.GetFullPath(Path.Combine(dir, p)) : null;
        var defaults = root.TryGetProperty("defaults", out var d) ? ReadSettings(d) : new FleetSettings();
        var agents = root.GetProperty("agents").EnumerateArray().Select((a, i) => new FleetFileAgent(i, Str(a, "name")!)
        {
            Cmd = Str(a, "cmd"),
            Workdir = PathIn(a, "workdir"),
            Url = Str(a, "url"),
            Log = PathIn(a, "log"),
            SecretEnv = Str(a, "secretEnv"),
            SimPort = a.TryGetProperty("simPort", out var port) ? port.GetInt32() : null,
            SettingsFile = PathIn(a, "settings"),
            Baseline = PathIn(a, "baseline"),
            Settings = ReadSettings(a),
        }).ToList();
        var name = Str(root, "name") ?? Path.GetFileNameWithoutExtension(full);
        return new FleetFile(full, shown, name, digest, defaults, agents);
    }

    private static FleetSettings ReadSettings(JsonElement e)
    {
        double? Num(string name) => e.TryGetProperty(name, out var v) ? v.GetDouble() : null;
        return new FleetSettings
        {
            Profile = Str(e, "profile"),
            Env = e.TryGetProperty("env", out var env)
                ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal),
            TriggerUrl = Str(e, "triggerUrl"),
            WebhookPath = Str(e, "webhookPath"),
            Rules = Str(e, "rules"),
            Strict = e.TryGetProperty("strict", out var s) ? s.GetBoolean() : null,
            StartupTimeout = Num("startupTimeout"),
            QuietWindow = Num("quietWindow"),
            ObservationWindow = Num("observationWindow"),
            RunDeadline = Num("runDeadline"),
        };
    }
}
