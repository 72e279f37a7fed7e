using System.Text.Json;
using System.Text.Json.Serialization;
using Dukaan.Contract;
using Dukaan.Simulator.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dukaan.Simulator;

public sealed record RotateRequest(string? Field = null, string? Value = null, bool Deliver = true);
public sealed record StatusRequest(string? Status);
public sealed record LimitRequest(int? RunLimitPerMonth, bool ResetPeriod = false);
public sealed record ProviderModeRequest(string? Mode);
public sealed record ConfigFailuresRequest(int? Count);
public sealed record DeliverRequest(string? WebhookUrl = null, bool Retry = true);

public sealed record SubscriptionView(
    string Id, string BuyerId, string ListingId, SubscriptionStatus Status, Tier Tier, int RunLimit, int RunsUsed, int Remaining,
    int Heartbeats, DateTimeOffset? FirstRunAt, DateTimeOffset? LastRunAt, bool ActionNeeded, IReadOnlyList<string> RequestedFields,
    string? RequestedMessage, ProviderMode ProviderMode, string ProviderKeyField, IReadOnlyDictionary<string, string> Config,
    IReadOnlyDictionary<string, string> Sensitive, string? WebhookUrl, IReadOnlyList<AuditEntry> Audit, IReadOnlyList<DeliveryResult> Deliveries)
{
    public static SubscriptionView Of(Subscription s) => new(
        s.Id, s.BuyerId, s.ListingId, s.Status, s.Tier, s.RunLimit, s.RunsUsed, Math.Max(0, s.RunLimit - s.RunsUsed), s.Heartbeats,
        s.FirstRunAt, s.LastRunAt, s.ActionNeeded, s.RequestedFields, s.RequestedMessage, s.ProviderMode, s.ProviderKeyField,
        s.NonSensitiveConfig, s.SensitiveConfig, s.WebhookUrl?.ToString(), s.Audit, s.Deliveries);
}

/// <summary>
/// <c>/_sim/…</c>: how people and the harness drive the fake platform, in the spirit of <c>stripe trigger</c>.
/// It returns canary values in clear, because it is the test tool's own side of the fence.
/// </summary>
public static class ControlApi
{
    public static readonly JsonSerializerOptions Json = new(ContractJson.Options)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/_sim");
        sim.MapGet("/", Describe);
        sim.MapGet("/subscriptions", (PlatformSimulator s) => Ok(s.Store.All.Select(SubscriptionView.Of)));
        sim.MapPost("/subscriptions", Create);
        sim.MapGet("/subscriptions/{id}", (string id, PlatformSimulator s) => Ok(SubscriptionView.Of(s.Require(id))));
        sim.MapPost("/subscriptions/{id}/deliver", Deliver);
        sim.MapPost("/subscriptions/{id}/rotate", Rotate);
        sim.MapPost("/subscriptions/{id}/status", SetStatus);
        sim.MapPost("/subscriptions/{id}/limit", SetLimit);
        sim.MapPost("/subscriptions/{id}/provider", SetProvider);
        sim.MapPost("/subscriptions/{id}/config-failures", SetConfigFailures);
        sim.MapGet("/transcript", Transcript);
        sim.MapChatControlApi();
    }

    private static IResult Describe(PlatformSimulator s) => Ok(new
    {
        baseUrl = s.BaseUrl.ToString(),
        providerBaseUrl = s.ProviderBaseUrl.ToString(),
        agentWebhookUrl = s.Options.AgentWebhookUrl?.ToString(),
        endpoints = (string[])[
            "GET  /_sim/subscriptions", "POST /_sim/subscriptions", "GET  /_sim/subscriptions/{id}",
            "POST /_sim/subscriptions/{id}/deliver", "POST /_sim/subscriptions/{id}/rotate", "POST /_sim/subscriptions/{id}/status",
            "POST /_sim/subscriptions/{id}/limit", "POST /_sim/subscriptions/{id}/provider", "POST /_sim/subscriptions/{id}/config-failures",
            "GET  /_sim/transcript?subscription={id}&since={seq}",
            .. ChatControlApi.Endpoints,
        ],
    });

    private static IResult Create(HttpContext http, PlatformSimulator s)
    {
        var request = Body<CreateSubscriptionRequest>(http) ?? new CreateSubscriptionRequest();
        if (request.WebhookUrl is { } url && !TryParseHttpUrl(url, out _))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, $"\"webhookUrl\" '{url}' is not an absolute http(s) URL such as http://127.0.0.1:3000/hooks/agentdukaan.");
        // A null or blank field name would crash the factory's dictionary or name a field no agent can ever request.
        if ((request.SensitiveFields ?? []).Concat(request.Sensitive?.Keys ?? Enumerable.Empty<string>()).Any(string.IsNullOrWhiteSpace))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Sensitive field names must be non-empty strings.");
        if (request.Tier is { RunLimitPerMonth: < 0 })
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "\"tier.runLimitPerMonth\" must be zero or more.");
        var subscription = s.CreateSubscription(request);
        return Results.Json(SubscriptionView.Of(subscription), Json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Deliver(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var request = Body<DeliverRequest>(http) ?? new DeliverRequest();
        var url = request.WebhookUrl is null ? null : ParseUrl(request.WebhookUrl);
        var policy = request.Retry ? s.Options.Delivery : s.Options.Delivery with { MaxRetries = 0 };
        if (!s.Options.QueueDeliveries) return Ok(await s.DeliverAsync(subscription, policy, http.RequestAborted, url));
        // A queued delivery outlives the request that asked for it: only the simulator stopping ends it.
        var stopping = http.RequestServices.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try { await s.DeliverAsync(subscription, policy, stopping, url); }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        }, CancellationToken.None);
        return Results.Json(new { queued = true, subscriptionId = subscription.Id }, Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> Rotate(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var request = Body<RotateRequest>(http) ?? new RotateRequest();
        // Resolve the delivery target first: a rotate refused with 409 must not have changed the key already.
        if (request.Deliver) s.WebhookUrlOf(subscription);
        var (field, value) = s.Rotate(subscription, request.Field, request.Value);
        var delivery = request.Deliver ? await s.DeliverAsync(subscription, null, http.RequestAborted) : null;
        return Ok(new { field, value, delivery });
    }

    private static IResult SetStatus(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var raw = Body<StatusRequest>(http)?.Status;
        if (!TryParseStatus(raw, out var status))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, $"\"status\" must be one of active, cancelled, paused, past_due (got '{raw}').");
        s.SetStatus(subscription, status);
        return Ok(SubscriptionView.Of(subscription));
    }

    private static IResult SetLimit(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var request = Body<LimitRequest>(http);
        if (request?.RunLimitPerMonth is not (>= 0 and var limit))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Send { \"runLimitPerMonth\": N } with N ≥ 0, and optionally \"resetPeriod\": true.");
        subscription.SetRunLimit(limit);
        if (request.ResetPeriod) subscription.ResetRunPeriod();
        return Ok(SubscriptionView.Of(subscription));
    }

    private static IResult SetProvider(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        var raw = Body<ProviderModeRequest>(http)?.Mode;
        ProviderMode? mode = raw switch { "accept" => ProviderMode.Accept, "reject" => ProviderMode.Reject, _ => null };
        subscription.SetProviderMode(mode ?? throw new SimulatorException(400, ErrorCodes.ValidationFailed, $"\"mode\" must be accept or reject (got '{raw}')."));
        return Ok(SubscriptionView.Of(subscription));
    }

    private static IResult SetConfigFailures(string id, HttpContext http, PlatformSimulator s)
    {
        var subscription = s.Require(id);
        if (Body<ConfigFailuresRequest>(http)?.Count is not (>= 0 and var count))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, "Send { \"count\": N }: the next N /config fetches answer 503.");
        subscription.InjectConfigFailures(count);
        return Ok(SubscriptionView.Of(subscription));
    }

    private static IResult Transcript(HttpContext http, PlatformSimulator s)
    {
        var subscription = http.Request.Query["subscription"].ToString();
        var sinceText = http.Request.Query["since"].ToString();
        long since = 0;
        if (sinceText.Length > 0 && !long.TryParse(sinceText, out since))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed, $"\"since\" must be a sequence number (got '{sinceText}').");
        return Ok(s.Transcript.Where(e => e.Seq > since && (subscription.Length == 0 || e.SubscriptionId == subscription)));
    }

    private static bool TryParseStatus(string? raw, out SubscriptionStatus status)
    {
        SubscriptionStatus? parsed = raw switch
        {
            "active" => SubscriptionStatus.Active,
            "cancelled" or "canceled" => SubscriptionStatus.Cancelled,
            "paused" => SubscriptionStatus.Paused,
            "past_due" => SubscriptionStatus.PastDue,
            _ => null,
        };
        status = parsed ?? default;
        return parsed is not null;
    }

    private static Uri ParseUrl(string url) => TryParseHttpUrl(url, out var uri)
        ? uri
        : throw new SimulatorException(400, ErrorCodes.ValidationFailed, $"\"webhookUrl\" '{url}' is not an absolute http(s) URL.");

    /// <summary>
    /// Only http(s): on Unix "/hooks" parses as an absolute file:// URI, and HttpClient throws NotSupportedException for any
    /// other scheme, which would surface as a 500 instead of a refusal.
    /// </summary>
    private static bool TryParseHttpUrl(string url, out Uri uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    internal static T? Body<T>(HttpContext http) where T : class
    {
        var raw = ExchangeContext.Of(http).RawBody;
        if (raw.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(raw, Json);
        }
        catch (JsonException ex)
        {
            throw new SimulatorException(400, ErrorCodes.MalformedJson, $"Request body is not valid JSON for this endpoint: {ex.Message}");
        }
    }

    internal static IResult Ok<T>(T value) => Results.Json(value, Json);
}
