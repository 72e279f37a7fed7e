using System.Globalization;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dukaan.Simulator.Chat;

/// <summary>The chat endpoints an agent calls (002 §6): reply, push, state GET/PUT, and the attachment download.</summary>
public static class ChatApi
{
    /// <summary>"A small opaque JSON blob" (002 §6.4); the sources give no number, so the simulator says 16 KiB and names it.</summary>
    public const int MaxStateBytes = 16 * 1024;

    public static void MapChatApi(this IEndpointRouteBuilder app)
    {
        var chat = app.MapGroup("/api/subscriptions/{id}/chat");
        chat.MapPost("/reply", PostReply);
        chat.MapPost("/push", PostPush);
        chat.MapGet("/state", GetState);
        chat.MapPut("/state", PutState);
    }

    private static IResult PostReply(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = PlatformApi.Tag(http, ExchangeKinds.ChatReply, id);
        if (ChatAuth.Check(http, simulator, id, exchange, BodyBoundDomain.ChatReply) is { } refused) return refused;
        if (PlatformApi.FindActive(simulator, id, exchange, out var subscription) is { } gone) return gone;
        if (ParseObject(exchange, simulator) is not { } body)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.MalformedJson,
                "Body must be a JSON object: { \"text\": \"…\", \"blocks\": [ … ], \"replyTo\": \"<inbound messageId>\", \"replace\": false }.");
        var text = String(body, "text");
        var blocks = body.TryGetProperty("blocks", out var b) ? b.Clone() : (JsonElement?)null;
        if (text is null && blocks is null)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "A reply needs \"text\" or \"blocks\".");
        if (BlockRefusal(exchange, blocks, subscription) is { } invalid) return invalid;
        var replace = body.TryGetProperty("replace", out var r) && r.ValueKind == JsonValueKind.True;
        var effect = subscription.Chat.AddReply(text, blocks, String(body, "replyTo"), replace, exchange.RawBody, simulator.Clock.GetUtcNow());
        exchange.Tags[TagKeys.ChatBubble] = effect switch
        {
            ReplyEffect.Edited => "edited",
            ReplyEffect.NothingToReplace => "nothing-to-replace",
            ReplyEffect.Duplicate => "duplicate",
            _ => "appended",
        };
        return Results.Json(new Envelope<object>(true, new { bubble = exchange.Tags[TagKeys.ChatBubble] }), ContractJson.Options);
    }

    private static IResult PostPush(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = PlatformApi.Tag(http, ExchangeKinds.ChatPush, id);
        if (ChatAuth.Check(http, simulator, id, exchange, BodyBoundDomain.ChatPush,
                simulator.Options.Has(SimulatorBreaks.PushAnyDomain) ? [BodyBoundDomain.ChatReply, BodyBoundDomain.ChatState] : []) is { } refused) return refused;
        if (PlatformApi.FindActive(simulator, id, exchange, out var subscription) is { } gone) return gone;
        if (ParseObject(exchange, simulator) is not { } body)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.MalformedJson,
                "Body must be a JSON object: { \"text\": \"…\", \"clientMsgId\": \"unique-per-message\", \"category\": \"alert\" }.");
        if (String(body, "clientMsgId") is not { Length: > 0 } clientMsgId)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
                "\"clientMsgId\" is required: the idempotency key that makes a re-POST of the same push a no-op (002 §6.3).");
        exchange.Tags["clientMsgId"] = clientMsgId;
        var chat = subscription.Chat;
        if (!chat.ProactiveEnabled && !simulator.Options.Has(SimulatorBreaks.PushWithoutOptIn))
            return Refuse(exchange, "not-enabled", StatusCodes.Status403Forbidden, ChatErrorCodes.ProactiveNotEnabled,
                "Push is opt-in: this listing's manifest does not declare capabilities.proactive.enabled for this conversation. Do not retry.");
        var category = String(body, "category") ?? "alert";
        var allowed = chat.Manifest?.Proactive?.Categories ?? [];
        if (!allowed.Contains(category))
            return Refuse(exchange, "category-not-allowed", StatusCodes.Status403Forbidden, ChatErrorCodes.CategoryNotAllowed,
                $"Category '{category}' is not in the manifest's proactive.categories [{string.Join(", ", allowed)}].");
        var blocks = body.TryGetProperty("blocks", out var b) ? b.Clone() : (JsonElement?)null;
        if (BlockRefusal(exchange, blocks, subscription) is { } invalid) return invalid;
        var effect = chat.TryPush(clientMsgId, String(body, "text"), blocks, String(body, "note"), category, simulator.Clock.GetUtcNow());
        switch (effect)
        {
            case PushEffect.Unavailable:
                return Refuse(exchange, "unavailable", StatusCodes.Status503ServiceUnavailable, ChatErrorCodes.PushUnavailable,
                    "Injected fault: push is temporarily unavailable; retry with the same clientMsgId.");
            case PushEffect.OverQuota:
                return Refuse(exchange, "over-quota", StatusCodes.Status429TooManyRequests, ChatErrorCodes.PushQuotaExceeded,
                    $"This conversation has had its {chat.MaxPerDay} pushes today (maxPerDay); do not retry before the day resets (UTC).");
            case PushEffect.Muted:
                exchange.Tags[TagKeys.ChatPush] = "muted";
                return Results.Json(new Envelope<object>(true, new { delivered = false, muted = true }), ContractJson.Options, statusCode: StatusCodes.Status202Accepted);
            case PushEffect.Duplicate:
                exchange.Tags[TagKeys.ChatPush] = "duplicate";
                return Results.Json(new Envelope<object>(true, new { delivered = true, duplicate = true }), ContractJson.Options);
            default:
                exchange.Tags[TagKeys.ChatPush] = "delivered";
                return Results.Json(new Envelope<object>(true, new { delivered = true }), ContractJson.Options);
        }
    }

    private static IResult GetState(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = PlatformApi.Tag(http, ExchangeKinds.ChatState, id);
        if (RequestAuth.CheckRunToken(http, simulator, id, exchange) is { } refused) return refused;
        if (PlatformApi.FindActive(simulator, id, exchange, out var subscription) is { } gone) return gone;
        var chat = subscription.Chat;
        return Results.Json(new { state = chat.State, updatedAt = chat.StateUpdatedAt?.ToString("O", CultureInfo.InvariantCulture) }, ContractJson.Options);
    }

    private static IResult PutState(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = PlatformApi.Tag(http, ExchangeKinds.ChatState, id);
        if (ChatAuth.Check(http, simulator, id, exchange, BodyBoundDomain.ChatState) is { } refused) return refused;
        if (PlatformApi.FindActive(simulator, id, exchange, out var subscription) is { } gone) return gone;
        if (exchange.RawBody.Length > MaxStateBytes)
            return exchange.Refuse(StatusCodes.Status413PayloadTooLarge, ChatErrorCodes.StateTooLarge,
                $"Chat state is a small blob: at most {MaxStateBytes} bytes (this one is {exchange.RawBody.Length}). Keep bulk data in your own store.");
        if (ParseObject(exchange, simulator) is not { } body || !body.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "Body must be { \"state\": { … } } with a JSON object as the state.");
        var now = simulator.Clock.GetUtcNow();
        subscription.Chat.SaveState(state, now);
        return Results.Json(new { state, updatedAt = now.ToString("O", CultureInfo.InvariantCulture) }, ContractJson.Options);
    }

    /// <summary>The platform's validator (002 §6.5): what the renderer cannot draw is refused, and the reason names the block.</summary>
    private static IResult? BlockRefusal(ExchangeContext exchange, JsonElement? blocks, Subscription subscription)
    {
        if (blocks is not { } present) return null;
        var problems = ChatBlockKit.Problems(present, subscription.Chat.Platform().Blocks);
        return problems.Count == 0 ? null
            : exchange.Refuse(StatusCodes.Status422UnprocessableEntity, ChatErrorCodes.InvalidBlocks, $"The renderer cannot show these blocks: {string.Join("; ", problems)}.");
    }

    private static IResult Refuse(ExchangeContext exchange, string effect, int status, string code, string message)
    {
        exchange.Tags[TagKeys.ChatPush] = effect;
        return exchange.Refuse(status, code, message);
    }

    private static JsonElement? ParseObject(ExchangeContext exchange, PlatformSimulator simulator)
    {
        try
        {
            if (exchange.RawBody.Length == 0) return null;
            using var document = JsonDocument.Parse(exchange.RawBody);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        // 500-on-bad-json lets the parser's exception escape, as an unguarded handler would.
        catch (JsonException) when (!simulator.Options.Has(SimulatorBreaks.ServerErrorOnBadJson))
        {
            return null;
        }
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
