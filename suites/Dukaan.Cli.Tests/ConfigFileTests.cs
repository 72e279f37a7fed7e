using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Tests;

public sealed class ConfigFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-config-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string Write(string json, string name = ConfigFile.FileName)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
        return path;
    }

    private IReadOnlyList<string> ProblemsOf(string json) => Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(Write(json)))!.Problems;

    [Test]
    public void The_shipped_example_loads_without_problems_and_resolves_paths_against_its_own_folder()
    {
        var path = Path.Combine(Repo.Root, "fixtures", "config", "dukaan-conformance.example.json");
        var config = ConfigFileLoader.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(config.Agent!.Cmd, Is.EqualTo("node server.js"));
            Assert.That(config.Agent.Workdir, Is.EqualTo(Path.Combine(Repo.Root, "fixtures", "agents", "node")));
            Assert.That(Directory.Exists(config.Agent.Workdir), "the example points at the Node fixture agent");
            Assert.That(config.Out, Is.EqualTo(Path.Combine(Repo.Root, "reports", "example")));
            Assert.That(config.Agent.Env, Is.EquivalentTo(new Dictionary<string, string> { ["AGENT_HEARTBEAT_MS"] = "500" }));
            Assert.That(config.Listing!.Tier, Is.EqualTo(new TierSection { Name = "Growth", PriceInr = 3999, RunLimitPerMonth = 6000 }));
            Assert.That((config.Strict, config.Seed, config.StartupTimeout, config.QuietWindow), Is.EqualTo((false, 1, 30.0, 1.5)));
        });
    }

    [Test]
    public void Find_looks_only_for_the_default_name_in_the_given_folder()
    {
        Assert.That(ConfigFileLoader.Find(_dir), Is.Null);
        Write("{}", "other.json");
        Assert.That(ConfigFileLoader.Find(_dir), Is.Null);
        var path = Write("{}");
        Assert.That(ConfigFileLoader.Find(_dir), Is.EqualTo(path));
    }

    [Test]
    public void An_empty_object_means_every_setting_is_left_to_flags_and_defaults()
    {
        var config = ConfigFileLoader.Load(Write("{}"));
        Assert.That(config with { FullPath = "", ShownPath = "" }, Is.EqualTo(new ConfigFile { FullPath = "", ShownPath = "" }));
        Assert.That(config.FullPath, Is.EqualTo(Path.Combine(_dir, ConfigFile.FileName)));
    }

    [Test]
    public void A_folder_given_as_the_file_means_the_config_file_inside_it()
    {
        Write("""{ "seed": 7 }""");
        Assert.That(ConfigFileLoader.Load(_dir).Seed, Is.EqualTo(7));
    }

    [Test]
    public void Relative_paths_are_relative_to_the_file_not_to_the_current_directory()
    {
        var path = Write("""{ "agent": { "workdir": "agent", "log": "logs/agent.log" }, "out": "../reports/x", "baseline": "ci/baseline.json" }""", Path.Combine("project", "conf", ConfigFile.FileName));
        var conf = Path.GetDirectoryName(path)!;
        var config = ConfigFileLoader.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetCurrentDirectory(), Is.Not.EqualTo(conf), "the test must not pass by accident");
            Assert.That(config.Agent!.Workdir, Is.EqualTo(Path.Combine(conf, "agent")));
            Assert.That(config.Agent.Log, Is.EqualTo(Path.Combine(conf, "logs", "agent.log")));
            Assert.That(config.Out, Is.EqualTo(Path.Combine(_dir, "project", "reports", "x")));
            Assert.That(config.Baseline, Is.EqualTo(Path.Combine(conf, "ci", "baseline.json")));
        });
    }

    [Test]
    public void Absolute_paths_and_non_path_strings_are_kept_as_written()
    {
        var config = ConfigFileLoader.Load(Write("""{ "agent": { "cmd": "node ./server.js", "workdir": "/srv/agent" }, "triggerUrl": "http://127.0.0.1:{port}/t" }"""));
        Assert.That((config.Agent!.Cmd, config.Agent.Workdir, config.TriggerUrl), Is.EqualTo(("node ./server.js", "/srv/agent", "http://127.0.0.1:{port}/t")));
    }

    [Test]
    public void Comments_are_allowed_anywhere_as_comment_keys_and_must_be_text()
    {
        var config = ConfigFileLoader.Load(Write("""{ "$comment": "a", "agent": { "$comment": "b", "$comment:why": "c", "cmd": "x" }, "listing": { "tier": { "$comment": "d", "name": "T" } } }"""));
        Assert.That((config.Agent!.Cmd, config.Listing!.Tier!.Name), Is.EqualTo(("x", "T")));
        Assert.That(ProblemsOf("""{ "agent": { "$comment": 3 } }"""), Is.EqualTo(new[] { "$.agent.$comment must be a string (a note for people), got 3" }));
    }

    [Test]
    public void Schema_is_a_key_of_the_root_only()
    {
        Assert.That(ConfigFileLoader.Load(Write("""{ "$schema": "./s.json" }""")).Agent, Is.Null);
        Assert.That(ProblemsOf("""{ "agent": { "$schema": "./s.json" } }"""), Has.Exactly(1).StartsWith("$.agent.$schema is not a known key"));
    }

    [TestCase("""{ "agent": { "cmdd": "x" } }""", "$.agent.cmdd is not a known key (did you mean \"cmd\"?)")]
    [TestCase("""{ "seeed": 3 }""", "$.seeed is not a known key (did you mean \"seed\"?)")]
    [TestCase("""{ "trigger_url": "http://x" }""", "$.trigger_url is not a known key (did you mean \"triggerUrl\"?)")]
    [TestCase("""{ "listing": { "tier": { "priceInr": 5 } } }""", "$.listing.tier.priceInr is not a known key (did you mean \"priceINR\"?)")]
    [TestCase("""{ "agent": { "command line": "x" } }""", "$.agent[\"command line\"] is not a known key (known keys here: cmd, workdir, url, log, env)")]
    public void An_unknown_key_is_named_with_its_path_and_the_nearest_known_key(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [TestCase("""{ "strict": "yes" }""", "$.strict must be true or false, got \"yes\"")]
    [TestCase("""{ "seed": 1.5 }""", "$.seed must be a whole number, got 1.5")]
    [TestCase("""{ "seed": "7" }""", "$.seed must be a whole number, got \"7\"")]
    [TestCase("""{ "rules": ["DK-*"] }""", "$.rules must be a string, got an array")]
    [TestCase("""{ "quietWindow": null }""", "$.quietWindow must be a number, got null (leave the key out to use the default)")]
    [TestCase("""{ "agent": "node server.js" }""", "$.agent must be an object { … }, got \"node server.js\"")]
    [TestCase("""{ "webhookPath": "" }""", "$.webhookPath must not be empty (leave the key out to use the default)")]
    public void A_wrong_type_names_the_key_what_was_expected_and_what_was_found(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [TestCase("""{ "listing": { "tier": { "priceINR": "999" } } }""", "$.listing.tier.priceINR must be a whole number, got \"999\"")]
    [TestCase("""{ "agent": { "env": { "A": "ok", "PORT_HINT": 3000 } } }""", "$.agent.env.PORT_HINT must be a string (environment values are text: write \"3000\"), got 3000")]
    [TestCase("""{ "listing": { "sensitiveFields": ["openai_api_key", 7] } }""", "$.listing.sensitiveFields[1] must be a non-empty string (a field id), got 7")]
    [TestCase("""{ "listing": { "fields": [""] } }""", "$.listing.fields[0] must be a non-empty string (a field id), got \"\"")]
    public void Problems_deep_in_the_file_carry_their_full_path(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [TestCase("""{ "quietWindow": 0 }""", "$.quietWindow must be more than 0 and at most 60, got 0")]
    [TestCase("""{ "startupTimeout": 601 }""", "$.startupTimeout must be more than 0 and at most 600, got 601")]
    [TestCase("""{ "runDeadline": 4 }""", "$.runDeadline must be at least 5 and at most 3600, got 4")]
    [TestCase("""{ "listing": { "tier": { "runLimitPerMonth": 2 } } }""", "$.listing.tier.runLimitPerMonth must be at least 3, got 2")]
    public void Numbers_outside_their_range_are_problems(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [TestCase("""{ "webhookPath": "hooks/agentdukaan" }""", "$.webhookPath must start with '/', e.g. \"/hooks/agentdukaan\", got \"hooks/agentdukaan\"")]
    [TestCase("""{ "triggerUrl": "127.0.0.1:{port}/t" }""", "$.triggerUrl must be an absolute URL such as \"http://127.0.0.1:{port}/_test/trigger\", got \"127.0.0.1:{port}/t\"")]
    [TestCase("""{ "agent": { "url": "ftp://127.0.0.1" } }""", "$.agent.url must be an http(s) URL such as \"http://127.0.0.1:3000\", got \"ftp://127.0.0.1\"")]
    [TestCase("""{ "agent": { "cmd": "node a.js", "url": "http://127.0.0.1:3000" } }""", "$.agent gives both cmd and url; keep cmd to have the harness start the agent, or url to use one that is already running")]
    [TestCase("""{ "agent": { "env": { "A=B": "x" } } }""", "$.agent.env has \"A=B\" as a variable name; names are non-empty and have no '='")]
    [TestCase("""{ "agent": { "cmd": "TODO: the command that starts your agent" } }""", "$.agent.cmd is still the placeholder `init` wrote; put the command that starts your agent there, e.g. \"node server.js\"")]
    [TestCase("""{ "seed": 1, "seed": 2 }""", "$.seed is given more than once; keep one")]
    public void Values_of_the_right_type_that_cannot_work_are_problems(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [Test]
    public void Every_problem_is_reported_at_once_each_line_naming_the_file()
    {
        var path = Write("""
            {
              "agent": { "cmdd": "x", "env": { "A": 1 } },
              "strict": "yes",
              "listing": { "tier": { "runLimitPerMonth": 1 } },
              "seeed": 3,
              "rules": ["DK-*"]
            }
            """);
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(path))!;
        var expected = new[]
        {
            "$.agent.cmdd is not a known key (did you mean \"cmd\"?)",
            "$.agent.env.A must be a string (environment values are text: write \"1\"), got 1",
            "$.strict must be true or false, got \"yes\"",
            "$.listing.tier.runLimitPerMonth must be at least 3, got 1",
            "$.seeed is not a known key (did you mean \"seed\"?)",
            "$.rules must be a string, got an array",
        };
        Assert.That(ex.Problems, Is.EqualTo(expected), "in the order of the file");
        Assert.That(ex.Message.Split('\n'), Is.EqualTo(expected.Select(p => $"{path}: {p}")), "a temp file is outside the current directory, so it is shown in full");
    }

    [Test]
    public void The_listing_must_be_usable_and_says_why_not()
    {
        Assert.That(ProblemsOf("""{ "listing": { "sensitiveFields": ["a", "b"], "providerKeyField": "c" } }"""),
            Is.EqualTo(new[] { "$.listing: listing.providerKeyField 'c' must be one of listing.sensitiveFields (a, b)." }));
        Assert.That(ProblemsOf("""{ "listing": { "fields": ["a"], "sensitiveFields": ["a"] } }"""),
            Is.EqualTo(new[] { "$.listing: listing field 'a' is listed both as non-sensitive and as sensitive; list it once." }));
    }

    [Test]
    public void A_listing_problem_is_reported_together_with_problems_elsewhere()
    {
        Assert.That(ProblemsOf("""{ "strict": 1, "listing": { "sensitiveFields": ["a", "b"], "providerKeyField": "c" } }"""), Is.EqualTo(new[]
        {
            "$.strict must be true or false, got 1",
            "$.listing: listing.providerKeyField 'c' must be one of listing.sensitiveFields (a, b).",
        }));
    }

    [Test]
    public void A_listing_with_one_sensitive_field_needs_no_provider_key_field()
    {
        var listing = ConfigFileLoader.Load(Write("""{ "listing": { "sensitiveFields": ["groq_key"] } }""")).Listing!.ToProfile();
        Assert.That((listing.ProviderKeyField, listing.Fields), Is.EqualTo(("groq_key", (IReadOnlyList<string>)["business_name", "language"])));
        Assert.That(listing.Tier, Is.Null);
    }

    [Test]
    public void Invalid_json_is_reported_with_line_and_column()
    {
        var problems = ProblemsOf("{\n  \"seed\": 1,\n  \"strict\": yes\n}\n");
        Assert.That(problems, Is.EqualTo(new[] { "not valid JSON at line 3, column 13: 'y' is an invalid start of a value" }),
            "1-based, where the editor shows it; the parser's own 0-based byte position is not repeated");
    }

    [Test]
    public void A_json_problem_stays_on_one_line()
    {
        var problem = ProblemsOf("{\n  \"strict\": tru\n}\n").Single();
        Assert.That(problem, Does.StartWith("not valid JSON at line 2, column 16: 'tru\\n").And.EndWith("Expected the literal 'true'"));
        Assert.That(problem, Does.Not.Contain("\n"));
    }

    [Test]
    public void The_column_counts_characters_not_bytes()
    {
        var problems = ProblemsOf("{ \"$comment\": \"दुकान\", \"seed\": ? }");
        Assert.That(problems[0], Does.StartWith("not valid JSON at line 1, column 32: "));
    }

    [TestCase("{\n  // the agent\n  \"seed\": 1\n}", "JSON has no comments: write notes as \"$comment\" keys instead")]
    [TestCase("{ \"seed\": 1, }", "JSON allows no comma before } or ]")]
    public void Habits_from_javascript_get_a_hint(string json, string hint) =>
        Assert.That(ProblemsOf(json)[0], Does.StartWith("not valid JSON at line").And.EndWith($"({hint})"));

    [TestCase("", "the file is empty")]
    [TestCase("  \n", "the file is empty")]
    [TestCase("[1]", "$ must be a JSON object")]
    [TestCase("\"agent\"", "$ must be a JSON object")]
    public void A_file_that_is_not_a_settings_object_says_so(string json, string expected) =>
        Assert.That(ProblemsOf(json), Has.Exactly(1).StartsWith(expected));

    [Test]
    public void A_missing_file_is_an_error_that_suggests_init()
    {
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(Path.Combine(_dir, "nope.json")))!;
        Assert.That(ex.Problems, Has.Exactly(1).Contains("does not exist").And.Contains("dukaan-conformance init"));
    }
}
