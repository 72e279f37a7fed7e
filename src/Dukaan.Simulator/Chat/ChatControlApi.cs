using System.Text.Json;
using Dukaan.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dukaan.Simulator.Chat;

public sealed record ChatMessageRequest(string? Text = null, bool AttachFile = false, bool Retry = true);
public sealed record MuteRequest(bool? Muted);
public sealed record ProactiveRequest(bool? Enabled = null, int? MaxPerDay = null);

/// <summary>The buyer's side of a conversation, as their chat window shows it: muted pushes are counted, not shown.</summary>
public sealed record ConversationView(
    string SubscriptionId, bool ChatDeclared, bool Muted, bool ProactiveEnabled, int MaxPerDay, JsonElement? State, DateTimeOffset? StateUpdatedAt,
    IReadOnlyList<ChatBubble> Bubbles, int MutedPushes, IReadOnlyList<FileDownload> Downloads)
{
    public static ConversationView Of(Subscription s, LyingFiles files)
    {
        var chat = s.Chat;
        var bubbles = chat.Bubbles;
        return new(s.Id, chat.Manifest is not null, chat.Muted, chat.ProactiveEnabled, chat.MaxPerDay, chat.State, chat.StateUpdatedAt,
            [.. bubbles.Where(b => !b.Hidden)], bubbles.Count(b => b.Hidden), [.. files.Downloads.Where(d => d.SubscriptionId == s.Id)]);
    }
}

/// <summary><c>/_sim/subscriptions/{id}/chat…</c>: send a buyer message, mute, set the push quota, read the conversation.</summary>
public static class ChatControlApi
{
    public static void MapChatControlApi(this IEndpointRouteBuilder sim)
    {
        sim.MapGet("/subscriptions/{id}/chat", (string id, PlatformSimulator s) => ControlApi.Ok(ConversationView.Of(s.Require(id), s.Files)));
        sim.MapPost("/subscriptions/{id}/chat/messages", SendMessage);
        sim.MapPost("/subscriptions/{id}/chat/mute", Mute);
        sim.MapPost("/subscriptions/{id}/chat/proactive", SetProactive);
        sim.MapPost("/subscriptions/{id}/chat/push-failures", SetPushFailures);
    }

    public static readonly string[] Endpoints =
    [
        "GET  /_sim/subscriptions/{id}/chat", "POST /_sim/subscriptions/{id}/chat/messages", "POST /_sim/subscriptions/{id}/chat/mute",
        "POST /_sim/subscriptions/{id}/chat/proactive", "POST /_sim/subscriptions/{id}/chat/push-failures",
    ];

    private static async Task<IResult> SendMessage(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var request = ControlApi.Body<ChatMessageRequest>(http) ?? new ChatMessageRequest();
        if (subscription.Chat.Manifest is null)
            throw new SimulatorException(409, "CHAT_NOT_DECLARED",
                "This listing declares no chat: start the simulator with a listing whose \"capabilities\" name the blocks (e.g. simulate --config dukaan-conformance.json).");
        var text = string.IsNullOrWhiteSpace(request.Text) ? "Hello! How did sales do this week?" : request.Text;
        var policy = request.Retry ? s.Options.Delivery : s.Options.Delivery with { MaxRetries = 0 };
        var (relay, result) = await s.RelayAsync(subscription, text, request.AttachFile, policy, http.RequestAborted);
        return ControlApi.Ok(new { messageId = relay.MessageId, fileRef = relay.FileRef, delivery = result });
    }

    private static IResult Mute(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        if (ControlApi.Body<MuteRequest>(http)?.Muted is not { } muted)
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Send { \"muted\": true } or { \"muted\": false }: a muted conversation answers pushes 202 and shows nothing.");
        subscription.Chat.SetMuted(muted);
        return ControlApi.Ok(ConversationView.Of(subscription, s.Files));
    }

    private static IResult SetProactive(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var request = ControlApi.Body<ProactiveRequest>(http);
        if (request is null || (request.Enabled is null && request.MaxPerDay is null) || request.MaxPerDay is < 0)
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Send { \"enabled\": true|false } and/or { \"maxPerDay\": N } with N ≥ 0.");
        if (request.Enabled is true && subscription.Chat.Manifest?.Proactive is not { Enabled: true })
            throw new SimulatorException(409, "PROACTIVE_NOT_DECLARED", "The listing's manifest does not opt in to push (capabilities.proactive.enabled), so it cannot be enabled for a conversation.");
        if (request.Enabled is { } enabled) subscription.Chat.SetProactive(enabled);
        if (request.MaxPerDay is { } max) subscription.Chat.SetMaxPerDay(max);
        return ControlApi.Ok(ConversationView.Of(subscription, s.Files));
    }

    private static IResult SetPushFailures(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        if (ControlApi.Body<ConfigFailuresRequest>(http)?.Count is not (>= 0 and var count))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Send { \"count\": N }: the next N pushes answer 503.");
        subscription.Chat.InjectPushFailures(count);
        return ControlApi.Ok(ConversationView.Of(subscription, s.Files));
    }
}
