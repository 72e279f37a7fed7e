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
/// Every exchange of a run, in Seq order: the order exchanges started. An exchange takes its Seq when it starts
/// (<see cref="NextSeq"/>) and is published with <see cref="Add"/> when it ends, so a delivery the agent answers after
/// fetching /config comes before that fetch, and "Seq &gt; mark" means "started after the mark was taken". Memory is
/// bounded: the peer under test is the only side that can flood, so its exchanges are kept in a ring of the newest
/// <see cref="Capacity"/> and older ones are evicted (counted in <see cref="Evicted"/>); the harness's own stimuli
/// (deliveries, relays: few, bounded by the scenarios) are never evicted, because the rules judge the peer's answers to
/// them. With a <see cref="Log"/>, every exchange is also appended to a JSON Lines file, in Seq order too, which is the
/// complete evidence whatever was evicted.
/// </summary>
/// <remarks>
/// Readers see an exchange once it has ended. One that started earlier may still be under way, and will be published
/// with a lower Seq than some already seen: a reader that goes on from the last Seq it saw reads from
/// <see cref="SettledThrough"/>, below which nothing more can appear.
/// </remarks>
public sealed class Transcript : IDisposable
{
    public const int MaxBodyChars = 64 * 1024;

    /// <summary>About 0.9 KB per exchange in memory (bench/soak.sh measures it), so the ring stays near 90 MB however long the peer floods.</summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>
    /// How many ended exchanges the file may hold back behind one still under way (about 7 MB). Past that, they are
    /// written anyway and the late one goes in when it ends, out of order (its line carries its Seq): an agent that
    /// holds a request open while it floods must not grow the harness's memory.
    /// </summary>
    public const int MaxHeldForOrder = 8192;

    private readonly Lock _gate = new();
    // Both kept in Seq order as exchanges arrive; the snapshot merges them.
    private readonly List<Exchange> _stimuli = [];
    private readonly SeqRing _peer = new();
    // Seqs handed out whose exchange has not been published nor abandoned yet.
    private readonly SortedSet<long> _open = [];
    // Serializes writing to the log, so lines go in Seq order; taken before _gate, never inside it.
    private readonly Lock _logGate = new();
    // Ended exchanges the log holds back until every exchange that started before them has ended.
    private readonly PriorityQueue<Exchange, long> _heldForLog = new();
    private bool _logClosed;
    // Waits poll the snapshot every ~25 ms; between two exchanges they all share one copy.
    private Exchange[]? _snapshot;
    private long _seq;
    private long _evicted;

    /// <summary>Raised after each exchange is recorded, as it ends; the live log of <c>simulate</c> listens here.</summary>
    public event Action<Exchange>? Recorded;

    /// <summary>
    /// The Seq of an exchange that starts now. The caller must publish it (<see cref="Add"/>) or give it up
    /// (<see cref="Abandon"/>), else the file holds back every later exchange: <see cref="Reserve"/> does the second on dispose.
    /// </summary>
    public long NextSeq()
    {
        lock (_gate)
        {
            var seq = Interlocked.Increment(ref _seq);
            _open.Add(seq);
            return seq;
        }
    }

    /// <summary>A Seq for an exchange that starts now, given up on dispose if it was never published (a failure on the way).</summary>
    public SeqReservation Reserve() => new(this, NextSeq());

    /// <summary>Gives up a Seq from <see cref="NextSeq"/> whose exchange will not be recorded; nothing once it was.</summary>
    public void Abandon(long seq)
    {
        // Most calls come from a reservation whose exchange was published: one look under _gate, nothing to write.
        lock (_gate)
        {
            if (!_open.Remove(seq)) return;
        }
        if (Log is null) return;
        lock (_logGate) WriteSettled();
    }

    /// <summary>The highest sequence number handed out so far: everything that starts later has a larger one.</summary>
    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>Every exchange with a Seq up to this one has ended (or never will be recorded): no reader will see another there.</summary>
    public long SettledThrough
    {
        get { lock (_gate) return _open.Count == 0 ? _seq : _open.Min - 1; }
    }

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

    /// <summary>Publishes an exchange that has ended, under the Seq it took when it started.</summary>
    public void Add(Exchange exchange)
    {
        if (Log is null)
        {
            Publish(exchange);
        }
        else
        {
            lock (_logGate)
            {
                Publish(exchange);
                if (_logClosed)
                {
                    Log.Append(exchange);
                }
                else
                {
                    _heldForLog.Enqueue(exchange, exchange.Seq);
                    WriteSettled();
                }
            }
        }
        Recorded?.Invoke(exchange);
    }

    private void Publish(Exchange exchange)
    {
        lock (_gate)
        {
            _open.Remove(exchange.Seq);
            if (exchange.Direction == PeerDirection)
            {
                if (!_peer.Add(exchange, Capacity)) _evicted++;
            }
            else
            {
                // Arrivals are out of order (an exchange is added when it ends) but mostly near the end; an equal Seq goes
                // after the ones already there, as a stable sort would.
                var i = _stimuli.Count;
                while (i > 0 && _stimuli[i - 1].Seq > exchange.Seq) i--;
                _stimuli.Insert(i, exchange);
            }
            _snapshot = null;
        }
    }

    /// <summary>Appends, in Seq order, the held exchanges that no exchange still under way started before. Under _logGate.</summary>
    private void WriteSettled()
    {
        if (Log is null || _logClosed) return;
        var settled = SettledThrough;
        while (_heldForLog.TryPeek(out var next, out var seq) && (seq <= settled || _heldForLog.Count > MaxHeldForOrder))
        {
            _heldForLog.Dequeue();
            Log.Append(next);
        }
    }

    /// <summary>What is in memory, in Seq order. The list is shared until the next exchange arrives: never cast it back to mutate it.</summary>
    public IReadOnlyList<Exchange> Snapshot()
    {
        lock (_gate) return _snapshot ??= Merge();
    }

    public IReadOnlyList<Exchange> Where(Func<Exchange, bool> predicate) => [.. Snapshot().Where(predicate)];

    public IReadOnlyList<Exchange> ForSubscription(string subscriptionId) =>
        Where(e => string.Equals(e.SubscriptionId, subscriptionId, StringComparison.Ordinal));

    /// <summary>
    /// Writes what the log still holds (in Seq order, even behind an exchange that never ended), then flushes and closes
    /// it; the exchanges in memory stay readable.
    /// </summary>
    public void Dispose()
    {
        if (Log is null) return;
        lock (_logGate)
        {
            if (!_logClosed)
            {
                while (_heldForLog.TryDequeue(out var held, out _)) Log.Append(held);
                _logClosed = true;
            }
        }
        Log.Dispose();
    }

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
/// A Seq taken when an exchange starts; disposing it gives the Seq up unless the exchange was published. The default
/// value holds none (an exchange that is not recorded).
/// </summary>
public readonly struct SeqReservation(Transcript transcript, long seq) : IDisposable
{
    public long Seq { get; } = seq;

    public void Dispose() => transcript?.Abandon(Seq);
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
