using System.Buffers;
using System.Text;
using Dukaan.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Dukaan.Simulator;

/// <summary>What an endpoint tells the recorder about the exchange it handled.</summary>
public sealed class ExchangeContext
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>(StringComparer.Ordinal);
    private Dictionary<string, string>? _tags;

    public string Kind { get; set; } = ExchangeKinds.Unknown;
    public string? SubscriptionId { get; set; }

    /// <summary>Made on first use: most exchanges (every accepted /run) carry none, and they are kept by the hundred thousand.</summary>
    public Dictionary<string, string> Tags => _tags ??= new(StringComparer.Ordinal);

    /// <summary>The tags as recorded: a shared empty set when there are none.</summary>
    public IReadOnlyDictionary<string, string> RecordedTags => _tags ?? NoTags;

    public byte[] RawBody { get; set; } = [];

    /// <summary>
    /// Answers with the contract's error body and tags the exchange with the code (and the named mistake, if one was
    /// recognised), so the rules read why a call was refused from the transcript rather than by parsing the body.
    /// </summary>
    public IResult Refuse(int status, string code, string message, string? diagnosis = null)
    {
        Tags[TagKeys.ErrorCode] = code;
        if (diagnosis is not null) Tags[TagKeys.Diagnosis] = diagnosis;
        return ErrorResponses.Of(status, code, message);
    }

    /// <remarks>Kept as a feature rather than in Items: Kestrel reuses its feature slots across a connection's requests, Items is a new dictionary each time.</remarks>
    public static ExchangeContext Of(HttpContext http)
    {
        if (http.Features.Get<ExchangeContext>() is { } found) return found;
        var created = new ExchangeContext();
        http.Features.Set(created);
        return created;
    }
}

/// <summary>
/// Buffers each agent request (bounded by the body limit), lets the endpoint run, and records both directions
/// in the transcript. Control-API calls under /_sim are not part of the agent's behaviour and are not recorded.
/// </summary>
/// <remarks>
/// The response goes to the agent as the endpoint writes it, through the same pipe as any endpoint's, while a copy is
/// kept for the transcript (<see cref="RecordingResponseBody"/>): buffering it in a stream and copying it afterwards made
/// every response chunked and cost a fifth of the simulator's throughput under load.
/// </remarks>
public sealed class ExchangeRecorder(RequestDelegate next, PlatformSimulator simulator)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var exchange = ExchangeContext.Of(http);
        var startedAt = simulator.Clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var control = http.Request.Path.StartsWithSegments("/_sim");
        // The Seq is taken as the request arrives, so the transcript lists exchanges in the order they started; a request
        // that never gets recorded (a body over the limit) gives it up.
        using var reservation = control ? default : simulator.Transcript.Reserve();
        var read = await ReadBodyAsync(http, simulator.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (read is null)
        {
            await ErrorResponses.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"Request body exceeds {simulator.Options.MaxRequestBodyBytes} bytes.").ConfigureAwait(false);
            return;
        }
        exchange.RawBody = read;
        if (control)
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        var original = http.Features.Get<IHttpResponseBodyFeature>()!;
        using var recording = new RecordingResponseBody(original);
        http.Features.Set<IHttpResponseBodyFeature>(recording);
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            http.Features.Set(original);
            Record(http, exchange, reservation.Seq, startedAt, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, recording.Captured);
        }
    }

    private void Record(HttpContext http, ExchangeContext exchange, long seq, DateTimeOffset startedAt, double durationMs, ReadOnlySpan<byte> responseBody)
    {
        simulator.Transcript.Add(new Exchange(seq, Direction.AgentToPlatform, exchange.Kind, exchange.SubscriptionId,
            http.Request.Method, RequestTarget(http.Request), HeaderMap.Of(http.Request.Headers),
            exchange.RawBody.Length == 0 ? "" : Transcript.Clip(Encoding.UTF8.GetString(exchange.RawBody)), http.Response.StatusCode, HeaderMap.Of(http.Response.Headers),
            responseBody.Length == 0 ? "" : Transcript.Clip(Encoding.UTF8.GetString(responseBody)), startedAt, durationMs, null, exchange.RecordedTags));
    }

    private static string RequestTarget(HttpRequest request) =>
        request.QueryString.HasValue ? request.Path + request.QueryString : request.Path.ToUriComponent();

    /// <summary>Null when the body is larger than the limit; reading stops there either way.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit) return null;
        // Most agent calls (GET /config, an empty POST /run or /heartbeat) carry no body; they need no buffers at all.
        if (http.Request.ContentLength == 0 || http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false) return [];
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > limit) return null;
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

public static class ErrorResponses
{
    public static IResult Of(int status, string code, string message) => new ErrorResult(status, code, message);

    public static Task WriteAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(Body(http, code, message), ContractJson.Options);
    }

    /// <summary>
    /// The error body: <c>{success: false, error: {code, message}}</c>, or the flat <c>{success: false, code, message}</c>
    /// many platforms write, under <c>--break flat-error-body</c> (no seed fixes the shape; decision 38 accepts both).
    /// </summary>
    private static object Body(HttpContext http, string code, string message) =>
        http.RequestServices.GetService(typeof(PlatformSimulator)) is PlatformSimulator { } s && s.Options.Has(Faults.SimulatorBreaks.FlatErrorBody)
            ? new FlatErrorBody(false, code, message)
            : ErrorBody.Of(code, message);

    private sealed record FlatErrorBody(bool Success, string Code, string Message);

    /// <summary>Chooses the shape when it runs, where the simulator's options are at hand.</summary>
    private sealed class ErrorResult(int status, string code, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, status, code, message);
    }
}
