using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>What one delivery got: a status, or a timeout / a transport error; the time to the status line.</summary>
public sealed record DeliveryOutcome(long Seq, string ContractId, string Probe, int? Status, bool TimedOut, string? Error, double Ms)
{
    public bool Is2xx => Status is >= 200 and < 300;
    public bool Is4xx => Status is >= 400 and < 500;
    public bool Is5xx => Status is >= 500;
    public bool Dropped => Status is null && !TimedOut;

    public string Describe() => Status is { } s ? $"{s} in {Ms:0} ms" : TimedOut ? $"no answer within {WakeelDeliveries.Timeout.TotalSeconds:0} s" : $"connection failed ({Error})";
}

/// <summary>
/// Sends signed contract.deploy deliveries as Wakeel does: exact bytes, Content-Length, a fresh connection each time,
/// a 10 s timeout, and records each in the transcript as a platform→agent exchange.
/// </summary>
public sealed class WakeelDeliveries : IDisposable
{
    public const string SignatureHeader = "X-Wakeel-Signature";

    /// <summary>Wakeel's ACK budget; no tolerance on top, so an 11 s answer is a timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly Uri _webhook;
    private readonly Transcript _transcript;

    public WakeelDeliveries(Uri webhook, Transcript transcript)
    {
        _webhook = webhook;
        _transcript = transcript;
        _http = LoopbackHttp.ExactBytesClient();
    }

    public static string Sign(byte[] body, string secret) => Dukaan.Contract.PrefixedBodySignature.Sign(secret, body);

    /// <param name="signature">The header's value; null sends no header at all.</param>
    public async Task<DeliveryOutcome> SendAsync(string contractId, string probe, byte[] body, string? signature, CancellationToken cancellationToken)
    {
        using var reservation = _transcript.Reserve();
        var seq = reservation.Seq;
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, _webhook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null) request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        int? status = null;
        string? error = null;
        var timedOut = false;
        var responseBody = "";
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        double ms = 0;
        try
        {
            // The ACK is the status line: time it there, then read the (small) body for the transcript.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            ms = clock.Elapsed.TotalMilliseconds;
            status = (int)response.StatusCode;
            foreach (var h in response.Headers.Concat(response.Content.Headers)) responseHeaders[h.Key] = string.Join(", ", h.Value);
            try { responseBody = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false); }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException) { responseBody = $"(body not read: {ex.Message})"; }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ms = clock.Elapsed.TotalMilliseconds;
            timedOut = true;
            error = "timeout";
        }
        catch (HttpRequestException ex)
        {
            ms = clock.Elapsed.TotalMilliseconds;
            error = ex.InnerException?.Message ?? ex.Message;
        }
        var requestHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json", ["Content-Length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (signature is not null) requestHeaders[SignatureHeader] = signature;
        _transcript.Add(new Exchange(seq, Direction.PlatformToAgent, WakeelKinds.Delivery, contractId, "POST", _webhook.ToString(), requestHeaders,
            Transcript.Clip(Encoding.UTF8.GetString(body)), status, responseHeaders, Transcript.Clip(responseBody), startedAt, ms, error,
            new Dictionary<string, string> { [TagKeys.Diagnosis] = probe }));
        return new DeliveryOutcome(seq, contractId, probe, status, timedOut, error, ms);
    }

    public void Dispose() => _http.Dispose();
}
