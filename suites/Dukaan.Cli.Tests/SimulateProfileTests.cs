using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dukaan.Cli.Tests;

/// <summary>`simulate --profile wakeel|agentdoor` in process, driven through its control API against the compliant Node fixtures.</summary>
[CancelAfter(15_000)]
public sealed partial class SimulateProfileTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(12) };

    /// <summary>A running simulator: its output writer, its URL, and how to stop it.</summary>
    private sealed class Sim(Task<int> run, CancellationTokenSource stop, StringWriter output, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public string Output => output.ToString();

        /// <summary>The banner's "start your agent" line as variables, the way a developer would paste it.</summary>
        public Dictionary<string, string> AgentEnv() =>
            Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("PORT=", StringComparison.Ordinal))
                .Split(' ').TakeWhile(t => t.Contains('=', StringComparison.Ordinal)).Select(t => t.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            Assert.That(await run, Is.EqualTo(ExitCodes.Success));
            stop.Dispose();
        }
    }

    private static async Task<Sim> StartAsync(string profile, params string[] extra)
    {
        var output = new StringWriter();
        var stop = new CancellationTokenSource();
        // --quiet: the live log would write to the StringWriter while the test reads it.
        var run = CliApp.InvokeAsync(["simulate", "--profile", profile, "--port", "0", "--quiet", .. extra], new InvocationConfiguration { Output = output, Error = output }, stop.Token);
        for (var i = 0; i < 200 && !run.IsCompleted; i++)
        {
            // The banner ends with the Ctrl+C line, so the whole of it is there once that line is.
            var text = output.ToString();
            if (text.Contains("Ctrl+C stops it.", StringComparison.Ordinal))
                return new Sim(run, stop, output, ListeningOn().Match(text).Groups[1].Value);
            await Task.Delay(25);
        }
        Assert.Fail($"the simulator did not print its banner: {output}");
        throw new UnreachableException();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<Process> StartAgentAsync(string fixture, Dictionary<string, string> env, int port, CancellationToken ct)
    {
        var info = new ProcessStartInfo("node", Path.Combine(Repo.Root, "fixtures", "agents", fixture, "node", "agent.mjs"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in env) info.Environment[name] = value;
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var agent = Process.Start(info)!;
        agent.OutputDataReceived += (_, _) => { };
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var health = await Http.GetAsync($"http://127.0.0.1:{port}/healthz", ct);
                if (health.IsSuccessStatusCode) return agent;
            }
            catch (HttpRequestException) { }
            Assert.That(agent.HasExited, Is.False, "the fixture agent exited at start");
            await Task.Delay(50, ct);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<JsonElement> PollAsync(string url, Func<JsonElement, bool> done, CancellationToken ct)
    {
        while (true)
        {
            var (_, body) = await SendAsync(HttpMethod.Get, url, null, ct);
            if (body.EnumerateArray().Any(done)) return body;
            await Task.Delay(50, ct);
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    [Test]
    public async Task Wakeel_deploy_reaches_the_agent_and_its_callback_shows_in_the_transcript(CancellationToken ct)
    {
        await using var sim = await StartAsync("wakeel");
        var port = FreePort();
        using var agent = await StartAgentAsync("wakeel", sim.AgentEnv(), port, ct);
        try
        {
            var (status, body) = await SendAsync(HttpMethod.Post, $"{sim.Url}/_sim/deploy", $"{{\"agentUrl\":\"http://127.0.0.1:{port}/wakeel/deploy\"}}", ct);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            var contractId = Str(body, "contractId")!;
            Assert.That(body.GetProperty("delivery").GetProperty("status").GetInt32(), Is.InRange(200, 299), body.ToString());

            var transcript = await PollAsync($"{sim.Url}/_sim/transcript",
                e => Str(e, "kind") == "callback" && Str(e, "subscriptionId") == contractId && e.GetProperty("status").GetInt32() == 200, ct);
            Assert.That(transcript.EnumerateArray().Count(e => Str(e, "kind") == "delivery"), Is.EqualTo(1));

            var (again, redeploy) = await SendAsync(HttpMethod.Post, $"{sim.Url}/_sim/contracts/{contractId}/redeploy", null, ct);
            Assert.That(again, Is.EqualTo(HttpStatusCode.OK), redeploy.ToString());
        }
        finally { agent.Kill(entireProcessTree: true); }
    }

    [Test]
    public async Task AgentDoor_emit_reaches_the_receiver_and_its_effect_shows(CancellationToken ct)
    {
        await using var sim = await StartAsync("agentdoor");
        var port = FreePort();
        using var agent = await StartAgentAsync("agentdoor", sim.AgentEnv(), port, ct);
        try
        {
            var (status, body) = await SendAsync(HttpMethod.Post, $"{sim.Url}/_sim/emit",
                $"{{\"type\":\"agent.registered\",\"agentUrl\":\"http://127.0.0.1:{port}/webhooks/agentdoor\"}}", ct);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            var eventId = Str(body, "eventId")!;
            Assert.That(body.GetProperty("delivery").GetProperty("status").GetInt32(), Is.InRange(200, 299), body.ToString());

            await PollAsync($"{sim.Url}/_sim/effects", e => Str(e, "eventId") == eventId, ct);
            var (_, transcript) = await SendAsync(HttpMethod.Get, $"{sim.Url}/_sim/transcript", null, ct);
            Assert.That(transcript.EnumerateArray().Select(e => Str(e, "kind")), Does.Contain("effect").And.Contain("delivery"));

            var (dupStatus, dup) = await SendAsync(HttpMethod.Post, $"{sim.Url}/_sim/emit",
                $"{{\"duplicateOf\":\"{eventId}\",\"agentUrl\":\"http://127.0.0.1:{port}/webhooks/agentdoor\"}}", ct);
            Assert.That(dupStatus, Is.EqualTo(HttpStatusCode.OK), dup.ToString());
            Assert.That(Str(dup, "eventId"), Is.EqualTo(eventId));
        }
        finally { agent.Kill(entireProcessTree: true); }
    }

    [TestCase("wakeel", "POST", "/_sim/contracts/nope/redeploy", null, HttpStatusCode.NotFound, "Unknown contract 'nope'")]
    [TestCase("wakeel", "POST", "/_sim/contracts/nope/crm-reject", "{\"reject\":true}", HttpStatusCode.NotFound, "Unknown contract 'nope'")]
    [TestCase("wakeel", "POST", "/_sim/deploy", "{not json", HttpStatusCode.BadRequest, "not JSON")]
    [TestCase("wakeel", "POST", "/_sim/deploy", "{\"agentUrl\":\"ftp://x\"}", HttpStatusCode.BadRequest, "not an http(s) URL")]
    [TestCase("agentdoor", "POST", "/_sim/emit", "{\"duplicateOf\":\"evt_nope\"}", HttpStatusCode.NotFound, "Unknown event 'evt_nope'")]
    [TestCase("agentdoor", "POST", "/_sim/emit", "[1]", HttpStatusCode.BadRequest, "JSON object")]
    [TestCase("agentdoor", "POST", "/_sim/emit", "{}", HttpStatusCode.BadRequest, "\"type\" is missing")]
    public async Task Bad_control_input_is_a_4xx_json_error(string profile, string method, string path, string? json, HttpStatusCode expected, string message, CancellationToken ct)
    {
        await using var sim = await StartAsync(profile);
        var (status, body) = await SendAsync(new HttpMethod(method), sim.Url + path, json, ct);
        Assert.That(status, Is.EqualTo(expected), body.ToString());
        Assert.That(Str(body, "error"), Does.Contain(message));
    }

    [TestCase("wakeel", 5, "WAKEEL_CALLBACK_SECRET=wkcb_sim_dev")]
    [TestCase("agentdoor", 5, "AGENTDOOR_WEBHOOK_SECRET=adwh_sim_dev")]
    public async Task Every_command_in_the_banner_is_one_whole_line(string profile, int curlCount, string envPart)
    {
        string output;
        await using (var sim = await StartAsync(profile))
        {
            output = sim.Output;
            var lines = output.Split('\n');
            var curls = lines.Where(l => l.Contains("curl", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
            Assert.That(curls, Has.Count.EqualTo(curlCount), output);
            foreach (var curl in curls)
            {
                Assert.That(curl, Does.StartWith("curl -s ").And.Contain($"{sim.Url}/_sim/"), output);
                Assert.That(curl.Count(c => c == '\''), Is.Even, $"a quoted argument is cut in two: {curl}");
            }
            Assert.That(lines.Select(l => l.Trim()), Has.One.StartWith("PORT=3000 ").And.Contain(envPart).And.EndWith(" <your agent>"), output);
            // Spectre's wrapping starts the rest of a line at column 0; every banner line but the first is indented.
            Assert.That(lines.Where(l => l.Length > 0 && !l.StartsWith("  ", StringComparison.Ordinal)), Is.EqualTo(new[] { lines[0] }), output);
        }
    }

    [Test]
    public async Task An_unknown_profile_is_a_config_error()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["simulate", "--profile", "nope", "--port", "0"], new InvocationConfiguration { Output = output, Error = error });
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(error.ToString(), Does.StartWith("error: Unknown profile 'nope'. Known profiles: agentdukaan, wakeel, agentdoor, agentdoor-sender, agentdukaan-platform."));
        Assert.That(output.ToString(), Is.Empty);
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
