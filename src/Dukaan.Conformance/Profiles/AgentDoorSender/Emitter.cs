using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>The sender's answer to one emit request; any 2xx means the event was emitted (decision 21).</summary>
public sealed record EmitOutcome(long Seq, int? Status, string? Error, double DurationMs, string Body)
{
    public bool Accepted => Status is >= 200 and < 300;

    public string Describe() => Status is { } s ? $"{s} in {DurationMs:0} ms{(Body.Length > 0 ? $" {Clip(Body)}" : "")}" : $"no answer ({Error})";

    private static string Clip(string text) => text.Length <= 120 ? text : text[..120] + "…";
}

/// <summary>
/// Asks the sender under test to emit one event: <c>POST {emit-url}</c> with <c>{"type", "data"}</c>, recorded as
/// platform→agent. Unbounded by itself: the sender may answer only once delivery (retries included) is over, so the
/// caller's token ends it.
/// </summary>
public sealed class Emitter(Uri emitUrl, Transcript transcript) : IDisposable
{
    public const string Kind = "emit";

    private readonly HttpClient _http = LoopbackHttp.ExactBytesClient();

    public Uri Url => emitUrl;

    public async Task<EmitOutcome> EmitAsync(string marker, string type, JsonObject data, CancellationToken cancellationToken)
    {
        using var reservation = transcript.Reserve();
        var seq = reservation.Seq;
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["data"] = data.DeepClone() }.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, emitUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        int? status = null;
        string? error = null;
        var answer = "";
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            error = status is null ? "no answer before the run stopped waiting for it" : null;
        }
        catch (HttpRequestException ex)
        {
            error = ex.InnerException?.Message ?? ex.Message;
        }
        var requestHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json",
            ["Content-Length"] = body.Length.ToString(CultureInfo.InvariantCulture),
        };
        transcript.Add(new Exchange(seq, Direction.PlatformToAgent, Kind, marker, "POST", emitUrl.ToString(), requestHeaders, Encoding.UTF8.GetString(body), status,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), Transcript.Clip(answer), startedAt, clock.Elapsed.TotalMilliseconds, error,
            new Dictionary<string, string>(StringComparer.Ordinal) { [ScriptedReceiver.MarkerTag] = marker }));
        return new EmitOutcome(seq, status, error, clock.Elapsed.TotalMilliseconds, answer);
    }

    public void Dispose() => _http.Dispose();
}
