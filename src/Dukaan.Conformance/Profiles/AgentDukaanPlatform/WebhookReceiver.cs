using System.Diagnostics;
using System.Text;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>What the receiver does with one attempt: answer <paramref name="Status"/> after <paramref name="After"/> (platform time), or never answer.</summary>
public sealed record Reply(int Status, TimeSpan After, bool Hang = false)
{
    public static Reply Ok => new(200, TimeSpan.Zero);
    public static Reply Fail => new(500, TimeSpan.Zero);
    public static Reply Never => new(0, TimeSpan.Zero, Hang: true);
}

/// <summary>
/// One attempt as the receiver saw it: the exact bytes and headers, when it arrived and ended (real stopwatch ticks), what
/// was answered, and whether the platform hung up before the answer.
/// </summary>
/// <param name="BodyComplete">False when the platform hung up before the whole body arrived: such a body proves nothing about its signature.</param>
public sealed record Hit(int Number, long Seq, byte[] Body, IReadOnlyDictionary<string, string> Headers, long ArrivedTicks, long EndedTicks, int? Answered, bool AbortedByPlatform,
    bool BodyComplete);

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

    internal int Arrive() => Interlocked.Increment(ref _arrivals);

    internal Reply ReplyFor(int number) => script[Math.Min(number, script.Count) - 1];

    internal void Record(Hit hit)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _hits.Add(hit);
            _hits.Sort((a, b) => a.Number.CompareTo(b.Number));
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Waits until <paramref name="count"/> attempts have ended, or <paramref name="limit"/> (real time) passes.</summary>
    public async Task<IReadOnlyList<Hit>> WaitForAsync(int count, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_hits.Count >= count) return [.. _hits];
                changed = _changed.Task;
            }
            try { await changed.WaitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { return Hits; }
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
        using var reservation = _transcript.Reserve();
        var seq = reservation.Seq;
        _tags.Mark(seq, slot.Scenario);
        var number = slot.Arrive();
        var startedAt = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
        int? answered = null;
        var aborted = false;
        var complete = false;
        try
        {
            await http.Request.Body.CopyToAsync(body, lifetime.Token).ConfigureAwait(false);
            complete = true;
            var reply = slot.ReplyFor(number);
            // A hang lasts until the platform gives up on it (or the run ends): that moment is what PL-DLV-03 measures.
            await Task.Delay(reply.Hang ? Timeout.InfiniteTimeSpan : reply.After, _clock, lifetime.Token).ConfigureAwait(false);
            http.Response.StatusCode = reply.Status;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(reply.Status < 300 ? "{\"received\":true}" : "{\"error\":\"scripted failure\"}", lifetime.Token).ConfigureAwait(false);
            await http.Response.CompleteAsync().ConfigureAwait(false);
            answered = reply.Status;
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
            Stopwatch.GetElapsedTime(arrived, ended).TotalMilliseconds, aborted ? "the platform closed the connection before the answer" : null,
            new Dictionary<string, string> { [TagKeys.DeliveryAttempt] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        slot.Record(new Hit(number, seq, bytes, headers, arrived, ended, answered, aborted, complete));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
