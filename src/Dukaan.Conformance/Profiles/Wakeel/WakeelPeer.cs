using System.Collections.Concurrent;
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

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>Exchange kinds of the Wakeel profile, as the transcript and the reports show them.</summary>
public static class WakeelKinds
{
    public const string Delivery = "delivery";
    public const string Callback = "callback";
    public const string Crm = "crm";
}

/// <summary>A contract the simulated Wakeel knows: its current CRM key and whether the CRM rejects it.</summary>
public sealed record WakeelContract(string ContractId, string CrmApiKey, bool CrmRejects);

/// <summary>One callback as the simulated Wakeel parsed it; <see cref="Problem"/> is null when it is well-formed (WK-CB-02).</summary>
/// <param name="MetadataOk">True when metadata is an object whose type is info, warning or error, whatever else is wrong (WK-CB-04 asks only this).</param>
public sealed record ReceivedCallback(long Seq, string? ContractId, string? Status, string? Message, string? MetadataJson, string? Problem, DateTimeOffset At, bool MetadataOk = false);

/// <summary>One CRM call: which contract's key it carried (null when the key is nobody's) and the answer.</summary>
public sealed record CrmCall(long Seq, string? ContractId, int Status, DateTimeOffset At);

/// <summary>
/// The simulated Wakeel (POST /api/agent-callback) and CRM (GET /crm/v1/me) on Kestrel, loopback, one port. Every
/// request is recorded in <see cref="Transcript"/>; callbacks and CRM calls are also kept parsed for the checks.
/// </summary>
public sealed class WakeelPeer : IAsyncDisposable
{
    public const string CrmPrefix = "/crm";
    private static readonly string[] Statuses = ["ACTIVE", "ERROR", "activity"];
    private static readonly string[] MetadataTypes = ["info", "warning", "error"];
    private readonly ConcurrentDictionary<string, WakeelContract> _contracts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedCallback> _callbacks = new();
    private readonly ConcurrentQueue<CrmCall> _crmCalls = new();
    private WebApplication? _app;

    /// <param name="transcript">Where exchanges are recorded (a run's, with its capacity and file); a plain one when null. The caller disposes it.</param>
    public WakeelPeer(string callbackSecret, Transcript? transcript = null)
    {
        CallbackSecret = callbackSecret;
        Transcript = transcript ?? new();
    }

    public string CallbackSecret { get; }
    public Transcript Transcript { get; }
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Raised on every callback or CRM call, so waits end the moment what they wait for arrives.</summary>
    public event Action? Activity;

    /// <summary>
    /// The simulate command's control API (/_sim/...), served on the same port so one URL drives everything; null in
    /// a certification run. Control requests are not exchanges with the agent, so they are not recorded.
    /// </summary>
    public Func<HttpContext, Task>? Control { get; set; }

    public IReadOnlyList<ReceivedCallback> Callbacks => [.. _callbacks];
    public IReadOnlyList<CrmCall> CrmCalls => [.. _crmCalls];

    public void Register(WakeelContract contract) => _contracts[contract.ContractId] = contract;

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        _app = LoopbackPeer.CreateBuilder(port, 1 << 20).Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        BaseUrl = new Uri(LoopbackPeer.Address(_app) + "/");
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (Control is { } control && http.Request.Path.StartsWithSegments("/_sim"))
        {
            await control(http).ConfigureAwait(false);
            return;
        }
        var startedAt = DateTimeOffset.UtcNow;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Taken as the request arrives, so the transcript lists exchanges in the order they started.
        using var reservation = Transcript.Reserve();
        var seq = reservation.Seq;
        byte[] raw;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
            raw = buffer.ToArray();
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or OperationCanceledException)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
        var path = http.Request.Path.Value ?? "";
        var (kind, contractId, status, body) = path switch
        {
            "/api/agent-callback" when HttpMethods.IsPost(http.Request.Method) => Callback(seq, raw, startedAt),
            CrmPrefix + "/v1/me" when HttpMethods.IsGet(http.Request.Method) => Crm(seq, http.Request.Headers.Authorization.ToString(), startedAt),
            _ => ("unknown", (string?)null, 404, Json(new { error = $"No route {http.Request.Method} {path}. Callbacks go to POST /api/agent-callback, the CRM is GET {CrmPrefix}/v1/me." })),
        };
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
        Transcript.Add(new Exchange(seq, Direction.AgentToPlatform, kind, contractId, http.Request.Method, path,
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Transcript.Clip(Encoding.UTF8.GetString(raw)), status, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" },
            body, startedAt, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, new Dictionary<string, string>()));
        Activity?.Invoke();
    }

    private (string, string?, int, string) Callback(long seq, byte[] raw, DateTimeOffset at)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(raw).RootElement.Clone(); }
        catch (JsonException)
        {
            _callbacks.Enqueue(new(seq, null, null, null, null, "the body is not JSON", at));
            return (WakeelKinds.Callback, null, 400, Json(new { error = "The body is not JSON." }));
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            _callbacks.Enqueue(new(seq, null, null, null, null, "the body is not a JSON object", at));
            return (WakeelKinds.Callback, null, 400, Json(new { error = "The body must be a JSON object." }));
        }
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var contractId = Str("contractId");
        var status = Str("status");
        var message = Str("message");
        var metadata = root.TryGetProperty("metadata", out var m) ? m : (JsonElement?)null;
        var metadataOk = metadata is { ValueKind: JsonValueKind.Object } md0 && md0.TryGetProperty("type", out var t0) && t0.ValueKind == JsonValueKind.String
            && MetadataTypes.Contains(t0.GetString(), StringComparer.Ordinal);
        // The secret check comes before the shape checks: Wakeel authenticates first and answers 401 to a stranger.
        var (problem, code) =
            contractId is null || !_contracts.ContainsKey(contractId) ? ($"unknown or missing contractId {Quote(contractId)}", 404)
            : Str("secret") != CallbackSecret ? ("secret is not the callback secret", 401)
            : status is null || !Statuses.Contains(status, StringComparer.Ordinal) ? ($"status {Quote(status)} is not ACTIVE, ERROR or activity", 400)
            : message is null ? ("message is missing or not a string", 400)
            : metadata is not null && !metadataOk ? ("metadata is not an object whose type is info, warning or error", 400)
            : ((string?)null, 200);
        _callbacks.Enqueue(new(seq, contractId, status, message, metadata?.GetRawText(), problem, at, metadataOk));
        return (WakeelKinds.Callback, contractId, code, code == 200 ? Json(new { success = true }) : Json(new { error = problem }));
    }

    private (string, string?, int, string) Crm(long seq, string authorization, DateTimeOffset at)
    {
        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : "";
        var contract = key.Length == 0 ? null : _contracts.Values.FirstOrDefault(c => c.CrmApiKey == key);
        var status = contract is { CrmRejects: false } ? 200 : 401;
        _crmCalls.Enqueue(new(seq, contract?.ContractId, status, at));
        return (WakeelKinds.Crm, contract?.ContractId, status, status == 200 ? Json(new { id = "crm-user-1", name = "Support desk" }) : Json(new { error = "invalid api key" }));
    }

    private static string Quote(string? value) => value is null ? "(none)" : $"'{value}'";

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
