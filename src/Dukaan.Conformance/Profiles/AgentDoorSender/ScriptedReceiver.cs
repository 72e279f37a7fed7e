using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// The endpoint an AgentDoor sender delivers to, on loopback Kestrel: each event (told apart by its
/// <c>data.agent_id</c>, decision 21) gets the answers its script says per attempt — a status, a reset connection
/// (TCP RST), or no answer at all until the sender gives up or the hang bound passes. Every attempt is timed on
/// <see cref="TimeProvider"/> and recorded in the run's transcript (agent→platform).
/// </summary>
public sealed class ScriptedReceiver : IAsyncDisposable
{
    public const string WebhookPath = "/webhooks/agentdoor";
    public const string Kind = "attempt";
    public const string MarkerTag = "marker";
    private const int MaxBodyBytes = 1 << 20;

    private readonly WebApplication _app;
    private readonly Transcript _transcript;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _hangBound;
    private readonly long _started;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AttemptScript> _scripts = new(StringComparer.Ordinal);
    private readonly List<Attempt> _attempts = [];
    // Pulsed on every arrival and every end, so waits wake at once instead of polling.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ScriptedReceiver(WebApplication app, Transcript transcript, TimeProvider clock, TimeSpan hangBound)
    {
        _app = app;
        _transcript = transcript;
        _clock = clock;
        _hangBound = hangBound;
        _started = clock.GetTimestamp();
    }

    public Uri Url { get; private set; } = null!;

    /// <param name="hangBound">How long an unanswered attempt is held open before the harness closes it (timeoutMs + tolerance).</param>
    /// <param name="port">0 picks a free one.</param>
    public static async Task<ScriptedReceiver> StartAsync(Transcript transcript, TimeProvider clock, TimeSpan hangBound, int port, CancellationToken cancellationToken)
    {
        var app = LoopbackPeer.CreateBuilder(port, MaxBodyBytes).Build();
        var receiver = new ScriptedReceiver(app, transcript, clock, hangBound);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        receiver.Url = new Uri(LoopbackPeer.Address(app) + WebhookPath);
        return receiver;
    }

    /// <summary>Milliseconds on the receiver's clock since it started: what every <see cref="Attempt"/> time is measured in.</summary>
    public double NowMs => _clock.GetElapsedTime(_started).TotalMilliseconds;

    public void Script(string marker, AttemptScript script)
    {
        lock (_gate) _scripts[marker] = script;
    }

    public IReadOnlyList<Attempt> Snapshot()
    {
        lock (_gate) return [.. _attempts];
    }

    public IReadOnlyList<Attempt> AttemptsOf(string marker) => [.. Snapshot().Where(a => a.Marker == marker).OrderBy(a => a.Index)];

    /// <summary>
    /// Until <paramref name="done"/> holds over the attempts so far (true) or <paramref name="bound"/> passes on the
    /// receiver's clock (false).
    /// </summary>
    public async Task<bool> WaitAsync(Func<IReadOnlyList<Attempt>, bool> done, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var expired = Task.Delay(bound, _clock, timer.Token);
        try
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (done([.. _attempts])) return true;
                    changed = _changed.Task;
                }
                if (await Task.WhenAny(changed, expired).ConfigureAwait(false) == expired)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    lock (_gate) return done([.. _attempts]);
                }
            }
        }
        finally
        {
            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var arrivedAt = _clock.GetUtcNow();
        var arrivedMs = NowMs;
        using var reservation = _transcript.Reserve();
        var seq = reservation.Seq;
        var path = http.Request.Path.Value ?? "";
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or OperationCanceledException)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (!HttpMethods.IsPost(http.Request.Method) || path != WebhookPath)
        {
            // Not a delivery: the sender was told AGENTDOOR_WEBHOOK_URL exactly. Recorded so the report shows where it went.
            const string wrong = "{\"error\":\"deliveries go to POST " + WebhookPath + "\"}";
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync(wrong, http.RequestAborted).ConfigureAwait(false);
            Record(seq, http.Request.Method, path, headers, body, 404, wrong, arrivedAt, NowMs - arrivedMs, "not the webhook URL", null, null);
            return;
        }

        var marker = MarkerOf(body);
        Attempt attempt;
        lock (_gate)
        {
            var index = marker is null ? 0 : _attempts.Count(a => a.Marker == marker);
            // An event the harness did not emit (or a body it cannot read) is simply acknowledged: AD-S-03 judges the body.
            var reply = marker is not null && _scripts.TryGetValue(marker, out var script) ? script.For(index) : Reply.Ok;
            attempt = new Attempt(seq, marker, index, arrivedMs, arrivedAt, path, headers, body, reply, AttemptEnd.Open, null);
            _attempts.Add(attempt);
        }
        Pulse();

        var (end, answer) = await ReplyAsync(http, attempt.Reply).ConfigureAwait(false);
        var ended = attempt with { End = end, EndedMs = NowMs };
        lock (_gate) _attempts[_attempts.IndexOf(attempt)] = ended;
        Record(seq, "POST", path, headers, body, end == AttemptEnd.Answered ? attempt.Reply.Status : null, answer, arrivedAt, ended.EndedMs!.Value - arrivedMs,
            end == AttemptEnd.Answered ? null : ended.Outcome, marker, attempt.Index);
        Pulse();
    }

    private async Task<(AttemptEnd End, string Answer)> ReplyAsync(HttpContext http, Reply reply)
    {
        switch (reply.Kind)
        {
            case ReplyKind.Status:
                var answer = reply.IsSuccess ? "{\"received\":true}" : $"{{\"error\":\"scripted {reply.Status}\"}}";
                http.Response.StatusCode = reply.Status;
                http.Response.ContentType = "application/json";
                try
                {
                    await http.Response.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
                    await http.Response.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    // The sender hung up before reading the answer; it was sent as far as the receiver can tell.
                }
                return (AttemptEnd.Answered, answer);
            case ReplyKind.Reset:
                Reset(http);
                return (AttemptEnd.Reset, "");
            default:
                try
                {
                    await Task.Delay(_hangBound, _clock, http.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return (AttemptEnd.AbandonedBySender, "");
                }
                Reset(http);
                return (AttemptEnd.ClosedByHarness, "");
        }
    }

    /// <summary>
    /// A real reset: SO_LINGER 0 makes the close send RST instead of FIN, so the sender sees ECONNRESET, not an orderly
    /// end of stream. Kestrel exposes the socket for exactly this.
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

    /// <summary>The event's marker: <c>data.agent_id</c> of the body, or null when the body is not such a JSON object.</summary>
    public static string? MarkerOf(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("agent_id", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Wakes every wait to re-check its condition: something it depends on besides the attempts changed.</summary>
    public void Nudge() => Pulse();

    private void Pulse()
    {
        TaskCompletionSource pulse;
        lock (_gate)
        {
            pulse = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        pulse.TrySetResult();
    }

    private void Record(long seq, string method, string path, Dictionary<string, string> headers, byte[] body, int? status, string answer, DateTimeOffset at,
        double durationMs, string? error, string? marker, int? index)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (marker is not null) tags[MarkerTag] = marker;
        if (index is { } i) tags[TagKeys.DeliveryAttempt] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _transcript.Add(new Exchange(seq, Direction.AgentToPlatform, Kind, marker, method, new Uri(Url, path).ToString(), headers,
            Transcript.Clip(Encoding.UTF8.GetString(body)), status, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), answer, at, durationMs, error, tags));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
