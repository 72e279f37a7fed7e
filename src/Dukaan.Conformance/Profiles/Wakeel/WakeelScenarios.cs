using System.Text;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>One scenario: its name, what it plays, the rules it judges itself, and how it runs.</summary>
public sealed record WakeelScenario(string Name, string Description, IReadOnlyList<string> Rules, Func<WakeelRun, string, CancellationToken, Task> RunAsync);

/// <summary>
/// The Wakeel scenarios. Each uses its own contracts, so all of them run side by side and a compliant run takes
/// about as long as the slowest one (a redelivery and a quiet window).
/// </summary>
public static class WakeelScenarios
{
    public static IReadOnlyList<WakeelScenario> All { get; } =
    [
        new("compact-deploy", "A compact, validly signed contract.deploy: timed ACK, then an ACTIVE or ERROR callback.",
            ["WK-CB-01"], CompactAsync),
        new("non-canonical-body", "A validly signed contract.deploy whose body is indented, in another key order, with a \\u00e9 escape and a trailing newline.",
            ["WK-SIG-01"], NonCanonicalAsync),
        new("bad-signatures", "Eight deliveries, each on its own contract and CRM key: signature missing, made with another secret, over a tampered body, " +
            "without the sha256= prefix, truncated, non-hex, holding a raw 0xE9 byte at the right length, and empty.",
            ["WK-SIG-02", "WK-SIG-03"], BadSignaturesAsync),
        new("unknown-fields-and-events", "A contract.deploy with additive unknown fields (top level and in config), and a signed event of an unknown type.",
            ["WK-ACK-03"], UnknownAsync),
        new("crm-rejects-key", "A contract.deploy whose crm_api_key the simulated CRM answers 401 to.",
            ["WK-CB-03"], CrmRejectsAsync),
        new("redelivery", "A contract.deploy, its status callback, then the same bytes again as a retry sends them.",
            ["WK-RED-01"], RedeliveryAsync),
    ];

    private static async Task<DeliveryOutcome> DeployAsync(WakeelRun run, WakeelContract contract, byte[] body, string probe, CancellationToken ct)
    {
        var outcome = await run.Deliveries.SendAsync(contract.ContractId, probe, body, run.Sign(body), ct).ConfigureAwait(false);
        run.ValidDeploys.Enqueue(outcome);
        return outcome;
    }

    /// <summary>WK-CB-01 for one valid deploy the agent did not refuse: an ACTIVE or ERROR callback for its contract within the window.</summary>
    private static async Task ExpectStatusCallbackAsync(WakeelRun run, WakeelContract contract, DeliveryOutcome delivery, string scenario, CancellationToken ct)
    {
        if (delivery.Is4xx) return; // refused: WK-SIG-01 or WK-ACK-01 says why; a callback cannot be expected
        var seen = await run.WaitForAsync(() => run.CallbacksFor(contract.ContractId).Any(WakeelRun.IsStatusCallback), run.Settings.ObservationWindow, ct).ConfigureAwait(false);
        var callbacks = run.CallbacksFor(contract.ContractId);
        if (seen)
        {
            var first = callbacks.First(WakeelRun.IsStatusCallback);
            run.Report("WK-CB-01", FindingOutcome.Satisfied, $"{first.Status} callback for {contract.ContractId} after the deploy ({delivery.Describe()}).", scenario, [delivery.Seq, first.Seq]);
        }
        else
        {
            var other = callbacks.Count == 0 ? "no callback at all" : $"callbacks with status {string.Join(", ", callbacks.Select(c => c.Status ?? "(none)"))} but none ACTIVE or ERROR";
            run.Report("WK-CB-01", FindingOutcome.Violated, $"Deploy of {contract.ContractId} answered {delivery.Describe()}; within {run.Settings.ObservationWindow.TotalSeconds:0} s: {other}.",
                scenario, [delivery.Seq, .. callbacks.Select(c => c.Seq)]);
        }
    }

    private static async Task CompactAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        var contract = run.NewContract(scenario, "good");
        var delivery = await DeployAsync(run, contract, WakeelRun.Bytes(run.Deploy(contract)), "compact deploy", ct).ConfigureAwait(false);
        await ExpectStatusCallbackAsync(run, contract, delivery, scenario, ct).ConfigureAwait(false);
    }

    private static async Task NonCanonicalAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        var contract = run.NewContract(scenario, "pretty");
        var token = run.NewCanary(contract);
        // Every trick a re-serializing verifier trips on: indentation, key order, an escape JSON.stringify would not write, a final newline.
        var text = "{\n  \"timestamp\": \"" + DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) + "\",\n" +
            $"  \"contractId\": \"{contract.ContractId}\",\n  \"event\": \"contract.deploy\",\n  \"clientName\": \"Caf\\u00e9 Ltd\",\n" +
            "  \"clientId\": \"clxclient789\",\n  \"agentId\": \"clxagent321\",\n  \"config\": {\n    \"escalation_email\": \"support@client.example\",\n" +
            $"    \"ticket_webhook_token\": \"{token}\",\n    \"crm_api_key\": \"{contract.CrmApiKey}\"\n  }}\n}}\n";
        var body = Encoding.UTF8.GetBytes(text);
        // Not added to the ACK set: WK-SIG-01 judges this delivery, so a verifier that refuses it fails that rule alone.
        var delivery = await run.Deliveries.SendAsync(contract.ContractId, "non-canonical deploy", body, run.Sign(body), ct).ConfigureAwait(false);
        if (!delivery.Is2xx)
        {
            var diagnosis = delivery.Is4xx
                ? "The same agent accepts compact bodies, so it probably verifies a re-serialized body (JSON.stringify(req.body) or json.dumps(json.loads(raw))) instead of the raw bytes as received. Compute the HMAC over the raw request body."
                : null;
            run.Report("WK-SIG-01", FindingOutcome.Violated, $"The non-canonical, correctly signed deploy got {delivery.Describe()}.", scenario, [delivery.Seq], diagnosis);
            await ExpectStatusCallbackAsync(run, contract, delivery, scenario, ct).ConfigureAwait(false);
            return;
        }
        bool ActedOn() => run.CallbacksFor(contract.ContractId).Count > 0 || run.Peer.CrmCalls.Any(c => c.ContractId == contract.ContractId);
        var acted = await run.WaitForAsync(ActedOn, run.Settings.ObservationWindow, ct).ConfigureAwait(false);
        var evidence = run.Peer.CrmCalls.Where(c => c.ContractId == contract.ContractId).Select(c => c.Seq).Concat(run.CallbacksFor(contract.ContractId).Select(c => c.Seq)).Prepend(delivery.Seq);
        run.Report("WK-SIG-01", acted ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            acted ? $"Answered {delivery.Describe()} and acted on it (CRM check or callback for {contract.ContractId})."
                : $"Answered {delivery.Describe()} but made no CRM call and no callback for {contract.ContractId} within {run.Settings.ObservationWindow.TotalSeconds:0} s.",
            scenario, evidence);
        await ExpectStatusCallbackAsync(run, contract, delivery, scenario, ct).ConfigureAwait(false);
    }

    private sealed record BadProbe(string Label, string Name, bool Malformed, bool Tamper, Func<byte[], string, string?> Signature);

    private static readonly BadProbe[] BadProbes =
    [
        new("missing", "no X-Wakeel-Signature", false, false, (_, _) => null),
        new("wrongsecret", "signed with another secret", false, false, (b, s) => WakeelDeliveries.Sign(b, "other-" + s)),
        new("tampered", "a body byte changed after signing", false, true, (b, s) => WakeelDeliveries.Sign(b, s)),
        new("noprefix", "hex without the sha256= prefix", true, false, (b, s) => WakeelDeliveries.Sign(b, s)["sha256=".Length..]),
        new("truncated", "truncated by two hex digits", true, false, (b, s) => WakeelDeliveries.Sign(b, s)[..^2]),
        new("nonhex", "64 non-hex characters", true, false, (_, _) => "sha256=" + new string('z', 64)),
        // Right length, last digit replaced by one raw 0xE9 byte (Latin-1 on the wire): length checks pass, hex decoders choke.
        new("nonascii", "a raw 0xE9 byte at the right length", true, false, (b, s) => WakeelDeliveries.Sign(b, s)[..^1] + "\u00e9"),
        new("empty", "an empty header", true, false, (_, _) => ""),
    ];

    private static async Task BadSignaturesAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        run.BadSignaturesSent = true;
        var outcomes = await Task.WhenAll(BadProbes.Select(async probe =>
        {
            var contract = run.NewContract(scenario, probe.Label);
            var signed = WakeelRun.Bytes(run.Deploy(contract));
            // Tamper inside a string value, never the contractId, so a CRM call or callback is still attributed.
            var sent = probe.Tamper ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("clxclient789", "clxclient780", StringComparison.Ordinal)) : signed;
            var outcome = await run.Deliveries.SendAsync(contract.ContractId, probe.Name, sent, probe.Signature(signed, run.Peer.CallbackSecret), ct).ConfigureAwait(false);
            if (outcome.Is4xx) run.Refused.Enqueue(outcome);
            return (probe, outcome);
        })).ConfigureAwait(false);

        // WK-SIG-02 by status alone (the "no action" half is WK-CB-05's): any 4xx rejects (decisions 2, 14).
        var notRejected = outcomes.Where(o => !o.outcome.Is4xx).ToList();
        run.Report("WK-SIG-02", notRejected.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            notRejected.Count == 0 ? $"All {outcomes.Length} bad signatures got 4xx ({string.Join(", ", outcomes.Select(o => o.outcome.Status).Distinct())})."
                : string.Join("; ", notRejected.Select(o => $"{o.probe.Name} → {o.outcome.Describe()}")),
            scenario, (notRejected.Count == 0 ? outcomes : [.. notRejected]).Select(o => o.outcome.Seq));
        var crashed = outcomes.Where(o => o.probe.Malformed && (o.outcome.Is5xx || o.outcome.Dropped)).ToList();
        run.Report("WK-SIG-03", crashed.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            crashed.Count == 0 ? "No malformed signature got 5xx or a dropped connection." : string.Join("; ", crashed.Select(o => $"{o.probe.Name} → {o.outcome.Describe()}")),
            scenario, (crashed.Count == 0 ? outcomes.Where(o => o.probe.Malformed) : crashed).Select(o => o.outcome.Seq));
        // Give an agent that carries on after refusing (a missing `return`) the time to show it; WK-CB-05 is judged at the end.
        await Task.Delay(run.Settings.QuietWindow, ct).ConfigureAwait(false);
    }

    private static async Task UnknownAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        var extra = run.NewContract(scenario, "extra");
        var payload = run.Deploy(extra);
        payload["priority"] = "high";
        payload["billing"] = new System.Text.Json.Nodes.JsonObject { ["plan"] = "pro", ["seats"] = 3 };
        ((System.Text.Json.Nodes.JsonObject)payload["config"]!)["region"] = "eu";
        var unknownEvent = run.NewContract(scenario, "event");
        var eventBody = WakeelRun.Bytes(run.Deploy(unknownEvent, "contract.something_new"));
        var extraTask = DeployAsync(run, extra, WakeelRun.Bytes(payload), "deploy with unknown fields", ct);
        var eventTask = run.Deliveries.SendAsync(unknownEvent.ContractId, "unknown event contract.something_new", eventBody, run.Sign(eventBody), ct);
        var results = new[] { await extraTask.ConfigureAwait(false), await eventTask.ConfigureAwait(false) };
        // "Never 5xx": a timeout is WK-ACK-01's business, a dropped connection is a crash.
        var bad = results.Where(r => r.Is5xx || r.Dropped).ToList();
        run.Report("WK-ACK-03", bad.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            string.Join("; ", results.Select(r => $"{r.Probe} → {r.Describe()}")), scenario, (bad.Count == 0 ? results : [.. bad]).Select(r => r.Seq));
        await ExpectStatusCallbackAsync(run, extra, results[0], scenario, ct).ConfigureAwait(false);
    }

    private static async Task CrmRejectsAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        var contract = run.NewContract(scenario, "badkey", crmRejects: true);
        var delivery = await DeployAsync(run, contract, WakeelRun.Bytes(run.Deploy(contract)), "deploy whose CRM key is rejected", ct).ConfigureAwait(false);
        await ExpectStatusCallbackAsync(run, contract, delivery, scenario, ct).ConfigureAwait(false);
        var statuses = run.CallbacksFor(contract.ContractId).Where(WakeelRun.IsStatusCallback).ToList();
        var crm = run.Peer.CrmCalls.Where(c => c.ContractId == contract.ContractId).Select(c => c.Seq);
        var seqs = crm.Concat(statuses.Select(s => s.Seq)).Prepend(delivery.Seq).ToList();
        var (outcome, observed) =
            statuses.Any(s => s.Status == "ACTIVE") ? (FindingOutcome.Violated, "The CRM answered 401 to the key, yet the agent reported ACTIVE.")
            : statuses.FirstOrDefault(s => s.Status == "ERROR") is { } error
                ? string.IsNullOrWhiteSpace(error.Message) ? (FindingOutcome.Violated, "ERROR was reported with an empty message.") : (FindingOutcome.Satisfied, $"ERROR: \"{error.Message}\"")
            : (FindingOutcome.Violated, $"No ERROR status callback within {run.Settings.ObservationWindow.TotalSeconds:0} s after the CRM rejected the key.");
        run.Report("WK-CB-03", outcome, observed, scenario, seqs);
    }

    private static async Task RedeliveryAsync(WakeelRun run, string scenario, CancellationToken ct)
    {
        var contract = run.NewContract(scenario, "redeliver");
        var body = WakeelRun.Bytes(run.Deploy(contract));
        var first = await DeployAsync(run, contract, body, "deploy (first delivery)", ct).ConfigureAwait(false);
        await ExpectStatusCallbackAsync(run, contract, first, scenario, ct).ConfigureAwait(false);
        var second = await DeployAsync(run, contract, body, "deploy (redelivery, same bytes)", ct).ConfigureAwait(false);
        // A second setup takes a CRM round trip; the quiet window is long enough for it to show.
        await Task.Delay(run.Settings.QuietWindow, ct).ConfigureAwait(false);
        var actives = run.CallbacksFor(contract.ContractId).Where(c => c.Status == "ACTIVE").ToList();
        var seqs = actives.Select(a => a.Seq).Prepend(second.Seq).Prepend(first.Seq);
        if (!second.Is2xx)
            run.Report("WK-RED-01", FindingOutcome.Violated, $"The redelivery got {second.Describe()} (the first delivery: {first.Describe()}).", scenario, seqs);
        else if (actives.Count > 1)
            run.Report("WK-RED-01", FindingOutcome.Violated, $"The redelivery got {second.Describe()}, but {actives.Count} ACTIVE callbacks followed for {contract.ContractId}: the same bytes were set up twice.",
                scenario, seqs, "Remember which deploy bodies (e.g. their SHA-256) were already set up and answer a repeat with 2xx and nothing else.");
        else
            run.Report("WK-RED-01", FindingOutcome.Satisfied, $"The redelivery got {second.Describe()}; {actives.Count} ACTIVE callback(s) in all.", scenario, seqs);
    }
}
