using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// The harness playing a well-behaved agent (or a deliberately wrong one) towards the platform: every request goes out
/// with exactly the bytes and headers given, is bounded by a timeout, and is recorded in the run's transcript.
/// </summary>
public sealed class PlatformCaller(Uri baseUrl, string secret, Transcript transcript, ScenarioTags tags) : IDisposable
{
    /// <summary>How long any one call may take before the harness calls it a hang (PL-ERR-01 "never a hang").</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private const int MaxResponseChars = 16 * 1024;
    private readonly HttpClient _http = LoopbackHttp.ExactBytesClient();

    public string Secret => secret;

    /// <summary>The buyers' sensitive values seen in the answers so far: the reports must not show them.</summary>
    public LearnedSecrets Learned { get; } = new();
    public Uri BaseUrl => baseUrl;

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A correct run token for <paramref name="id"/> at <paramref name="ts"/> (now by default).</summary>
    public Dictionary<string, string> RunToken(string id, long? ts = null)
    {
        var at = ts ?? NowMs();
        return new() { [Headers.Signature] = Contract.RunToken.Sign(secret, id, at), [Headers.Timestamp] = Text(at) };
    }

    /// <summary>A body-bound signature of <paramref name="domain"/> over <paramref name="body"/>, at now.</summary>
    public Dictionary<string, string> BodyBound(BodyBoundDomain domain, string id, byte[] body)
    {
        var ts = NowMs();
        return new() { [Headers.Signature] = domain.Sign(secret, id, ts, body), [Headers.Timestamp] = Text(ts) };
    }

    public static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ConfigPath(string id) => $"api/subscriptions/{Uri.EscapeDataString(id)}/config";
    public static string RunPath(string id) => $"api/subscriptions/{Uri.EscapeDataString(id)}/run";
    public static string HeartbeatPath(string id) => $"api/subscriptions/{Uri.EscapeDataString(id)}/heartbeat";
    public static string RequestConfigPath(string id) => $"api/subscriptions/{Uri.EscapeDataString(id)}/request-config";
    public static string ChatPath(string id, string what) => $"api/subscriptions/{Uri.EscapeDataString(id)}/chat/{what}";

    /// <summary>Sends one request and records it; a timeout or connection failure is an exchange with an error, never an exception.</summary>
    private const int LargeBody = 64 * 1024;

    public async Task<Exchange> SendAsync(string scenario, string kind, string? subscriptionId, HttpMethod method, string path,
        IReadOnlyDictionary<string, string>? headers, byte[]? body, CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        using var reservation = transcript.Reserve();
        var seq = reservation.Seq;
        tags.Mark(seq, scenario);
        var url = new Uri(baseUrl, path);
        var startedAt = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        int? status = null;
        string? error = null;
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var responseBody = "";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit ?? CallTimeout);
        try
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Content.Headers.ContentLength = body.Length;
                // A platform may refuse a large body from its headers (413) and close at once; without asking first, the
                // client is still writing and sees a broken pipe instead of the answer. 100-continue lets it read the 413.
                if (body.Length > LargeBody) request.Headers.ExpectContinue = true;
            }
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            foreach (var (k, v) in response.Headers.Concat(response.Content.Headers)) responseHeaders[k] = string.Join(", ", v);
            responseBody = await ReadCappedAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var bound = (limit ?? CallTimeout).TotalSeconds;
            error = status is null ? $"no answer within {bound:0} s" : $"the body did not finish within {bound:0} s";
        }
        catch (HttpRequestException ex)
        {
            error = $"connection failed: {ex.HttpRequestError} ({ex.InnerException?.Message ?? ex.Message})";
        }
        catch (IOException ex)
        {
            error = $"connection failed: {ex.Message}";
        }
        var exchange = new Exchange(seq, Direction.AgentToPlatform, kind, subscriptionId, method.Method, url.ToString(),
            headers ?? new Dictionary<string, string>(), body is null ? "" : Transcript.Clip(Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 4096)))) + (body.Length > 4096 ? $"…[{body.Length} bytes]" : ""),
            status, responseHeaders, responseBody, startedAt, stopwatch.Elapsed.TotalMilliseconds, error, new Dictionary<string, string>());
        Learned.Learn(kind, responseBody);
        transcript.Add(exchange);
        return exchange;
    }

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxResponseChars];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
        return new string(buffer, 0, read);
    }

    /// <summary>The response body as JSON, or null when it is not JSON.</summary>
    public static JsonElement? Json(Exchange exchange)
    {
        try
        {
            using var document = JsonDocument.Parse(exchange.ResponseBody);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The error code of a JSON error body, wherever it is (decision 38): <c>error.code</c> of
    /// <c>{success: false, error: {code, message}}</c>, or <c>code</c> of the flat <c>{success: false, code, message}</c>.
    /// </summary>
    public static string? ErrorCode(Exchange exchange) => ErrorOf(exchange)?.Code;

    /// <summary>The error body's code and message and which of the two shapes carried them, or null when it is neither.</summary>
    public static ErrorShape? ErrorOf(Exchange exchange)
    {
        if (Json(exchange) is not { ValueKind: JsonValueKind.Object } json) return null;
        if (json.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object && Text(nested, "code") is { } code)
            return new ErrorShape(code, Text(nested, "message"), ErrorShape.Nested);
        return Text(json, "code") is { } flat ? new ErrorShape(flat, Text(json, "message"), ErrorShape.Flat) : null;
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>"GET /path → 429 RUN_LIMIT_EXCEEDED"; an answer without a code says so and shows its body, so a message never reads "429, not 429".</summary>
    public static string Describe(Exchange e)
    {
        var head = $"{e.Method} {new Uri(e.Url).AbsolutePath} → {(e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error)}";
        if (ErrorCode(e) is { } code) return $"{head} {code}";
        return e.Status is >= 400 ? $"{head} without an error code in either shape (body: {Clip(e.ResponseBody)})" : head;
    }

    private static string Clip(string text) => text.Length == 0 ? "empty" : text.Length <= 120 ? text : text[..120] + "…";

    public void Dispose() => _http.Dispose();
}

/// <summary>An error body's code and message, and the shape that carried them (decision 38 accepts both).</summary>
public sealed record ErrorShape(string Code, string? Message, string Shape)
{
    public const string Nested = "{success: false, error: {code, message}}";
    public const string Flat = "{success: false, code, message}";
}

/// <summary>Which scenario each exchange belongs to, for the per-scenario timelines.</summary>
public sealed class ScenarioTags
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> _bySeq = new();

    public void Mark(long seq, string scenario) => _bySeq[seq] = scenario;

    public string? Of(long seq) => _bySeq.GetValueOrDefault(seq);
}
