using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// What the receiver does with one attempt: answer <paramref name="Status"/> after <paramref name="After"/> (platform time), never
/// answer (<paramref name="Hang"/>), reset the connection (<paramref name="Reset"/>), or send the status line at once and the
/// header bytes one a second so that the headers are whole only after <paramref name="After"/> (<paramref name="Drip"/>).
/// </summary>
public sealed record Reply(int Status, TimeSpan After, bool Hang = false, bool Reset = false, bool Drip = false)
{
    public static Reply Ok => new(200, TimeSpan.Zero);
    public static Reply Fail => new(500, TimeSpan.Zero);
    public static Reply Never => new(0, TimeSpan.Zero, Hang: true);
    public static Reply ResetConnection => new(0, TimeSpan.Zero, Reset: true);

    /// <summary>200 whose header bytes trickle in, one every <see cref="DripStep"/>, until <paramref name="until"/>.</summary>
    public static Reply Dripping(TimeSpan until) => new(200, until, Drip: true);

    /// <summary>Well under any per-read timeout: each byte proves the connection alive to a platform that times reads, not attempts.</summary>
    public static readonly TimeSpan DripStep = TimeSpan.FromSeconds(1);
}

/// <summary>
/// One attempt as the receiver saw it: the exact bytes and headers, when it arrived and ended (real stopwatch ticks), what
/// was answered, and whether the platform hung up before the answer.
/// </summary>
/// <param name="BodyComplete">False when the platform hung up before the whole body arrived: such a body proves nothing about its signature.</param>
/// <param name="ResetByReceiver">The receiver's script reset this attempt's connection (a network error for the platform).</param>
public sealed record Hit(int Number, long Seq, byte[] Body, IReadOnlyDictionary<string, string> Headers, long ArrivedTicks, long EndedTicks, int? Answered, bool AbortedByPlatform,
    bool BodyComplete, bool ResetByReceiver = false)
{
    /// <summary>The platform got a 2xx for this attempt, as far as the receiver can tell.</summary>
    public bool Succeeded => Answered is >= 200 and < 300 && !AbortedByPlatform;
}

/// <summary>One webhook URL with its own script: reply n answers attempt n (the last one repeats).</summary>
public sealed class ReceiverSlot(string name, string scenario, IReadOnlyList<Reply> script)
{
    private readonly Lock _gate = new();
    private readonly List<Hit> _hits = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;
    public string Scenario => scenario;

    public IReadOnlyList<Hit> Hits { get { lock (_gate) return [.. _hits]; } }

    private int _arrivals;

    internal int Arrive()
    {
        var number = Interlocked.Increment(ref _arrivals);
        Pulse();
        return number;
    }

    /// <summary>Attempts that have reached the receiver, ended or not.</summary>
    public int Arrivals => Volatile.Read(ref _arrivals);

    internal Reply ReplyFor(int number) => script[Math.Min(number, script.Count) - 1];

    internal void Record(Hit hit)
    {
        lock (_gate)
        {
            _hits.Add(hit);
            _hits.Sort((a, b) => a.Number.CompareTo(b.Number));
        }
        Pulse();
    }

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Waits until <paramref name="count"/> attempts have ended, or <paramref name="limit"/> (real time) passes.</summary>
    public async Task<IReadOnlyList<Hit>> WaitForAsync(int count, TimeSpan limit, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(() => _hits.Count >= count, limit, cancellationToken).ConfigureAwait(false);
        return Hits;
    }

    /// <summary>Waits until <paramref name="count"/> attempts have arrived (ended or not); false when <paramref name="limit"/> (real time) passed first.</summary>
    public Task<bool> WaitForArrivalAsync(int count, TimeSpan limit, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Arrivals >= count, limit, cancellationToken);

    private async Task<bool> WaitUntilAsync(Func<bool> done, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (done()) return true;
                changed = _changed.Task;
            }
            try { await changed.WaitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_gate) return done();
            }
        }
    }
}

/// <summary>
/// The harness's webhook receiver on loopback: each scenario gets its own URL with a script (answer 200, 500, answer after
/// 8 s, never answer), and every attempt is kept byte for byte. Scripted delays run on the run's clock, so on a compressed
/// clock they shrink exactly as the platform's own timeouts do.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private const long MaxBodyBytes = 1 << 20;
    private readonly WebApplication _app;
    private readonly Transcript _transcript;
    private readonly ScenarioTags _tags;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ReceiverSlot> _slots = new(StringComparer.Ordinal);
    private int _counter;

    private WebhookReceiver(WebApplication app, Transcript transcript, ScenarioTags tags, TimeProvider clock)
    {
        _app = app;
        _transcript = transcript;
        _tags = tags;
        _clock = clock;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(Transcript transcript, ScenarioTags tags, TimeProvider clock, CancellationToken cancellationToken)
    {
        var app = LoopbackPeer.CreateBuilder(0, MaxBodyBytes).Build();
        var receiver = new WebhookReceiver(app, transcript, tags, clock);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        receiver.BaseUrl = new Uri(LoopbackPeer.Address(app) + "/");
        return receiver;
    }

    /// <summary>A fresh webhook URL that follows <paramref name="script"/>.</summary>
    public (Uri Url, ReceiverSlot Slot) Slot(string scenario, params Reply[] script)
    {
        var name = $"s{Interlocked.Increment(ref _counter)}";
        var slot = new ReceiverSlot(name, scenario, script);
        _slots[name] = slot;
        return (new Uri(BaseUrl, "hooks/" + name), slot);
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (!path.StartsWith("/hooks/", StringComparison.Ordinal) || !_slots.TryGetValue(path["/hooks/".Length..], out var slot))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var arrived = Stopwatch.GetTimestamp();
        var seq = _transcript.NextSeq();
        _tags.Mark(seq, slot.Scenario);
        var number = slot.Arrive();
        var startedAt = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
        int? answered = null;
        var aborted = false;
        var complete = false;
        var reset = false;
        try
        {
            await http.Request.Body.CopyToAsync(body, lifetime.Token).ConfigureAwait(false);
            complete = true;
            var reply = slot.ReplyFor(number);
            if (reply.Reset)
            {
                Reset(http);
                reset = true;
            }
            else if (reply.Drip)
            {
                answered = await DripAsync(http, reply, lifetime.Token).ConfigureAwait(false);
                aborted = answered is null;
            }
            else
            {
            // A hang lasts until the platform gives up on it (or the run ends): that moment is what PL-DLV-03 measures.
                await Task.Delay(reply.Hang ? Timeout.InfiniteTimeSpan : reply.After, _clock, lifetime.Token).ConfigureAwait(false);
                http.Response.StatusCode = reply.Status;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(reply.Status < 300 ? "{\"received\":true}" : "{\"error\":\"scripted failure\"}", lifetime.Token).ConfigureAwait(false);
                await http.Response.CompleteAsync().ConfigureAwait(false);
                answered = reply.Status;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            aborted = http.RequestAborted.IsCancellationRequested;
        }
        var ended = Stopwatch.GetTimestamp();
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var bytes = body.ToArray();
        _transcript.Add(new Exchange(seq, Direction.PlatformToAgent, ExchangeKinds.Delivery, null, http.Request.Method, $"{BaseUrl}hooks/{slot.Name}", headers,
            Transcript.Clip(Encoding.UTF8.GetString(bytes)), answered, new Dictionary<string, string>(), "", startedAt,
            Stopwatch.GetElapsedTime(arrived, ended).TotalMilliseconds,
            aborted ? "the platform closed the connection before the answer" : reset ? "the receiver reset the connection (scripted network error)" : null,
            new Dictionary<string, string> { [TagKeys.DeliveryAttempt] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        slot.Record(new Hit(number, seq, bytes, headers, arrived, ended, answered, aborted, complete, reset));
    }

    /// <summary>
    /// A real reset: SO_LINGER 0 makes the close send RST instead of FIN, so the platform sees ECONNRESET, not an orderly
    /// end of stream.
    /// </summary>
    private static void Reset(HttpContext http)
    {
        if (http.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try { socket.LingerState = new LingerOption(true, 0); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { /* already gone: nothing left to reset */ }
        }
        http.Abort();
    }

    /// <summary>
    /// Writes the answer on the socket itself, bypassing Kestrel (which sends headers in one piece): the status line at once,
    /// then one byte of a header every <see cref="Reply.DripStep"/> until <see cref="Reply.After"/>, then the rest. A platform
    /// with one budget per attempt hangs up by 10 s; one that times each read never does. Null when the platform hung up first.
    /// </summary>
    private async Task<int?> DripAsync(HttpContext http, Reply reply, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket) return null;
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {reply.Status} OK\r\nX-Drip: "), cancellationToken).ConfigureAwait(false);
            // Counted in steps, not read off the clock: a compressed clock scales its timers, not its timestamps.
            for (var step = TimeSpan.Zero; step < reply.After; step += Reply.DripStep)
            {
                await Task.Delay(Reply.DripStep, _clock, cancellationToken).ConfigureAwait(false);
                await socket.SendAsync("."u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }
            const string answer = "{\"received\":true}";
            await socket.SendAsync(Encoding.ASCII.GetBytes($"\r\nContent-Type: application/json\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n\r\n{answer}"),
                cancellationToken).ConfigureAwait(false);
            return reply.Status;
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            // Kestrel must not add an answer of its own after the one written by hand.
            http.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
