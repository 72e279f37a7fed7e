using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>
/// The state one Wakeel certification shares between its scenarios: the simulated Wakeel and CRM, the sender, the
/// findings, the contracts each scenario created (for timelines), and what the whole-run checks judge at the end.
/// </summary>
public sealed class WakeelRun(WakeelPeer peer, WakeelDeliveries deliveries, IAgentUnderTest agent, RunSettings settings)
{
    private readonly ConcurrentDictionary<string, string> _scenarioOf = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _secrets = new();
    private readonly ConcurrentDictionary<string, int> _madeIn = new(StringComparer.Ordinal);
    // Each contract's own stream, for the canaries of its deploys.
    private readonly ConcurrentDictionary<string, Random> _streams = new(StringComparer.Ordinal);

    public WakeelPeer Peer { get; } = peer;
    public WakeelDeliveries Deliveries { get; } = deliveries;
    public IAgentUnderTest Agent { get; } = agent;
    public RunSettings Settings { get; } = settings;
    public FindingSink Findings { get; } = new();
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();

    /// <summary>Valid compact deploys and their answers: WK-ACK-01 and WK-ACK-02 judge all of them at the end.</summary>
    public ConcurrentQueue<DeliveryOutcome> ValidDeploys { get; } = new();

    /// <summary>Deliveries with a bad signature the agent answered 4xx: WK-CB-05 watches their contracts.</summary>
    public ConcurrentQueue<DeliveryOutcome> Refused { get; } = new();

    /// <summary>Whether any bad-signature delivery was sent at all, so WK-CB-05 can tell "none refused" from "not run".</summary>
    public bool BadSignaturesSent { get; set; }

    /// <summary>The canaries handed out plus the callback secret: scanned for, and redacted from every report.</summary>
    public IReadOnlyList<string> Secrets => [Peer.CallbackSecret, .. _secrets];

    public IEnumerable<string> ContractsOf(string scenario) => _scenarioOf.Where(p => p.Value == scenario).Select(p => p.Key);

    /// <summary>
    /// A fresh contract with its own id and its own canary key, registered with the simulated Wakeel and CRM, so every
    /// CRM call and callback is attributed to exactly one probe. The n-th contract of a scenario draws from its own stream
    /// of the seed: the same contract whichever scenarios run beside it.
    /// </summary>
    public WakeelContract NewContract(string scenario, string label, bool crmRejects = false)
    {
        var n = _madeIn.AddOrUpdate(scenario, 0, (_, made) => made + 1);
        var random = Dukaan.Simulator.SeedStream.Random(Settings.Seed, "wakeel:" + scenario, n);
        var contract = new WakeelContract($"clx{label}{Hex(random, 4)}", "sk_crm_" + Hex(random, 16), crmRejects);
        _streams[contract.ContractId] = random;
        _secrets.Enqueue(contract.CrmApiKey);
        _scenarioOf[contract.ContractId] = scenario;
        Peer.Register(contract);
        return contract;
    }

    /// <summary>A second pushed secret per deploy, so a leak of any config value is caught, not only the CRM key; from the contract's stream.</summary>
    public string NewCanary(WakeelContract contract)
    {
        var random = _streams[contract.ContractId];
        string value;
        lock (random) value = "tok_" + Hex(random, 16);
        _secrets.Enqueue(value);
        return value;
    }

    /// <summary>The contract.deploy payload of seed 001, compact as JSON.stringify writes it.</summary>
    public JsonObject Deploy(WakeelContract contract, string eventName = "contract.deploy") => new()
    {
        ["event"] = eventName,
        ["contractId"] = contract.ContractId,
        ["clientId"] = "clxclient789",
        ["agentId"] = "clxagent321",
        ["config"] = new JsonObject
        {
            ["crm_api_key"] = contract.CrmApiKey,
            ["ticket_webhook_token"] = NewCanary(contract),
            ["support_channel"] = "live_chat",
            ["escalation_email"] = "support@client.example",
        },
        ["webhookUrl"] = $"https://wakeel.example/api/webhooks/client/{contract.ContractId}",
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    public static byte[] Bytes(JsonObject payload) => Encoding.UTF8.GetBytes(payload.ToJsonString());

    public string Sign(byte[] body) => WakeelDeliveries.Sign(body, Peer.CallbackSecret);

    public IReadOnlyList<ReceivedCallback> CallbacksFor(string contractId) => [.. Peer.Callbacks.Where(c => c.ContractId == contractId)];

    public static bool IsStatusCallback(ReceivedCallback c) => c.Status is "ACTIVE" or "ERROR";

    /// <summary>Waits until <paramref name="done"/> holds or the window passes; true when it held. Ends early when the agent is gone.</summary>
    public async Task<bool> WaitForAsync(Func<bool> done, TimeSpan window, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed >= window) return false;
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    public void Report(string rule, FindingOutcome outcome, string observed, string scenario, IEnumerable<long>? seqs = null, string? diagnosis = null,
        IReadOnlyList<ScanCount>? scanned = null) =>
        Findings.Add(new Finding(rule, outcome, WakeelRules.Catalog.Get(rule).Statement, observed, diagnosis, [.. seqs ?? []], scenario) { Scanned = scanned ?? [] });

    private static string Hex(Random random, int bytes)
    {
        var buffer = new byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }
}
