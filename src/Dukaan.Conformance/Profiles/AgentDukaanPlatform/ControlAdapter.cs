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

    /// <summary>
    /// The runs a created subscription must have left: one scenario spends at most 3 admitted /run calls on one
    /// subscription (PL-RUN-01 sets its own limit), and the margin lets a probe be added without every adapter changing.
    /// </summary>
    public const int MinRunLimit = 10;

    public async Task<string> CreateSubscriptionAsync(string scenario, Uri webhookUrl, CancellationToken cancellationToken)
    {
        var (created, seq) = await CallWithSeqAsync(scenario, null, HttpMethod.Post, "_sim/subscriptions", new { webhookUrl = webhookUrl.ToString() }, cancellationToken).ConfigureAwait(false);
        if (!created.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
            throw new AdapterException($"POST /_sim/subscriptions answered without an \"id\": {Clip(created.GetRawText())}", seq);
        // What the probes rely on, checked where the adapter answers: otherwise a tier too small or a masked value would
        // be charged to the platform (PL-AUTH-02 "the window is 5 minutes", PL-CFG-01 "not the buyer's value").
        if (Unfit(created) is { } why)
            throw new AdapterException($"POST /_sim/subscriptions created a subscription the probes cannot use: {why} (docs/platform-adapter.md, \"What a created subscription must be\").", seq);
        return id.GetString()!;
    }

    /// <summary>Why a created subscription's view breaks the adapter contract, or null when it is fit.</summary>
    internal static string? Unfit(JsonElement view)
    {
        var problems = new List<string>();
        if (view.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() != "active")
            problems.Add($"its status is '{status.GetString()}', not active");
        var limit = view.TryGetProperty("runLimit", out var l) && l.TryGetInt32(out var n) ? n : (int?)null;
        var used = view.TryGetProperty("runsUsed", out var u) && u.TryGetInt32(out var m) ? m : 0;
        if (limit is { } runs && runs - used < MinRunLimit)
            problems.Add($"it has {runs - used} run(s) left (runLimit {runs}, runsUsed {used}), fewer than the {MinRunLimit} the probes may spend");
        var masked = SubscriptionView.Sensitive(view).Where(p => LooksMasked(p.Value)).Select(p => p.Key).ToList();
        if (masked.Count > 0)
            problems.Add($"its \"sensitive\" value(s) of {string.Join(", ", masked)} are masked, not the buyer's values in clear");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>What a dashboard shows instead of a key: stars, bullets, an ellipsis, or nothing.</summary>
    internal static bool LooksMasked(string value) =>
        value.Length == 0 || value.Contains('*') || value.Contains('•') || value.Contains('…') || value.Contains("...", StringComparison.Ordinal);

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

    private async Task<JsonElement> CallAsync(string scenario, string? id, HttpMethod method, string path, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        (await CallWithSeqAsync(scenario, id, method, path, body, cancellationToken, timeout).ConfigureAwait(false)).Json;

    private async Task<(JsonElement Json, long Seq)> CallWithSeqAsync(string scenario, string? id, HttpMethod method, string path, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        var exchange = await caller.SendAsync(scenario, Kind, id, method, path, null, bytes, cancellationToken, timeout).ConfigureAwait(false);
        if (exchange.Status is not (>= 200 and < 300))
            throw new AdapterException($"The control adapter's {method} /{path} answered {exchange.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? exchange.Error}: {Clip(exchange.ResponseBody)}", exchange.Seq);
        return (PlatformCaller.Json(exchange) ?? throw new AdapterException($"The control adapter's {method} /{path} answered a body that is not JSON: {Clip(exchange.ResponseBody)}", exchange.Seq), exchange.Seq);
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
