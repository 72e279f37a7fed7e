using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

/// <summary>
/// A realistic failing run: every catalog rule of the agentdukaan profile with mixed verdicts, wire transcripts,
/// scenario timelines, hostile agent output and secrets that slipped past the engine's own redaction.
/// </summary>
internal static class FixtureResults
{
    /// <summary>A buyer canary key: leaked into a /config response body, an observation and a URL.</summary>
    public const string CanaryKey = "sk-canary-buyer-7f3a9c2e1d";

    /// <summary>The webhook secret, with characters that HTML, XML and JSON all escape, so it must be masked before rendering.</summary>
    public const string WebhookSecret = "whsec_dukaan<&\"q'>_9f8e";

    public const string HostileBody =
        "<html><body></script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">Internal Server Error</body></html>";

    public const string HostileHeader = "\"><svg onload=\"window.__pwned=3\">";

    public const string HostileLabel = "<img src=y onerror=window.__pwned=4>";

    public const string RerunSig01 = "dukaan-conformance certify --agent 'node server.js' --rule DK-SIG-01 --seed 4242";

    public static readonly DateTimeOffset Started = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);

    public static RunResults Failing()
    {
        var rules = Rules();
        return new RunResults(
            RunResults.CurrentSchemaVersion, "0.1.0", "2026-11 (000/002)", "agentdukaan",
            new TargetInfo("spawn", "node server.js in fixtures/agents/node-broken <& co>", "node server.js", "/tmp/dukaan/work-4242",
                "http://127.0.0.1:41234", "/webhooks/agentdukaan", null),
            Started, 48_250, 4242, false, null, Outcome.NotCertified, 1, Summary.Of(rules), rules, Scenarios(),
            [
                "No --trigger-url was given, so rules about runs, limits and request-config were not exercised.",
                $"The agent printed its webhook secret {WebhookSecret} at startup.",
            ]);
    }

    public static RunResults With(Outcome outcome, IReadOnlyList<RuleResult>? rules = null, string? selection = null)
    {
        var baseline = Failing();
        var list = rules ?? baseline.Rules;
        return baseline with
        {
            Outcome = outcome,
            Rules = list,
            Summary = Summary.Of(list),
            RuleSelection = selection,
            ExitCode = outcome switch { Outcome.Certified => 0, Outcome.NotCertified => 1, Outcome.HarnessError => 2, _ => 3 },
        };
    }

    public static IReadOnlyList<RuleResult> Rules()
    {
        var list = new List<RuleResult>();
        void Add(string id, RuleLevel level, string area, string title, string seed, Verdict verdict, string expected, string observed,
            string? diagnosis = null, IReadOnlyList<TranscriptEntry>? transcript = null, params string[] scenarios) =>
            list.Add(new RuleResult(id, level, area, title, $"The agent {char.ToLowerInvariant(title[0])}{title[1..]}.", seed, verdict,
                new Evidence(expected, observed, diagnosis, transcript ?? [], id == "DK-SIG-01" ? RerunSig01 : $"dukaan-conformance certify --agent 'node server.js' --rule {id} --seed 4242",
                    scenarios.Length == 0 ? ["deliveries"] : scenarios)));

        // Signatures
        Add("DK-SIG-01", RuleLevel.Must, "signatures", "Verifies the HMAC over the raw body bytes", "000 §2a, 002 §1", Verdict.Fail,
            "2xx and a /config fetch for a correctly signed, non-canonical body",
            "401 {\"error\":\"bad signature\"}; no /config fetch within 30 s",
            "Probably hashes re-serialized JSON instead of the raw bytes: the canonical body passed, the indented one with \\u00e9 escapes did not.",
            [
                Tx(1, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", 200, 41.2,
                    Headers(("Content-Type", "application/json"), ("X-AgentDukaan-Sig", "3f1c…"), ("X-AgentDukaan-Ts", "1795437000000")),
                    "{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_A1\"}", Headers(("Content-Type", "application/json")), "{\"ok\":true}", 120),
                Tx(2, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", 401, 12.7,
                    Headers(("Content-Type", "application/json"), ("X-AgentDukaan-Sig", "9be0…"), ("X-AgentDukaan-Ts", "1795437001000")),
                    "{\n    \"subscriptionId\": \"sub_A2\",\n    \"event\": \"buyer_configured\",\n    \"buyer\": \"Ren\\u00e9e\",\n    \"orderRef\": 9007199254740993\n}\n",
                    Headers(("Content-Type", "application/json")), "{\"error\":\"bad signature\"}", 1_130, note: "indented, keys reordered, \\u00e9 escape, integer above 2^53"),
            ], "deliveries", "non-canonical bodies");
        Add("DK-SIG-02", RuleLevel.Must, "signatures", "Rejects a body altered after signing", "000 §2a", Verdict.Pass, "4xx, no /config fetch", "401, no fetch");
        Add("DK-SIG-03", RuleLevel.Must, "signatures", "Rejects a delivery without X-AgentDukaan-Sig", "000 §2a", Verdict.Pass, "4xx, no action", "401");
        Add("DK-SIG-04", RuleLevel.Must, "signatures", "Rejects a signature made with another secret", "000 §2a", Verdict.Pass, "4xx, no action", "401");
        Add("DK-SIG-05", RuleLevel.Must, "signatures", "Rejects malformed signatures without crashing", "000 §2a, 002 §1", Verdict.Fail,
            "4xx for truncated, empty, non-hex and sha256=-prefixed signatures; never 5xx",
            "500 for a non-hex signature (3 of 4 variants got 401)",
            "Crashes on a non-hex signature: Buffer.from(sig, 'hex') yields a shorter buffer and timingSafeEqual throws.",
            [
                Tx(7, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", 401, 8.1,
                    Headers(("X-AgentDukaan-Sig", "abc")), "{\"event\":\"buyer_configured\"}", Headers(), "", 2_010, note: "truncated signature"),
                Tx(8, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", 500, 15.9,
                    Headers(("X-AgentDukaan-Sig", "zzzz-not-hex"), ("X-Debug", HostileHeader)), "{\"event\":\"buyer_configured\"}",
                    Headers(("Content-Type", "text/html")), HostileBody, 2_050, note: "non-hex signature"),
            ], "bad signatures");
        Add("DK-SIG-06", RuleLevel.Must, "signatures", "Stays up after bad deliveries", "000 §2a", Verdict.Pass, "2xx for a valid delivery after bad ones", "200 in 38 ms", scenarios: "bad signatures");

        // Acknowledgement
        Add("DK-ACK-01", RuleLevel.Must, "acknowledgement", "2xx within 10 s for a valid buyer_configured", "000 §2a, 002 §1", Verdict.Pass, "2xx within 10 000 ms", "200 in 2 840 ms");
        Add("DK-ACK-02", RuleLevel.Should, "acknowledgement", "2xx within 2 s", "000 §2a", Verdict.Warn, "2xx within 2 000 ms", "200 in 2 840 ms",
            "The agent fetches /config before answering; answer first and fetch in the background.",
            [
                Tx(3, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", 200, 2_840.4, Headers(("Content-Type", "application/json")),
                    "{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_B1\"}", Headers(), "OK", 3_000),
                Tx(4, "agent→platform", "config", "GET", "/api/subscriptions/sub_B1/config", 200, 2_790.0, Headers(("X-AgentDukaan-Ts", "1795437003010")),
                    "", Headers(("Content-Type", "application/json")), $"{{\"openai_api_key\":\"{CanaryKey}\",\"model\":\"gpt-4o-mini\"}}", 3_010),
            ]);
        Add("DK-ACK-03", RuleLevel.Must, "acknowledgement", "A redelivered event gets 2xx", "002 §1", Verdict.Pass, "2xx twice", "200, 200");
        Add("DK-ACK-04", RuleLevel.Must, "acknowledgement", "Unknown extra fields and event types never cause 5xx", "002 §1", Verdict.Pass, "no 5xx", "200, 200");
        Add("DK-ACK-05", RuleLevel.Should, "acknowledgement", "Concurrent deliveries for 20 subscriptions all get 2xx within 10 s", "002 §1", Verdict.Warn,
            "20 × 2xx within 10 s", "18 × 200, 2 × timed out after 10 000 ms", null,
            [Tx(30, "platform→agent", "delivery", "POST", "/webhooks/agentdukaan", null, 10_000, Headers(), "{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_C19\"}", Headers(), "", 9_000, error: "timed out after 10 000 ms")],
            "burst");

        // Credentials
        Add("DK-CFG-01", RuleLevel.Must, "credentials", "Fetches /config after each valid buyer_configured", "000 §2b, 002 §2", Verdict.Pass, "GET /config within 30 s", "fetched after 12 ms");
        Add("DK-CFG-02", RuleLevel.Must, "credentials", "Signs /config with a millisecond timestamp", "002 §2", Verdict.Fail,
            "X-AgentDukaan-Ts in epoch milliseconds, within 5 min", "X-AgentDukaan-Ts: 1795437004 (401 TIMESTAMP_OUT_OF_WINDOW)",
            "Sends seconds, not milliseconds: Date.now()/1000.",
            [
                Tx(11, "agent→platform", "config", "GET", $"/api/subscriptions/sub_D1/config?key={CanaryKey}", 401, 3.3,
                    Headers(("X-AgentDukaan-Ts", "1795437004"), ("X-AgentDukaan-Sig", "0e44a292…")), "",
                    Headers(("Content-Type", "application/json")),
                    "{\"success\":false,\"error\":{\"code\":\"TIMESTAMP_OUT_OF_WINDOW\",\"message\":\"ts is 1795435209 s in the past\"}}", 4_100),
            ], "credentials");
        Add("DK-CFG-03", RuleLevel.Must, "credentials", "Key rotation uses only the new credential", "002 §2", Verdict.Pass, "new key only after rotation", "new key only", scenarios: "credentials");
        Add("DK-CFG-04", RuleLevel.Should, "credentials", "Survives a failed /config fetch", "002 §2", Verdict.Pass, "recovers after one 5xx", "retried after 1 s", scenarios: "credentials");

        // Secret custody
        Add("DK-SEC-01", RuleLevel.Must, "secret-custody", "Secrets never appear in the agent's stdout/stderr", "000 §2b", Verdict.Fail,
            "no canary in captured output", $"stdout line 12: loaded config {{ openai_api_key: '{CanaryKey}' }}",
            "Logs the whole config object after fetching it.", scenarios: "custody");
        Add("DK-SEC-02", RuleLevel.Must, "secret-custody", "Secrets never written to disk", "000 §3", Verdict.Pass, "no canary in work dir or TMPDIR", "14 files scanned, none", scenarios: "custody");
        Add("DK-SEC-03", RuleLevel.Must, "secret-custody", "Secrets never sent back to the platform", "002", Verdict.Pass, "no canary in requests to the platform", "none in 9 requests", scenarios: "custody");
        Add("DK-SEC-04", RuleLevel.Must, "secret-custody", "After a restart, credentials come from a new /config fetch", "002", Verdict.HarnessError,
            "a fetch by the new process before first credential use", "the harness could not restart the agent: port 41234 still bound after 10 s",
            null, [Tx(40, "harness", "restart", "SIGTERM", "pid 5123", null, 10_000, Headers(), "", Headers(), "", 30_000, error: "port still bound")], "restart");
        Add("DK-SEC-05", RuleLevel.Should, "secret-custody", "After a restart, active subscriptions are still served", "000 §3", Verdict.Warn,
            "served without a new buyer_configured", "the agent forgot sub_A1 after restart", null, scenarios: "restart");

        // Runs
        Add("DK-RUN-01", RuleLevel.Must, "runs", "Every billable run is reported with POST /run", "000 §2c, 002 §3", Verdict.NotExercised, "a /run per billable run", "no trigger configured (--trigger-url)", scenarios: "runs");
        Add("DK-RUN-02", RuleLevel.Must, "runs", "No more billable work after 429 RUN_LIMIT_EXCEEDED", "002 §3", Verdict.NotExercised, "no work after 429", "no trigger configured (--trigger-url)", scenarios: "runs");
        Add("DK-RUN-03", RuleLevel.Must, "runs", "A 429 for one buyer does not stop the others", "002 §3", Verdict.NotExercised, "others still served", "no trigger configured (--trigger-url)", scenarios: "runs");

        // Lifecycle
        Add("DK-SUB-01", RuleLevel.Must, "lifecycle", "Stops serving a cancelled subscription", "002", Verdict.Pass, "no calls after 403", "none", scenarios: "lifecycle");
        Add("DK-SUB-02", RuleLevel.Must, "lifecycle", "Other buyers keep being served", "002", Verdict.Pass, "served", "served", scenarios: "lifecycle");
        Add("DK-SUB-03", RuleLevel.Should, "lifecycle", "A reactivated subscription is served again", "002", Verdict.Pass, "served", "served", scenarios: "lifecycle");

        // Heartbeat
        Add("DK-HB-01", RuleLevel.Info, "heartbeat", "Sends heartbeats", "002 §4", Verdict.Pass, "heartbeats observed or not", "every 60 s", scenarios: "lifecycle");
        Add("DK-HB-02", RuleLevel.Must, "heartbeat", "Heartbeats are signed and never sent for cancelled subscriptions", "002 §4", Verdict.Pass, "signed; none after cancel", "signed; none after cancel",
            transcript: [Tx(50, "agent→platform", "heartbeat", "POST", "/api/subscriptions/sub_E1/heartbeat", 403, 2.2, Headers(), "{}", Headers(), "{\"success\":false,\"error\":{\"code\":\"SUBSCRIPTION_NOT_ACTIVE\",\"message\":\"cancelled\"}}", 40_000)],
            scenarios: "lifecycle");

        // Request-config
        Add("DK-RCF-01", RuleLevel.Should, "request-config", "Calls POST /request-config when the provider rejects a credential", "002 §5", Verdict.NotExercised, "request-config naming the field", "no trigger configured", scenarios: "runs");
        Add("DK-RCF-02", RuleLevel.Must, "request-config", "request-config is signed over the config_request domain", "002 §5", Verdict.NotExercised, "valid signature", "no request-config was sent", scenarios: "runs");
        Add("DK-RCF-03", RuleLevel.Must, "request-config", "The run token is never used for request-config", "002 §5", Verdict.NotExercised, "no run token", "no request-config was sent", scenarios: "runs");
        Add("DK-RCF-04", RuleLevel.Should, "request-config", "After the buyer re-submits, the agent works again", "002 §5", Verdict.NotExercised, "closed loop", "no trigger configured", scenarios: "runs");

        // Operations
        Add("DK-OPS-01", RuleLevel.Should, "operations", "Listens on the port given in $PORT", "000 §3", Verdict.Pass, "listening on $PORT", "listening on 41234", scenarios: "deliveries");
        return list;
    }

    public static IReadOnlyList<ScenarioTimeline> Scenarios() =>
    [
        new("deliveries", "Valid and non-canonical buyer_configured deliveries", 0, 6_000,
        [
            new(120, 41, "platform→agent", "delivery", "buyer_configured sub_A1", 200),
            new(170, 30, "agent→platform", "config", "GET /config sub_A1", 200),
            new(1_130, 13, "platform→agent", "delivery", "non-canonical sub_A2", 401),
            new(3_000, 2_840, "platform→agent", "delivery", "buyer_configured sub_B1", 200),
            new(3_010, 2_790, "agent→platform", "config", "GET /config sub_B1", 200),
            new(3_050, 400, "agent→provider", "provider", "chat.completions", 200),
            new(5_500, 0, "harness", "check", HostileLabel, null),
        ]),
        new("bad signatures", "Truncated, empty, non-hex and prefixed signatures", 2_000, 2_400,
        [
            new(2_010, 8, "platform→agent", "delivery", "truncated", 401),
            new(2_050, 16, "platform→agent", "delivery", "non-hex", 500),
            new(2_090, 7, "platform→agent", "delivery", "empty", 401),
            new(2_130, 7, "platform→agent", "delivery", "sha256= prefix", 401),
            new(2_300, 38, "platform→agent", "delivery", "valid after bad", 200),
        ]),
        new("burst", "20 concurrent deliveries", 9_000, 19_500,
        [
            .. Enumerable.Range(0, 20).Select(i => new TimelineEvent(9_000 + i * 5, i >= 18 ? 10_000 : 300 + i * 40, "platform→agent", "delivery", $"sub_C{i}", i >= 18 ? null : 200)),
        ]),
        new("credentials", "Millisecond timestamps and key rotation", 4_000, 8_000,
        [
            new(4_100, 3, "agent→platform", "config", "GET /config (seconds ts)", 401),
            new(5_000, 200, "harness", "rotate", "rotate key", null),
            new(6_000, 350, "agent→provider", "provider", "old key rejected", 401),
            new(6_500, 380, "agent→provider", "provider", "new key", 200),
        ]),
        new("restart", "Restart the agent and watch the first credential use", 28_000, 41_000,
        [
            new(30_000, 10_000, "harness", "error", "restart failed: port still bound", null),
        ]),
        new("lifecycle", "Cancel one of two subscriptions", 38_000, 46_000,
        [
            new(39_000, 5, "agent→platform", "heartbeat", "heartbeat sub_E1", 200),
            new(39_500, 5, "harness", "cancel", "cancel sub_E1", null),
            new(40_000, 2, "agent→platform", "heartbeat", "heartbeat sub_E1", 403),
            new(40_100, 3, "agent→platform", "heartbeat", "heartbeat sub_E2", 200),
            new(41_000, 420, "agent→provider", "provider", "sub_E2 completion", 200),
            new(43_000, 0, "agent→platform", "run", "POST /run sub_E2", 429),
        ]),
        new("custody", "Canary search in output, files and requests", 46_000, 48_000, []),
    ];

    public static IReadOnlyDictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    public static TranscriptEntry Tx(long seq, string direction, string kind, string method, string url, int? status, double durationMs,
        IReadOnlyDictionary<string, string> requestHeaders, string requestBody, IReadOnlyDictionary<string, string> responseHeaders, string responseBody,
        double offsetMs, string? error = null, string? note = null) =>
        new(seq, Started.AddMilliseconds(offsetMs), offsetMs, direction, kind, kind == "restart" ? null : "sub_" + seq, method, url, status, durationMs,
            requestHeaders, requestBody, responseHeaders, responseBody, error, note);
}
