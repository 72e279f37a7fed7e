using System.Text.Json;
using System.Text.RegularExpressions;
using Dukaan.Cli.Configuration;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;

namespace Dukaan.Cli.Tests;

/// <summary><c>listing.capabilities</c>: the listing's chat manifest in the settings file, and who declares chat when it is left out.</summary>
public sealed class ChatListingConfigTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-chat-config-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, ConfigFile.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    private IReadOnlyList<string> ProblemsOf(string json) => Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(Write(json)))!.Problems;

    private ListingProfile ListingOf(string json) => ConfigFileLoader.Load(Write(json)).Listing!.ToProfile();

    /// <summary>A manifest as plain values: records holding lists compare the lists by reference.</summary>
    private static object Flat(ChatManifest? m) => m is null ? "no chat" : new
    {
        Blocks = string.Join(",", m.Blocks),
        Actions = string.Join(",", m.Actions),
        Proactive = m.Proactive is { } p ? $"{p.Enabled}/{p.MaxPerDay}/{string.Join(",", p.Categories)}" : "no push",
    };

    [Test]
    public void The_chat_listing_fixture_is_the_bundled_agents_listing()
    {
        var config = ConfigFileLoader.Load(Path.Combine(Repo.Root, "fixtures", "config", "chat-listing.json"));
        var listing = config.Listing!.ToProfile();
        Assert.Multiple(() =>
        {
            Assert.That(config.Agent, Is.Null, "the target comes from the command line");
            Assert.That((listing.Fields, listing.SensitiveFields, listing.ProviderKeyField),
                Is.EqualTo((BundledAgent.Listing.Fields, BundledAgent.Listing.SensitiveFields, BundledAgent.Listing.ProviderKeyField)));
            Assert.That(Flat(listing.Chat), Is.EqualTo(Flat(BundledAgent.Listing.Chat)));
            Assert.That(Flat(listing.Chat), Is.EqualTo(Flat(new ChatManifest(["text", "buttons", "form", "progress"], ["open_url"], new ProactiveManifest(true, 10, ["alert", "report"])))));
            Assert.That(listing.Problem(), Is.Null);
        });
    }

    [Test]
    public void A_settings_file_with_only_a_listing_takes_the_agent_from_the_flags()
    {
        var file = ConfigFileLoader.Load(Path.Combine(Repo.Root, "fixtures", "config", "chat-listing.json"));
        var options = CertifyOptions.Resolve(CertifyCommand.FlagsFor("--config", "fixtures/config/chat-listing.json", "--agent-cmd", "node server.js"), file);
        Assert.That((options.AgentCmd, options.AgentUrl), Is.EqualTo(("node server.js", (string?)null)));
        Assert.That(Flat(options.Listing.Chat), Is.EqualTo(Flat(BundledAgent.Chat)));
    }

    [Test]
    public void Without_capabilities_the_listing_declares_no_chat()
    {
        Assert.That(ListingOf("""{ "listing": { "fields": ["shop"] } }""").Chat, Is.Null);
        Assert.That(ConfigFileLoader.Load(Path.Combine(Repo.Root, "fixtures", "config", "dukaan-conformance.example.json")).Listing!.ToProfile().Chat, Is.Null,
            "the example certifies the Node fixture without chat");
        Assert.That(CertifyOptions.Resolve(new CertifyFlags { AgentCmd = "node a.js" }, null).Listing.Chat, Is.Null, "a seller's agent is not given chat");
    }

    [Test]
    public void Left_out_members_of_capabilities_take_the_contracts_defaults()
    {
        Assert.That(Flat(ListingOf("""{ "listing": { "capabilities": { "blocks": ["text"] } } }""").Chat),
            Is.EqualTo(Flat(new ChatManifest(["text"], [], null))), "no actions, no push");
        Assert.That(Flat(ListingOf("""{ "listing": { "capabilities": { "blocks": [], "proactive": { "enabled": false } } } }""").Chat),
            Is.EqualTo(Flat(new ChatManifest([], [], new ProactiveManifest(false, 10, [])))), "maxPerDay defaults to 10");
        Assert.That(Flat(ListingOf("""{ "listing": { "capabilities": { "blocks": ["markdown"], "proactive": { "enabled": true, "categories": ["nudge"] } } } }""").Chat),
            Is.EqualTo(Flat(new ChatManifest(["markdown"], [], new ProactiveManifest(true, 10, ["nudge"])))));
    }

    [TestCase("""{ "listing": { "capabilities": true } }""", "$.listing.capabilities must be an object { … }, got true")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": "text" } } }""", "$.listing.capabilities.blocks must be an array of strings, e.g. [\"text\"], got \"text\"")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text", 2] } } }""", "$.listing.capabilities.blocks[1] must be a non-empty string (a block type), got 2")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "actions": "open_url" } } }""", "$.listing.capabilities.actions must be an array of strings, e.g. [\"open_url\"], got \"open_url\"")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "proactive": true } } }""", "$.listing.capabilities.proactive must be an object { … }, got true")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "proactive": { "enabled": "yes" } } } }""", "$.listing.capabilities.proactive.enabled must be true or false, got \"yes\"")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "proactive": { "maxPerDay": "10" } } } }""", "$.listing.capabilities.proactive.maxPerDay must be a whole number, got \"10\"")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "proactive": { "maxPerDay": 2.5 } } } }""", "$.listing.capabilities.proactive.maxPerDay must be a whole number, got 2.5")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": [], "proactive": { "categories": [""] } } } }""", "$.listing.capabilities.proactive.categories[0] must be a non-empty string (a push category), got \"\"")]
    public void A_wrong_type_in_capabilities_is_named_at_its_path(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text", "chart"] } } }""",
        "$.listing.capabilities.blocks has \"chart\" at [1], which the ChatBlock kit removed (002 §6.5); drop it, or draw the chart as an image or a table")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["carousel"] } } }""",
        "$.listing.capabilities.blocks has \"carousel\" at [0], which is not a ChatBlock type; known: text, markdown, buttons, form, table, image, list, progress")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactive": { "enabled": true, "categories": ["alert", "promo"] } } } }""",
        "$.listing.capabilities.proactive.categories has \"promo\" at [1], which is not a push category; known: alert, report, nudge, transactional")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactive": { "enabled": true, "maxPerDay": 0, "categories": ["alert"] } } } }""",
        "$.listing.capabilities.proactive.maxPerDay must be at least 1, got 0")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactive": { "enabled": true } } } }""",
        "$.listing.capabilities.proactive enables push but names no categories; add e.g. \"categories\": [\"alert\"] (each push must name one of them)")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactive": { "enabled": true, "categories": [] } } } }""",
        "$.listing.capabilities.proactive enables push but names no categories; add e.g. \"categories\": [\"alert\"] (each push must name one of them)")]
    [TestCase("""{ "listing": { "capabilities": { "actions": ["open_url"] } } }""",
        "$.listing.capabilities has no \"blocks\"; name the ChatBlock types your replies use, e.g. \"blocks\": [\"text\"] (or leave capabilities out: no chat)")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactiv": {} } } }""",
        "$.listing.capabilities.proactiv is not a known key (did you mean \"proactive\"?)")]
    [TestCase("""{ "listing": { "capabilities": { "blocks": ["text"], "proactive": { "max_per_day": 3 } } } }""",
        "$.listing.capabilities.proactive.max_per_day is not a known key (did you mean \"maxPerDay\"?)")]
    public void A_manifest_the_platform_would_refuse_is_named_at_its_path(string json, string expected) =>
        Assert.That(ProblemsOf(json), Is.EqualTo(new[] { expected }));

    [Test]
    public void Proactive_off_needs_no_categories_and_comments_are_allowed_inside_capabilities()
    {
        var chat = ListingOf("""{ "listing": { "capabilities": { "$comment": "chat", "blocks": ["text"], "proactive": { "$comment": "later", "enabled": false } } } }""").Chat!;
        Assert.That(chat.Proactive, Is.EqualTo(new ProactiveManifest(false, 10, chat.Proactive!.Categories)));
        Assert.That(chat.Proactive.Categories, Is.Empty);
    }

    [Test]
    public void The_bundled_agent_declares_chat_unless_the_settings_file_declares_its_own()
    {
        Assert.That(Flat(BundledAgent.ListingOver(ListingProfile.Default).Chat), Is.EqualTo(Flat(BundledAgent.Chat)));
        Assert.That(BundledAgent.Listing.Problem(), Is.Null, "the platform would accept it");
        Assert.That((BundledAgent.Listing.Fields, BundledAgent.Listing.SensitiveFields), Is.EqualTo((ListingProfile.Default.Fields, ListingProfile.Default.SensitiveFields)));
        var own = ListingOf("""{ "listing": { "capabilities": { "blocks": ["markdown"] } } }""");
        Assert.That(BundledAgent.ListingOver(own), Is.SameAs(own), "the file's manifest is the one certified");
        var fieldsOnly = ListingOf("""{ "listing": { "fields": ["shop"] } }""");
        Assert.That((BundledAgent.ListingOver(fieldsOnly).Fields, Flat(BundledAgent.ListingOver(fieldsOnly).Chat)), Is.EqualTo((fieldsOnly.Fields, Flat(BundledAgent.Chat))));
    }

    [Test]
    public async Task The_capabilities_example_in_inits_starter_loads_once_written_as_a_key()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "project"));
        File.WriteAllText(Path.Combine(_dir, "project", "package.json"), "{}");
        var exit = await CliApp.InvokeAsync(["init", "--dir", Path.Combine(_dir, "project")],
            new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
        Assert.That(exit, Is.EqualTo(0));
        var starterPath = Path.Combine(_dir, "project", ConfigFile.FileName);
        Assert.That(ConfigFileLoader.Load(starterPath).Listing!.ToProfile().Chat, Is.Null, "the starter declares no chat until the seller says so");

        using var starter = JsonDocument.Parse(File.ReadAllText(starterPath));
        var comment = starter.RootElement.GetProperty("listing").GetProperty("$comment:capabilities").GetString()!;
        var example = Regex.Match(comment, @"""capabilities"": (\{.*\})\. ").Groups[1].Value;
        Assert.That(example, Is.Not.Empty, comment);
        var chat = ListingOf($$"""{ "listing": { "capabilities": {{example}} } }""").Chat;
        Assert.That(Flat(chat), Is.EqualTo(Flat(new ChatManifest(["text", "buttons"], ["open_url"], new ProactiveManifest(true, 10, ["alert"])))));
    }
}
