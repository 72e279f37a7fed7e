using System.CommandLine;
using Dukaan.Simulator;

namespace Dukaan.Cli.Tests;

/// <summary>The subcommands that drive a running simulator, against a real one on loopback.</summary>
public sealed class SimControlCommandTests
{
    private SimulatorHost _host = null!;
    private string _url = "";

    [OneTimeSetUp]
    public async Task StartSimulator()
    {
        _host = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0, Secret = "whsec_cli_tests" });
        _url = _host.BaseUrl.ToString().TrimEnd('/');
    }

    [OneTimeTearDown]
    public async Task StopSimulator() => await _host.DisposeAsync();

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in SimControlCommands.Create()) root.Subcommands.Add(command);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task Subscribe_limit_and_cancel_change_the_simulator_state()
    {
        var (exit, output, _) = await RunAsync("subscribe", "--sim-url", _url);
        Assert.That(exit, Is.EqualTo(0));
        var id = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("id").GetString()!;
        var subscription = _host.Simulator.Require(id);

        Assert.That((await RunAsync("limit", "--sim-url", _url, "--subscription", id, "--runs", "7")).Exit, Is.EqualTo(0));
        Assert.That(subscription.RunLimit, Is.EqualTo(7));
        Assert.That((await RunAsync("cancel", "--sim-url", _url, "--subscription", id, "--status", "past_due")).Exit, Is.EqualTo(0));
        Assert.That(subscription.Status, Is.EqualTo(SubscriptionStatus.PastDue));

        var keyBefore = subscription.CurrentProviderKey;
        var rotate = await RunAsync("rotate", "--sim-url", _url, "--subscription", id);
        // No agent URL is known, so the redelivery is refused; the key must not have changed either.
        Assert.That(rotate.Exit, Is.EqualTo(2));
        Assert.That(rotate.Out, Does.Contain("NO_WEBHOOK_URL"));
        Assert.That(subscription.CurrentProviderKey, Is.EqualTo(keyBefore));
    }

    [Test]
    public async Task Deliver_reports_the_attempts_against_an_agent_that_is_not_there()
    {
        var subscription = _host.Simulator.CreateSubscription(new CreateSubscriptionRequest(WebhookUrl: "http://127.0.0.1:1/hooks/agentdukaan"));
        var (exit, output, _) = await RunAsync("deliver", "--sim-url", _url, "--subscription", subscription.Id);
        Assert.That(exit, Is.EqualTo(0), "the simulator answered; the delivery itself failed");
        Assert.That(output, Does.Contain("\"delivered\": false").And.Contain("connection failed"));
    }

    [Test]
    public async Task Errors_say_what_was_wrong()
    {
        var unknown = await RunAsync("deliver", "--sim-url", _url, "--subscription", "sub_nope");
        Assert.That(unknown.Exit, Is.EqualTo(2));
        Assert.That(unknown.Out, Does.Contain("SUBSCRIPTION_NOT_FOUND"));
        var unreachable = await RunAsync("subscribe", "--sim-url", "http://127.0.0.1:1");
        Assert.That(unreachable.Exit, Is.EqualTo(2));
        Assert.That(unreachable.Err, Does.Contain("cannot reach the simulator").And.Contain("simulate"));
        var badUrl = await RunAsync("subscribe", "--sim-url", "not a url");
        Assert.That(badUrl.Err, Does.Contain("is not an http URL"));
    }

    [Test]
    public void The_live_log_names_direction_status_and_diagnosis()
    {
        var line = LiveLog.Line(new Exchange(1, Direction.AgentToPlatform, ExchangeKinds.Config, "sub_1", "GET", "/api/subscriptions/sub_1/config",
            new Dictionary<string, string>(), "", 401, new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 3, null,
            new Dictionary<string, string> { [TagKeys.Diagnosis] = "ts-in-seconds" }));
        Assert.That(line, Does.Contain("agent → platform").And.Contain("401").And.Contain("ts-in-seconds"));
    }
}
