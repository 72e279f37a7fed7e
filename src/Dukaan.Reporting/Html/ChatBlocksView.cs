using System.Globalization;
using System.Text.Json;

namespace Dukaan.Reporting;

/// <summary>
/// The ChatBlocks an agent attached to a bubble, drawn simply: enough to see what the buyer was offered, never a
/// working control. The JSON is agent-controlled and unvalidated here (the chat rules judge it), so every shape is
/// read defensively and anything unexpected becomes a small tag rather than an error or a guess.
/// </summary>
internal static class ChatBlocksView
{
    /// <summary>Keeps a page with a flooding agent openable; results.json has every row.</summary>
    private const int MaxItems = 50;

    /// <summary>Per text; a bubble is a chat message, so anything longer is a flood, and results.json has it whole.</summary>
    private const int MaxTextChars = 4_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Render(HtmlBuilder html, JsonElement? blocks)
    {
        if (blocks is not { } array || array.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return;
        if (array.ValueKind != JsonValueKind.Array)
        {
            Tag(html, $"blocks: {JsonKind(array)}, not an array");
            return;
        }
        if (array.GetArrayLength() == 0) return;
        html.Add($"<div class=\"blocks\" data-testid=\"blocks\">\n");
        foreach (var block in array.EnumerateArray()) Block(html, block);
        html.Add($"</div>\n");
    }

    private static void Block(HtmlBuilder html, JsonElement block)
    {
        var type = block.ValueKind == JsonValueKind.Object ? Text(block, "type") : null;
        switch (type)
        {
            case null:
                Tag(html, "unsupported block: no type");
                break;
            // Markdown is shown as its source: rendering it would be a second, agent-driven markup path.
            case "text" or "markdown":
                html.Add($"<p class=\"block block--text\" data-block=\"{type}\">{Clip(Text(block, "text") ?? "")}</p>\n");
                break;
            case "buttons":
                Buttons(html, block);
                break;
            case "form":
                Form(html, block);
                break;
            case "progress":
                Progress(html, block);
                break;
            case "table":
                Table(html, block);
                break;
            case "list":
                List(html, block);
                break;
            // The page loads nothing (img-src 'none'), so an image is named, not shown.
            case "image":
                Tag(html, $"image: {Text(block, "alt") ?? Text(block, "url") ?? "no description"}", supported: true);
                break;
            default:
                Tag(html, $"unsupported block: {type}");
                break;
        }
    }

    private static void Buttons(HtmlBuilder html, JsonElement block)
    {
        html.Add($"<div class=\"block block--buttons\" data-block=\"buttons\">");
        foreach (var button in Items(block, "buttons"))
        {
            var label = Text(button, "label") ?? Text(button, "action") ?? "button";
            var confirm = Text(button, "confirm");
            var action = Text(button, "action");
            var title = string.Join(" · ", new[] { action is null ? null : "action: " + action, confirm is null ? null : "asks first: " + confirm }.OfType<string>());
            html.Add($"<span class=\"chat-button\" title=\"{title}\">{label}</span>");
            if (confirm is not null) html.Add($"<span class=\"chat-button__confirm\">asks “{confirm}”</span>");
        }
        html.Add($"</div>\n");
    }

    private static void Form(HtmlBuilder html, JsonElement block)
    {
        html.Add($"<ul class=\"block block--form\" data-block=\"form\">");
        foreach (var field in Items(block, "fields"))
        {
            var label = Text(field, "label") ?? Text(field, "id") ?? "field";
            var kind = Text(field, "type") ?? "field";
            var min = Text(field, "min");
            var max = Text(field, "max");
            var range = min is not null || max is not null ? $" {min ?? "?"}–{max ?? "?"}" : "";
            html.Add($"<li><span class=\"form-field__label\">{label}</span> <span class=\"form-field__kind\">{kind}{range}</span></li>");
        }
        html.Add($"</ul>\n");
    }

    /// <summary>A native progress element: a width could only be set with a style attribute, which the CSP forbids.</summary>
    private static void Progress(HtmlBuilder html, JsonElement block)
    {
        var label = Text(block, "label");
        double? value = block.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        // The kit says 0–1; a percentage is read as one rather than drawn as a full bar.
        var fraction = value is { } x ? Math.Clamp(x > 1 ? x / 100 : x, 0, 1) : (double?)null;
        html.Add($"<div class=\"block block--progress\" data-block=\"progress\">");
        if (fraction is { } f)
            html.Add($"<progress max=\"1\" value=\"{f.ToString("0.###", Inv)}\"></progress><span>{label}{(label is null ? "" : " · ")}{(f * 100).ToString("0", Inv)}%</span>");
        else
            html.Add($"<progress max=\"1\"></progress><span>{label ?? "in progress"}</span>");
        html.Add($"</div>\n");
    }

    private static void Table(HtmlBuilder html, JsonElement block)
    {
        var columns = Items(block, "columns").Concat(Items(block, "headers")).Select(c => Cell(c, "label", "title", "key")).ToList();
        var rows = Items(block, "rows").ToList();
        html.Add($"<table class=\"block block--table\" data-block=\"table\">");
        if (columns.Count > 0)
        {
            html.Add($"<tr>");
            foreach (var column in columns) html.Add($"<th scope=\"col\">{column}</th>");
            html.Add($"</tr>");
        }
        foreach (var row in rows.Take(MaxItems))
        {
            html.Add($"<tr>");
            var cells = row.ValueKind switch
            {
                JsonValueKind.Array => row.EnumerateArray().Select(c => Cell(c)).ToList(),
                JsonValueKind.Object => row.EnumerateObject().Select(p => Cell(p.Value)).ToList(),
                _ => [Cell(row)],
            };
            foreach (var cell in cells) html.Add($"<td>{Clip(cell)}</td>");
            html.Add($"</tr>");
        }
        html.Add($"</table>\n");
        if (rows.Count > MaxItems) html.Add($"<p class=\"clipped\">{rows.Count - MaxItems} more rows in results.json</p>\n");
    }

    private static void List(HtmlBuilder html, JsonElement block)
    {
        var items = Items(block, "items").ToList();
        html.Add($"<ul class=\"block block--list\" data-block=\"list\">");
        foreach (var item in items.Take(MaxItems)) html.Add($"<li>{Clip(Cell(item, "text", "label", "title"))}</li>");
        html.Add($"</ul>\n");
        if (items.Count > MaxItems) html.Add($"<p class=\"clipped\">{items.Count - MaxItems} more items in results.json</p>\n");
    }

    private static void Tag(HtmlBuilder html, string text, bool supported = false) =>
        html.Add($"<span class=\"block-tag{new RawHtml(supported ? "" : " block-tag--unsupported")}\" data-testid=\"{(supported ? "block-tag" : "unsupported-block")}\">{text}</span>\n");

    private static IEnumerable<JsonElement> Items(JsonElement block, string name) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : [];

    /// <summary>A string or number member as text; anything else counts as absent.</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>A cell or item: its text if it is a scalar or has one of <paramref name="names"/>, else its JSON.</summary>
    private static string Cell(JsonElement element, params string[] names)
    {
        foreach (var name in names)
            if (Text(element, name) is { } text) return text;
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString() ?? "",
            JsonValueKind.Null => "",
            _ => element.GetRawText(),
        };
    }

    private static string JsonKind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    internal static string Clip(string text) => text.Length <= MaxTextChars ? text : text[..MaxTextChars] + "…";
}
