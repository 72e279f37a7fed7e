using Dukaan.Cli.Fleet;

namespace Dukaan.Cli.Tests;

/// <summary>The fleet file loader: what a good file becomes, and a one-line message with its JSON path for every way it can be wrong.</summary>
public sealed class FleetFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-fleet-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string Write(string json, string name = "fleet.json")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private IReadOnlyList<string> ProblemsOf(string json) => Assert.Throws<FleetFileException>(() => FleetFileLoader.Load(Write(json)))!.Problems;

    private static string Agents(params string[] agents) => $$"""{ "agents": [{{string.Join(", ", agents)}}] }""";

    [Test]
    public void The_fixture_fleet_loads_with_paths_resolved_against_its_folder_and_a_digest_of_its_bytes()
    {
        var path = Path.Combine(Repo.Root, "fixtures", "fleets", "fixtures.json");
        var fleet = FleetFileLoader.Load(path);
        var first = fleet.Agents[0];
        Assert.Multiple(() =>
        {
            Assert.That(fleet.Name, Is.EqualTo("fixtures"));
            Assert.That(fleet.Agents, Has.Count.GreaterThanOrEqualTo(12));
            Assert.That(fleet.Agents.Select(a => a.Position), Is.EqualTo(Enumerable.Range(0, fleet.Agents.Count)));
            Assert.That(first.Workdir, Is.EqualTo(Path.Combine(Repo.Root, "fixtures", "agents", "node")));
            Assert.That(Directory.Exists(first.Workdir));
            Assert.That(fleet.Defaults.ObservationWindow, Is.EqualTo(5));
            Assert.That(fleet.Digest, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))));
            Assert.That(fleet.Digest, Does.Match("^[0-9a-f]{64}$"));
            // Every profile is in the fixture fleet, so certify-fleet is shown to work with each.
            Assert.That(fleet.Agents.Select(a => a.Settings.Profile ?? "agentdukaan").Distinct(),
                Is.EquivalentTo(Dukaan.Conformance.Profiles.ProfileRegistry.All.Select(p => p.Info.Id)));
        });
    }

    [Test]
    public void Without_a_name_the_fleet_is_named_after_its_file()
    {
        var fleet = FleetFileLoader.Load(Write(Agents("""{ "name": "a", "cmd": "node a.js" }"""), "partners.json"));
        Assert.That(fleet.Name, Is.EqualTo("partners"));
    }

    [Test]
    public void Bad_json_names_the_line_and_column()
    {
        var problems = ProblemsOf("{ \"agents\": [\n  { \"name\": \"a\" \"cmd\": \"x\" }\n] }");
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.StartWith("not valid JSON at line 2, column"));
    }

    [Test]
    public void A_trailing_comma_is_named_as_such()
    {
        var problems = ProblemsOf("""{ "agents": [{ "name": "a", "cmd": "x" },] }""");
        Assert.That(problems.Single(), Does.Contain("JSON allows no comma before } or ]"));
    }

    [TestCase("", "the file is empty")]
    [TestCase("[]", "$ must be a JSON object ({ \"agents\": [ … ] }), got an array")]
    [TestCase("{}", "$ has no \"agents\"; list the agents to certify")]
    [TestCase("""{ "agents": [] }""", "$.agents is empty; list at least one agent")]
    [TestCase("""{ "agents": {} }""", "$.agents must be an array of objects, e.g. [{ \"name\": \"my-agent\", \"cmd\": \"node server.js\" }], got an object")]
    [TestCase("""{ "agents": ["a"] }""", "$.agents[0] must be an object { … }, got \"a\"")]
    public void A_file_without_agents_says_what_a_fleet_needs(string json, string expected)
    {
        var problems = json.Length == 0 ? Assert.Throws<FleetFileException>(() => FleetFileLoader.Load(Write(json)))!.Problems : ProblemsOf(json);
        Assert.That(problems, Has.Some.StartWith(expected));
    }

    [Test]
    public void An_unknown_key_is_an_error_with_its_path_and_a_suggestion()
    {
        var problems = ProblemsOf("""{ "defaults": { "rule": "DK-SIG-*" }, "agents": [{ "name": "a", "command": "node a.js" }, { "name": "b", "cmd": "x", "trigger": "http://x" }], "agent": [] }""");
        Assert.That(problems, Is.SupersetOf(new[]
        {
            "$.defaults.rule is not a known key (did you mean \"rules\"?)",
            "$.agents[0].command is not a known key (did you mean \"cmd\"?)",
            "$.agents[1].trigger is not a known key (did you mean \"triggerUrl\"?)",
            "$.agent is not a known key (did you mean \"agents\"?)",
        }));
    }

    [Test]
    public void A_secret_in_the_file_is_refused_and_pointed_at_secretEnv()
    {
        var problems = ProblemsOf(Agents("""{ "name": "a", "url": "http://127.0.0.1:3000", "simPort": 4000, "secret": "s3cr3t-value" }"""));
        Assert.That(problems, Has.Some.EqualTo("$.agents[0].secret is not a known key (did you mean \"secretEnv\"?)"));
    }

    [Test]
    public void A_duplicate_name_names_both_places()
    {
        var problems = ProblemsOf(Agents("""{ "name": "a", "cmd": "x" }""", """{ "name": "b", "cmd": "x" }""", """{ "name": "a", "cmd": "y" }"""));
        Assert.That(problems, Is.EqualTo(new[] { "$.agents[2].name \"a\" is also the name of $.agents[0]; give each agent its own name (it names its report folder)" }));
    }

    [Test]
    public void Names_that_differ_only_in_case_are_refused_since_they_name_folders()
    {
        var problems = ProblemsOf(Agents("""{ "name": "Node", "cmd": "x" }""", """{ "name": "node", "cmd": "x" }"""));
        Assert.That(problems.Single(), Does.StartWith("$.agents[1].name \"node\" differs from $.agents[0]'s \"Node\" only in case"));
    }

    [TestCase("../evil")]
    [TestCase(".hidden")]
    [TestCase("a b")]
    [TestCase("a/b")]
    [TestCase("-dash")]
    public void A_name_that_cannot_be_a_folder_name_is_refused(string name)
    {
        var problems = ProblemsOf(Agents($$"""{ "name": "{{name}}", "cmd": "x" }"""));
        Assert.That(problems.Single(), Does.StartWith($"$.agents[0].name must start with a letter or digit and hold only letters, digits, '.', '_' and '-'"));
    }

    [Test]
    public void A_missing_name_is_named()
    {
        var problems = ProblemsOf(Agents("""{ "cmd": "x" }"""));
        Assert.That(problems.Single(), Does.StartWith("$.agents[0] has no \"name\""));
    }

    [Test]
    public void Both_cmd_and_url_is_refused()
    {
        var problems = ProblemsOf(Agents("""{ "name": "a", "cmd": "node a.js", "url": "http://127.0.0.1:3000", "simPort": 4000, "secretEnv": "S" }"""));
        Assert.That(problems.Single(), Is.EqualTo("$.agents[0] (a) gives both cmd and url; keep cmd to have the harness start the agent, or url to use one that is already running"));
    }

    [Test]
    public void Neither_cmd_nor_url_is_refused_unless_a_bundled_target_or_a_settings_file_stands_in()
    {
        var problems = ProblemsOf(Agents("""{ "name": "w", "profile": "wakeel" }"""));
        Assert.That(problems.Single(), Does.StartWith("$.agents[0] (w) gives neither cmd nor url"));
        // agentdukaan falls back on the bundled reference agent, the platform profile on the bundled simulator, as certify does.
        var fleet = FleetFileLoader.Load(Write(Agents("""{ "name": "bundled" }""", """{ "name": "sim", "profile": "agentdukaan-platform" }""",
            """{ "name": "from-settings", "profile": "wakeel", "settings": "wakeel/dukaan-conformance.json" }""")));
        Assert.That(fleet.Agents.Select(a => a.Name), Is.EqualTo(new[] { "bundled", "sim", "from-settings" }));
        Assert.That(fleet.Agents[2].SettingsFile, Is.EqualTo(Path.Combine(_dir, "wakeel", "dukaan-conformance.json")));
    }

    [Test]
    public void The_default_profile_decides_whether_an_agent_without_a_target_is_allowed()
    {
        var problems = ProblemsOf("""{ "defaults": { "profile": "agentdoor" }, "agents": [{ "name": "a" }] }""");
        Assert.That(problems.Single(), Does.StartWith("$.agents[0] (a) gives neither cmd nor url"));
    }

    [Test]
    public void A_url_agent_needs_secretEnv_and_simPort_and_a_spawned_one_takes_neither()
    {
        var problems = ProblemsOf(Agents(
            """{ "name": "running", "url": "http://127.0.0.1:3000" }""",
            """{ "name": "spawned", "cmd": "node a.js", "secretEnv": "S", "simPort": 4000, "log": "a.log" }""",
            """{ "name": "both", "url": "http://127.0.0.1:3000", "simPort": 4000, "secretEnv": "S", "workdir": "x" }"""));
        Assert.That(problems, Is.EquivalentTo(new[]
        {
            "$.agents[0] (running) has a url but no \"secretEnv\"; name the environment variable holding the webhook secret the running agent was started with (AGENTDUKAAN_WEBHOOK_SECRET)",
            "$.agents[0] (running) has a url but no \"simPort\"; give the port the running agent was started against (AGENTDUKAAN_API_URL=http://127.0.0.1:PORT)",
            "$.agents[1] (spawned).secretEnv only applies with url (an agent the harness starts gets a fresh generated secret); remove it, or give url",
            "$.agents[1] (spawned).simPort only applies with url (an agent the harness starts gets a simulator on a free port); remove it, or give url",
            "$.agents[1] (spawned).log only applies with url (the output of an agent the harness starts is captured directly); remove it, or give url",
            "$.agents[2] (both).workdir only applies with cmd (an agent at a url is already running where it runs); remove it",
        }));
    }

    [Test]
    public void The_platform_profile_takes_a_url_with_a_secret_but_no_command()
    {
        var problems = ProblemsOf(Agents("""{ "name": "p", "profile": "agentdukaan-platform", "cmd": "x" }""", """{ "name": "q", "profile": "agentdukaan-platform", "url": "http://127.0.0.1:4455" }"""));
        Assert.That(problems, Is.EquivalentTo(new[]
        {
            "$.agents[0] (p).cmd makes no sense with profile agentdukaan-platform: the harness plays the agent and certifies the platform; drop cmd to certify the bundled simulator, or give url and secretEnv for another platform",
            "$.agents[1] (q) has a url but no \"secretEnv\"; name the environment variable holding the listing's webhook secret the platform signs with",
        }));
    }

    [Test]
    public void Values_are_held_to_the_settings_files_types_ranges_and_checks()
    {
        var problems = ProblemsOf("""
            { "defaults": { "strict": "yes", "observationWindow": 0, "profile": "wakel" },
              "agents": [{ "name": "a", "cmd": "x", "env": { "N": 5 }, "triggerUrl": "not a url", "webhookPath": "hooks", "secretEnv": "MY-SECRET", "url": "ftp://x", "simPort": 70000 }] }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(problems, Has.Some.EqualTo("$.defaults.strict must be true or false, got \"yes\""));
            Assert.That(problems, Has.Some.EqualTo("$.defaults.observationWindow must be more than 0 and at most 600, got 0"));
            Assert.That(problems, Has.Some.StartWith("$.defaults.profile ").And.Some.Contains("wakel"));
            Assert.That(problems, Has.Some.StartWith("$.agents[0].env.N must be a string"));
            Assert.That(problems, Has.Some.StartWith("$.agents[0].triggerUrl must be an absolute URL"));
            Assert.That(problems, Has.Some.StartWith("$.agents[0].webhookPath must start with '/'"));
            Assert.That(problems, Has.Some.StartWith("$.agents[0].secretEnv must be an environment variable's name such as \"STAGING_SECRET\""));
            Assert.That(problems, Has.Some.StartWith("$.agents[0].url must be an http(s) URL"));
            Assert.That(problems, Has.Some.EqualTo("$.agents[0].simPort must be at least 1 and at most 65535, got 70000"));
        });
    }

    [Test]
    public void A_missing_file_and_a_folder_are_refused_with_what_to_give()
    {
        Assert.That(Assert.Throws<FleetFileException>(() => FleetFileLoader.Load(Path.Combine(_dir, "nope.json")))!.Problems.Single(), Does.StartWith("the file does not exist"));
        Assert.That(Assert.Throws<FleetFileException>(() => FleetFileLoader.Load(_dir))!.Problems.Single(), Does.StartWith("is a folder; give the fleet file itself"));
    }

    [Test]
    public void Every_problem_comes_at_once_each_prefixed_with_the_file()
    {
        var path = Write(Agents("""{ "name": "a", "cmd": 1 }""", """{ "name": "a", "cmd": "x", "strict": "no" }"""));
        var ex = Assert.Throws<FleetFileException>(() => FleetFileLoader.Load(path))!;
        Assert.That(ex.Problems, Has.Count.EqualTo(3), string.Join("\n", ex.Problems));
        Assert.That(ex.Message.Split('\n'), Has.All.StartWith(ex.FleetPath + ": "));
    }
}
