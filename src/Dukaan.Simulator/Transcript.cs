namespace Dukaan.Simulator;

public enum Direction { AgentToPlatform, PlatformToAgent }

/// <summary>Which part of the contract an exchange belongs to; the rules filter on it.</summary>
public static class ExchangeKinds
{
    public const string Delivery = "delivery";
    public const string Config = "config";
    public const string Run = "run";
    public const string Heartbeat = "heartbeat";
    public const string RequestConfig = "request-config";
    public const string Provider = "provider";
    public const string ChatRelay = "chat-relay";
    public const string ChatReply = "chat-reply";
    public const string ChatPush = "chat-push";
    public const string ChatState = "chat-state";
    public const string ChatFile = "chat-file";
    public const string Unknown = "unknown";
}

/// <summary>
/// One request and its response, in either direction, with harness timestamps. Bodies are kept as text up to
/// <see cref="Transcript.MaxBodyChars"/> so a flooding peer cannot exhaust memory.
/// </summary>
public sealed record Exchange(
    long Seq,
    Direction Direction,
    string Kind,
    string? SubscriptionId,
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string RequestBody,
    int? Status,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    string ResponseBody,
    DateTimeOffset StartedAt,
    double DurationMs,
    string? Error,
    IReadOnlyDictionary<string, string> Tags)
{
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}

/// <summary>Tag keys the simulator writes on exchanges so rules can explain what it saw.</summary>
public static class TagKeys
{
    public const string ErrorCode = "errorCode";
    public const string Diagnosis = "diagnosis";
    public const string ProviderKey = "providerKey";
    public const string DeliveryAttempt = "attempt";
    /// <summary>What a reply did to the conversation: appended, edited (replace), nothing-to-replace, duplicate.</summary>
    public const string ChatBubble = "chatBubble";
    /// <summary>What a push did: delivered, muted, duplicate, over-quota, unavailable, not-enabled.</summary>
    public const string ChatPush = "chatPush";
    /// <summary>Bytes of an attachment written to the agent before it hung up (or the cap ended the stream).</summary>
    public const string FileBytes = "fileBytes";
}

public sealed class Transcript
{
    public const int MaxBodyChars = 64 * 1024;
    private readonly Lock _gate = new();
    // Kept in Seq order as exchanges arrive, so the snapshot polled every few milliseconds is a plain copy, not a sort.
    private readonly List<Exchange> _exchanges = [];
    private long _seq;

    /// <summary>Raised after each exchange is recorded; the live log of <c>simulate</c> listens here.</summary>
    public event Action<Exchange>? Recorded;

    public long NextSeq() => Interlocked.Increment(ref _seq);

    /// <summary>The highest sequence number handed out so far: everything recorded later has a larger one.</summary>
    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>
    /// A flooding agent must not exhaust the harness: past this many exchanges new ones are counted, not kept
    /// (about 1.3 KB each, so the cap bounds the transcript near 130 MB).
    /// </summary>
    public int Capacity { get; init; } = 100_000;

    /// <summary>Exchanges not kept because the transcript was full; reported so a run never silently loses evidence.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    public void Add(Exchange exchange)
    {
        lock (_gate)
        {
            if (_exchanges.Count >= Capacity)
            {
                _dropped++;
                return;
            }
            // A delivery takes its Seq before it is sent and is added when it ends, after the calls it provoked, so arrivals
            // are out of order but only near the end; an equal Seq goes after the ones already there, as a stable sort would.
            var i = _exchanges.Count;
            while (i > 0 && _exchanges[i - 1].Seq > exchange.Seq) i--;
            _exchanges.Insert(i, exchange);
        }
        Recorded?.Invoke(exchange);
    }

    public IReadOnlyList<Exchange> Snapshot()
    {
        lock (_gate) return [.. _exchanges];
    }

    public IReadOnlyList<Exchange> Where(Func<Exchange, bool> predicate) => [.. Snapshot().Where(predicate)];

    public IReadOnlyList<Exchange> ForSubscription(string subscriptionId) =>
        Where(e => string.Equals(e.SubscriptionId, subscriptionId, StringComparison.Ordinal));

    public static string Clip(string text) =>
        text.Length <= MaxBodyChars ? text : string.Concat(text.AsSpan(0, MaxBodyChars), $"…[{text.Length - MaxBodyChars} more chars]");
}
