namespace Dukaan.Contract;

public static class Headers
{
    public const string Event = "X-AgentDukaan-Event";
    public const string Signature = "X-AgentDukaan-Sig";
    public const string Timestamp = "X-AgentDukaan-Ts";
}

public static class EventTypes
{
    public const string BuyerConfigured = "buyer_configured";
    public const string ChatMessage = "chat_message";
}

/// <summary>Error codes the platform answers with, in the body of docs/rules.md decision 8.</summary>
public static class ErrorCodes
{
    public const string SubscriptionNotActive = "SUBSCRIPTION_NOT_ACTIVE";
    public const string RunLimitExceeded = "RUN_LIMIT_EXCEEDED";
    public const string SubscriptionNotFound = "SUBSCRIPTION_NOT_FOUND";
    public const string MissingSignature = "MISSING_SIGNATURE";
    public const string InvalidSignature = "INVALID_SIGNATURE";
    public const string MissingTimestamp = "MISSING_TIMESTAMP";
    public const string InvalidTimestamp = "INVALID_TIMESTAMP";
    public const string StaleTimestamp = "STALE_TIMESTAMP";
    public const string MalformedJson = "MALFORMED_JSON";
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string InvalidProviderKey = "invalid_api_key";
    /// <summary>The simulator's injected /config fault (a 503), which the config-failure scenario provokes.</summary>
    public const string ConfigUnavailable = "CONFIG_UNAVAILABLE";
}

public static class ApiPaths
{
    public static string Config(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/config";
    public static string Run(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/run";
    public static string Heartbeat(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/heartbeat";
    public static string RequestConfig(string subscriptionId) => $"/api/subscriptions/{Uri.EscapeDataString(subscriptionId)}/request-config";
}
