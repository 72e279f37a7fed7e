using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.ExactWire;

namespace Dukaan.Simulator;

public sealed record DeliveryAttempt(int Number, DateTimeOffset StartedAt, double DurationMs, int? Status, string? Error, double DelayBeforeMs, long ExchangeSeq);

public sealed record DeliveryResult(string SubscriptionId, string Event, string Url, bool Delivered, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary>A delivery as it goes on the wire; the harness crafts odd ones (tampered, unsigned) with the same engine.</summary>
public sealed record OutgoingDelivery(string SubscriptionId, string Event, Uri Url, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>
    /// Header lines sent after <see cref="Headers"/>, each on a line of its own even when its name repeats one already
    /// sent: a dictionary cannot hold a duplicated header, and a duplicated header is a probe the harness needs.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaderLines { get; init; } = [];

    /// <summary>How the transcript files it: a chat relay travels the same road as buyer_configured but is another part of the contract.</summary>
    public string Kind { get; init; } = ExchangeKinds.Delivery;

    /// <summary>A normally signed delivery of <paramref name="body"/> with the three contract headers.</summary>
    public static OutgoingDelivery Signed(string subscriptionId, string eventType, Uri url, byte[] body, string secret) =>
        new(subscriptionId, eventType, url, body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            [Contract.Headers.Event] = eventType,
            [Contract.Headers.Signature] = BodySignature.Sign(secret, body),
        });
}

/// <summary>
/// Deliberate delivery bugs of a broken simulator (<see cref="Faults.SimulatorBreaks"/>): one more attempt after a 2xx,
/// or each retry rebuilt (new bytes, new signature) instead of resent. None for a conforming platform.
/// </summary>
public sealed record DeliveryFaults(bool RetryAfterSuccess = false, Func<OutgoingDelivery>? RebuildForRetry = null)
{
    public static readonly DeliveryFaults None = new();
}

/// <summary>
/// POSTs deliveries to an agent: per-attempt timeout, 1 attempt + retries with exponential backoff on timeout,
/// connection failure or non-2xx. Backoff and timeouts go through the clock; the measured durations are real time,
/// because the agent's latency is real.
/// </summary>
public sealed class DeliveryEngine(HttpClient http, TimeProvider clock, Transcript transcript)
{
    private const int MaxResponseBytes = 64 * 1024;

    /// <summary>
    /// The client for real sockets. Malformed-signature probes must reach the agent byte for byte: a signature value goes
    /// out as Latin-1 (one byte per character, so a probe's 0xE9 is that one byte; HttpClient refuses non-ASCII by
    /// default), and a header given twice goes out as two lines (<see cref="HeaderLinesHandler"/>).
    /// </summary>
    /// <param name="perReadTimeout">Only for the per-read-timeout break: each socket read gets this long, on <paramref name="clock"/>.</param>
    public static HttpClient CreateHttpClient(TimeSpan? perReadTimeout = null, TimeProvider? clock = null) => new(new HeaderLinesHandler(new SocketsHttpHandler
    {
        ConnectCallback = perReadTimeout is { } read ? Faults.PerReadTimeoutStream.Connect(read, clock ?? TimeProvider.System) : null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        // One connection per request. .NET reuses a connection after an HTTP/1.0 answer that did not offer keep-alive
        // (dotnet/runtime#72958); Python's http.server answers HTTP/1.0 and closes, so the next delivery written on that
        // connection was lost and blamed on the agent. A fresh loopback connection costs microseconds.
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseProxy = false,
        RequestHeaderEncodingSelector = (name, _) => name.Equals(Contract.Headers.Signature, StringComparison.OrdinalIgnoreCase) ? Encoding.Latin1 : null,
    }))
    { Timeout = Timeout.InfiniteTimeSpan };

    public static byte[] Serialize(BuyerConfigured message) => JsonSerializer.SerializeToUtf8Bytes(message, ContractJson.Options);

    /// <param name="onAttempt">Told of each attempt as soon as it is answered, before any backoff: a caller that judges answers need not wait for the retries.</param>
    public async Task<DeliveryResult> SendAsync(OutgoingDelivery delivery, DeliveryPolicy policy, CancellationToken cancellationToken, DeliveryFaults? faults = null,
        Action<DeliveryAttempt>? onAttempt = null)
    {
        faults ??= DeliveryFaults.None;
        var attempts = new List<DeliveryAttempt>();
        double delayMs = 0;
        var delivered = false;
        var sending = delivery;
        for (var number = 1; number <= 1 + policy.MaxRetries; number++)
        {
            if (number > 1)
            {
                var delay = policy.DelayBeforeRetry(number - 1);
                delayMs = delay.TotalMilliseconds;
                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
                if (faults.RebuildForRetry is { } rebuild) sending = rebuild();
            }
            var attempt = await AttemptAsync(sending, number, delayMs, policy.AttemptTimeout, cancellationToken).ConfigureAwait(false);
            attempts.Add(attempt);
            onAttempt?.Invoke(attempt);
            if (delivered) break;
            if (attempt.Status is >= 200 and < 300)
            {
                delivered = true;
                if (!faults.RetryAfterSuccess || number > policy.MaxRetries) break;
            }
            else if (!policy.Retries(attempt)) break;
        }
        return new DeliveryResult(delivery.SubscriptionId, delivery.Event, delivery.Url.ToString(), delivered, attempts);
    }

    private async Task<DeliveryAttempt> AttemptAsync(OutgoingDelivery delivery, int number, double delayMs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seq = transcript.NextSeq();
        var startedAt = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        int? status = null;
        string? error = null;
        double? durationMs = null;
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var responseBody = "";
        try
        {
            using var request = BuildRequest(delivery);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            // The ACK time is the time to the status line; a body that trickles in afterwards does not make the ACK late.
            durationMs = stopwatch.Elapsed.TotalMilliseconds;
            status = (int)response.StatusCode;
            foreach (var (k, v) in response.Headers.Concat(response.Content.Headers)) responseHeaders[k] = string.Join(", ", v);
            responseBody = await ReadCappedAsync(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Once the status line is in, the duration stays the ACK time; a slow body must not make the ACK look late.
            durationMs ??= stopwatch.Elapsed.TotalMilliseconds;
            if (status is null) error = $"timeout: no response within {timeout.TotalSeconds:0.#} s";
            else responseBody += "…[body read stopped at the attempt timeout]";
        }
        catch (HttpRequestException ex)
        {
            durationMs ??= stopwatch.Elapsed.TotalMilliseconds;
            error = $"connection failed: {ex.HttpRequestError} ({ex.InnerException?.Message ?? ex.Message})";
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpIOException: the receiver closed the connection mid-body. Its status line, the ACK, already arrived.
            durationMs ??= stopwatch.Elapsed.TotalMilliseconds;
            if (status is null) error = $"connection failed: {ex.Message}";
            else responseBody += $"…[response ended early: {ex.Message}]";
        }

        transcript.Add(new Exchange(seq, Direction.PlatformToAgent, delivery.Kind, delivery.SubscriptionId, "POST",
            delivery.Url.ToString(), RecordedHeaders(delivery), Transcript.Clip(Encoding.UTF8.GetString(delivery.Body)), status,
            responseHeaders, responseBody, startedAt, durationMs.Value, error,
            new Dictionary<string, string> { [TagKeys.DeliveryAttempt] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        return new DeliveryAttempt(number, startedAt, durationMs.Value, status, error, delayMs, seq);
    }

    /// <summary>The headers as sent; a header sent on several lines keeps every value, one per line of text.</summary>
    private static IReadOnlyDictionary<string, string> RecordedHeaders(OutgoingDelivery delivery)
    {
        if (delivery.ExtraHeaderLines.Count == 0) return delivery.Headers;
        var headers = new Dictionary<string, string>(delivery.Headers, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in delivery.ExtraHeaderLines)
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + "\n" + value : value;
        return headers;
    }

    private static HttpRequestMessage BuildRequest(OutgoingDelivery delivery)
    {
        var content = new ByteArrayContent(delivery.Body);
        var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = content };
        foreach (var (name, value) in delivery.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            else
                request.Headers.TryAddWithoutValidation(name, value);
        }
        foreach (var (name, value) in delivery.ExtraHeaderLines) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>Reads at most 64 KiB: an agent that answers with a gigabyte costs the harness nothing.</summary>
    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxResponseBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            total += read;
        var text = Encoding.UTF8.GetString(buffer, 0, total);
        return total == buffer.Length ? text + "…[response truncated at 64 KiB]" : text;
    }
}
