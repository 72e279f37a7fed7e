using Dukaan.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dukaan.Simulator;

/// <summary>
/// An OpenAI-style chat completions endpoint. It accepts only a subscription's current provider key, can be told to
/// answer 401, and tags each call with whose key it was: this is how the harness sees credentials being used.
/// </summary>
public static class ProviderApi
{
    public const string KeyCurrent = "current";
    public const string KeyRetired = "retired";
    public const string KeyUnknown = "unknown";
    public const string KeyMissing = "missing";

    // Completion ids only need to differ; they once borrowed transcript Seqs, which are now reserved for exchanges.
    private static long _completions;

    public static void MapProviderApi(this IEndpointRouteBuilder app) => app.MapPost("/v1/chat/completions", ChatCompletions);

    private static IResult ChatCompletions(HttpContext http, PlatformSimulator simulator)
    {
        var exchange = ExchangeContext.Of(http);
        exchange.Kind = ExchangeKinds.Provider;
        var authorization = http.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            exchange.Tags[TagKeys.ProviderKey] = KeyMissing;
            return Unauthorized("You didn't provide an API key. Send 'Authorization: Bearer <key>'.");
        }
        var key = authorization[bearer.Length..].Trim();
        if (simulator.Store.FindByProviderKey(key) is not var (owner, current))
        {
            exchange.Tags[TagKeys.ProviderKey] = KeyUnknown;
            return Unauthorized("Incorrect API key provided.");
        }
        exchange.SubscriptionId = owner.Id;
        exchange.Tags[TagKeys.ProviderKey] = current ? KeyCurrent : KeyRetired;
        if (!current) return Unauthorized("Incorrect API key provided: this key was rotated out by the buyer.");
        if (owner.ProviderMode == ProviderMode.Reject) return Unauthorized("Incorrect API key provided (the simulator was told to reject this buyer's key).");
        return Results.Json(new
        {
            id = $"chatcmpl-sim{Interlocked.Increment(ref _completions)}",
            @object = "chat.completion",
            created = simulator.Clock.GetUtcNow().ToUnixTimeSeconds(),
            model = "sim-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "ok" }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
        });
    }

    private static IResult Unauthorized(string message) => Results.Json(
        new { error = new { message, type = "invalid_request_error", param = (string?)null, code = ErrorCodes.InvalidProviderKey } },
        statusCode: StatusCodes.Status401Unauthorized);
}
