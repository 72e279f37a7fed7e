using System.Text.Json;
using System.Text.RegularExpressions;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

/// <summary>The conversation panel of index.html: what the buyer saw, drawn as chat bubbles inside the scenario's card.</summary>
public sealed partial class ConversationReportTests
{
    /// <summary>The chat scenario comes after the failing fixture's own scenarios.</summary>
    private static readonly int ChatIndex = FixtureResults.Scenarios().Count;

    private static string Render() => HtmlReportWriter.Render(ChatRun.Chatting());

    /// <summary>One bubble's markup: bubbles end their element on a line of their own, nested lists never do.</summary>
    private static string Bubble(string html, int n)
    {
        var start = html.IndexOf($"data-testid=\"bubble-{ChatIndex}-0-{n}\"", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), $"bubble {n} is missing");
        return html[start..html.IndexOf("</li>\n", start, StringComparison.Ordinal)];
    }

    [Test]
    public void The_chat_scenario_card_holds_a_conversation_panel_after_its_timeline()
    {
        var html = Render();
        var card = html.IndexOf("<article class=\"scenario\" id=\"scenario-chat-conversation\"", StringComparison.Ordinal);
        var panel = html.IndexOf($"<section class=\"conversation\" id=\"scenario-chat-conversation-conversation\" data-testid=\"conversation-{ChatIndex}\"", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(card, Is.GreaterThan(0));
            Assert.That(panel, Is.GreaterThan(html.IndexOf("data-testid=\"timeline-svg\"", card, StringComparison.Ordinal)), "below the scenario's own timeline");
            Assert.That(panel, Is.LessThan(html.IndexOf("</article>", card, StringComparison.Ordinal)), "inside the scenario's card");
            Assert.That(Regex.Matches(html, "<section class=\"conversation\""), Has.Count.EqualTo(1), "only scenarios with chats get a panel");
            Assert.That(html, Does.Contain($"<div class=\"chat\" data-testid=\"chat-{ChatIndex}-0\" data-subscription=\"sub_CHAT1\""));
            Assert.That(html, Does.Contain("<span class=\"chat__flag\" data-testid=\"chat-muted\">muted by the buyer</span>"));
            Assert.That(html, Does.Contain("state <code>{&quot;turns&quot;:2}</code>"));
        });
    }

    [Test]
    public void A_run_without_chats_has_no_conversation_panel()
    {
        var html = HtmlReportWriter.Render(FixtureResults.Failing());
        Assert.That(html, Does.Not.Contain("class=\"conversation\"").And.Not.Contain("data-testid=\"conversation-"));
    }

    [Test]
    public void Bubbles_keep_their_order_and_sides()
    {
        var html = Render();
        var froms = BubbleFrom().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.That(froms, Is.EqualTo(new[]
        {
            ("buyer", "buyer"), ("agent", "agent"), ("buyer", "buyer"), ("agent", "agent"), ("push", "push"), ("push", "push"),
        }));
        var texts = ChatRun.Bubbles().Select(b => Html.Escape(b.Text)).ToList();
        var positions = texts.Select(t => html.IndexOf($"<p class=\"bubble__text\" data-testid=\"bubble-text\">{t}</p>", StringComparison.Ordinal)).ToList();
        Assert.That(positions, Is.All.GreaterThan(0));
        Assert.That(positions, Is.Ordered.Ascending);
    }

    [Test]
    public void A_replaced_reply_shows_its_final_text_an_edit_count_and_what_it_said_before()
    {
        var bubble = Bubble(Render(), 2);
        Assert.Multiple(() =>
        {
            Assert.That(bubble, Does.Contain("Done ✓ sales are up 12%"));
            Assert.That(bubble, Does.Contain("<details class=\"bubble__edited\" data-testid=\"edited\"><summary>edited 1×</summary>"));
            Assert.That(bubble, Does.Contain("<ol class=\"bubble__earlier\"><li>working…</li></ol></details>"));
            Assert.That(bubble, Does.Contain("↩ msg_1"));
            Assert.That(bubble, Does.Contain("+150 ms"), "offsets count from the scenario's start");
        });
    }

    [Test]
    public void Pushes_carry_their_category_and_a_muted_push_says_the_buyer_never_saw_it()
    {
        var html = Render();
        var push = Bubble(html, 5);
        var muted = Bubble(html, 6);
        Assert.Multiple(() =>
        {
            Assert.That(push, Does.StartWith($"data-testid=\"bubble-{ChatIndex}-0-5\">"));
            Assert.That(html, Does.Contain($"<li class=\"bubble bubble--push\" data-from=\"push\" data-testid=\"bubble-{ChatIndex}-0-5\">"));
            Assert.That(push, Does.Contain("<span class=\"bubble__who\">Push</span><span class=\"bubble__category\" data-testid=\"push-category\">alert</span>"));
            Assert.That(push, Does.Not.Contain("muted"));
            Assert.That(html, Does.Contain($"<li class=\"bubble bubble--push bubble--muted\" data-from=\"push\" data-testid=\"bubble-{ChatIndex}-0-6\">"));
            Assert.That(muted, Does.Contain("data-testid=\"push-category\">digest</span>"));
            Assert.That(muted, Does.Contain("<p class=\"bubble__muted-note\" data-testid=\"muted-push\">muted — not shown to the buyer</p>"));
            Assert.That(muted, Does.Contain("Stock is running low"));
        });
    }

    [Test]
    public void An_attachment_is_a_file_chip_and_a_text_only_reply_has_no_blocks()
    {
        var html = Render();
        Assert.Multiple(() =>
        {
            Assert.That(Bubble(html, 3), Does.Contain("<span class=\"file-chip\" data-testid=\"attachment\"").And.Contain("sales-week-48 &lt;b&gt;.csv</span>"));
            Assert.That(Bubble(html, 4), Does.Not.Contain("data-testid=\"blocks\"").And.Not.Contain("data-testid=\"edited\""));
            Assert.That(Bubble(html, 1), Does.Not.Contain("file-chip"));
        });
    }

    [Test]
    public void Blocks_are_drawn_simply_and_a_chart_is_only_named()
    {
        var bubble = Bubble(Render(), 2);
        Assert.Multiple(() =>
        {
            Assert.That(bubble, Does.Contain("<p class=\"block block--text\" data-block=\"text\">&lt;img src=r onerror=window.__pwned=8&gt;Here is your summary.</p>"));
            Assert.That(bubble, Does.Contain("<span class=\"chat-button\" title=\"action: reset · asks first: &quot;&gt;&lt;img src=q onerror=window.__pwned=7&gt;Sure?\">Start over</span>"));
            Assert.That(bubble, Does.Contain("<span class=\"chat-button__confirm\">asks “&quot;&gt;&lt;img src=q onerror=window.__pwned=7&gt;Sure?”</span>"));
            Assert.That(bubble, Does.Contain("<li><span class=\"form-field__label\">Detail</span> <span class=\"form-field__kind\">range 1–5</span></li>"));
            Assert.That(bubble, Does.Contain("<progress max=\"1\" value=\"0.5\"></progress><span>Report · 50%</span>"));
            Assert.That(bubble, Does.Contain("<tr><th scope=\"col\">Day</th><th scope=\"col\">Sales</th></tr><tr><td>Mon</td><td>120</td></tr>"));
            Assert.That(bubble, Does.Contain("<ul class=\"block block--list\" data-block=\"list\"><li>Restock tea</li><li>Call the supplier</li></ul>"));
            Assert.That(bubble, Does.Contain("<span class=\"block-tag block-tag--unsupported\" data-testid=\"unsupported-block\">unsupported block: chart</span>"));
            Assert.That(bubble, Does.Not.Contain("series"), "an unsupported block is named, not dumped");
        });
    }

    [Test]
    public void Agent_text_in_bubbles_and_blocks_is_escaped_and_adds_no_markup()
    {
        var html = Render();
        Assert.Multiple(() =>
        {
            Assert.That(Bubble(html, 4), Does.Contain("<p class=\"bubble__text\" data-testid=\"bubble-text\">&lt;script&gt;window.__pwned=6&lt;/script&gt;Thanks, got it.</p>"));
            Assert.That(html, Does.Not.Contain("<script>window.__pwned").And.Not.Contain("<img").And.Not.Contain("48 <b>"));
            Assert.That(Regex.Matches(html, "<script[\\s>]"), Has.Count.EqualTo(1), "the report's own script only");
            Assert.That(html, Does.Not.Contain(" style=\""), "the CSP would block style attributes, so the progress bar uses none");
        });
    }

    [Test]
    public void A_chat_rule_links_to_its_scenarios_conversation()
    {
        var html = Render();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("Scenarios: <a href=\"#scenario-chat-conversation\">chat conversation</a> (<a href=\"#scenario-chat-conversation-conversation\" data-testid=\"conversation-link-DK-CHAT-01-1\">conversation</a>)"));
            Assert.That(html, Does.Not.Contain("data-testid=\"conversation-link-DK-SIG-01"), "scenarios without chats get no such link");
        });
    }

    [Test]
    public void Odd_blocks_become_tags_and_an_empty_bubble_says_so()
    {
        var odd = JsonSerializer.SerializeToElement(new object[] { 42, new { label = "typeless" }, new { type = "image", alt = "<a chart>" } });
        var scenario = ChatRun.Scenario() with
        {
            Chats =
            [
                new ChatTranscript("sub_ODD", false, null,
                [
                    new ChatBubbleView(50_500, "agent", null, odd, null, 0, [], false, null, null),
                    new ChatBubbleView(50_600, "agent", null, JsonSerializer.SerializeToElement(new { type = "text" }), null, 0, [], false, null, null),
                    new ChatBubbleView(50_700, "agent", null, null, null, 2, [], false, null, null),
                    new ChatBubbleView(50_800, "operator", "hello", null, null, 0, [], false, null, null),
                ]),
            ],
        };
        var html = HtmlReportWriter.Render(FixtureResults.Failing() with { Scenarios = [scenario] });
        Assert.Multiple(() =>
        {
            Assert.That(Regex.Matches(html, "unsupported block: no type"), Has.Count.EqualTo(2));
            Assert.That(html, Does.Contain("<span class=\"block-tag\" data-testid=\"block-tag\">image: &lt;a chart&gt;</span>"));
            Assert.That(html, Does.Contain("blocks: object, not an array"));
            Assert.That(html, Does.Contain("<p class=\"bubble__text bubble__text--empty\">no text</p>\n<p class=\"bubble__edited\" data-testid=\"edited\">edited 2×</p>"));
            Assert.That(html, Does.Contain("<li class=\"bubble bubble--agent\" data-from=\"operator\" data-testid=\"bubble-0-0-4\">\n<div class=\"bubble__meta\"><span class=\"bubble__who\">operator</span>"));
            Assert.That(html, Does.Not.Contain("class=\"chat__flag\"").And.Not.Contain("class=\"chat__state\""), "neither muted nor holding state");
        });
    }

    [Test]
    public void A_secret_in_a_bubble_or_a_block_is_masked_in_every_report()
    {
        var results = ChatRun.Chatting();
        var scenario = results.Scenarios[^1];
        var chat = scenario.Chats![0];
        var leaky = chat.Bubbles[1] with
        {
            Text = $"your key is {FixtureResults.CanaryKey}",
            Blocks = JsonSerializer.SerializeToElement(new[] { new { type = "text", text = FixtureResults.CanaryKey } }),
        };
        var leaking = results with { Scenarios = [.. results.Scenarios.SkipLast(1), scenario with { Chats = [chat with { Bubbles = [chat.Bubbles[0], leaky] }] }] };
        var dir = Directory.CreateTempSubdirectory("dukaan-chat-redaction-").FullName;
        try
        {
            var written = ReportSet.Write(leaking, dir, [FixtureResults.CanaryKey]);
            var html = File.ReadAllText(written.IndexHtml);
            Assert.Multiple(() =>
            {
                foreach (var file in written.All) Assert.That(File.ReadAllText(file), Does.Not.Contain(FixtureResults.CanaryKey), file);
                Assert.That(html, Does.Contain($"your key is ••••{FixtureResults.CanaryKey[^4..]}</p>"));
                Assert.That(html, Does.Contain($"data-block=\"text\">••••{FixtureResults.CanaryKey[^4..]}</p>"));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex("<li class=\"bubble bubble--([a-z]+)[^\"]*\" data-from=\"([^\"]+)\"")]
    private static partial Regex BubbleFrom();
}
