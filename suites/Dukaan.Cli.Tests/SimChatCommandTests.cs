using System.CommandLine;
using System.Text;
using System.Text.Json;
using Dukaan.Cli.Simulate;
using Dukaan.Simulator;

namespace Dukaan.Cli.Tests;

/// <summary>`chat …`, the buyer's side of in-app chat, against a real simulator on loopback whose listing declares chat.</summary>
public sealed class SimChatCommandTests
{
    private SimulatorHost _host = null!;
    private string _url = "";

    [OneTimeSetUp]
    public async Task StartSimulator()
    {
        _host = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0, Secret = "whsec_cli_tests", Chat = BundledAgent.Chat });
        _url = _host.BaseUrl.ToString().TrimEnd('/');
    }

    [OneTimeTearDown]
    public async Task StopSimulator() => await _host.DisposeAsync();

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in SimControlCommands.Create()) root.Subcommands.Add(command);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A subscription whose agent is not there: a relay fails at once, but the buyer's bubble is in the conversation.</summary>
    private Subscription NewSubscription() =>
        _host.Simulator.CreateSubscription(new CreateSubscriptionRequest(WebhookUrl: "http://127.0.0.1:1/hooks/agentdukaan"));

    private static byte[] Raw(string json) => Encoding.UTF8.GetBytes(json);

    [Test]
    public async Task Send_relays_a_buyer_message_and_show_prints_the_conversation_as_the_buyer_sees_it()
    {
        var subscription = NewSubscription();
        var id = subscription.Id;
        var send = await RunAsync("chat", "send", "--sim-url", _url, "--subscription", id, "--text", "Sales this week?", "--file", "--no-retry");
        Assert.That(send.Exit, Is.EqualTo(0), send.Out + send.Err);
        using (var answer = JsonDocument.Parse(send.Out))
        {
            Assert.That(answer.RootElement.GetProperty("messageId").GetString(), Does.StartWith("msg_"));
            Assert.That(answer.RootElement.GetProperty("fileRef").GetProperty("url").GetString(), Does.Contain("/files/f_"), "--file attaches a lying file");
        }
        var messageId = subscription.Chat.Bubbles.Single().Id;

        // The agent's side, as the platform would record it: a placeholder replaced by the answer, and a push.
        var now = DateTimeOffset.UtcNow;
        subscription.Chat.AddReply("working…", null, messageId, false, Raw("1"), now);
        using var blocks = JsonDocument.Parse("""[{ "type": "text", "text": "up 12%" }, { "type": "buttons", "buttons": [] }]""");
        subscription.Chat.AddReply("Sales were up 12%.", blocks.RootElement.Clone(), messageId, true, Raw("2"), now);
        subscription.Chat.TryPush("c1", "Stock is low on SKU 12", null, null, "alert", now);

        var show = await RunAsync("chat", "show", "--sim-url", _url, "--subscription", id);
        Assert.That(show.Exit, Is.EqualTo(0), show.Err);
        var lines = show.Out.TrimEnd('\n').Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo($"conversation {id} · chat declared · push on, 10 a day · not muted"));
            Assert.That(lines[1], Does.Match(@"^\d\d:\d\d:\d\d  buyer Sales this week\? \[file: .+\]$"));
            Assert.That(lines[2], Does.Match(@"^\d\d:\d\d:\d\d  agent Sales were up 12%\. \[blocks: text, buttons\] \(edited 1×; before: ""working…""\)$"));
            Assert.That(lines[3], Does.Match(@"^\d\d:\d\d:\d\d  push  \[alert\] Stock is low on SKU 12$"));
            Assert.That(lines, Has.Length.EqualTo(4), show.Out);
        });
    }

    [Test]
    public async Task Mute_quota_proactive_and_fail_pushes_change_the_conversation_and_print_it()
    {
        var subscription = NewSubscription();
        var id = subscription.Id;

        var mute = await RunAsync("chat", "mute", "--sim-url", _url, "--subscription", id);
        Assert.That((mute.Exit, subscription.Chat.Muted), Is.EqualTo((0, true)));
        Assert.That(mute.Out, Does.StartWith($"conversation {id} · chat declared · push on, 10 a day · muted\n").And.Contain("(no messages yet)"));
        subscription.Chat.TryPush("c1", "hidden", null, null, "report", DateTimeOffset.UtcNow);
        subscription.Chat.TryPush("c2", "hidden too", null, null, "report", DateTimeOffset.UtcNow);
        var show = await RunAsync("chat", "show", "--sim-url", _url, "--subscription", id);
        Assert.That(show.Out, Does.Contain("2 muted pushes (accepted, not shown to the buyer)").And.Not.Contain("hidden"));
        Assert.That((await RunAsync("chat", "mute", "--sim-url", _url, "--subscription", id, "--off")).Exit, Is.EqualTo(0));
        Assert.That(subscription.Chat.Muted, Is.False);

        var quota = await RunAsync("chat", "quota", "--sim-url", _url, "--subscription", id, "--per-day", "2");
        Assert.That((quota.Exit, subscription.Chat.MaxPerDay), Is.EqualTo((0, 2)));
        Assert.That(quota.Out, Does.Contain("push on, 2 a day"));

        var off = await RunAsync("chat", "proactive", "--sim-url", _url, "--subscription", id, "--enabled", "false");
        Assert.That((off.Exit, subscription.Chat.ProactiveEnabled), Is.EqualTo((0, false)));
        Assert.That(off.Out, Does.Contain("· push off ·"));

        Assert.That((await RunAsync("chat", "fail-pushes", "--sim-url", _url, "--subscription", id, "--count", "1")).Exit, Is.EqualTo(0));
        Assert.That(subscription.Chat.TryPush("c3", "x", null, null, "alert", DateTimeOffset.UtcNow), Is.EqualTo(Dukaan.Simulator.Chat.PushEffect.Unavailable));
    }

    [Test]
    public async Task The_simulators_refusals_are_printed_as_it_wrote_them_with_exit_2()
    {
        var id = NewSubscription().Id;
        var negative = await RunAsync("chat", "quota", "--sim-url", _url, "--subscription", id, "--per-day", "-1");
        Assert.That(negative.Exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(negative.Out, Does.Contain("maxPerDay"));
        Assert.That(negative.Err, Does.Contain("the simulator answered 400"));
        var unknown = await RunAsync("chat", "show", "--sim-url", _url, "--subscription", "sub_nope");
        Assert.That(unknown.Exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(unknown.Out, Does.Contain("SUBSCRIPTION_NOT_FOUND"));

        await using var noChat = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0 });
        var plain = noChat.Simulator.CreateSubscription(new CreateSubscriptionRequest(WebhookUrl: "http://127.0.0.1:1/hooks/agentdukaan"));
        var refused = await RunAsync("chat", "send", "--sim-url", noChat.BaseUrl.ToString(), "--subscription", plain.Id);
        Assert.That(refused.Exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(refused.Out, Does.Contain("CHAT_NOT_DECLARED").And.Contain("capabilities"));
        var enable = await RunAsync("chat", "proactive", "--sim-url", noChat.BaseUrl.ToString(), "--subscription", plain.Id, "--enabled", "true");
        Assert.That(enable.Out, Does.Contain("PROACTIVE_NOT_DECLARED"));
    }

    [Test]
    public void A_conversation_renders_line_breaks_inside_one_bubble_line_and_an_answer_that_is_not_one_is_left_alone()
    {
        Assert.That(ConversationText.TryRender("""{ "success": false }"""), Is.Null);
        Assert.That(ConversationText.TryRender("not json"), Is.Null);
        var view = JsonSerializer.Serialize(new
        {
            subscriptionId = "sub_1", chatDeclared = true, muted = false, proactiveEnabled = false, maxPerDay = 10, state = new { turns = 2 },
            stateUpdatedAt = "2025-01-01T10:00:00Z", mutedPushes = 0, downloads = Array.Empty<object>(),
            bubbles = new[] { new { id = "b1", kind = "reply", text = "two\nlines", at = "2025-01-01T10:00:01Z", edits = 0, earlierTexts = Array.Empty<string>(), hidden = false } },
        });
        Assert.That(ConversationText.TryRender(view), Is.EqualTo(
            "conversation sub_1 · chat declared · push off · not muted\nstate: {\"turns\":2} (saved 10:00:00)\n10:00:01  agent two ⏎ lines"));
    }
}
