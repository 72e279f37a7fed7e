using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// A scenario's in-app conversations as each buyer's chat window showed them at the end of the run: the buyer on
/// the right, the agent and its pushes on the left, replaced replies with what they said before, muted pushes greyed.
/// Every bubble is agent- or harness-written text, so all of it goes through the escaping builder.
/// </summary>
internal static class ConversationView
{
    public static void Render(HtmlBuilder html, ScenarioTimeline scenario, string id, int scenarioIndex)
    {
        if (scenario.Chats is not { Count: > 0 } chats) return;
        var heading = chats.Count == 1 ? "Conversation" : $"Conversations ({chats.Count} buyers)";
        html.Add($"""
            <section class="conversation" id="{id}" data-testid="conversation-{scenarioIndex}" aria-labelledby="{id}-title">
            <h4 id="{id}-title">{heading}</h4>
            <p class="conversation__note">What each buyer's chat window showed at the end of the run.</p>
            <div class="chats">

            """);
        for (var c = 0; c < chats.Count; c++) Chat(html, chats[c], scenario.StartMs, $"{scenarioIndex}-{c}");
        html.Add($"</div>\n</section>\n");
    }

    private static void Chat(HtmlBuilder html, ChatTranscript chat, double startMs, string key)
    {
        html.Add($"""
            <div class="chat" data-testid="chat-{key}" data-subscription="{chat.SubscriptionId}" role="group" aria-label="Chat of buyer {chat.SubscriptionId}">
            <div class="chat__head"><span>Buyer <code>{chat.SubscriptionId}</code></span>
            """);
        if (chat.Muted) html.Add($"<span class=\"chat__flag\" data-testid=\"chat-muted\">muted by the buyer</span>");
        if (!string.IsNullOrWhiteSpace(chat.State))
            html.Add($"<span class=\"chat__state\" title=\"The state the agent stored for this conversation\">state <code>{ChatBlocksView.Clip(chat.State)}</code></span>");
        html.Add($"</div>\n");
        if (chat.Bubbles.Count == 0)
        {
            html.Add($"<p class=\"tx__meta\">No messages.</p>\n</div>\n");
            return;
        }
        html.Add($"<ol class=\"chat__bubbles\">\n");
        for (var n = 0; n < chat.Bubbles.Count; n++) Bubble(html, chat.Bubbles[n], startMs, $"{key}-{n + 1}");
        html.Add($"</ol>\n</div>\n");
    }

    private static void Bubble(HtmlBuilder html, ChatBubbleView bubble, double startMs, string key)
    {
        var (side, who) = bubble.From switch
        {
            "buyer" => ("buyer", "Buyer"),
            "push" => ("push", "Push"),
            "agent" => ("agent", "Agent"),
            // A sender this report does not know yet is drawn on the agent's side, under its own name.
            _ => ("agent", bubble.From),
        };
        var muted = bubble.MutedPush ? " bubble--muted" : "";
        html.Add($"""
            <li class="bubble bubble--{side}{new RawHtml(muted)}" data-from="{bubble.From}" data-testid="bubble-{key}">
            <div class="bubble__meta"><span class="bubble__who">{who}</span>
            """);
        if (bubble.Category is { Length: > 0 } category) html.Add($"<span class=\"bubble__category\" data-testid=\"push-category\">{category}</span>");
        // Offsets count from the scenario's start, as the timeline's ticks do.
        html.Add($"<span class=\"bubble__at\">{Formatting.Offset(Math.Max(0, bubble.AtMs - startMs))}</span>");
        if (bubble.ReplyTo is { Length: > 0 } replyTo) html.Add($"<span class=\"bubble__reply\" title=\"The buyer message this answers\">↩ {replyTo}</span>");
        html.Add($"</div>\n");
        if (bubble.MutedPush) html.Add($"<p class=\"bubble__muted-note\" data-testid=\"muted-push\">muted — not shown to the buyer</p>\n");
        if (bubble.Text is { Length: > 0 } text) html.Add($"<p class=\"bubble__text\" data-testid=\"bubble-text\">{ChatBlocksView.Clip(text)}</p>\n");
        else if (bubble.Blocks is null && bubble.Attachment is null) html.Add($"<p class=\"bubble__text bubble__text--empty\">no text</p>\n");
        // A word, not a paperclip emoji: CI machines and print often lack an emoji font and would draw a box.
        if (bubble.Attachment is { Length: > 0 } file)
            html.Add($"<span class=\"file-chip\" data-testid=\"attachment\" title=\"An attached file, as the buyer named it\"><span class=\"file-chip__kind\">file</span> {file}</span>\n");
        ChatBlocksView.Render(html, bubble.Blocks);
        if (bubble.Edits > 0) Edits(html, bubble);
        html.Add($"</li>\n");
    }

    private static void Edits(HtmlBuilder html, ChatBubbleView bubble)
    {
        var marker = $"edited {bubble.Edits}×";
        if (bubble.EarlierTexts.Count == 0)
        {
            html.Add($"<p class=\"bubble__edited\" data-testid=\"edited\">{marker}</p>\n");
            return;
        }
        html.Add($"<details class=\"bubble__edited\" data-testid=\"edited\"><summary>{marker}</summary><p class=\"bubble__earlier-title\">Earlier texts, oldest first</p><ol class=\"bubble__earlier\">");
        foreach (var earlier in bubble.EarlierTexts)
            html.Add($"<li>{(earlier.Length == 0 ? "(no text)" : ChatBlocksView.Clip(earlier))}</li>");
        html.Add($"</ol></details>\n");
    }
}
