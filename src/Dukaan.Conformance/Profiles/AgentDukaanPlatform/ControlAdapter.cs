using System.Text;
using System.Text.Json;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>The control adapter refused or failed: the rule that needed it cannot be judged, which is not the platform's fault.</summary>
public sealed class AdapterException(string message, long seq) : Exception(message)
{
    public long Seq { get; } = seq;
}

/// <summary>
/// The platform's control adapter (docs/platform-adapter.md), the only way the harness drives a platform: the bundled
/// simulator's <c>/_sim/</c> API is the reference implementation, and a staging platform exposes the same. Every call
/// is recorded in the transcript as a <c>control</c> exchange, so evidence shows what the harness set up.
/// </summary>
public sealed class ControlAdapter(PlatformCaller caller)
{
    public const string Kind = "control";

    /// <summary>Long enough for a delivery of 4 attempts that each time out (4 × 11 s) plus backoff on a real-time platform.</summary>
    private static readonly TimeSpan DeliverTimeout = TimeSpan.FromSeconds(75);

    private static string Sub(string id) => $"_sim/subscriptions/{Uri.EscapeDataString(id)}";

    public async Task<string> CreateSubscriptionAsync(string scenario, Uri webhookUrl, CancellationToken cancellationToken)
    {
        var created = await CallAsync(scenario, null, HttpMethod.Post, "_sim/subscriptions", new { webhookUrl = webhookUrl.ToString() }, cancellationToken).ConfigureAwait(false);
        return created.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : throw new AdapterException($"POST /_sim/subscriptions answered without an \"id\": {Clip(created.GetRawText())}", 0);
    }

    public Task<JsonElement> GetSubscriptionAsync(string scenario, string id, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Get, Sub(id), null, cancellationToken);

    /// <summary>Asks the platform to deliver buyer_configured now and answers when it is done (delivered or given up).</summary>
    public Task<JsonElement> DeliverAsync(string scenario, string id, bool retry, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Post, Sub(id) + "/deliver", new { retry }, cancellationToken, DeliverTimeout);

    public Task<JsonElement> SetStatusAsync(string scenario, string id, string status, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Post, Sub(id) + "/status", new { status }, cancellationToken);

    public Task<JsonElement> SetLimitAsync(string scenario, string id, int limit, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Post, Sub(id) + "/limit", new { runLimitPerMonth = limit, resetPeriod = true }, cancellationToken);

    public Task<JsonElement> MuteAsync(string scenario, string id, bool muted, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Post, Sub(id) + "/chat/mute", new { muted }, cancellationToken);

    public Task<JsonElement> SetProactiveAsync(string scenario, string id, bool? enabled, int? maxPerDay, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Post, Sub(id) + "/chat/proactive", new { enabled, maxPerDay }, cancellationToken);

    public Task<JsonElement> GetChatAsync(string scenario, string id, CancellationToken cancellationToken) =>
        CallAsync(scenario, id, HttpMethod.Get, Sub(id) + "/chat", null, cancellationToken);

    private async Task<JsonElement> CallAsync(string scenario, string? id, HttpMethod method, string path, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        var exchange = await caller.SendAsync(scenario, Kind, id, method, path, null, bytes, cancellationToken, timeout).ConfigureAwait(false);
        if (exchange.Status is not (>= 200 and < 300))
            throw new AdapterException($"The control adapter's {method} /{path} answered {exchange.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? exchange.Error}: {Clip(exchange.ResponseBody)}", exchange.Seq);
        return PlatformCaller.Json(exchange) ?? throw new AdapterException($"The control adapter's {method} /{path} answered a body that is not JSON: {Clip(exchange.ResponseBody)}", exchange.Seq);
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
