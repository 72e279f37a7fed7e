using System.Text.Json;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Tests;

public sealed class ConfigFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-config-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DukaanConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private string Write(string json, string name = ConfigFile.FileName)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public void The_shipped_example_loads_and_resolves_paths_against_its_own_folder()
    {
        var path = Path.Combine(Root(), "fixtures", "config", "dukaan-conformance.example.json");
        var config = ConfigFileLoader.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(config.Agent!.Cmd, Is.EqualTo("node ../agents/node/server.js"));
            Assert.That(config.Agent.Workdir, Is.EqualTo(Path.GetDirectoryName(path)));
            Assert.That(config.Out, Is.EqualTo(Path.Combine(Root(), "reports", "example")));
            Assert.That(config.Listing!.Tier!.RunLimitPerMonth, Is.EqualTo(6000));
            Assert.That(config.Agent.Env, Does.ContainKey("AGENT_HEARTBEAT_MS"));
        });
    }

    [Test]
    public void Every_problem_is_reported_at_once_with_its_json_path()
    {
        var path = Write("""{ "agent": { "cmdd": "x", "env": { "A": 1 } }, "strict": "yes", "listing": { "tier": { "runLimitPerMonth": 1 } }, "seeed": 3, "rules": ["DK-*"] }""");
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(path))!;
        Assert.That(ex.Problems, Is.EquivalentTo(new[]
        {
            "$.agent.cmdd is not a known key (did you mean \"cmd\"?).",
            "$.agent.env.A must be a string (environment values are text: write \"1\"), got the number 1.",
            "$.strict must be true or false, got the string \"yes\".",
            "$.listing.tier.runLimitPerMonth must be at least 3, got 1.",
            "$.seeed is not a known key (did you mean \"seed\"?).",
            "$.rules must be a string, got an array.",
        }));
    }

    [TestCase("{ \"agent\": ", "not valid JSON")]
    [TestCase("[1]", "$ must be a JSON object")]
    [TestCase("{ \"zzzzzzzz\": 1 }", "known here:")]
    public void Broken_files_get_clear_messages(string json, string expected)
    {
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(Write(json)))!;
        Assert.That(ex.Message, Does.Contain(expected));
    }

    [Test]
    public void A_missing_file_named_with_config_is_an_error()
    {
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(Path.Combine(_dir, "nope.json")))!;
        Assert.That(ex.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void Flags_override_the_file_and_the_file_overrides_defaults()
    {
        var path = Write("""{ "agent": { "cmd": "node a.js", "env": { "A": "file", "B": "file" } }, "seed": 5, "strict": true, "quietWindow": 3, "webhookPath": "/hooks/x" }""");
        var fromFile = CertifyCommand.ResolveFor("--config", path);
        var overridden = CertifyCommand.ResolveFor("--config", path, "--seed", "9", "--agent-cmd", "python3 b.py", "--agent-env", "B=flag", "--webhook-path", "/hooks/y");
        Assert.Multiple(() =>
        {
            Assert.That((fromFile.AgentCmd, fromFile.Seed, fromFile.Strict, fromFile.QuietWindow, fromFile.WebhookPath), Is.EqualTo(("node a.js", 5, true, 3.0, "/hooks/x")));
            Assert.That(fromFile.ObservationWindow, Is.EqualTo(30), "a default the file does not set");
            Assert.That((overridden.AgentCmd, overridden.Seed, overridden.WebhookPath), Is.EqualTo(("python3 b.py", 9, "/hooks/y")));
            Assert.That(overridden.Env, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "file", ["B"] = "flag" }));
            Assert.That(overridden.Strict, Is.True, "not given on the command line, so the file's value stands");
        });
    }

    [Test]
    public void The_json_schema_and_the_loader_know_exactly_the_same_keys()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root(), "schemas", "dukaan-conformance.schema.json")));
        static IEnumerable<string> FromSchema(JsonElement node, string at)
        {
            if (!node.TryGetProperty("properties", out var props)) yield break;
            foreach (var p in props.EnumerateObject().Where(p => p.Name != "$schema"))
            {
                yield return $"{at}.{p.Name}";
                foreach (var child in FromSchema(p.Value, $"{at}.{p.Name}")) yield return child;
            }
        }
        static IEnumerable<string> FromShape(IReadOnlyDictionary<string, KeyShape> shape, string at) =>
            shape.SelectMany(k => new[] { $"{at}.{k.Key}" }.Concat(k.Value.Children is { } c ? FromShape(c, $"{at}.{k.Key}") : []));
        Assert.That(FromSchema(schema.RootElement, "$"), Is.EquivalentTo(FromShape(ConfigShape.Root, "$")));
        Assert.That(schema.RootElement.GetProperty("additionalProperties").GetBoolean(), Is.False);
    }
}

public sealed class ConfigArrayItemTests
{
    [Test]
    public void A_wrong_item_in_a_field_list_is_named_by_index()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dukaan-config-").FullName, "c.json");
        File.WriteAllText(path, """{ "listing": { "sensitiveFields": ["openai_api_key", 7] } }""");
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(path))!;
        Assert.That(ex.Problems, Is.EqualTo(new[] { "$.listing.sensitiveFields[1] must be a string (a field id), got the number 7." }));
    }
}
