using Dukaan.Cli.Configuration;
using Dukaan.Conformance.Engine;

namespace Dukaan.Cli.Tests;

/// <summary>Precedence of certify's settings: a flag given on the command line, then the config file, then the default.</summary>
public sealed class CertifyOptionsTests
{
    private static readonly ConfigFile FileSettings = new()
    {
        FullPath = "/p/dukaan-conformance.json",
        ShownPath = "dukaan-conformance.json",
        Agent = new AgentSection { Cmd = "node a.js", Workdir = "/p/agent", Env = new Dictionary<string, string> { ["A"] = "file", ["B"] = "file" } },
        WebhookPath = "/hooks/file",
        TriggerUrl = "http://127.0.0.1:{port}/file",
        Listing = new ListingSection { Fields = ["shop"], SensitiveFields = ["groq_key"], Tier = new TierSection { Name = "Pro", RunLimitPerMonth = 5 } },
        Rules = "DK-SIG-*",
        Strict = true,
        Seed = 5,
        Out = "/p/reports",
        Baseline = "/p/baseline.json",
        StartupTimeout = 60,
        QuietWindow = 3,
        ObservationWindow = 20,
        RunDeadline = 300,
    };

    private static readonly CertifyFlags AllFlags = new()
    {
        AgentCmd = "python3 b.py",
        AgentWorkdir = "flagdir",
        AgentEnv = new Dictionary<string, string> { ["B"] = "flag", ["C"] = "flag" },
        WebhookPath = "/hooks/flag",
        TriggerUrl = "http://127.0.0.1:{port}/flag",
        Rules = "DK-RUN-*",
        Strict = false,
        Seed = 9,
        Out = "flag-reports",
        Baseline = "flag-baseline.json",
        StartupTimeout = 10,
        QuietWindow = 2,
        ObservationWindow = 15,
        RunDeadline = 60,
        SimPort = 4455,
        Secret = "whsec_flag_secret",
    };

    [Test]
    public void With_no_flags_and_no_file_every_setting_is_its_default()
    {
        var options = CertifyOptions.Resolve(new CertifyFlags(), null);
        Assert.Multiple(() =>
        {
            Assert.That((options.ConfigFile, options.AgentCmd, options.AgentUrl, options.TriggerUrl, options.Out, options.Baseline), Is.EqualTo(((string?)null, (string?)null, (string?)null, (string?)null, (string?)null, (string?)null)));
            Assert.That((options.WebhookPath, options.Seed, options.Strict), Is.EqualTo(("/hooks/agentdukaan", 1, false)));
            Assert.That((options.StartupTimeout, options.QuietWindow, options.ObservationWindow, options.RunDeadline), Is.EqualTo((30.0, 1.5, 30.0, 150.0)));
            Assert.That(options.Listing, Is.SameAs(ListingProfile.Default));
            Assert.That(options.Env, Is.Empty);
            Assert.That(options.FromFile, Is.Empty);
        });
    }

    [Test]
    public void The_file_fills_every_setting_no_flag_gives()
    {
        var options = CertifyOptions.Resolve(new CertifyFlags(), FileSettings);
        Assert.Multiple(() =>
        {
            Assert.That(options.ConfigFile, Is.EqualTo("/p/dukaan-conformance.json"));
            Assert.That((options.AgentCmd, options.AgentWorkdir), Is.EqualTo(("node a.js", "/p/agent")));
            Assert.That(options.Env, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "file", ["B"] = "file" }));
            Assert.That((options.WebhookPath, options.TriggerUrl, options.Rules), Is.EqualTo(("/hooks/file", "http://127.0.0.1:{port}/file", "DK-SIG-*")));
            Assert.That((options.Strict, options.Seed, options.Out, options.Baseline), Is.EqualTo((true, 5, "/p/reports", "/p/baseline.json")));
            Assert.That((options.StartupTimeout, options.QuietWindow, options.ObservationWindow, options.RunDeadline), Is.EqualTo((60.0, 3.0, 20.0, 300.0)));
            Assert.That((options.Listing.Fields, options.Listing.SensitiveFields, options.Listing.ProviderKeyField),
                Is.EqualTo(((IReadOnlyList<string>)["shop"], (IReadOnlyList<string>)["groq_key"], "groq_key")));
            Assert.That(options.Listing.Tier, Is.EqualTo(new Dukaan.Contract.Tier("Pro", 999, 5)));
        });
    }

    [Test]
    public void Every_flag_given_overrides_the_file()
    {
        var options = CertifyOptions.Resolve(AllFlags, FileSettings);
        Assert.Multiple(() =>
        {
            Assert.That((options.AgentCmd, options.AgentWorkdir), Is.EqualTo(("python3 b.py", "flagdir")));
            Assert.That((options.WebhookPath, options.TriggerUrl, options.Rules), Is.EqualTo(("/hooks/flag", "http://127.0.0.1:{port}/flag", "DK-RUN-*")));
            Assert.That(options.Strict, Is.False, "--strict false beats the file's true");
            Assert.That((options.Seed, options.Out, options.Baseline), Is.EqualTo((9, "flag-reports", "flag-baseline.json")));
            Assert.That((options.StartupTimeout, options.QuietWindow, options.ObservationWindow, options.RunDeadline), Is.EqualTo((10.0, 2.0, 15.0, 60.0)));
            Assert.That((options.SimPort, options.Secret), Is.EqualTo((4455, "whsec_flag_secret")));
            Assert.That(options.FromFile, Is.Empty, "nothing came from the file");
            Assert.That(options.ConfigFile, Is.EqualTo("/p/dukaan-conformance.json"), "the file was still read (for the listing)");
        });
    }

    [Test]
    public void Environment_variables_merge_per_key_with_the_flag_winning()
    {
        var options = CertifyOptions.Resolve(new CertifyFlags { AgentEnv = new Dictionary<string, string> { ["B"] = "flag", ["C"] = "flag" } }, FileSettings);
        Assert.That(options.Env, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "file", ["B"] = "flag", ["C"] = "flag" }));
    }

    [Test]
    public void An_agent_url_flag_replaces_the_files_command_as_a_whole()
    {
        var options = CertifyOptions.Resolve(new CertifyFlags { AgentUrl = "http://127.0.0.1:3000" }, FileSettings);
        Assert.That((options.AgentUrl, options.AgentCmd, options.AgentWorkdir), Is.EqualTo(("http://127.0.0.1:3000", (string?)null, (string?)null)));
        Assert.That(options.Env, Does.ContainKey("A"), "env is not part of the target choice");
    }

    [Test]
    public void An_agent_cmd_flag_replaces_the_files_url_and_log_but_keeps_its_workdir()
    {
        var file = FileSettings with { Agent = new AgentSection { Url = "http://127.0.0.1:3000", Log = "/p/agent.log", Workdir = "/p/agent" } };
        var options = CertifyOptions.Resolve(new CertifyFlags { AgentCmd = "node b.js" }, file);
        Assert.That((options.AgentCmd, options.AgentUrl, options.AgentLog, options.AgentWorkdir), Is.EqualTo(("node b.js", (string?)null, (string?)null, "/p/agent")));
    }

    [Test]
    public void Values_from_the_file_are_named_by_their_key_in_messages_and_flags_by_the_flag()
    {
        var options = CertifyOptions.Resolve(new CertifyFlags { Seed = 3 }, FileSettings);
        Assert.Multiple(() =>
        {
            Assert.That(options.NameOf("--agent-workdir"), Is.EqualTo("$.agent.workdir in dukaan-conformance.json"));
            Assert.That(options.NameOf("--quiet-window"), Is.EqualTo("$.quietWindow in dukaan-conformance.json"));
            Assert.That(options.NameOf("--seed"), Is.EqualTo("--seed"), "given as a flag");
            Assert.That(options.NameOf("--agent-url"), Is.EqualTo("--agent-url"), "set nowhere");
        });
    }

    [Test]
    public void A_flag_not_typed_does_not_count_as_given_even_though_it_has_a_default()
    {
        var flags = CertifyCommand.FlagsFor();
        Assert.That(flags, Is.EqualTo(new CertifyFlags { AgentEnv = flags.AgentEnv }));
        Assert.That(flags.AgentEnv, Is.Empty);
        Assert.That(CertifyOptions.Resolve(flags, FileSettings).Seed, Is.EqualTo(5), "the default seed 1 must not hide the file's 5");
    }

    [Test]
    public void A_flag_typed_with_its_default_value_still_overrides_the_file()
    {
        var flags = CertifyCommand.FlagsFor("--seed", "1", "--webhook-path", "/hooks/agentdukaan", "--quiet-window", "1.5", "--strict", "false");
        var options = CertifyOptions.Resolve(flags, FileSettings);
        Assert.That((options.Seed, options.WebhookPath, options.QuietWindow, options.Strict), Is.EqualTo((1, "/hooks/agentdukaan", 1.5, false)));
    }

    [Test]
    public void The_command_line_reaches_the_flags()
    {
        var flags = CertifyCommand.FlagsFor("--config", "c.json", "--agent-cmd", "node x.js", "--agent-env", "A=1", "--agent-env", "B=x=y", "--strict", "--baseline", "b.json", "--sim-port", "4000");
        Assert.Multiple(() =>
        {
            Assert.That((flags.Config, flags.AgentCmd, flags.Strict, flags.Baseline, flags.SimPort), Is.EqualTo(("c.json", "node x.js", (bool?)true, "b.json", (int?)4000)));
            Assert.That(flags.AgentEnv, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "1", ["B"] = "x=y" }));
        });
    }

    [Test]
    public void A_malformed_agent_env_flag_is_a_usage_error() =>
        Assert.That(() => CertifyCommand.FlagsFor("--agent-env", "NOEQUALS"), Throws.TypeOf<UsageException>().With.Message.Contains("must look like KEY=VALUE"));
}
