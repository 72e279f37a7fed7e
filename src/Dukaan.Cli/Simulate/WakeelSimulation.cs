using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dukaan.Conformance.Profiles.Wakeel;
using Microsoft.AspNetCore.Http;
using Spectre.Console;

namespace Dukaan.Cli.Simulate;

/// <summary>
/// `simulate --profile wakeel`: the simulated Wakeel callback endpoint and CRM of the certification run, kept open, plus
/// a control API under /_sim/ that creates contracts and sends their signed contract.deploy when a developer asks.
/// </summary>
internal sealed partial class WakeelSimulation(WakeelPeer peer, SimSession session)
{
    /// <summary>A contract this simulator deployed: the exact bytes sent, so a redeploy is a byte-identical retry.</summary>
    private sealed record Deployed(WakeelContract Contract, byte[] Body, Uri AgentUrl);

    private readonly ConcurrentDictionary<string, Deployed> _deployed = new(StringComparer.Ordinal);

    public static async Task RunAsync(SimSession session, CancellationToken cancellationToken)
    {
        await using var peer = new WakeelPeer(session.Secret);
        var simulation = new WakeelSimulation(peer, session);
        peer.Control = simulation.HandleAsync;
        await peer.StartAsync(session.Port, cancellationToken).ConfigureAwait(false);
        simulation.PrintBanner(peer.BaseUrl.ToString().TrimEnd('/'));
        await session.RunUntilCancelledAsync(peer.Transcript, cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>Commands go to the writer itself, not through Spectre, so a long one is never broken in two (see SimulateCommand).</remarks>
    private void PrintBanner(string url)
    {
        var (console, output) = (session.Console, session.Output);
        console.MarkupLine($"[bold]Wakeel simulator[/] (callbacks and CRM) listening on [blue]{url}[/]");
        console.MarkupLine($"  callback secret     {Markup.Escape(session.Secret)}");
        console.MarkupLine($"  agent deploy URL    {Markup.Escape(session.AgentUrl.ToString())}");
        console.MarkupLine("  start your agent with:");
        output.WriteLine($"    PORT=3000 WAKEEL_API_URL={url} WAKEEL_CALLBACK_SECRET={Shell.QuoteFileName(session.Secret)} CRM_BASE_URL={url}{WakeelPeer.CrmPrefix} <your agent>");
        console.MarkupLine("  then drive it from another terminal:");
        output.WriteLine($"    curl -s -X POST {url}/_sim/deploy                                  # new contract, signed contract.deploy to the agent");
        output.WriteLine($"    curl -s -X POST {url}/_sim/deploy -d '{{\"agentUrl\":\"{session.AgentUrl}\"}}'");
        output.WriteLine($"    curl -s -X POST {url}/_sim/contracts/ID/redeploy                   # the same bytes again, as a retry");
        output.WriteLine($"    curl -s -X POST {url}/_sim/contracts/ID/crm-reject -d '{{\"reject\":true}}'");
        output.WriteLine($"    curl -s {url}/_sim/transcript                                      # every exchange, both directions");
        console.MarkupLine("  Ctrl+C stops it.");
    }

    private async Task HandleAsync(HttpContext http)
    {
        var segments = SimHttp.Segments(http);
        var post = HttpMethods.IsPost(http.Request.Method);
        switch (segments)
        {
            case ["deploy"] when post:
                await DeployAsync(http).ConfigureAwait(false);
                break;
            case ["contracts", var id, "redeploy"] when post:
                await RedeployAsync(http, id).ConfigureAwait(false);
                break;
            case ["contracts", var id, "crm-reject"] when post:
                await CrmRejectAsync(http, id).ConfigureAwait(false);
                break;
            case ["transcript"] when HttpMethods.IsGet(http.Request.Method):
                await SimHttp.WriteAsync(http, StatusCodes.Status200OK, peer.Transcript.Snapshot()).ConfigureAwait(false);
                break;
            default:
                await SimHttp.ErrorAsync(http, StatusCodes.Status404NotFound,
                    $"No control route {http.Request.Method} {http.Request.Path}. Known: POST /_sim/deploy, POST /_sim/contracts/ID/redeploy, " +
                    "POST /_sim/contracts/ID/crm-reject, GET /_sim/transcript.").ConfigureAwait(false);
                break;
        }
    }

    private async Task DeployAsync(HttpContext http)
    {
        var (body, problem) = await SimHttp.ReadObjectAsync(http).ConfigureAwait(false);
        if (body is not { } b) { await SimHttp.ErrorAsync(http, 400, $"{problem}; send {{\"contractId\"?: \"...\", \"agentUrl\"?: \"http://...\"}} or nothing.").ConfigureAwait(false); return; }
        if (!SimHttp.TryString(b, "contractId", out var contractId, out problem) || !SimHttp.TryString(b, "agentUrl", out var rawUrl, out problem))
        {
            await SimHttp.ErrorAsync(http, 400, problem!).ConfigureAwait(false);
            return;
        }
        var agentUrl = rawUrl is null ? session.AgentUrl : SimHttp.HttpUrl(rawUrl);
        if (agentUrl is null) { await SimHttp.ErrorAsync(http, 400, $"agentUrl '{rawUrl}' is not an http(s) URL such as http://127.0.0.1:3000/wakeel/deploy.").ConfigureAwait(false); return; }
        contractId ??= "clxsim" + Hex(4);
        // The id goes into URLs (the redeploy route, the agent's callbacks), so it stays URL-safe.
        if (!ContractIdPattern().IsMatch(contractId)) { await SimHttp.ErrorAsync(http, 400, "contractId must be 1-64 letters, digits, '-' or '_'.").ConfigureAwait(false); return; }

        var contract = new WakeelContract(contractId, "sk_crm_" + Hex(16), CrmRejects: false);
        var deployed = new Deployed(contract, Payload(contract), agentUrl);
        if (!_deployed.TryAdd(contractId, deployed))
        {
            await SimHttp.ErrorAsync(http, 409, $"Contract {contractId} already exists; POST /_sim/contracts/{contractId}/redeploy sends it again.").ConfigureAwait(false);
            return;
        }
        peer.Register(contract);
        await SendAsync(http, deployed, "simulate: deploy").ConfigureAwait(false);
    }

    private async Task RedeployAsync(HttpContext http, string id)
    {
        if (!_deployed.TryGetValue(id, out var deployed)) { await UnknownContractAsync(http, id).ConfigureAwait(false); return; }
        await SendAsync(http, deployed, "simulate: redeploy (same bytes)").ConfigureAwait(false);
    }

    private async Task CrmRejectAsync(HttpContext http, string id)
    {
        var (body, problem) = await SimHttp.ReadObjectAsync(http).ConfigureAwait(false);
        if (!_deployed.TryGetValue(id, out var deployed)) { await UnknownContractAsync(http, id).ConfigureAwait(false); return; }
        if (body is not { } b || !b.TryGetProperty("reject", out var flag) || flag.ValueKind is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
        {
            await SimHttp.ErrorAsync(http, 400, $"{problem ?? "\"reject\" is missing or not a boolean"}; send {{\"reject\": true}} or {{\"reject\": false}}.").ConfigureAwait(false);
            return;
        }
        var contract = deployed.Contract with { CrmRejects = flag.GetBoolean() };
        // The CRM reads the registered contract on every call; the stored bytes keep the same key, so redeploys still match.
        peer.Register(contract);
        _deployed[id] = deployed with { Contract = contract };
        await SimHttp.WriteAsync(http, 200, new { contractId = id, crmRejects = contract.CrmRejects }).ConfigureAwait(false);
    }

    private static Task UnknownContractAsync(HttpContext http, string id) =>
        SimHttp.ErrorAsync(http, 404, $"Unknown contract '{id}'. POST /_sim/deploy creates one and answers its contractId.");

    private async Task SendAsync(HttpContext http, Deployed deployed, string probe)
    {
        using var deliveries = new WakeelDeliveries(deployed.AgentUrl, peer.Transcript);
        var outcome = await deliveries.SendAsync(deployed.Contract.ContractId, probe, deployed.Body, WakeelDeliveries.Sign(deployed.Body, session.Secret), http.RequestAborted).ConfigureAwait(false);
        // 200 even when the agent failed: the control call did its job, and the delivery's fate is in the answer.
        await SimHttp.WriteAsync(http, 200, new
        {
            contractId = deployed.Contract.ContractId,
            delivery = new DeliveryView(deployed.AgentUrl.ToString(), outcome.Status, Math.Round(outcome.Ms, 1), outcome.TimedOut, outcome.Error, outcome.Describe()),
        }).ConfigureAwait(false);
    }

    /// <summary>Seed 001's contract.deploy, compact, with canary config values so a leak is recognisable.</summary>
    private static byte[] Payload(WakeelContract contract) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["event"] = "contract.deploy",
        ["contractId"] = contract.ContractId,
        ["clientId"] = "clxclient789",
        ["agentId"] = "clxagent321",
        ["config"] = new JsonObject
        {
            ["crm_api_key"] = contract.CrmApiKey,
            ["ticket_webhook_token"] = "tok_" + Hex(16),
            ["support_channel"] = "live_chat",
            ["escalation_email"] = "support@client.example",
        },
        ["webhookUrl"] = $"https://wakeel.example/api/webhooks/client/{contract.ContractId}",
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    }.ToJsonString());

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ContractIdPattern();
}
