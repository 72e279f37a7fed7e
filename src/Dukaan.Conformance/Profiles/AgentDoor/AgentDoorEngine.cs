using System.Diagnostics;
using System.Text;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>
/// One AgentDoor receiver run: start the effects sink and the receiver, send every scenario's deliveries side by side,
/// wait once for the effects they should cause, judge every rule from the outcomes and the final effects, scan for the
/// secret, assemble results. Judging after one shared wait keeps a compliant run short and every verdict on the same
/// evidence.
/// </summary>
public static class AgentDoorEngine
{
    public static IReadOnlyList<ScenarioDoc> Scenarios { get; } =
    [
        new(NonCanonical, "A validly signed agent.registered whose body is not canonical JSON (indentation, keys out of order, \\u escapes beside raw UTF-8, an integer above 2^53, a trailing newline): 2xx and one effect.", ["AD-R-01"]),
        new(BadSignatures, "Three deliveries with no signature, one made with another secret, and one whose body had a character inside a string value changed after signing: 4xx and no effect for their ids.", ["AD-R-02"]),
        new(Malformed, "Signatures without the sha256= prefix, truncated to 63 hex digits, non-hex, 63 hex digits plus one raw 0xE9 byte, and empty: never 5xx (nor a dropped connection or no answer).", ["AD-R-03"]),
        new(EventTypes, "One fresh, validly signed event of each of the seed's eight types with its example data, an unknown type, and a known type with extra fields at the top level and in data: 2xx within 10 s.", ["AD-R-04", "AD-R-06"]),
        new(Redelivery, "An event, then the same bytes again once it was answered, as a retry sends them: both 2xx within 10 s and exactly one effect.", ["AD-R-04", "AD-R-05"]),
        new(Stale, "A validly signed event whose payload timestamp is 6 minutes old: refused or acknowledged, never 5xx, and no effect.", ["AD-R-07"]),
    ];

    public static IReadOnlyDictionary<string, string> WholeRunChecks { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AD-R-08"] = "After the scenarios, the receiver's stdout/stderr, every file it created or changed in its working directory, and every file in its fresh TMPDIR, HOME and XDG directories are scanned for the webhook secret (plain, base64, base64url, URL-encoded, hex); the evidence says how much was scanned, and a receiver that wrote nothing leaves the rule not-applicable.",
    };

    private const string NonCanonical = "non-canonical-body";
    private const string BadSignatures = "bad-signatures";
    private const string Malformed = "malformed-signatures";
    private const string EventTypes = "event-types";
    private const string Redelivery = "redelivery";
    private const string Stale = "stale-event";

    public static async Task<CertificationRun> RunAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var rules = AgentDoorRules.Catalog.Select(request.RulePatterns);
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var settings = request.Settings;
        // A canary: long and unique per run, so finding it anywhere proves a leak and redaction never mangles ordinary text.
        var secret = settings.WebhookSecret ?? "whsec_ad_" + SeedStream.Hex(settings.Seed, "webhook-secret", 0, 16);
        var secrets = new[] { secret };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunDeadline);

        // Declared before the sink so it is closed after the sink has stopped recording.
        using var transcript = RunTranscript.Create(settings);
        await using var sink = await EffectsSink.StartAsync(transcript, settings.SimulatorPort, deadline.Token);
        progress?.Report($"effects sink listening on {sink.Url}");
        var coordinates = new PeerCoordinates(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AGENTDOOR_WEBHOOK_SECRET"] = secret,
            ["AGENTDOOR_EFFECTS_URL"] = sink.Url.ToString(),
        });

        IAgentUnderTest agent;
        try
        {
            agent = await request.StartAgent(coordinates, deadline.Token);
        }
        catch (AgentStartException ex)
        {
            progress?.Report("the receiver did not start");
            return new(ResultsAssembler.AgentNeverStarted(request, rules, ex, secrets), secrets);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ResultsAssembler.AgentNeverStarted(request, rules, new AgentStartException($"The receiver did not start within the run deadline ({settings.RunDeadline.TotalSeconds:0} s)."), secrets), secrets);
        }
        catch (OperationCanceledException)
        {
            return new(ResultsAssembler.Interrupted(request, rules, "The run was interrupted (Ctrl+C or SIGTERM) while the receiver was starting; nothing was judged.", secrets), secrets);
        }

        deadline.CancelAfter(settings.RunDeadline);
        await using (agent)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            using var deliverer = new Deliverer(agent.WebhookUrl, transcript);
            var run = new ReceiverRun(deliverer, sink, secret, settings);
            var notes = new List<string>();
            var findings = new FindingSink();
            var scenarios = Scenarios.Where(s => s.Rules.Any(selected.Contains) || request.AlsoRuns(s.Name)).ToList();
            try
            {
                var sent = await Task.WhenAll(scenarios.Select(s => run.SendAsync(s.Name, deadline.Token)));
                var outcomes = sent.SelectMany(o => o).ToList();
                progress?.Report($"{outcomes.Count} deliveries answered in {clock.Elapsed.TotalSeconds:0.0} s; waiting for effects");
                // A crashed receiver ends the wait at once: nothing it was expected to do can happen any more.
                using var waits = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, agent.Gone);
                await run.WaitForEffectsAsync(outcomes, waits.Token);
                new Judge(run, outcomes, findings, agent).All();
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                notes.Add(cancellationToken.IsCancellationRequested
                    ? $"The run was interrupted (Ctrl+C or SIGTERM) at {clock.Elapsed.TotalSeconds:0.0} s; rules not judged by then are not-exercised."
                    : $"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached; rules not judged by then are not-exercised.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug of the harness must never read as the receiver's fault, nor crash the CLI without results.
                foreach (var rule in rules.Where(r => r.Id != "AD-R-08" && !findings.HasAny(r.Id)))
                    findings.Add(new(rule.Id, FindingOutcome.HarnessError, rule.Statement,
                        $"The harness failed while certifying: {ex.GetType().Name}: {ex.Message}. This is not the receiver's fault; please report it.", null, [], "harness"));
                progress?.Report($"harness error: {ex.Message}");
            }
            if (selected.Contains("AD-R-08")) ScanForSecret(agent, secret, findings, notes);
            if (agent.Gone.IsCancellationRequested && agent.GoneReason is { } gone) notes.Add($"The receiver exited during the run. {gone}");
            if (!sink.Snapshot().Any() && !cancellationToken.IsCancellationRequested)
                notes.Add($"The receiver never POSTed an effect to AGENTDOOR_EFFECTS_URL within the observation window ({settings.ObservationWindow.TotalSeconds:0} s), so whether it processed an event could not be seen: AD-R-05 and AD-R-07 are not-exercised, and AD-R-01 and AD-R-02 were judged on status codes alone.");
            notes.AddRange(agent.Notes);
            if (RunTranscript.Note(transcript, "receiver") is { } evicted) notes.Add(evicted);
            var redactor = new Redactor(secrets);
            var exchanges = transcript.Snapshot();
            var timelines = scenarios.Select(s => Timeline(s, run, exchanges, startedAt, redactor)).ToList();
            var results = ResultsAssembler.FromFindings(request, rules, findings, exchanges, timelines, notes, secrets, startedAt, (long)clock.Elapsed.TotalMilliseconds,
                interrupted: cancellationToken.IsCancellationRequested, scenarioOf: e => e.Tag(EffectsSink.EventIdTag) is { } id ? run.ScenarioOfEvent(id) : null);
            return new(results, secrets);
        }
    }

    private static void ScanForSecret(IAgentUnderTest agent, string secret, FindingSink findings, List<string> notes)
    {
        var statement = AgentDoorRules.Catalog.Get("AD-R-08").Statement;
        if (!agent.CanCaptureOutput && !agent.CanScanFiles)
        {
            findings.Add(new("AD-R-08", FindingOutcome.NotExercised, statement,
                "The harness neither started the receiver nor was given its log, so its output and files could not be scanned: give --agent-cmd (or --agent-log).", null, [], RerunCommands.WholeRun));
            return;
        }
        var scanner = new SecretScanner([secret]);
        var hits = new List<SecretHit>();
        var scanned = new List<ScanCount>();
        var looked = new List<string>();
        if (agent.CanCaptureOutput)
        {
            var output = agent.CapturedOutput();
            hits.AddRange(scanner.InText(output, "stdout/stderr"));
            scanned.Add(new(output.Length, "characters of stdout/stderr"));
            looked.Add($"{output.Length} characters of stdout/stderr");
        }
        if (agent.CanScanFiles)
        {
            var files = scanner.InFiles(agent.FilesToScan(), notes);
            hits.AddRange(files.Hits);
            scanned.Add(new(files.FilesRead, "files"));
            looked.Add($"{files.FilesRead} file(s) in {string.Join("; ", agent.FileScanPlaces)}");
        }
        var where = string.Join(" and ", looked);
        var (outcome, observed, diagnosis) =
            hits.Count > 0 ? (FindingOutcome.Violated, $"The webhook secret was found in {string.Join("; ", hits.Select(h => $"{h.Where} ({h.Form})").Distinct())}. Scanned: {where}.",
                "Never log or write AGENTDOOR_WEBHOOK_SECRET: not at startup, not in error messages, not in request dumps.")
            // An empty output and no file is no evidence the secret is kept: nothing was written to look in (decision 32).
            : scanned.All(c => c.Count == 0) ? (FindingOutcome.NotApplicable, $"The receiver wrote nothing the harness could scan: {where}.", (string?)null)
            : (FindingOutcome.Satisfied, $"The secret was not found in {where}.", null);
        findings.Add(new("AD-R-08", outcome, statement, observed, diagnosis, [], RerunCommands.WholeRun) { Scanned = scanned });
    }

    private static ScenarioTimeline Timeline(ScenarioDoc scenario, ReceiverRun run, IReadOnlyList<Exchange> exchanges, DateTimeOffset startedAt, Redactor redactor)
    {
        var ids = run.IdsOf(scenario.Name);
        var events = exchanges.Where(e => e.Tag(EffectsSink.EventIdTag) is { } id && ids.Contains(id))
            .Where(e => e.Kind != ExchangeKinds.Delivery || e.Tag(TagKeys.Diagnosis)?.StartsWith(scenario.Name + ":", StringComparison.Ordinal) == true)
            .Select(e => ResultsAssembler.TimelineMark(e, startedAt, redactor, e.Direction == Direction.PlatformToAgent ? "platform→agent" : "agent→platform"))
            .OrderBy(e => e.AtMs).ToList();
        var start = events.Count > 0 ? events.Min(e => e.AtMs) : 0;
        var end = events.Count > 0 ? events.Max(e => e.AtMs + e.DurationMs) : 0;
        return new ScenarioTimeline(scenario.Name, scenario.Description, start, end, events);
    }

    /// <summary>The deliveries of one run and the ids they used, so effects can be traced back to their scenario.</summary>
    private sealed class ReceiverRun(Deliverer deliverer, EffectsSink sink, string secret, RunSettings settings)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, HashSet<string>> _ids = new(StringComparer.Ordinal);
        private readonly long _epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private int _counter;

        public EffectsSink Sink => sink;
        public RunSettings Settings => settings;

        /// <summary>The scenario that sent the event with this id, or null.</summary>
        public string? ScenarioOfEvent(string eventId)
        {
            lock (_gate) return _ids.FirstOrDefault(p => p.Value.Contains(eventId)).Key;
        }

        public IReadOnlySet<string> IdsOf(string scenario)
        {
            lock (_gate) return _ids.TryGetValue(scenario, out var ids) ? [.. ids] : new HashSet<string>();
        }

        private string NewId(string scenario)
        {
            // The seed's id shape (evt_<unix>_<n>); unique within the run, so every effect names exactly one probe.
            var id = $"evt_{_epoch}_{Interlocked.Increment(ref _counter)}";
            lock (_gate)
            {
                if (!_ids.TryGetValue(scenario, out var ids)) _ids[scenario] = ids = new(StringComparer.Ordinal);
                ids.Add(id);
            }
            return id;
        }

        private Delivery Signed(string scenario, string probe, string type, string? data = null, DateTimeOffset? at = null)
        {
            var id = NewId(scenario);
            var timestamp = at ?? DateTimeOffset.UtcNow;
            var body = SeedEvents.Canonical(id, type, timestamp, data ?? SeedEvents.DataOf(type));
            return new Delivery(scenario, probe, id, type, timestamp, body, Deliverer.Sign(body, secret));
        }

        public async Task<IReadOnlyList<DeliveryOutcome>> SendAsync(string scenario, CancellationToken cancellationToken)
        {
            Task<DeliveryOutcome[]> All(IEnumerable<Delivery> deliveries) => Task.WhenAll(deliveries.Select(d => deliverer.SendAsync(d, cancellationToken)));
            switch (scenario)
            {
                case NonCanonical:
                {
                    var id = NewId(scenario);
                    var now = DateTimeOffset.UtcNow;
                    var body = SeedEvents.NonCanonical(id, now);
                    return await All([new Delivery(scenario, "non-canonical", id, "agent.registered", now, body, Deliverer.Sign(body, secret))]);
                }
                case BadSignatures:
                {
                    var missing = Signed(scenario, "missing", "agent.flagged") with { Signature = null };
                    var other = Signed(scenario, "wrong-secret", "agent.flagged");
                    other = other with { Signature = Deliverer.Sign(other.Body, "whsec_not_the_endpoint_secret_" + secret.Length) };
                    // A character inside a string value, never whitespace: a receiver that normalizes before verifying must not escape.
                    var signed = Signed(scenario, "tampered", "agent.flagged");
                    var text = Encoding.UTF8.GetString(signed.Body);
                    var tampered = signed with { Body = Encoding.UTF8.GetBytes(text.Replace("Low reputation score", "Low reputation scorf", StringComparison.Ordinal)) };
                    return await All([missing, other, tampered]);
                }
                case Malformed:
                {
                    Delivery With(string probe, Func<string, string> malform)
                    {
                        var d = Signed(scenario, probe, "agent.authenticated");
                        return d with { Signature = malform(d.Signature!) };
                    }
                    return await All([
                        With("no-prefix", s => s["sha256=".Length..]),
                        With("truncated", s => s[..^1]),
                        With("non-hex", s => "sha256=" + new string('z', 64)),
                        // Sent as one raw byte through the Latin-1 header encoding: 64 bytes after the prefix, like a real signature.
                        With("non-ascii", s => s[..^1] + "\u00e9"),
                        With("empty", _ => ""),
                    ]);
                }
                case EventTypes:
                {
                    var deliveries = SeedEvents.All.Select(e => Signed(scenario, e.Type, e.Type)).ToList();
                    deliveries.Add(Signed(scenario, "unknown-type", SeedEvents.UnknownType, """{"agent_id":"ag_abc123","until":"2026-12-31"}"""));
                    var extraId = NewId(scenario);
                    var now = DateTimeOffset.UtcNow;
                    var extra = SeedEvents.Canonical(extraId, "agent.authenticated", now,
                        """{"agent_id":"ag_abc123","method":"jwt","ip":"203.0.113.42","session":{"ttl_s":3600,"tags":["a","b"]}}""",
                        p => { p["api_version"] = "2026-01"; p["delivery"] = new System.Text.Json.Nodes.JsonObject { ["attempt"] = 1 }; });
                    deliveries.Add(new Delivery(scenario, "extra-fields", extraId, "agent.authenticated", now, extra, Deliverer.Sign(extra, secret)));
                    return await All(deliveries);
                }
                case Redelivery:
                {
                    var first = Signed(scenario, "original", "agent.payment_failed");
                    var once = await deliverer.SendAsync(first, cancellationToken);
                    var again = await deliverer.SendAsync(first with { Probe = "redelivery" }, cancellationToken);
                    return [once, again];
                }
                case Stale:
                    return await All([Signed(scenario, "stale", "agent.rate_limited", at: DateTimeOffset.UtcNow - TimeSpan.FromMinutes(6))]);
                default:
                    throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
            }
        }

        /// <summary>Fresh, validly signed events the receiver accepted (or did not refuse in time) should each cause an effect.</summary>
        public static bool ShouldCauseEffect(DeliveryOutcome o) =>
            o.Delivery.Probe is not ("stale" or "missing" or "wrong-secret" or "tampered") && o.Delivery.Scenario != Malformed && (o.Is2xx || o.TimedOut);

        /// <summary>
        /// Until every expected effect arrived or the observation window passed, and always one quiet window, so an
        /// effect the receiver should not cause (a refused probe, a duplicate) has time to show.
        /// </summary>
        public async Task WaitForEffectsAsync(IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken)
        {
            var expected = outcomes.Where(ShouldCauseEffect).Select(o => o.Delivery.EventId).ToHashSet(StringComparer.Ordinal);
            var window = Stopwatch.StartNew();
            var quiet = Task.Delay(settings.QuietWindow, cancellationToken);
            try
            {
                while (window.Elapsed < settings.ObservationWindow)
                {
                    var seen = sink.Count;
                    var have = sink.Snapshot().Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
                    if (expected.All(have.Contains)) break;
                    using var slice = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    slice.CancelAfter(settings.ObservationWindow - window.Elapsed);
                    try { await sink.ChangedSinceAsync(seen, slice.Token); }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { break; }
                }
                await quiet;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The receiver exited or the deadline came: judge on what was seen.
            }
        }
    }

    /// <summary>Every rule judged from the delivery outcomes and the effects the sink holds once the waits are over.</summary>
    private sealed class Judge(ReceiverRun run, IReadOnlyList<DeliveryOutcome> outcomes, FindingSink findings, IAgentUnderTest agent)
    {
        private readonly IReadOnlyList<Effect> _effects = run.Sink.Snapshot();

        // A receiver that never POSTs an effect cannot show what it processed; status codes are all there is then.
        private bool EffectsWork => _effects.Count > 0;

        private int EffectsOf(DeliveryOutcome o) => _effects.Count(e => e.EventId == o.Delivery.EventId);

        private IEnumerable<long> Evidence(IEnumerable<DeliveryOutcome> those) =>
            those.Select(o => o.Seq).Concat(_effects.Where(e => those.Any(o => o.Delivery.EventId == e.EventId)).Select(e => e.Seq)).Distinct();

        private IReadOnlyList<DeliveryOutcome> Of(string scenario, string? probe = null) =>
            [.. outcomes.Where(o => o.Delivery.Scenario == scenario && (probe is null || o.Delivery.Probe == probe))];

        private void Add(string rule, FindingOutcome outcome, string observed, string? diagnosis, IEnumerable<DeliveryOutcome> evidence, string scenario) =>
            findings.Add(new(rule, outcome, AgentDoorRules.Catalog.Get(rule).Statement, observed, diagnosis, [.. Evidence(evidence)], scenario));

        /// <summary>A receiver that already exited cannot be judged on a later delivery it never saw.</summary>
        private bool LostToExit(DeliveryOutcome o) => o.Status is null && !o.TimedOut && agent.Gone.IsCancellationRequested;

        private string Gone => $"The receiver had exited, so this could not be judged. {agent.GoneReason}";

        public void All()
        {
            NonCanonicalBody();
            BadSignatureProbes();
            MalformedSignatures();
            Acknowledgements();
            Duplicate();
            StaleEvent();
        }

        private void NonCanonicalBody()
        {
            if (Of(NonCanonical) is not [var o]) return;
            if (LostToExit(o)) { Add("AD-R-01", FindingOutcome.NotExercised, Gone, null, [o], NonCanonical); return; }
            if (o.Is2xx && (EffectsOf(o) > 0 || !EffectsWork))
            {
                Add("AD-R-01", FindingOutcome.Satisfied, $"The validly signed non-canonical body got {o.Describe()}" +
                    (EffectsWork ? " and was processed (one effect)." : "; the receiver posts no effects, so processing was not seen."), null, [o], NonCanonical);
                return;
            }
            var canonicalAccepted = Of(EventTypes).Any(c => c.Is2xx);
            var observed = o.Is2xx
                ? $"The validly signed non-canonical body got {o.Describe()} but was never processed: no effect for {o.Delivery.EventId} within the observation window."
                : $"The validly signed non-canonical body got {o.Describe()}.";
            var diagnosis = o.Is4xx && canonicalAccepted
                ? "Compact, canonical events signed the same way were accepted, so the receiver most likely verifies over re-serialized JSON (JSON.stringify(JSON.parse(raw)) / json.dumps(json.loads(raw))) instead of the raw body bytes. Compute the HMAC over the bytes exactly as received, before parsing."
                : o.TimedOut ? "Answer within 10 s (the emitter's timeoutMs): acknowledge first, process afterwards." : null;
            Add("AD-R-01", FindingOutcome.Violated, observed, diagnosis, [o], NonCanonical);
        }

        private void BadSignatureProbes()
        {
            var probes = Of(BadSignatures);
            if (probes.Count == 0) return;
            var wrong = new List<string>();
            foreach (var o in probes)
            {
                if (LostToExit(o)) continue;
                var effects = EffectsOf(o);
                if (!o.Is4xx) wrong.Add($"the {o.Delivery.Probe} probe got {o.Describe()}{(o.Is5xx ? " (a crash is not a rejection)" : "")}");
                else if (effects > 0) wrong.Add($"the {o.Delivery.Probe} probe got {o.Status} but was processed anyway ({effects} effect(s))");
            }
            var answered = probes.Where(o => !LostToExit(o)).ToList();
            if (answered.Count == 0) { Add("AD-R-02", FindingOutcome.NotExercised, Gone, null, probes, BadSignatures); return; }
            var summary = string.Join("; ", answered.Select(o => $"{o.Delivery.Probe}: {o.Describe()}"));
            if (wrong.Count == 0)
                Add("AD-R-02", FindingOutcome.Satisfied, $"Every bad signature was refused with no effect ({summary}).", null, answered, BadSignatures);
            else
                Add("AD-R-02", FindingOutcome.Violated, string.Join("; ", wrong) + ".",
                    wrong.Any(w => w.Contains("missing", StringComparison.Ordinal))
                        ? "A delivery without X-AgentDoor-Signature was accepted: the receiver has a secret, so it must require a signature."
                        : wrong.Any(w => w.Contains("wrong-secret", StringComparison.Ordinal) || w.Contains("tampered", StringComparison.Ordinal))
                            ? "A well-formed signature that does not match the body was accepted: compare the HMAC of the raw body with the header in constant time (crypto.timingSafeEqual / hmac.compare_digest), not just its length or shape."
                            : null,
                    answered, BadSignatures);
        }

        private void MalformedSignatures()
        {
            var probes = Of(Malformed);
            if (probes.Count == 0) return;
            var bad = probes.Where(o => o.Is5xx || o.Status is null).ToList();
            var summary = string.Join("; ", probes.Select(o => $"{o.Delivery.Probe}: {o.Describe()}"));
            if (bad.Count == 0)
                Add("AD-R-03", FindingOutcome.Satisfied, $"No malformed signature caused a 5xx ({summary}).", null, probes, Malformed);
            else
                Add("AD-R-03", FindingOutcome.Violated, $"Malformed signatures were not refused cleanly: {string.Join("; ", bad.Select(o => $"{o.Delivery.Probe}: {o.Describe()}"))}.",
                    "Check the header's shape (sha256= followed by 64 hex digits) before comparing: crypto.timingSafeEqual throws on buffers of different lengths and hmac.compare_digest on non-ASCII strings. Answer 401 to anything malformed.",
                    bad, Malformed);
        }

        private void Acknowledgements()
        {
            // AD-R-04 is timed on the seed's own types and the duplicate pair; unknown types and extra fields are AD-R-06's alone.
            var seedTypes = SeedEvents.All.Select(e => e.Type).ToHashSet(StringComparer.Ordinal);
            var timed = Of(EventTypes).Where(o => seedTypes.Contains(o.Delivery.Probe)).Concat(Of(Redelivery)).ToList();
            Judge2xx("AD-R-04", timed, timed.Count == 0 ? null : timed.Any(o => o.Delivery.Scenario == Redelivery) ? Redelivery : EventTypes,
                "Answer 2xx at once and process afterwards: the emitter abandons an attempt after 10 s and retries it.");
            var all = Of(EventTypes);
            Judge2xx("AD-R-06", all, EventTypes,
                "Acknowledge every validly signed event with 2xx, including types the receiver does not handle and payloads with fields it does not know: new types and fields may appear.");
        }

        private void Judge2xx(string rule, IReadOnlyList<DeliveryOutcome> those, string? scenario, string advice)
        {
            if (those.Count == 0 || scenario is null) return;
            var answered = those.Where(o => !LostToExit(o)).ToList();
            if (answered.Count == 0) { Add(rule, FindingOutcome.NotExercised, Gone, null, those, scenario); return; }
            var bad = answered.Where(o => !o.Is2xx).ToList();
            var slowest = answered.Max(o => o.DurationMs);
            if (bad.Count == 0)
                Add(rule, FindingOutcome.Satisfied, $"All {answered.Count} deliveries got 2xx within 10 s (slowest {slowest:0} ms).", null, answered, scenario);
            else
                Add(rule, FindingOutcome.Violated, string.Join("; ", bad.Select(o => $"{o.Delivery.Probe} got {o.Describe()}")) + ".", advice, bad, scenario);
        }

        private void Duplicate()
        {
            var pair = Of(Redelivery);
            if (pair.Count != 2) return;
            if (pair.Any(LostToExit)) { Add("AD-R-05", FindingOutcome.NotExercised, Gone, null, pair, Redelivery); return; }
            var effects = EffectsOf(pair[0]);
            var answers = $"the original got {pair[0].Describe()}, the redelivery {pair[1].Describe()}";
            if (pair.Any(o => !o.Is2xx))
                Add("AD-R-05", FindingOutcome.Violated, $"Not both acknowledged: {answers}.", "A retry carries the same id: answer it 2xx (it was already processed), or the emitter keeps retrying.", pair, Redelivery);
            else if (effects == 1)
                Add("AD-R-05", FindingOutcome.Satisfied, $"Both got 2xx ({answers}) and the event was processed once.", null, pair, Redelivery);
            else if (effects > 1)
                Add("AD-R-05", FindingOutcome.Violated, $"Both got 2xx ({answers}) but the event was processed {effects} times.", "Remember processed event ids (the payload's id) and skip an id already processed.", pair, Redelivery);
            else if (!EffectsWork)
                Add("AD-R-05", FindingOutcome.NotExercised, $"Both got 2xx ({answers}), but the receiver posted no effect for any valid event within the observation window, so how often it processed the event cannot be seen. Give the receiver's test mode AGENTDOOR_EFFECTS_URL support.", null, pair, Redelivery);
            else
                Add("AD-R-05", FindingOutcome.Violated, $"Both got 2xx ({answers}) but the event was never processed: no effect for {pair[0].Delivery.EventId}.", null, pair, Redelivery);
        }

        private void StaleEvent()
        {
            if (Of(Stale) is not [var o]) return;
            if (LostToExit(o)) { Add("AD-R-07", FindingOutcome.NotExercised, Gone, null, [o], Stale); return; }
            var effects = EffectsOf(o);
            if (effects > 0)
                Add("AD-R-07", FindingOutcome.Violated, $"The 6-minute-old event got {o.Describe()} and was processed ({effects} effect(s)).",
                    "Compare the signed payload's timestamp with now and ignore (or refuse) events older than 5 minutes: a captured delivery can otherwise be replayed.", [o], Stale);
            else if (o.Is5xx || (o.Status is null && !o.TimedOut))
                Add("AD-R-07", FindingOutcome.Violated, $"The 6-minute-old event got {o.Describe()}: refusing is fine, crashing is not.", null, [o], Stale);
            else if (o.Is4xx)
                Add("AD-R-07", FindingOutcome.Satisfied, $"The 6-minute-old event was refused ({o.Describe()}).", null, [o], Stale);
            else if (!EffectsWork)
                Add("AD-R-07", FindingOutcome.NotExercised, $"The 6-minute-old event got {o.Describe()}, but the receiver posted no effect for any valid event, so whether it was ignored cannot be seen.", null, [o], Stale);
            else
                Add("AD-R-07", FindingOutcome.Satisfied, $"The 6-minute-old event got {o.Describe()} and was not processed (no effect).", null, [o], Stale);
        }
    }
}
