using System.Text.Json;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

/// <summary>
/// The failing fixture run plus one chat scenario whose buyer saw everything the conversation panel draws: a
/// placeholder replaced by a reply with every kind of block, an attachment, a text-only reply carrying a script,
/// a push, and a push swallowed by the buyer's mute. Hostile text sits in text, attribute and block positions.
/// </summary>
internal static class ChatRun
{
    public const string ScenarioName = "chat conversation";

    public const string SubscriptionId = "sub_CHAT1";

    public const string ScriptReply = "<script>window.__pwned=6</script>Thanks, got it.";

    /// <summary>Lands in a title attribute (the button's confirm), where a quote would end the attribute.</summary>
    public const string HostileConfirm = "\"><img src=q onerror=window.__pwned=7>Sure?";

    public const string HostileBlockText = "<img src=r onerror=window.__pwned=8>Here is your summary.";

    public const string Attachment = "sales-week-48 <b>.csv";

    public static RunResults Chatting()
    {
        var baseline = FixtureResults.Failing();
        var rule = new RuleResult("DK-CHAT-01", RuleLevel.Must, "chat", "Replies to a relayed buyer message", "The agent replies to every relayed buyer message.",
            "002 §6", Verdict.Pass, new Evidence("a reply to each relayed message", "2 replies", null, [],
                "dukaan-conformance certify --agent 'node server.js' --rule DK-CHAT-01 --seed 4242", [ScenarioName]));
        List<RuleResult> rules = [.. baseline.Rules, rule];
        return baseline with { Rules = rules, Summary = Summary.Of(rules), Scenarios = [.. baseline.Scenarios, Scenario()] };
    }

    public static ScenarioTimeline Scenario() =>
        new(ScenarioName, "Two buyer messages are relayed and two pushes asked for, one after the buyer muted the chat", 50_000, 56_000,
        [
            new(50_100, 20, "platform→agent", "relay", "relay msg_1", 200),
            new(50_300, 10, "agent→platform", "reply", "reply msg_1", 200),
            new(52_000, 20, "platform→agent", "relay", "relay msg_2", 200),
            new(52_200, 10, "agent→platform", "reply", "reply msg_2", 200),
            new(53_000, 10, "agent→platform", "push", "push alert", 200),
            new(54_000, 10, "agent→platform", "push", "push digest (muted)", 202),
        ],
        [new ChatTranscript(SubscriptionId, Muted: true, State: "{\"turns\":2}", Bubbles())]);

    /// <summary>In the order the buyer saw them; the first reply replaced its "working…" placeholder.</summary>
    public static IReadOnlyList<ChatBubbleView> Bubbles() =>
    [
        Bubble(50_100, "buyer", "How did sales do this week?"),
        Bubble(50_150, "agent", "Done ✓ sales are up 12%", Blocks(), replyTo: "msg_1", earlier: ["working…"]),
        Bubble(52_000, "buyer", "Here is this week's sheet.", attachment: Attachment),
        Bubble(52_200, "agent", ScriptReply, replyTo: "msg_2"),
        Bubble(53_000, "push", "Your weekly report is ready", category: "alert"),
        Bubble(54_000, "push", "Stock is running low", category: "digest", mutedPush: true),
    ];

    private static ChatBubbleView Bubble(double atMs, string from, string? text, JsonElement? blocks = null, string? replyTo = null,
        IReadOnlyList<string>? earlier = null, bool mutedPush = false, string? category = null, string? attachment = null) =>
        new(atMs, from, text, blocks, replyTo, earlier?.Count ?? 0, earlier ?? [], mutedPush, category, attachment);

    /// <summary>Every block the report draws, and a <c>chart</c>, which the kit removed and the report must only name.</summary>
    private static JsonElement Blocks()
    {
        object[] blocks =
        [
            new { type = "text", text = HostileBlockText },
            new { type = "buttons", buttons = new[] { new { label = "Start over", action = "reset", confirm = HostileConfirm } } },
            new { type = "form", fields = new[] { new { id = "detail", type = "range", label = "Detail", min = 1, max = 5 } } },
            new { type = "progress", value = 0.5, label = "Report" },
            new { type = "table", columns = new[] { "Day", "Sales" }, rows = new[] { new object[] { "Mon", 120 }, ["Tue", 134] } },
            new { type = "list", items = new[] { "Restock tea", "Call the supplier" } },
            new { type = "chart", series = new[] { 1, 2, 3 } },
        ];
        return JsonSerializer.SerializeToElement(blocks, ResultsJson.Options);
    }
}
