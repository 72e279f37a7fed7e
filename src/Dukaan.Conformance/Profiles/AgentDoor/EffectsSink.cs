using System.Net;
using System.Text;
using System.Text.Json;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>One effect the receiver reported: it processed this event.</summary>
public sealed record Effect(string? EventId, string? Type, long Seq, DateTimeOffset At);

/// <summary>
/// The receiver's side effects made visible: `POST /effects` with `{eventId, type}` on loopback Kestrel. Every request
/// is recorded in the run's transcript (agent→platform), so a verdict can cite the effect that decided it.
/// </summary>
public sealed class EffectsSink : IAsyncDisposable
{
    public const string Kind = "effect";
    public const string EventIdTag = "eventId";
    private const int MaxBodyBytes = 64 * 1024;

    private readonly WebApplication _app;
    private readonly Transcript _transcript;
    private readonly Lock _gate = new();
    private readonly List<Effect> _effects = [];
    // Pulsed on every effect so waits wake at once instead of polling.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<HttpContext, Task>? _control;

    private EffectsSink(WebApplication app, Transcript transcript, Func<HttpContext, Task>? control)
    {
        _app = app;
        _transcript = transcript;
        _control = control;
    }

    public Uri Url { get; private set; } = null!;

    /// <param name="port">0 picks a free one; an already running receiver (--agent-url) was told the URL in advance (--sim-port).</param>
    /// <param name="control">
    /// The simulate command's control API (/_sim/...) on the same port; null in a certification run. Control requests
    /// are not exchanges with the receiver, so they are not recorded.
    /// </param>
    public static async Task<EffectsSink> StartAsync(Transcript transcript, int port, CancellationToken cancellationToken, Func<HttpContext, Task>? control = null)
    {
        var app = LoopbackPeer.CreateBuilder(port, MaxBodyBytes).Build();
        var sink = new EffectsSink(app, transcript, control);
        app.Run(sink.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        sink.Url = new Uri(LoopbackPeer.Address(app) + "/effects");
        return sink;
    }

    public IReadOnlyList<Effect> Snapshot()
    {
        lock (_gate) return [.. _effects];
    }

    public IReadOnlyList<Effect> For(string eventId) => [.. Snapshot().Where(e => e.EventId == eventId)];

    /// <summary>Completes when the next effect arrives (or right away if one arrived since <paramref name="seen"/>).</summary>
    public Task ChangedSinceAsync(int seen, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (_effects.Count != seen) return Task.CompletedTask;
            changed = _changed.Task;
        }
        return changed.WaitAsync(cancellationToken);
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (_control is not null && http.Request.Path.StartsWithSegments("/_sim"))
        {
            await _control(http).ConfigureAwait(false);
            return;
        }
        var startedAt = DateTimeOffset.UtcNow;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Taken as the request arrives, so the transcript lists exchanges in the order they started.
        using var reservation = _transcript.Reserve();
        var seq = reservation.Seq;
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
        var (eventId, type, problem) = Parse(body);
        var isEffect = http.Request.Method == HttpMethods.Post && http.Request.Path == "/effects";
        http.Response.StatusCode = !isEffect ? StatusCodes.Status404NotFound : problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        var answer = !isEffect ? "{\"error\":\"only POST /effects\"}" : problem is null ? "{\"ok\":true}" : JsonSerializer.Serialize(new { error = problem });
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (eventId is not null) tags[EventIdTag] = eventId;
        if (problem is not null) tags[TagKeys.Diagnosis] = problem;
        _transcript.Add(new Exchange(seq, Direction.AgentToPlatform, Kind, null, http.Request.Method, http.Request.Path + http.Request.QueryString,
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Transcript.Clip(Encoding.UTF8.GetString(body)), http.Response.StatusCode, new Dictionary<string, string>(), answer, startedAt,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, tags));
        if (!isEffect || problem is not null) return;
        TaskCompletionSource pulse;
        lock (_gate)
        {
            _effects.Add(new Effect(eventId, type, seq, startedAt));
            pulse = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        pulse.TrySetResult();
    }

    private static (string? EventId, string? Type, string? Problem) Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, null, "the effect is not a JSON object");
            string? Text(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var id = Text("eventId");
            return id is null ? (null, Text("type"), "the effect has no string \"eventId\"") : (id, Text("type"), null);
        }
        catch (JsonException)
        {
            return (null, null, "the effect is not JSON; expected {\"eventId\": \"...\", \"type\": \"...\"}");
        }
    }

    public int Count
    {
        get { lock (_gate) return _effects.Count; }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
