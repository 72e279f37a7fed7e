using System.Globalization;
using System.Text;
using System.Text.Json;
using Dukaan.Simulator;
using Dukaan.Simulator.Chat;

namespace Dukaan.Cli.Simulate;

/// <summary>
/// A conversation as the buyer's chat window shows it, in plain lines: who said what, which replies were replaced
/// and what they said before, and how many pushes the mute swallowed. Plain text, so it reads the same in a log.
/// </summary>
public static class ConversationText
{
    /// <summary>The simulator's answer rendered, or null when it is not a conversation (then the caller prints the JSON).</summary>
    public static string? TryRender(string json)
    {
        ConversationView? view;
        try { view = JsonSerializer.Deserialize<ConversationView>(json, ControlApi.Json); }
        catch (JsonException) { return null; }
        return view is { SubscriptionId: not null, Bubbles: not null } ? Render(view) : null;
    }

    public static string Render(ConversationView view)
    {
        var text = new StringBuilder();
        var push = view.ProactiveEnabled ? $"push on, {view.MaxPerDay} a day" : "push off";
        text.AppendLine(CultureInfo.InvariantCulture, $"conversation {view.SubscriptionId} · {(view.ChatDeclared ? "chat declared" : "no chat declared")} · {push} · {(view.Muted ? "muted" : "not muted")}");
        if (view.State is { ValueKind: not JsonValueKind.Null } state)
            text.AppendLine(CultureInfo.InvariantCulture, $"state: {state.GetRawText()}{(view.StateUpdatedAt is { } at ? $" (saved {Time(at)})" : "")}");
        if (view.Bubbles.Count == 0) text.AppendLine("(no messages yet)");
        foreach (var bubble in view.Bubbles) text.AppendLine(Line(bubble));
        if (view.MutedPushes > 0)
            text.AppendLine(CultureInfo.InvariantCulture, $"{view.MutedPushes} muted push{(view.MutedPushes == 1 ? "" : "es")} (accepted, not shown to the buyer)");
        foreach (var download in view.Downloads)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"file {download.Token}: the agent read {download.BytesWritten} bytes{(download.ReachedCap ? ", up to the cap" : "")}{(download.AgentHungUp ? ", then hung up" : "")}");
        return text.ToString().TrimEnd('\n');
    }

    private static string Line(ChatBubble bubble)
    {
        var who = bubble.Kind switch { BubbleKind.BuyerMessage => "buyer", BubbleKind.Reply => "agent", _ => "push" };
        var parts = new List<string> { $"{Time(bubble.At)}  {who,-5}" };
        if (bubble.Category is { } category) parts.Add($"[{category}]");
        parts.Add(bubble.Text is { Length: > 0 } t ? OneLine(t) : "(no text)");
        if (BlockTypes(bubble.Blocks) is { Length: > 0 } blocks) parts.Add($"[blocks: {blocks}]");
        if (bubble.Note is { Length: > 0 } note) parts.Add($"(note: {OneLine(note)})");
        if (bubble.FileName is { } file) parts.Add($"[file: {file}]");
        if (bubble.Edits > 0)
            parts.Add($"(edited {bubble.Edits}×; before: {string.Join(" → ", bubble.EarlierTexts.Select(e => JsonSerializer.Serialize(OneLine(e), ControlApi.Json)))})");
        return string.Join(' ', parts);
    }

    private static string BlockTypes(JsonElement? blocks) =>
        blocks is { ValueKind: JsonValueKind.Array } array
            ? string.Join(", ", array.EnumerateArray().Select(b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : "?"))
            : "";

    // An agent's text may hold line breaks; a bubble stays one line so the conversation reads top to bottom.
    private static string OneLine(string text) => text.ReplaceLineEndings(" ⏎ ");

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
