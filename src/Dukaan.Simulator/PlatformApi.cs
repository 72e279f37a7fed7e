using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dukaan.Simulator;

/// <summary>The endpoints an agent calls: /config, /run, /heartbeat, /request-config.</summary>
public static class PlatformApi
{
    public static void MapPlatformApi(this IEndpointRouteBuilder app)
    {
        var subscriptions = app.MapGroup("/api/subscriptions/{id}");
        subscriptions.MapGet("/config", GetConfig);
        subscriptions.MapPost("/run", PostRun);
        subscriptions.MapPost("/heartbeat", PostHeartbeat);
        subscriptions.MapPost("/request-config", PostRequestConfig);
    }

    private static IResult GetConfig(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = Tag(http, ExchangeKinds.Config, id);
        if (Authorize(http, simulator, id, exchange, out var subscription) is { } refused) return refused;
        if (subscription.TakeInjectedConfigFailure())
            return exchange.Refuse(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ConfigUnavailable, "Injected fault: the config service is temporarily unavailable; retry.");
        if (!simulator.Options.Has(SimulatorBreaks.NoConfigAudit))
            subscription.AddAudit(new AuditEntry(simulator.Clock.GetUtcNow(), "config.fetched", $"fields: {string.Join(",", subscription.SensitiveFields)}"));
        return Results.Json(new Envelope<ConfigData>(true, new ConfigData(subscription.FullConfig())), ContractJson.Options);
    }

    private static async Task<IResult> PostRun(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = Tag(http, ExchangeKinds.Run, id);
        if (Authorize(http, simulator, id, exchange, out var subscription) is { } refused) return refused;
        var run = simulator.Options.Has(SimulatorBreaks.OveradmitRun)
            ? await subscription.TryConsumeRunRacyAsync(simulator.Clock, http.RequestAborted)
            : subscription.TryConsumeRun(simulator.Clock.GetUtcNow());
        if (!run.Allowed)
            return exchange.Refuse(StatusCodes.Status429TooManyRequests, ErrorCodes.RunLimitExceeded,
                $"Subscription {id} has used its {subscription.RunLimit} runs this period; stop running until the period resets.");
        return Results.Json(new Envelope<RunData>(true, run), ContractJson.Options);
    }

    private static IResult PostHeartbeat(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = Tag(http, ExchangeKinds.Heartbeat, id);
        if (Authorize(http, simulator, id, exchange, out var subscription) is { } refused) return refused;
        subscription.RecordHeartbeat();
        if (simulator.Options.Has(SimulatorBreaks.HeartbeatChargesRun)) subscription.TryConsumeRun(simulator.Clock.GetUtcNow());
        return Results.Json(new Envelope<HeartbeatData>(true, new HeartbeatData(true)), ContractJson.Options);
    }

    private static IResult PostRequestConfig(string id, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = Tag(http, ExchangeKinds.RequestConfig, id);
        var signature = http.Request.Headers[Headers.Signature].ToString();
        if (string.IsNullOrEmpty(signature))
            return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.MissingSignature,
                $"Missing {Headers.Signature}: sign `config_request.${{id}}.${{ts}}.${{sortedFields}}.${{message ?? ''}}`.");
        if (RequestAuth.CheckTimestamp(http, simulator, exchange, out var ts, SimulatorBreaks.RcfNoTsWindow) is { } stale) return stale;
        if (ParseRequestConfig(exchange.RawBody, simulator) is not { } body)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.MalformedJson,
                "Body must be JSON: { \"fields\": [\"field_id\", …], \"message\": \"optional text\" }.");
        if (body.Fields is not { Count: > 0 } fields || fields.Any(string.IsNullOrEmpty))
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "\"fields\" must be a non-empty array of field ids.");
        var runTokenAccepted = simulator.Options.Has(SimulatorBreaks.AcceptRunTokenRcf) && RunToken.Verify(simulator.Options.Secret, id, ts, signature);
        if (!runTokenAccepted && !VerifyRequestConfig(simulator, id, ts, fields, body.Message, signature))
        {
            var diagnosis = RequestAuth.DiagnoseRequestConfig(simulator.Options.Secret, id, ts, fields, body.Message, signature);
            return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
                $"{Headers.Signature} does not match \"{ConfigRequestSignature.Payload(id, ts, fields, body.Message)}\". {diagnosis.Explanation}", diagnosis.Code);
        }
        if (FindActive(simulator, id, exchange, out var subscription) is { } refused) return refused;
        var known = subscription.FullConfig().Keys.ToHashSet(StringComparer.Ordinal);
        if (fields.FirstOrDefault(f => !known.Contains(f)) is { } unknown)
            return exchange.Refuse(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
                $"'{unknown}' is not a field of this listing's setup wizard; known fields: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        subscription.FlagActionNeeded(fields, body.Message);
        subscription.AddAudit(new AuditEntry(simulator.Clock.GetUtcNow(), "config.requested", string.Join(",", fields)));
        return Results.Json(new Envelope<RequestConfigData>(true, new RequestConfigData(true, fields)), ContractJson.Options);
    }

    private static bool VerifyRequestConfig(PlatformSimulator simulator, string id, long ts, IReadOnlyList<string> fields, string? message, string signature) =>
        simulator.Options.Has(SimulatorBreaks.RcfFieldsUnsorted)
            // The bug: the field ids joined as the body lists them, which agrees with a correct agent only for one field or sorted ones.
            ? Hmac.FixedTimeEqualsHex(Hmac.HexSha256(simulator.Options.Secret, $"{ConfigRequestSignature.Domain}.{id}.{ts}.{string.Join(',', fields)}.{message ?? ""}"), signature)
            : ConfigRequestSignature.Verify(simulator.Options.Secret, id, ts, fields, message, signature);

    private static RequestConfigBody? ParseRequestConfig(byte[] raw, PlatformSimulator simulator)
    {
        try
        {
            return raw.Length == 0 ? null : JsonSerializer.Deserialize<RequestConfigBody>(raw, ContractJson.Options);
        }
        // 500-on-bad-json lets the parser's exception escape, as an unguarded handler would.
        catch (JsonException) when (!simulator.Options.Has(SimulatorBreaks.ServerErrorOnBadJson))
        {
            return null;
        }
    }

    private static IResult? Authorize(HttpContext http, PlatformSimulator simulator, string id, ExchangeContext exchange, out Subscription subscription)
    {
        subscription = null!;
        return RequestAuth.CheckRunToken(http, simulator, id, exchange) ?? FindActive(simulator, id, exchange, out subscription);
    }

    /// <summary>The subscription a signed call names, or the 404 / 403 that tells the agent to stop serving it.</summary>
    internal static IResult? FindActive(PlatformSimulator simulator, string id, ExchangeContext exchange, out Subscription subscription)
    {
        subscription = null!;
        if (simulator.Store.Find(id) is not { } found)
            return exchange.Refuse(StatusCodes.Status404NotFound, ErrorCodes.SubscriptionNotFound, $"No subscription '{id}'.");
        subscription = found;
        var served = found.IsActive || (found.Status == SubscriptionStatus.Cancelled && simulator.Options.Has(SimulatorBreaks.ServeCancelled));
        return served ? null : exchange.Refuse(StatusCodes.Status403Forbidden, ErrorCodes.SubscriptionNotActive,
            $"Subscription {found.Id} is {found.Status}: stop serving this buyer and discard its cached credentials.");
    }

    internal static ExchangeContext Tag(HttpContext http, string kind, string id)
    {
        var exchange = ExchangeContext.Of(http);
        exchange.Kind = kind;
        exchange.SubscriptionId = id;
        return exchange;
    }
}
