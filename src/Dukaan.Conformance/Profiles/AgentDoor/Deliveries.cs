using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>One delivery as it will go on the wire: exact body bytes and the signature header value (null = none).</summary>
public sealed record Delivery(string Scenario, string Probe, string EventId, string Type, DateTimeOffset Timestamp, byte[] Body, string? Signature);

/// <summary>What came back: the status, or why none did; <see cref="TimedOut"/> after the emitter's 10 s.</summary>
public sealed record DeliveryOutcome(Delivery Delivery, long Seq, int? Status, string? Error, bool TimedOut, double DurationMs)
{
    public bool Is2xx => Status is >= 200 and < 300;
    public bool Is4xx => Status is >= 400 and < 500;
    public bool Is5xx => Status is >= 500;

    public string Describe() =>
        Status is { } s ? $"{s} in {DurationMs:0} ms"
        : TimedOut ? $"no answer within {DurationMs / 1000:0} s"
        : $"no answer ({Error})";
}

/// <summary>
/// Sends AgentDoor deliveries as the emitter does (seed 003): the payload's exact bytes, the X-AgentDoor-* headers, a
/// 10 s timeout per attempt, and records each in the transcript as platform→agent.
/// </summary>
public sealed class Deliverer : IDisposable
{
    public const string ProbeTag = "probe";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly Uri _webhookUrl;
    private readonly Transcript _transcript;

    public Deliverer(Uri webhookUrl, Transcript transcript)
    {
        _webhookUrl = webhookUrl;
        _transcript = transcript;
        _http = LoopbackHttp.ExactBytesClient();
    }

    public static string Sign(byte[] body, string secret) =>
        Dukaan.Contract.PrefixedBodySignature.Sign(secret, body);

    /// <summary>ISO 8601 as JavaScript's toISOString writes it, which is what the emitter sends.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public async Task<DeliveryOutcome> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        using var reservation = _transcript.Reserve();
        var seq = reservation.Seq;
        using var request = new HttpRequestMessage(HttpMethod.Post, _webhookUrl);
        // ByteArrayContent: Content-Length and exactly these bytes, never chunked or re-encoded.
        request.Content = new ByteArrayContent(delivery.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ConnectionClose = true;
        request.Headers.TryAddWithoutValidation("User-Agent", "AgentDoor-Webhooks/1.0");
        request.Headers.TryAddWithoutValidation("X-AgentDoor-Event", delivery.Type);
        request.Headers.TryAddWithoutValidation("X-AgentDoor-Event-Id", delivery.EventId);
        request.Headers.TryAddWithoutValidation("X-AgentDoor-Timestamp", Iso(delivery.Timestamp));
        if (delivery.Signature is not null) request.Headers.TryAddWithoutValidation("X-AgentDoor-Signature", delivery.Signature);
        var requestHeaders = request.Headers.Concat(request.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        requestHeaders["Content-Length"] = delivery.Body.Length.ToString(CultureInfo.InvariantCulture);

        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        int? status = null;
        string? error = null;
        var timedOut = false;
        var responseBody = "";
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            foreach (var h in response.Headers.Concat(response.Content.Headers)) responseHeaders[h.Key] = string.Join(", ", h.Value);
            responseBody = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            error = $"no answer within {Timeout.TotalSeconds:0} s (the emitter's timeoutMs)";
        }
        catch (HttpRequestException ex)
        {
            error = ex.InnerException?.Message ?? ex.Message;
        }
        // A status line that arrived before the timeout still counts, even if the body did not follow in time.
        if (timedOut && status is not null) (timedOut, error) = (false, null);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ProbeTag] = delivery.Probe,
            [TagKeys.Diagnosis] = $"{delivery.Scenario}: {delivery.Probe}",
            [EffectsSink.EventIdTag] = delivery.EventId,
        };
        _transcript.Add(new Exchange(seq, Direction.PlatformToAgent, ExchangeKinds.Delivery, null, "POST", _webhookUrl.ToString(), requestHeaders,
            Transcript.Clip(Encoding.UTF8.GetString(delivery.Body)), status, responseHeaders, Transcript.Clip(responseBody), startedAt,
            clock.Elapsed.TotalMilliseconds, error, tags));
        return new DeliveryOutcome(delivery, seq, status, error, timedOut, clock.Elapsed.TotalMilliseconds);
    }

    public void Dispose() => _http.Dispose();
}
