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
    /// <summary>
    /// Did the agent make this call after it could have read <paramref name="answer"/>? It must start after the answer
    /// plus the grace, and — for a signed call — have been signed after the answer: X-AgentDukaan-Ts is the agent's own
    /// clock (the same machine's) when it signed, so a timer that fired and signed before a starved event loop got round
    /// to reading the 403 is not blamed for the lag between signing and sending.
    /// </summary>
    public static bool StartedAfter(this Exchange e, Exchange answer, TimeSpan grace)
    {
        if (e.StartedAt <= answer.EndedAt() + grace) return false;
        return SignedAt(e) is not { } signed || signed > answer.EndedAt();
    }

    private static DateTimeOffset? SignedAt(Exchange e) =>
        e.RequestHeaders.TryGetValue(Dukaan.Contract.Headers.Timestamp, out var ts) && long.TryParse(ts, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
        && ms > 100_000_000_000 // epoch ms; a seconds value is another rule's business, not a signing time to trust here
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    public static bool IsProviderCallWith(this Exchange e, string subscriptionId, string? keyState = null) =>
        e.Kind == ExchangeKinds.Provider && e.SubscriptionId == subscriptionId && (keyState is null || e.Tag(TagKeys.ProviderKey) == keyState);

    /// <summary>Provider, /run or /heartbeat traffic for a subscription: what "serving the buyer" looks like on the wire.</summary>
    public static bool IsServing(this Exchange e, string subscriptionId) =>
        e.SubscriptionId == subscriptionId &&
        (e.Kind == ExchangeKinds.Provider || (e.Direction == Direction.AgentToPlatform && e.Kind is ExchangeKinds.Run or ExchangeKinds.Heartbeat));

    /// <summary>
    /// What only a request for work makes the agent do for the buyer — the provider, /run, request-config, a chat reply,
    /// state or push — so it shows the request was acted on, whatever the trigger answered. Not /config or heartbeats: a
    /// delivery's fetch and the agent's own timer land after a request for work too, without being caused by it.
    /// </summary>
    public static bool IsWorkFor(this Exchange e, string subscriptionId) =>
        e.Direction == Direction.AgentToPlatform && e.SubscriptionId == subscriptionId &&
        e.Kind is ExchangeKinds.Provider or ExchangeKinds.Run or ExchangeKinds.RequestConfig or ExchangeKinds.ChatReply or ExchangeKinds.ChatState or ExchangeKinds.ChatPush;

    public static string Describe(this Exchange e) =>
        $"#{e.Seq} {e.Method} {e.Url} → {(e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error ?? "no answer")}" +
        (e.Tag(TagKeys.ErrorCode) is { } code ? $" {code}" : "") + (e.Tag(TagKeys.Diagnosis) is { } d ? $" ({d})" : "");

    public static string Describe(this DeliveryAttempt a) =>
        a.Status is { } s ? $"{s} after {a.DurationMs:0} ms" : $"{a.Error} after {a.DurationMs:0} ms";

    public static bool Is2xx(this DeliveryAttempt a) => a.Status is >= 200 and < 300;
    public static bool Is4xx(this DeliveryAttempt a) => a.Status is >= 400 and < 500;
}
