using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Dukaan.Conformance.Profiles.AgentDoor;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Http;
using Spectre.Console;

namespace Dukaan.Cli.Simulate;

/// <summary>
/// `simulate --profile agentdoor`: the effects sink of the certification run, kept open, plus a control API under
/// /_sim/ that signs and delivers one event whenever a developer asks.
/// </summary>
internal sealed class AgentDoorSimulation(SimSession session)
{
    /// <summary>How far back a stale event is dated: well past the receiver's 5-minute window.</summary>
    private static readonly TimeSpan StaleAge = TimeSpan.FromMinutes(10);

    private readonly Transcript _transcript = new();
    // Kept by event id, so duplicateOf resends the very bytes, signature and timestamp of the original.
    private readonly ConcurrentDictionary<string, Delivery> _emitted = new(StringComparer.Ordinal);
    private EffectsSink? _sink;

    public static async Task RunAsync(SimSession session, CancellationToken cancellationToken)
    {
        var simulation = new AgentDoorSimulation(session);
        await using var sink = await EffectsSink.StartAsync(simulation._transcript, session.Port, cancellationToken, simulation.HandleAsync).ConfigureAwait(false);
        simulation._sink = sink;
        simulation.PrintBanner(sink.Url);
        await session.RunUntilCancelledAsync(simulation._transcript, cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>Commands go to the writer itself, not through Spectre, so a long one is never broken in two (see SimulateCommand).</remarks>
    private void PrintBanner(Uri effectsUrl)
    {
        var (console, output) = (session.Console, session.Output);
        var url = effectsUrl.GetLeftPart(UriPartial.Authority);
        console.MarkupLine($"[bold]AgentDoor emitter simulator[/] listening on [blue]{url}[/]");
        console.MarkupLine($"  webhook secret      {Markup.Escape(session.Secret)}");
        console.MarkupLine($"  agent webhook URL   {Markup.Escape(session.AgentUrl.ToString())}");
        console.MarkupLine("  start your receiver with:");
        output.WriteLine($"    PORT=3000 AGENTDOOR_WEBHOOK_SECRET={Shell.QuoteFileName(session.Secret)} AGENTDOOR_EFFECTS_URL={effectsUrl} <your agent>");
        console.MarkupLine("  then drive it from another terminal:");
        output.WriteLine($"    curl -s -X POST {url}/_sim/emit -d '{{\"type\":\"agent.registered\"}}'                 # a signed, fresh delivery");
        output.WriteLine($"    curl -s -X POST {url}/_sim/emit -d '{{\"type\":\"agent.registered\",\"stale\":true}}'     # dated {StaleAge.TotalMinutes:0} minutes ago");
        output.WriteLine($"    curl -s -X POST {url}/_sim/emit -d '{{\"duplicateOf\":\"EVENT_ID\"}}'                  # the same bytes again");
        output.WriteLine($"    curl -s {url}/_sim/effects                                                   # what the receiver says it processed");
        output.WriteLine($"    curl -s {url}/_sim/transcript                                                # every exchange, both directions");
        console.MarkupLine("  Ctrl+C stops it.");
    }

    private async Task HandleAsync(HttpContext http)
    {
        var get = HttpMethods.IsGet(http.Request.Method);
        switch (SimHttp.Segments(http))
        {
            case ["emit"] when HttpMethods.IsPost(http.Request.Method):
                await EmitAsync(http).ConfigureAwait(false);
                break;
            case ["effects"] when get:
                await SimHttp.WriteAsync(http, 200, _sink?.Snapshot() ?? []).ConfigureAwait(false);
                break;
            case ["transcript"] when get:
                await SimHttp.WriteAsync(http, 200, _transcript.Snapshot()).ConfigureAwait(false);
                break;
            default:
                await SimHttp.ErrorAsync(http, 404,
                    $"No control route {http.Request.Method} {http.Request.Path}. Known: POST /_sim/emit, GET /_sim/effects, GET /_sim/transcript.").ConfigureAwait(false);
                break;
        }
    }

    private async Task EmitAsync(HttpContext http)
    {
        const string Shape = "send {\"type\": \"agent.registered\", \"agentUrl\"?: \"http://...\", \"stale\"?: true} or {\"duplicateOf\": \"<eventId>\"}.";
        var (body, problem) = await SimHttp.ReadObjectAsync(http).ConfigureAwait(false);
        if (body is not { } b
            || !SimHttp.TryString(b, "type", out var type, out problem)
            || !SimHttp.TryString(b, "agentUrl", out var rawUrl, out problem)
            || !SimHttp.TryString(b, "duplicateOf", out var duplicateOf, out problem)
            || !SimHttp.TryBool(b, "stale", out var stale, out problem))
        {
            await SimHttp.ErrorAsync(http, 400, $"{problem}; {Shape}").ConfigureAwait(false);
            return;
        }
        var agentUrl = rawUrl is null ? session.AgentUrl : SimHttp.HttpUrl(rawUrl);
        if (agentUrl is null) { await SimHttp.ErrorAsync(http, 400, $"agentUrl '{rawUrl}' is not an http(s) URL such as http://127.0.0.1:3000/webhooks/agentdoor.").ConfigureAwait(false); return; }

        Delivery delivery;
        if (duplicateOf is not null)
        {
            if (!_emitted.TryGetValue(duplicateOf, out var original))
            {
                await SimHttp.ErrorAsync(http, 404, $"Unknown event '{duplicateOf}'. Only events this simulator emitted can be resent; POST /_sim/emit answers each eventId.").ConfigureAwait(false);
                return;
            }
            delivery = original with { Probe = "simulate: duplicate of " + duplicateOf };
        }
        else if (string.IsNullOrWhiteSpace(type))
        {
            await SimHttp.ErrorAsync(http, 400, $"\"type\" is missing; {Shape}").ConfigureAwait(false);
            return;
        }
        else
        {
            delivery = NewDelivery(type, b, stale);
            if (delivery.Body.Length == 0) { await SimHttp.ErrorAsync(http, 400, $"\"data\" must be a JSON object; {Shape}").ConfigureAwait(false); return; }
            _emitted[delivery.EventId] = delivery;
        }

        using var deliverer = new Deliverer(agentUrl, _transcript);
        var outcome = await deliverer.SendAsync(delivery, http.RequestAborted).ConfigureAwait(false);
        // 200 even when the receiver failed: the control call did its job, and the delivery's fate is in the answer.
        await SimHttp.WriteAsync(http, 200, new
        {
            eventId = delivery.EventId,
            type = delivery.Type,
            timestamp = Deliverer.Iso(delivery.Timestamp),
            delivery = new DeliveryView(agentUrl.ToString(), outcome.Status, Math.Round(outcome.DurationMs, 1), outcome.TimedOut, outcome.Error, outcome.Describe()),
        }).ConfigureAwait(false);
    }

    /// <summary>A fresh event of any type (unknown ones too: receivers must tolerate them); the seed's example data when it has one.</summary>
    /// <returns>A delivery whose body is empty when the caller's "data" is not an object.</returns>
    private Delivery NewDelivery(string type, JsonElement request, bool stale)
    {
        var id = "evt_sim_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var timestamp = DateTimeOffset.UtcNow - (stale ? StaleAge : TimeSpan.Zero);
        string data;
        if (request.TryGetProperty("data", out var given)) data = given.ValueKind == JsonValueKind.Object ? given.GetRawText() : "";
        else data = SeedEvents.All.Any(e => e.Type == type) ? SeedEvents.DataOf(type) : """{"agent_id":"ag_abc123"}""";
        var body = data.Length == 0 ? [] : SeedEvents.Canonical(id, type, timestamp, data);
        return new Delivery("simulate", stale ? "simulate: stale emit" : "simulate: emit", id, type, timestamp, body, Deliverer.Sign(body, session.Secret));
    }
}
