using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dukaan.Contract;

public sealed record Tier(
    string Name,
    [property: JsonPropertyName("priceINR")] int PriceInr,
    int RunLimitPerMonth,
    IReadOnlyList<string>? Features = null);

/// <summary>The delivery body. It carries non-sensitive settings only; the secrets are pulled from <see cref="CredentialsUrl"/>.</summary>
public sealed record BuyerConfigured(
    string Event,
    string SubscriptionId,
    string BuyerId,
    string ListingId,
    Tier Tier,
    IReadOnlyDictionary<string, string> Config,
    IReadOnlyList<string> SensitiveFields,
    string CredentialsUrl,
    long Ts);

public sealed record Envelope<T>(bool Success, T Data);

public sealed record ConfigData(IReadOnlyDictionary<string, string> Config);

public sealed record RunData(bool Allowed, int Remaining);

public sealed record HeartbeatData(bool Recorded);

public sealed record RequestConfigData(bool ActionNeeded, IReadOnlyList<string> Fields);

public sealed record RequestConfigBody(IReadOnlyList<string>? Fields, string? Message);

public sealed record ErrorDetail(string Code, string Message);

/// <summary><c>{ "success": false, "error": { "code", "message" } }</c> (docs/rules.md decision 8).</summary>
public sealed record ErrorBody(bool Success, ErrorDetail Error)
{
    public static ErrorBody Of(string code, string message) => new(false, new ErrorDetail(code, message));
}

public static class ContractJson
{
    /// <summary>
    /// camelCase and minimal escaping, as the platform's JavaScript (JSON.stringify) emits: a quote in an error message
    /// stays a quote, and a delivery's bytes look like what a real platform sends.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
