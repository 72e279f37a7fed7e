using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dukaan.Contract;

/// <summary>Whether push is on for a conversation, as the relay's <c>platform.proactive</c> tells the agent (002 §6.2, §6.3).</summary>
public sealed record ChatProactive(bool Enabled, int MaxPerDay, IReadOnlyList<string> Categories);

/// <summary>
/// Capability negotiation on every relay: the manifest's blocks and actions intersected with what the buyer's renderer
/// supports, the renderer's ceiling, and whether push is on (002 §6.2).
/// </summary>
public sealed record ChatPlatform(int CapsVersion, IReadOnlyList<string> Blocks, IReadOnlyList<string> Actions, ChatProactive Proactive);

/// <summary>A file the buyer attached. Its size and mime are what the buyer's client declared, not a promise (002 §6.6).</summary>
public sealed record ChatFileRef(string Url, string Name, long SizeBytes, string Mime);

/// <summary>The relay of one buyer message to the agent's webhook, signed like buyer_configured (decision 9).</summary>
public sealed record ChatMessageRelay(
    string Event,
    string SubscriptionId,
    string BuyerId,
    string ListingId,
    string MessageId,
    string Text,
    ChatPlatform Platform,
    JsonElement? State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatFileRef? FileRef,
    long Ts);

/// <summary>The seller's listing manifest for chat (<c>listing.capabilities</c>, decision 10).</summary>
public sealed record ChatManifest(IReadOnlyList<string> Blocks, IReadOnlyList<string> Actions, ProactiveManifest? Proactive)
{
    /// <summary>What the platform's renderer negotiates for this manifest: declared ∩ supported, push as declared.</summary>
    public ChatPlatform Negotiate(bool proactiveAllowed = true, IReadOnlyList<string>? rendererBlocks = null, int capsVersion = ChatBlockKit.CapsVersion)
    {
        var supported = rendererBlocks ?? ChatBlockKit.RendererBlocks;
        var enabled = proactiveAllowed && Proactive is { Enabled: true };
        return new ChatPlatform(capsVersion, [.. Blocks.Where(supported.Contains)], Actions,
            new ChatProactive(enabled, Proactive?.MaxPerDay ?? ProactiveManifest.DefaultMaxPerDay, enabled ? Proactive!.Categories : []));
    }
}

/// <summary><c>capabilities.proactive</c>: push is opt-in, with a per-day quota (default 10) and allowed categories (decision 11).</summary>
public sealed record ProactiveManifest(bool Enabled, int MaxPerDay, IReadOnlyList<string> Categories)
{
    public const int DefaultMaxPerDay = 10;
    public static readonly IReadOnlyList<string> AllCategories = ["alert", "report", "nudge", "transactional"];
}

/// <summary>The ChatBlock kit as of 002 §6.5: <c>chart</c> removed, <c>progress</c> added, <c>confirm</c> on buttons, <c>range</c> form fields.</summary>
public static class ChatBlockKit
{
    public const int CapsVersion = 3;
    public const string Chart = "chart";
    public const string Progress = "progress";

    /// <summary>What the simulated renderer draws. <c>chart</c> is gone from the kit: the validator rejects it.</summary>
    public static readonly IReadOnlyList<string> RendererBlocks = ["text", "markdown", "buttons", "form", "table", "image", "list", Progress];

    /// <summary>
    /// Every problem with the blocks an agent sent, judged against the block types the relay it answers listed. Unknown
    /// members of a block are additive and not judged; a block that is not an object or has no type is a problem.
    /// </summary>
    public static IReadOnlyList<string> Problems(JsonElement blocks, IReadOnlyCollection<string> allowed)
    {
        var problems = new List<string>();
        if (blocks.ValueKind == JsonValueKind.Null) return problems;
        if (blocks.ValueKind != JsonValueKind.Array) return ["\"blocks\" is not an array"];
        var index = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var at = $"blocks[{index++}]";
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{at} has no string \"type\"");
                continue;
            }
            var type = typeElement.GetString()!;
            if (type == Chart) problems.Add($"{at} is a `chart`, which the ChatBlock kit removed (002 §6.5)");
            else if (!allowed.Contains(type))
                problems.Add($"{at} is a `{type}`, but the relay's platform.blocks listed only [{string.Join(", ", allowed)}]");
            if (type == "buttons") problems.AddRange(ButtonProblems(block, at));
            if (type == "form") problems.AddRange(FormProblems(block, at));
        }
        return problems;
    }

    private static IEnumerable<string> ButtonProblems(JsonElement block, string at)
    {
        if (!block.TryGetProperty("buttons", out var buttons) || buttons.ValueKind != JsonValueKind.Array) yield break;
        var i = 0;
        foreach (var button in buttons.EnumerateArray())
        {
            if (button.ValueKind == JsonValueKind.Object && button.TryGetProperty("confirm", out var confirm) && confirm.ValueKind != JsonValueKind.String)
                yield return $"{at}.buttons[{i}].confirm is {confirm.ValueKind.ToString().ToLowerInvariant()}, not a string";
            i++;
        }
    }

    private static IEnumerable<string> FormProblems(JsonElement block, string at)
    {
        if (!block.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array) yield break;
        var i = 0;
        foreach (var field in fields.EnumerateArray())
        {
            if (field.ValueKind == JsonValueKind.Object && field.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "range")
            {
                var hasMin = field.TryGetProperty("min", out var min) && min.ValueKind == JsonValueKind.Number;
                var hasMax = field.TryGetProperty("max", out var max) && max.ValueKind == JsonValueKind.Number;
                if (!hasMin || !hasMax) yield return $"{at}.fields[{i}] is a `range` without numeric min and max";
                else if (min.GetDouble() > max.GetDouble()) yield return $"{at}.fields[{i}] is a `range` whose min is above its max";
            }
            i++;
        }
    }
}

public static class ChatErrorCodes
{
    public const string ProactiveNotEnabled = "PROACTIVE_NOT_ENABLED";
    public const string CategoryNotAllowed = "CATEGORY_NOT_ALLOWED";
    public const string PushQuotaExceeded = "PUSH_QUOTA_EXCEEDED";
    public const string PushUnavailable = "PUSH_UNAVAILABLE";
    public const string InvalidBlocks = "INVALID_BLOCKS";
    public const string StateTooLarge = "STATE_TOO_LARGE";
}

public static class ChatPaths
{
    public static string Reply(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/chat/reply";
    public static string Push(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/chat/push";
    public static string State(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/chat/state";
}
