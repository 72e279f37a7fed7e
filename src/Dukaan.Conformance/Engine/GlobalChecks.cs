using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// Rules judged over the whole run rather than one scenario: timing of every valid delivery, every signed call,
/// every byte the agent wrote or sent. They run after the scenarios, before the agent is stopped.
/// </summary>
public static class GlobalChecks
{
    private const string Global = RerunCommands.WholeRun;

    /// <summary>
    /// How each rule judged here is observed, for docs/rules.md and `list-rules --format markdown`: a whole-run rule has
    /// no scenario whose description says how it is provoked. Kept beside the checks so the two change together.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Observations { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DK-ACK-01"] = "The time to the status line of every valid buyer_configured delivery the run sends, in every scenario, each redelivery included. " +
            "A 5xx answered after the /config fetch made during that attempt got the injected 503 is the retry request of decision 30, not counted; the attempts after it are.",
        ["DK-ACK-02"] = "The same measurement as DK-ACK-01, against 2 s.",
        ["DK-CFG-02"] = "The simulator checks every /config request the agent makes; a refusal names the mistake it matches (ts in seconds, the wrong string, the wrong secret).",
        ["DK-RUN-01"] = "Every provider call made with a buyer's key and answered 2xx (a billable run) must be matched by an accepted POST /run for that buyer; a call the provider refused (401, 429, 5xx) needs none, and reporting it is no failure either (decision 31). The evidence cites billable calls, their /run reports and the refused calls excused. Billable work needs a trigger (--trigger-url); without one the rule is not-exercised.",
        ["DK-HB-01"] = "Whether any POST /heartbeat is seen during the run.",
        ["DK-HB-02"] = "Every /heartbeat the agent sends is checked like /config; an agent that sends none during the run leaves the rule not-applicable (decision 32).",
        ["DK-SEC-01"] = "Unique canary values, and their base64, URL-encoded and hex forms, are searched for in the agent's captured stdout/stderr (a spawned agent, or --agent-log for a running one); the evidence says how many characters were scanned, and an agent that wrote nothing leaves the rule not-applicable.",
        ["DK-SEC-02"] = "Every file the agent created or changed in its working directory, and every file in the fresh TMPDIR, HOME and XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME (inside that HOME) the harness gives it, binary files such as SQLite databases included, is scanned for the canaries (spawned agents only); the evidence names the places and how many files were read, and an agent that wrote no file leaves the rule not-applicable.",
        ["DK-SEC-03"] = "The canaries are searched for in the URL, headers and body of every request the agent makes to the platform.",
        ["DK-OPS-01"] = "A spawned agent must answer on 127.0.0.1:$PORT, shown by a delivery it answered there; an --agent-url target is not judged.",
    };

    public static void Evaluate(RunContext run, ICollection<string> notes)
    {
        var transcript = run.Simulator.Transcript.Snapshot();
        AckTiming(run, transcript);
        SignedCalls(run, transcript, ExchangeKinds.Config, "DK-CFG-02", "/config");
        RunReporting(run, transcript);
        Heartbeats(run, transcript);
        Secrets(run, transcript, notes);
        Port(run, transcript);
    }

    private static void AckTiming(RunContext run, IReadOnlyList<Exchange> transcript)
    {
        var retryRequests = run.ValidDeliveries.Select(d => (Delivery: d, Fetch: FailedFetchDuring(d, transcript)))
            .Where(r => r.Fetch is not null).ToList();
        var excused = retryRequests.Select(r => r.Delivery.Attempt.ExchangeSeq).ToHashSet();
        var deliveries = run.ValidDeliveries.Where(d => !excused.Contains(d.Attempt.ExchangeSeq)).ToList();
        if (deliveries.Count == 0) return;
        var notCounted = retryRequests.Count == 0 ? "" :
            $" Not counted: {retryRequests.Count} answered 5xx after the /config fetch made during the attempt got the injected 503 — the retry request of " +
            "002 §1 (decision 30); the harness redelivered it and DK-CFG-04 judges the recovery: " +
            string.Join("; ", retryRequests.Take(3).Select(r => $"{r.Delivery.SubscriptionId} ({r.Delivery.Scenario}): #{r.Delivery.Attempt.ExchangeSeq} {r.Delivery.Attempt.Describe()} after {r.Fetch!.Describe()}")) + ".";
        var excusedSeqs = retryRequests.Take(3).SelectMany(r => new[] { r.Delivery.Attempt.ExchangeSeq, r.Fetch!.Seq });
        foreach (var (ruleId, budget) in new[] { ("DK-ACK-01", run.Settings.AckBudget), ("DK-ACK-02", run.Settings.FastAck) })
        {
            var expected = $"Every valid buyer_configured answered 2xx within {budget.TotalSeconds:0} s";
            var late = deliveries.Where(d => !d.Attempt.Is2xx() || d.Attempt.DurationMs > budget.TotalMilliseconds).ToList();
            var slowest = deliveries.Max(d => d.Attempt.DurationMs);
            if (late.Count == 0)
                run.Report(Global, ruleId, FindingOutcome.Satisfied, expected, $"{deliveries.Count} valid deliveries, all 2xx; slowest {slowest:0} ms.{notCounted}", null,
                    deliveries.Take(3).Select(d => d.Attempt.ExchangeSeq).Concat(excusedSeqs));
            else
                run.Report(Global, ruleId, FindingOutcome.Violated, expected,
                    $"{late.Count} of {deliveries.Count} valid deliveries were not answered 2xx within {budget.TotalSeconds:0} s: " +
                    string.Join("; ", late.Take(5).Select(d => $"{d.SubscriptionId} ({d.Scenario}): {d.Attempt.Describe()}")) + (notCounted.Length > 0 ? "." + notCounted : ""),
                    late.Any(d => d.Attempt.Status is null)
                        ? "The agent does its work before answering: ACK immediately and fetch /config in the background."
                        : late.Any(d => d.Attempt.Number > 1 && d.Attempt.Status >= 500)
                            ? "A redelivery was answered 5xx again though no platform call failed during it: process each redelivery afresh (fetch /config again) instead of repeating the earlier answer."
                            : null,
                    late.Take(5).Select(d => d.Attempt.ExchangeSeq).Concat(excusedSeqs));
        }
    }

    /// <summary>
    /// The /config fetch that got the simulator's injected 503 while this attempt waited for its answer, when the answer
    /// was a 5xx: the agent could not process the delivery and asked for the platform's retry (decision 30). Any other
    /// 4xx/5xx, and every later attempt, is judged like any answer.
    /// </summary>
    private static Exchange? FailedFetchDuring(ValidDelivery delivery, IReadOnlyList<Exchange> transcript)
    {
        var attempt = delivery.Attempt;
        if (attempt.Status is not (>= 500 and < 600)) return null;
        var answeredAt = attempt.StartedAt.AddMilliseconds(attempt.DurationMs);
        return transcript.FirstOrDefault(e => e.From(ExchangeKinds.Config, delivery.SubscriptionId) && e.Seq > attempt.ExchangeSeq && e.StartedAt <= answeredAt
            && e.Status == 503 && e.Tag(TagKeys.ErrorCode) == ErrorCodes.ConfigUnavailable);
    }

    /// <param name="optional">
    /// The call is optional in the contract (heartbeats): an agent that never makes it has not broken a rule about how
    /// to make it, and the run did give it every chance, so the rule is not-applicable and says why (decision 32) —
    /// neither a pass, which would cite nothing, nor a missing stimulus.
    /// </param>
    private static void SignedCalls(RunContext run, IReadOnlyList<Exchange> transcript, string kind, string ruleId, string label, bool optional = false)
    {
        var calls = transcript.Where(e => e.Direction == Direction.AgentToPlatform && e.Kind == kind).ToList();
        var expected = $"Every {label} call carries X-AgentDukaan-Sig = hex HMAC-SHA256 of `${{subscriptionId}}.${{ts}}` and X-AgentDukaan-Ts in epoch ms within 5 minutes";
        if (calls.Count == 0)
        {
            if (optional)
                run.Report(Global, ruleId, FindingOutcome.NotApplicable, expected,
                    $"The agent sent no {label} call during the run ({run.Elapsed.Elapsed.TotalSeconds:0} s; they are optional), so there was none to check (decision 32).");
            else
                run.Report(Global, ruleId, FindingOutcome.NotExercised, expected, $"The agent made no {label} call.");
            return;
        }
        var refused = calls.Where(e => e.Status == 401).ToList();
        if (refused.Count == 0)
            run.Report(Global, ruleId, FindingOutcome.Satisfied, expected, $"{calls.Count} {label} call(s), all accepted by the signature check.", null, calls.Take(3).Select(e => e.Seq));
        else
            run.Report(Global, ruleId, FindingOutcome.Violated, expected, $"{refused.Count} of {calls.Count} {label} call(s) were refused with 401: {string.Join("; ", refused.Take(3).Select(e => e.Describe()))}",
                Explain(refused[0]), refused.Take(5).Select(e => e.Seq));
    }

    /// <remarks>
    /// "ts-in-seconds" names two different mistakes: a seconds header (refused as a stale timestamp) and a milliseconds
    /// header whose HMAC was computed over seconds (refused as an invalid signature). Only the error code tells them apart.
    /// </remarks>
    public static string? Explain(Exchange refused) => (refused.Tag(TagKeys.Diagnosis), refused.Tag(TagKeys.ErrorCode)) switch
    {
        (RequestAuth.SecondsNotMillis, ErrorCodes.StaleTimestamp) => "X-AgentDukaan-Ts in seconds, not milliseconds: use Date.now() (ms), not Date.now()/1000.",
        ("ts-too-old" or "ts-in-future", _) => "X-AgentDukaan-Ts is outside the 5-minute window: check the clock, and compute ts per request.",
        ("missing-dot" or "reversed-order" or "id-only" or "body-hmac" or "unkeyed-sha256" or "prefixed-signature" or RequestAuth.SecondsNotMillis, _) =>
            $"Signed the wrong string ({refused.Tag(TagKeys.Diagnosis)}): it must be HMAC-SHA256(secret, `${{subscriptionId}}.${{ts}}`) in hex.",
        ("wrong-secret-or-string", _) => "The signature matches no known mistake: the secret is probably not the listing's webhook secret (AGENTDUKAAN_WEBHOOK_SECRET).",
        (_, { } code) => $"Refused with {code}.",
        _ => null,
    };

    /// <summary>
    /// Billable work is a call to the provider with a buyer's key that the provider answered 2xx (decision 31); each must be
    /// matched by a /run for that buyer. A call the provider refused (401, 429, 5xx) is not billable: it needs no /run, and a
    /// /run for it is no failure either (the platform counts it). Counting per subscription keeps this independent of
    /// whether the agent reports before or after the work.
    /// </summary>
    private static void RunReporting(RunContext run, IReadOnlyList<Exchange> transcript)
    {
        const string expected = "Every provider call answered 2xx for a buyer (a billable run) is matched by a POST /run for that buyer, signed like /config";
        var runs = transcript.Where(e => e.Direction == Direction.AgentToPlatform && e.Kind == ExchangeKinds.Run).ToList();
        var calls = transcript.Where(e => e.Kind == ExchangeKinds.Provider && e.SubscriptionId is not null).ToList();
        var billable = calls.Where(e => e.IsOk()).ToList();
        var notBillable = calls.Where(e => !e.IsOk()).ToList();
        if (runs.Count == 0 && billable.Count == 0)
        {
            var why = run.Agent.TriggerUrl is null && run.Settings.Listing.Chat is null
                ? "No --trigger-url was given, so the harness could not ask the agent for billable work."
                : notBillable.Count > 0
                    ? $"The provider refused every call the agent made ({notBillable.Count}, e.g. {notBillable[0].Describe()}), so there was no billable run to report."
                    : "The agent did no billable work when asked (no provider call, no /run).";
            run.Report(Global, "DK-RUN-01", FindingOutcome.NotExercised, expected, why,
                run.Triggers.AllRefused ? run.Triggers.RefusalDiagnosis(run.Agent.TriggerUrl) : null, notBillable.Take(3).Select(e => e.Seq));
            return;
        }
        var problems = new List<string>();
        var seqs = new List<long>();
        var refused = runs.Where(e => e.Status == 401).ToList();
        if (refused.Count > 0)
        {
            problems.Add($"{refused.Count} /run call(s) refused with 401: {refused[0].Describe()}");
            seqs.AddRange(refused.Take(3).Select(e => e.Seq));
        }
        foreach (var group in billable.GroupBy(e => e.SubscriptionId!))
        {
            var reported = runs.Count(e => e.SubscriptionId == group.Key);
            if (group.Count() > reported)
            {
                problems.Add($"{group.Key}: {group.Count()} billable provider call(s) (answered 2xx) but {reported} /run report(s)");
                seqs.AddRange(group.Take(3).Select(e => e.Seq));
            }
        }
        if (problems.Count == 0)
        {
            var excused = notBillable.Count == 0 ? ""
                : $"; {notBillable.Count} call(s) refused by the provider ({string.Join(", ", notBillable.Select(e => e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error ?? "no answer").Distinct())}): not billable, no /run needed (decision 31)";
            // The witnesses: billable calls, the /run reports that match them, and the refused calls the rule excused.
            var witnesses = billable.Take(2).Concat(runs.Take(2)).Concat(notBillable.Take(2)).Select(e => e.Seq).Order();
            run.Report(Global, "DK-RUN-01", FindingOutcome.Satisfied, expected,
                $"{billable.Count} billable provider call(s) (answered 2xx) and {runs.Count} /run report(s), all accepted by the signature check{excused}.", null, witnesses);
        }
        else
            run.Report(Global, "DK-RUN-01", FindingOutcome.Violated, expected, string.Join("; ", problems),
                refused.Count > 0 ? Explain(refused[0]) : "Runs are not reported: call POST /run for each billable run (a provider call answered 2xx), so limits and billing work.", seqs);
    }

    private static void Heartbeats(RunContext run, IReadOnlyList<Exchange> transcript)
    {
        var beats = transcript.Where(e => e.Direction == Direction.AgentToPlatform && e.Kind == ExchangeKinds.Heartbeat).ToList();
        if (beats.Count > 0)
            run.Report(Global, "DK-HB-01", FindingOutcome.Satisfied, "Heartbeats are sent", $"{beats.Count} heartbeat(s) for {beats.Select(e => e.SubscriptionId).Distinct().Count()} subscription(s).", null, beats.Take(2).Select(e => e.Seq));
        else
            run.Report(Global, "DK-HB-01", FindingOutcome.Violated, "Heartbeats are sent", "No heartbeat was seen during the run.",
                "Optional, but recommended: a heartbeat lets the platform tell \"configured but idle\" from \"configured and healthy\".");
        SignedCalls(run, transcript, ExchangeKinds.Heartbeat, "DK-HB-02", "/heartbeat", optional: true);
    }

    private static void Secrets(RunContext run, IReadOnlyList<Exchange> transcript, ICollection<string> notes)
    {
        var secrets = run.AllSecrets();
        var scanner = new SecretScanner(secrets);
        const string expectOutput = "No secret (plain, base64, URL-encoded or hex) in stdout/stderr";
        if (run.Agent.CanCaptureOutput)
        {
            var output = run.Agent.CapturedOutput();
            var hits = scanner.InText(output, "agent output").ToList();
            ScanCount[] scanned = [new(output.Length, "characters of stdout/stderr")];
            if (hits.Count > 0)
                run.Report(Global, "DK-SEC-01", FindingOutcome.Violated, expectOutput, $"{hits.Count} secret(s) found in the agent's output ({string.Join(", ", hits.Select(h => h.Form).Distinct())} form): {string.Join("; ", hits.Take(3).Select(h => h.Secret))}",
                    "The agent logs the fetched config or a request with credentials: log field names, never values.", scanned: scanned);
            else if (output.Length == 0)
                // Empty output proves nothing was leaked there only because nothing was written: not a witness (decision 32).
                run.Report(Global, "DK-SEC-01", FindingOutcome.NotApplicable, expectOutput, "The agent wrote nothing to stdout/stderr during the run, so there was no output to scan.");
            else
                run.Report(Global, "DK-SEC-01", FindingOutcome.Satisfied, expectOutput, $"Scanned {output.Length} characters of output for {secrets.Count} secrets: none found.", scanned: scanned);
        }
        else
            run.Report(Global, "DK-SEC-01", FindingOutcome.NotExercised, expectOutput, "The agent's output is not visible to the harness: use --agent-cmd, or give --agent-log FILE for a running agent.");

        const string expectDisk = "No secret in any file the agent created or changed (working directory, TMPDIR, HOME and its XDG directories)";
        if (run.Agent.CanScanFiles)
        {
            var files = run.Agent.FilesToScan();
            var scan = scanner.InFiles(files, notes);
            var places = string.Join("; ", run.Agent.FileScanPlaces);
            ScanCount[] scanned = [new(scan.FilesRead, "files")];
            if (scan.Hits.Count > 0)
                run.Report(Global, "DK-SEC-02", FindingOutcome.Violated, expectDisk, $"Secret(s) written to disk: {string.Join("; ", scan.Hits.Take(3).Select(h => $"{h.Where} ({h.Form})"))}. Scanned: {places}.",
                    "The agent persists credentials (a cache file, a database row): keep them in memory only and re-pull after a restart.", scanned: scanned);
            else if (scan.FilesRead == 0)
                run.Report(Global, "DK-SEC-02", FindingOutcome.NotApplicable, expectDisk, $"The agent wrote no file with content in the places scanned ({places}), so none could hold a secret.");
            else
                run.Report(Global, "DK-SEC-02", FindingOutcome.Satisfied, expectDisk,
                    $"Scanned {scan.FilesRead} file(s) ({scan.BytesRead} bytes) the agent created or changed, in {places}: no secret found. Files: {string.Join(", ", files.Take(5).Select(Path.GetFileName))}", scanned: scanned);
        }
        else
            run.Report(Global, "DK-SEC-02", FindingOutcome.NotExercised, expectDisk, "The harness cannot see the files of a running agent; use --agent-cmd so it can scan the working directory, TMPDIR and HOME.");

        const string expectPlatform = "No secret in any request from the agent to the platform (URL, headers, body)";
        var toPlatform = transcript.Where(e => e.Direction == Direction.AgentToPlatform && e.Kind != ExchangeKinds.Provider).ToList();
        var leaks = toPlatform.Where(e => scanner.InText(e.Url + "\n" + string.Join("\n", e.RequestHeaders.Select(h => $"{h.Key}: {h.Value}")) + "\n" + e.RequestBody, "request").Any()).ToList();
        if (toPlatform.Count == 0)
            run.Report(Global, "DK-SEC-03", FindingOutcome.NotExercised, expectPlatform, "The agent made no request to the platform.");
        else if (leaks.Count == 0)
            run.Report(Global, "DK-SEC-03", FindingOutcome.Satisfied, expectPlatform, $"Scanned {toPlatform.Count} request(s) to the platform: no secret found.", null, toPlatform.Take(3).Select(e => e.Seq));
        else
            run.Report(Global, "DK-SEC-03", FindingOutcome.Violated, expectPlatform, $"{leaks.Count} request(s) carried a secret: {string.Join("; ", leaks.Take(3).Select(e => e.Describe()))}",
                "The agent sends the buyer's key back to the platform (a debug field, a header): the platform never needs it.", leaks.Take(5).Select(e => e.Seq));
    }

    private static void Port(RunContext run, IReadOnlyList<Exchange> transcript)
    {
        const string expected = "The agent answers on 127.0.0.1:$PORT";
        var port = run.Agent.WebhookUrl.Port;
        switch (run.Agent.ListensOnGivenPort)
        {
            case true:
                // The port opening proves a listener; the witness is a request the agent answered there (decision 32).
                var answered = transcript.FirstOrDefault(e => e.Direction == Direction.PlatformToAgent && e.Status is not null
                    && Uri.TryCreate(e.Url, UriKind.Absolute, out var url) && url.Port == port);
                if (answered is not null)
                    run.Report(Global, "DK-OPS-01", FindingOutcome.Satisfied, expected, $"The agent answered on the port given in $PORT ({port}): {answered.Describe()}.", null, [answered.Seq]);
                else
                    run.Report(Global, "DK-OPS-01", FindingOutcome.NotExercised, expected, $"Port {port} (given in $PORT) accepted connections, but no request sent there got an answer.");
                break;
            case false: run.Report(Global, "DK-OPS-01", FindingOutcome.Violated, expected, "The agent never answered on the port given in $PORT."); break;
            default: run.Report(Global, "DK-OPS-01", FindingOutcome.NotExercised, expected, "The harness did not choose this agent's port (--agent-url target)."); break;
        }
    }
}
