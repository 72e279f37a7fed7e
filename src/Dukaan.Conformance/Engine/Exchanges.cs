using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>Readable predicates over the transcript, so scenarios say what they look for.</summary>
public static class Exchanges
{
    public static bool From(this Exchange e, string kind, string subscriptionId) =>
        e.Direction == Direction.AgentToPlatform && e.Kind == kind && e.SubscriptionId == subscriptionId;

    public static bool IsOk(this Exchange e) => e.Status is >= 200 and < 300;

    public static DateTimeOffset EndedAt(this Exchange e) => e.StartedAt.AddMilliseconds(e.DurationMs);

    /// <summary>Did this request start after the agent had received <paramref name="answer"/> (plus a grace for in-flight work)?</summary>
    public static bool StartedAfter(this Exchange e, Exchange answer, TimeSpan grace) => e.StartedAt > answer.EndedAt() + grace;

    public static bool IsProviderCallWith(this Exchange e, string subscriptionId, string? keyState = null) =>
        e.Kind == ExchangeKinds.Provider && e.SubscriptionId == subscriptionId && (keyState is null || e.Tag(TagKeys.ProviderKey) == keyState);

    /// <summary>Provider, /run or /heartbeat traffic for a subscription: what "serving the buyer" looks like on the wire.</summary>
    public static bool IsServing(this Exchange e, string subscriptionId) =>
        e.SubscriptionId == subscriptionId &&
        (e.Kind == ExchangeKinds.Provider || (e.Direction == Direction.AgentToPlatform && e.Kind is ExchangeKinds.Run or ExchangeKinds.Heartbeat));

    public static string Describe(this Exchange e) =>
        $"#{e.Seq} {e.Method} {e.Url} → {(e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error ?? "no answer")}" +
        (e.Tag(TagKeys.ErrorCode) is { } code ? $" {code}" : "") + (e.Tag(TagKeys.Diagnosis) is { } d ? $" ({d})" : "");

    public static string Describe(this DeliveryAttempt a) =>
        a.Status is { } s ? $"{s} after {a.DurationMs:0} ms" : $"{a.Error} after {a.DurationMs:0} ms";

    public static bool Is2xx(this DeliveryAttempt a) => a.Status is >= 200 and < 300;
    public static bool Is4xx(this DeliveryAttempt a) => a.Status is >= 400 and < 500;
}
