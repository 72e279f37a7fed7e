using System.CommandLine;
using System.Text.RegularExpressions;

namespace Dukaan.Cli.Tests;

/// <summary>`simulate` through the real command line, writing to the invocation's writers.</summary>
public sealed class SimulateCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> SimulateAsync(CancellationToken cancellationToken, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["simulate", .. args], new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task It_prints_how_to_reach_it_and_stops_when_cancelled()
    {
        // The banner is written before the command waits, so a short run shows all of it.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (exit, output, err) = await SimulateAsync(stop.Token, "--port", "0", "--quiet");
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(err, Is.Empty);
        Assert.That(output, Does.Contain("AgentDukaan simulator listening on http://127.0.0.1:"));
        Assert.That(output, Does.Contain("webhook secret      whsec_dukaan_sim_dev"), "the simulator's default secret");
        Assert.That(output, Does.EndWith("stopping the simulator\n"));
    }

    [Test]
    public async Task Every_command_in_the_banner_is_one_whole_line_when_the_output_is_not_a_terminal()
    {
        // A StringWriter is what a CI log or `> file` looks like to Spectre: no terminal, so no window width to respect.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (_, output, _) = await SimulateAsync(stop.Token, "--port", "0", "--quiet");
        var url = Regex.Match(output, @"listening on (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        Assert.That(url, Is.Not.Empty, output);
        var lines = output.Split('\n');

        var curls = lines.Where(l => l.Contains("curl", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.That(curls, Has.Count.EqualTo(6), output);
        foreach (var curl in curls)
        {
            Assert.That(curl, Does.StartWith($"curl -s ").And.Contain($"{url}/_sim/"), output);
            Assert.That(curl.Count(c => c == '\''), Is.Even, $"a quoted argument is cut in two: {curl}");
        }
        // The commands whose tail used to land on the next line: the JSON body belongs to the curl that sends it.
        Assert.That(curls, Has.One.EqualTo($"curl -s -X POST {url}/_sim/subscriptions/ID/status -d '{{\"status\":\"cancelled\"}}'"));
        Assert.That(curls, Has.One.EqualTo($"curl -s -X POST {url}/_sim/subscriptions/ID/limit -d '{{\"runLimitPerMonth\":1}}'"));
        Assert.That(curls, Has.One.StartWith($"curl -s '{url}/_sim/transcript?subscription=ID' "), "quoted, or zsh takes the ? for a glob");
        Assert.That(lines.Select(l => l.Trim()), Has.One.EqualTo(
            $"AGENTDUKAAN_API_URL={url} AGENTDUKAAN_WEBHOOK_SECRET=whsec_dukaan_sim_dev OPENAI_BASE_URL={url}/v1 PORT=3000 <your agent>"));
        // Spectre's wrapping starts the rest of a line at column 0; every banner line but the first is indented.
        Assert.That(lines.Where(l => l.Length > 0 && !l.StartsWith("  ", StringComparison.Ordinal)),
            Is.EqualTo(new[] { lines[0], "stopping the simulator" }), output);
    }

    [Test]
    public async Task A_secret_sh_would_split_is_quoted_in_the_agent_command()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (_, output, _) = await SimulateAsync(stop.Token, "--port", "0", "--quiet", "--secret", "my secret$1");
        Assert.That(output, Does.Contain(" AGENTDUKAAN_WEBHOOK_SECRET='my secret$1' OPENAI_BASE_URL="));
    }

    [Test]
    public async Task Without_chat_declared_the_banner_says_how_to_declare_it_and_shows_no_chat_commands()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (_, output, _) = await SimulateAsync(stop.Token, "--port", "0", "--quiet");
        Assert.That(output, Does.Contain("  in-app chat: not declared (").And.Contain("--chat, or --config with listing.capabilities, turns it on."));
        Assert.That(output, Does.Not.Contain("/chat"));
    }

    [TestCase("--chat", "(--chat: the reference agent's manifest)")]
    [TestCase("--config", "(listing.capabilities in ")]
    public async Task With_chat_declared_the_banner_has_a_whole_curl_line_for_every_chat_control_endpoint(string flag, string source)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        string[] args = flag == "--chat" ? ["--chat"] : ["--config", Path.Combine(Repo.Root, "fixtures", "config", "chat-listing.json")];
        var (exit, output, err) = await SimulateAsync(stop.Token, ["--port", "0", "--quiet", .. args]);
        Assert.That((exit, err), Is.EqualTo((ExitCodes.Success, "")));
        var url = Regex.Match(output, @"listening on (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        Assert.That(output, Does.Contain("  in-app chat: blocks text, buttons, form, progress · actions open_url · push on, 10 a day (alert, report) " + source));
        var curls = output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("curl", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            foreach (var endpoint in Dukaan.Simulator.Chat.ChatControlApi.Endpoints)
            {
                var parts = endpoint.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var target = url + parts[1].Replace("{id}", "ID", StringComparison.Ordinal);
                var expected = parts[0] == "GET" ? $"curl -s {target} " : $"curl -s -X POST {target} -d '";
                Assert.That(curls, Has.Some.StartWith(expected), endpoint);
            }
            Assert.That(curls, Has.Some.Contains("\"attachFile\":true"), "a message with a lying file");
            foreach (var curl in curls) Assert.That(curl.Count(c => c == '\''), Is.Even, $"a quoted argument is cut in two: {curl}");
            Assert.That(output, Does.Contain($"    dukaan-conformance chat send|show|mute|quota|proactive|fail-pushes --sim-url {url} --subscription ID\n"));
            Assert.That(output, Does.EndWith("  Ctrl+C stops it.\nstopping the simulator\n"));
        });
    }

    [Test]
    public async Task A_bad_settings_file_stops_simulate_as_it_stops_certify()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-sim-config-").FullName;
        try
        {
            var path = Path.Combine(dir, "chat.json");
            File.WriteAllText(path, """{ "listing": { "capabilities": { "blocks": ["chart"] } } }""");
            var (exit, output, err) = await SimulateAsync(CancellationToken.None, "--port", "0", "--config", path);
            Assert.That((exit, output), Is.EqualTo((ExitCodes.HarnessOrConfigError, "")));
            Assert.That(err, Does.StartWith($"error: {path}: $.listing.capabilities.blocks has \"chart\" at [0], which the ChatBlock kit removed"));
            Assert.That(err, Does.EndWith($"Fix it in {path}, or pass --config with another file.\n"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public async Task The_transcript_file_is_an_agentdukaan_feature()
    {
        var (exit, _, err) = await SimulateAsync(CancellationToken.None, "--profile", "wakeel", "--transcript-file", "t.jsonl");
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Is.EqualTo("error: --transcript-file and --transcript-capacity apply to the AgentDukaan platform simulator only; drop them, or simulate --profile agentdukaan.\n"));
    }

    [Test]
    public async Task A_transcript_file_gets_every_exchange_and_is_closed_when_the_simulator_stops()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-sim-transcript-").FullName;
        var path = Path.Combine(dir, "transcript.jsonl");
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = CliApp.InvokeAsync(["simulate", "--port", "0", "--quiet", "--transcript-file", path, "--transcript-capacity", "1"],
            new InvocationConfiguration { Output = synchronized, Error = synchronized }, stop.Token);
        string url;
        while (true)
        {
            url = Regex.Match(output.ToString(), @"listening on (http://127\.0\.0\.1:\d+)").Groups[1].Value;
            if (url.Length > 0 || run.IsCompleted) break;
            await Task.Delay(20, stop.Token);
        }
        Assert.That(url, Is.Not.Empty, output.ToString());
        using (var http = new HttpClient())
            for (var i = 0; i < 3; i++)
                using (await http.PostAsync($"{url}/api/subscriptions/sub_none/run?n={i}", null, stop.Token)) { }
        await stop.CancelAsync();
        var exit = await run;

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(ExitCodes.Success), text);
            Assert.That(text, Does.Contain($"transcript file     {path}"));
            Assert.That(text, Does.EndWith($"wrote 3 exchanges to {path}\n"));
            Assert.That(File.ReadAllLines(path).Select(l => Regex.Match(l, "\"url\":\"([^\"]+)\"").Groups[1].Value),
                Is.EqualTo(new[] { "/api/subscriptions/sub_none/run?n=0", "/api/subscriptions/sub_none/run?n=1", "/api/subscriptions/sub_none/run?n=2" }),
                "every exchange, though memory kept only the last");
        });
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public async Task Chat_is_an_agentdukaan_feature()
    {
        var (exit, _, err) = await SimulateAsync(CancellationToken.None, "--profile", "wakeel", "--chat");
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Is.EqualTo("error: --chat declares AgentDukaan in-app chat; the wakeel simulator has no chat. Drop --chat, or simulate --profile agentdukaan.\n"));
    }

    [TestCase("--port", "70000", "error: --port must be between 0 and 65535.\n")]
    [TestCase("--transcript-capacity", "0", "error: --transcript-capacity must be at least 1 exchange (got 0).\n")]
    [TestCase("--agent-url", "nope", "error: --agent-url 'nope' is not an http(s) URL such as http://127.0.0.1:3000/hooks/agentdukaan.\n")]
    public async Task Bad_flags_go_to_the_error_writer(string flag, string value, string expected)
    {
        var (exit, output, err) = await SimulateAsync(CancellationToken.None, flag, value);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(output, Is.Empty);
        Assert.That(err, Is.EqualTo(expected));
    }
}
