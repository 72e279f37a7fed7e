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

/// <summary>
/// Every exchange of a run, in Seq order. Memory is bounded: the peer under test is the only side that can flood, so its
/// exchanges are kept in a ring of the newest <see cref="Capacity"/> and older ones are evicted (counted in
/// <see cref="Evicted"/>); the harness's own stimuli (deliveries, relays: few, bounded by the scenarios) are never evicted,
/// because the rules judge the peer's answers to them. With a <see cref="Log"/>, every exchange is also appended to a
/// JSON Lines file, which is the complete evidence whatever was evicted.
/// </summary>
public sealed class Transcript : IDisposable
{
    public const int MaxBodyChars = 64 * 1024;

    /// <summary>About 0.9 KB per exchange in memory (bench/soak.sh measures it), so the ring stays near 90 MB however long the peer floods.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    // Both kept in Seq order as exchanges arrive; the snapshot merges them.
    private readonly List<Exchange> _stimuli = [];
    private readonly SeqRing _peer = new();
    // Waits poll the snapshot every ~25 ms; between two exchanges they all share one copy.
    private Exchange[]? _snapshot;
    private long _seq;
    private long _evicted;

    /// <summary>Raised after each exchange is recorded; the live log of <c>simulate</c> listens here.</summary>
    public event Action<Exchange>? Recorded;

    public long NextSeq() => Interlocked.Increment(ref _seq);

    /// <summary>The highest sequence number handed out so far: everything recorded later has a larger one.</summary>
    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>How many of the peer's exchanges stay in memory: the newest ones. At least 1.</summary>
    public int Capacity
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Capacity), value, "A transcript keeps at least one exchange.");
    } = DefaultCapacity;

    /// <summary>
    /// The direction the party under test initiates, whose exchanges may flood and are evicted oldest first: the agent's
    /// calls when the harness plays the platform (the default), the platform's deliveries when it plays the agent.
    /// </summary>
    public Direction PeerDirection { get; init; } = Direction.AgentToPlatform;

    /// <summary>Where every exchange is also written, or null to keep them in memory only.</summary>
    public TranscriptLog? Log { get; init; }

    /// <summary>The peer's exchanges evicted from memory to stay within <see cref="Capacity"/>: counted and reported, never silent.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public void Add(Exchange exchange)
    {
        lock (_gate)
        {
            if (exchange.Direction == PeerDirection)
            {
                if (!_peer.Add(exchange, Capacity)) _evicted++;
            }
            else
            {
                // A delivery takes its Seq before it is sent and is added when it ends, after the calls it provoked, so arrivals
                // are out of order but only near the end; an equal Seq goes after the ones already there, as a stable sort would.
                var i = _stimuli.Count;
                while (i > 0 && _stimuli[i - 1].Seq > exchange.Seq) i--;
                _stimuli.Insert(i, exchange);
            }
            _snapshot = null;
        }
        Log?.Append(exchange);
        Recorded?.Invoke(exchange);
    }

    /// <summary>What is in memory, in Seq order. The list is shared until the next exchange arrives: never cast it back to mutate it.</summary>
    public IReadOnlyList<Exchange> Snapshot()
    {
        lock (_gate) return _snapshot ??= Merge();
    }

    public IReadOnlyList<Exchange> Where(Func<Exchange, bool> predicate) => [.. Snapshot().Where(predicate)];

    public IReadOnlyList<Exchange> ForSubscription(string subscriptionId) =>
        Where(e => string.Equals(e.SubscriptionId, subscriptionId, StringComparison.Ordinal));

    /// <summary>Flushes and closes the log, if any; the exchanges in memory stay readable.</summary>
    public void Dispose() => Log?.Dispose();

    public static string Clip(string text) =>
        text.Length <= MaxBodyChars ? text : string.Concat(text.AsSpan(0, MaxBodyChars), $"…[{text.Length - MaxBodyChars} more chars]");

    private Exchange[] Merge()
    {
        var merged = new Exchange[_stimuli.Count + _peer.Count];
        int s = 0, p = 0, m = 0;
        while (s < _stimuli.Count && p < _peer.Count)
            merged[m++] = _peer[p].Seq < _stimuli[s].Seq ? _peer[p++] : _stimuli[s++];
        while (s < _stimuli.Count) merged[m++] = _stimuli[s++];
        while (p < _peer.Count) merged[m++] = _peer[p++];
        return merged;
    }
}

/// <summary>
/// A circular buffer of exchanges in Seq order that grows up to a capacity and then drops its oldest: O(1) per exchange,
/// however long the peer floods. Arrivals slightly out of order (a Seq taken before a concurrent one was added) are
/// inserted near the end.
/// </summary>
internal sealed class SeqRing
{
    private Exchange[] _items = new Exchange[16];
    private int _head;

    public int Count { get; private set; }

    public Exchange this[int index] => _items[(_head + index) % _items.Length];

    /// <summary>False when something was evicted: the oldest exchange, or this one if it is older than all that are kept.</summary>
    public bool Add(Exchange exchange, int capacity)
    {
        var evicted = false;
        if (Count >= capacity)
        {
            // Over capacity (including a capacity lowered since): keep the newest, which this one may not be.
            if (exchange.Seq < this[0].Seq) return false;
            while (Count >= capacity) RemoveOldest();
            evicted = true;
        }
        else if (Count == _items.Length)
        {
            Grow(Math.Min(capacity, _items.Length * 2));
        }
        var i = Count;
        while (i > 0 && this[i - 1].Seq > exchange.Seq)
        {
            Set(i, this[i - 1]);
            i--;
        }
        Set(i, exchange);
        Count++;
        return !evicted;
    }

    private void RemoveOldest()
    {
        _items[_head] = null!;
        _head = (_head + 1) % _items.Length;
        Count--;
    }

    private void Set(int index, Exchange exchange) => _items[(_head + index) % _items.Length] = exchange;

    private void Grow(int size)
    {
        var grown = new Exchange[Math.Max(size, Count + 1)];
        for (var i = 0; i < Count; i++) grown[i] = this[i];
        _items = grown;
        _head = 0;
    }
}
