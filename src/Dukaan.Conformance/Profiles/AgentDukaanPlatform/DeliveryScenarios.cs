using System.Globalization;
using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>PL-DLV-01: the three headers, and a signature that is the HMAC of the bytes the receiver got.</summary>
internal static class DeliveryHeaders
{
    public static void Judge(PlatformRun run, string scenario, IReadOnlyList<Hit> all)
    {
        var hits = all.Where(h => h.BodyComplete).ToList();
        if (hits.Count == 0)
        {
            run.Report(scenario, "PL-DLV-01", FindingOutcome.NotExercised, all.Count == 0 ? "No delivery reached the receiver." : "The platform hung up on every attempt before its body had arrived.", all.Select(h => h.Seq));
            return;
        }
        var problems = new List<string>();
        foreach (var hit in hits)
        {
            var contentType = hit.Headers.GetValueOrDefault("Content-Type");
            if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                problems.Add($"attempt {hit.Number}: Content-Type is {(contentType is null ? "missing" : $"'{contentType}'")}, not application/json");
            var eventType = hit.Headers.GetValueOrDefault(Headers.Event);
            if (string.IsNullOrWhiteSpace(eventType))
                problems.Add($"attempt {hit.Number}: no {Headers.Event} header");
            else if (eventType.Trim() != EventTypes.BuyerConfigured)
                problems.Add($"attempt {hit.Number}: {Headers.Event} is '{eventType}', not {EventTypes.BuyerConfigured}");
            var signature = hit.Headers.GetValueOrDefault(Headers.Signature);
            if (string.IsNullOrWhiteSpace(signature))
                problems.Add($"attempt {hit.Number}: no {Headers.Signature} header");
            else if (!Hmac.FixedTimeEqualsHex(BodySignature.Sign(run.Caller.Secret, hit.Body), signature.Trim().ToLowerInvariant()))
                problems.Add($"attempt {hit.Number}: {Headers.Signature} {signature} is not the HMAC-SHA256 of the {hit.Body.Length} bytes received ({BodySignature.Sign(run.Caller.Secret, hit.Body)})"
                    + (Reserialized(run.Caller.Secret, hit.Body, signature) ? "; it matches the same JSON serialized compactly, so the platform signed one serialization and sent another" : ""));
        }
        run.Judge(scenario, "PL-DLV-01", problems, $"{hits.Count} attempt(s) carried Content-Type: application/json, {Headers.Event}: {EventTypes.BuyerConfigured}, and a {Headers.Signature} equal to the HMAC of the exact bytes received.",
            hits.Select(h => h.Seq), "Send X-AgentDukaan-Event: buyer_configured (the event's name as the body spells it), and sign the exact bytes you put on the wire, after serializing once; never re-serialize between signing and sending.");
    }

    private static bool Reserialized(string secret, byte[] body, string signature)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var compact = JsonSerializer.SerializeToUtf8Bytes(document.RootElement, ContractJson.Options);
            return Hmac.FixedTimeEqualsHex(BodySignature.Sign(secret, compact), signature.Trim().ToLowerInvariant());
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>What the platform itself saw of a delivery, from the adapter's deliver answer.</summary>
internal static class PlatformView
{
    /// <summary>
    /// The number of the first attempt the platform reports as answered 2xx; null when the adapter does not say. A 200 the
    /// receiver wrote after the platform had already given up on the attempt is not a 2xx the platform received.
    /// </summary>
    public static int? FirstSuccess(JsonElement deliverAnswer)
    {
        if (!deliverAnswer.TryGetProperty("attempts", out var attempts) || attempts.ValueKind != JsonValueKind.Array) return null;
        var number = 0;
        foreach (var attempt in attempts.EnumerateArray())
        {
            number++;
            if (attempt.TryGetProperty("status", out var status) && status.TryGetInt32(out var code) && code is >= 200 and < 300)
                return attempt.TryGetProperty("number", out var n) && n.TryGetInt32(out var declared) ? declared : number;
        }
        return int.MaxValue;
    }

    /// <summary>Attempts that arrived after the one the platform saw succeed (by the receiver's own count when the adapter does not say).</summary>
    public static IReadOnlyList<Hit> AfterSuccess(JsonElement deliverAnswer, IReadOnlyList<Hit> hits)
    {
        var first = FirstSuccess(deliverAnswer) ?? hits.FirstOrDefault(h => h.Answered is >= 200 and < 300)?.Number ?? int.MaxValue;
        return [.. hits.Where(h => h.Number > first)];
    }
}

/// <summary>
/// A delivery answered 200 at once: its headers and signature (PL-DLV-01), its body against what /config returns
/// (PL-DLV-02), and nothing sent after the 2xx (PL-DLV-05).
/// </summary>
public sealed class DeliveryShapeScenario : PlatformScenario
{
    public override string Name => "delivery-shape";
    public override string Description => "The platform delivers buyer_configured to a receiver that answers 200 at once; the receiver checks the headers (the event's value too) and recomputes the HMAC over the raw bytes; every field of the body is compared with the subscription the adapter created, body and headers are searched for each sensitive value /config returns in every encoding (plain, base64 at each of its 3 offsets, base64url, hex, URL- and JSON-escaped), and the receiver watches for anything sent after the 2xx.";
    public override IReadOnlyList<string> Rules => ["PL-DLV-01", "PL-DLV-02", "PL-DLV-05"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, slot) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var answer = await run.Control.DeliverAsync(Name, id, retry: true, cancellationToken);
        await DeliveryWatch.EndedAsync(run, slot, 1, DeliveryWatch.Finished(answer) ? Quiet : DeliveryWatch.FirstWithin, cancellationToken);
        // Nothing may follow the 2xx: watch as long as a first retry would take.
        await Task.Delay(run.RealTime(Quiet), cancellationToken);
        var hits = slot.Hits;
        DeliveryHeaders.Judge(run, Name, hits);
        if (hits.Count == 0)
        {
            run.Report(Name, "PL-DLV-02", FindingOutcome.NotExercised, "No delivery reached the receiver.");
            return;
        }
        var afterOk = PlatformView.AfterSuccess(answer, hits);
        run.Judge(Name, "PL-DLV-05", afterOk.Count == 0 ? [] : [$"{afterOk.Count} more attempt(s) arrived after attempt {PlatformView.FirstSuccess(answer)} was answered 200 (as the platform itself reports)."],
            $"One attempt, answered 200; nothing else arrived in the {Quiet.TotalSeconds:0} s (platform time) that followed.", hits.Select(h => h.Seq),
            "A 2xx ends the delivery: stop the retry loop on the first 2xx.");
        if (hits.FirstOrDefault(h => h.BodyComplete) is { } complete) await JudgeBodyAsync(run, id, complete, cancellationToken);
        else run.Report(Name, "PL-DLV-02", FindingOutcome.NotExercised, "The platform hung up on every attempt before its body had arrived.", hits.Select(h => h.Seq));
    }

    /// <summary>Long enough for a retry the platform should not send: its first backoff, with room to spare.</summary>
    internal static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private async Task JudgeBodyAsync(PlatformRun run, string id, Hit hit, CancellationToken cancellationToken)
    {
        var config = await run.Caller.SendAsync(Name, "config", id, HttpMethod.Get, PlatformCaller.ConfigPath(id), run.Caller.RunToken(id), null, cancellationToken);
        var values = ConfigValues(config);
        if (values is null)
        {
            run.Report(Name, "PL-DLV-02", FindingOutcome.NotExercised, $"/config did not return the config to compare with: {PlatformCaller.Describe(config)}.", [hit.Seq, config.Seq]);
            return;
        }
        var view = await run.Control.GetSubscriptionAsync(Name, id, cancellationToken);
        var problems = new List<string>();
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(hit.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            run.Report(Name, "PL-DLV-02", FindingOutcome.Violated, $"The delivery body is not JSON: {ex.Message}", [hit.Seq]);
            return;
        }
        problems.AddRange(DeliveryBody.Problems(body, id, view, DateTimeOffset.UtcNow));
        // The sensitive fields are the ones the body declares and the ones the platform's own view calls sensitive; their
        // values are what /config returns and what the adapter's view holds, in case one of them masks.
        var declared = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("sensitiveFields", out var sf) && sf.ValueKind == JsonValueKind.Array
            ? sf.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!) : [];
        var viewed = SubscriptionView.Sensitive(view);
        var sensitive = declared.Concat(viewed.Keys).ToHashSet(StringComparer.Ordinal);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in sensitive.Order(StringComparer.Ordinal))
            foreach (var value in new[] { values.GetValueOrDefault(field), viewed.GetValueOrDefault(field) })
                if (value is not null) secrets.TryAdd(value, field);
        // One scanner for every profile: plain, base64 (at any offset of a larger encoded blob), base64url, hex, URL and JSON escapes.
        var scanner = new SecretScanner(secrets.Keys);
        var leaks = scanner.InText(Encoding.UTF8.GetString(hit.Body), "the body")
            .Concat(hit.Headers.SelectMany(h => scanner.InText(h.Value, $"the {h.Key} header")));
        foreach (var leak in leaks.DistinctBy(l => (l.Secret, l.Where)))
            problems.Add($"{leak.Where} carries the value of sensitive field '{secrets[leak.Secret]}' that /config returns ({leak.Form})");
        var scanned = SecretScanner.Canaries(secrets.Keys).Count;
        if (sensitive.Count == 0) problems.Add("neither the body nor the adapter names a sensitive field, so nothing could be compared");
        var unviewed = DeliveryBody.MissingFromView(view);
        if (problems.Count == 0 && unviewed.Count > 0)
        {
            run.Report(Name, "PL-DLV-02", FindingOutcome.NotExercised,
                $"The adapter's subscription view has no {string.Join(", ", unviewed)}, so the body could not be compared with the subscription (docs/platform-adapter.md lists the view's fields); no sensitive value was found in it.",
                [hit.Seq, config.Seq]);
            return;
        }
        run.Judge(Name, "PL-DLV-02", problems,
            $"Every field of the body (event, subscriptionId, buyerId, listingId, tier, config, sensitiveFields {string.Join(", ", sensitive.Order(StringComparer.Ordinal))}, a credentialsUrl naming the subscription's /config, ts) describes the subscription the adapter created, and neither body nor headers carry any of the {scanned} sensitive value(s) /config returns, in plain, base64 (any offset), base64url, hex, URL- or JSON-escaped form.",
            [hit.Seq, config.Seq], "Deliveries are a pull model: send the subscription's own ids, tier and non-sensitive config, sensitiveFields ids and a credentialsUrl for its /config; never a sensitive value, in any encoding (base64 hides nothing).");
    }

    internal static Dictionary<string, string>? ConfigValues(Simulator.Exchange config)
    {
        if (config.Status is not (>= 200 and < 300) || PlatformCaller.Json(config) is not { ValueKind: JsonValueKind.Object } json) return null;
        if (!json.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("config", out var cfg) || cfg.ValueKind != JsonValueKind.Object)
            return null;
        return cfg.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
    }
}

/// <summary>PL-DLV-05: a 500 then a 200; the retry must be the same bytes and signature, and nothing may follow the 200.</summary>
public sealed class DeliveryRetryScenario : PlatformScenario
{
    public override string Name => "delivery-retry";
    public override string Description => "The receiver answers the first attempt 500 and the second 200: the retry must carry the same bytes and signature, and nothing may arrive after the 200.";
    public override IReadOnlyList<string> Rules => ["PL-DLV-01", "PL-DLV-05"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, slot) = run.Receiver.Slot(Name, Reply.Fail, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var answer = await run.Control.DeliverAsync(Name, id, retry: true, cancellationToken);
        await DeliveryWatch.FollowAsync(run, slot, DeliveryWatch.Finished(answer), stopAfter: 2, cancellationToken);
        await Task.Delay(run.RealTime(DeliveryShapeScenario.Quiet), cancellationToken);
        var hits = slot.Hits;
        DeliveryHeaders.Judge(run, Name, hits);
        if (hits.Count < 2)
        {
            run.Report(Name, "PL-DLV-05", FindingOutcome.NotExercised, $"The first attempt was answered 500 and {(hits.Count == 0 ? "nothing arrived at all" : "no retry followed")}, so there is no retry to compare.", hits.Select(h => h.Seq));
            return;
        }
        var problems = new List<string>();
        var (first, retry) = (hits[0], hits[1]);
        if (!first.BodyComplete || !retry.BodyComplete)
        {
            run.Report(Name, "PL-DLV-05", FindingOutcome.NotExercised, "The platform hung up before a whole body had arrived, so the attempts' bytes cannot be compared.", hits.Select(h => h.Seq));
            return;
        }
        if (!first.Body.AsSpan().SequenceEqual(retry.Body))
            problems.Add($"the retry's body ({retry.Body.Length} bytes) differs from the first attempt's ({first.Body.Length} bytes)");
        if (first.Headers.GetValueOrDefault(Headers.Signature) != retry.Headers.GetValueOrDefault(Headers.Signature))
            problems.Add($"the retry's {Headers.Signature} differs from the first attempt's");
        if (PlatformView.AfterSuccess(answer, hits) is { Count: > 0 } extra) problems.Add($"{extra.Count} more attempt(s) arrived after the platform had its 200");
        run.Judge(Name, "PL-DLV-05", problems, "The retry carried the same bytes and signature as the first attempt, and nothing arrived after its 200.",
            hits.Select(h => h.Seq), "Keep the signed bytes of a delivery and resend them unchanged; stop at the first 2xx.");
    }
}

/// <summary>
/// PL-DLV-03: answers at 8 s and 9.9 s must succeed; an attempt with no answer, one whose headers trickle in past 10 s, and
/// one answered at 10.5 s must all be abandoned (or at least not counted: the late one must be retried).
/// </summary>
public sealed class DeliveryTimeoutScenario : PlatformScenario
{
    internal static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(8);
    internal static readonly TimeSpan EdgeAnswer = TimeSpan.FromSeconds(9.9);
    internal static readonly TimeSpan LateAnswer = TimeSpan.FromSeconds(10.5);
    internal static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);
    /// <summary>The "never" receiver answers after all, this late, so a platform that never gives up cannot hold the run.</summary>
    internal static readonly TimeSpan GiveUpAt = TimeSpan.FromSeconds(13);
    /// <summary>The dripping receiver's headers are whole only this late: past the budget and its tolerance.</summary>
    internal static readonly TimeSpan DripUntil = TimeSpan.FromSeconds(14);

    public override string Name => "delivery-timeouts";
    public override string Description => "Single-attempt deliveries side by side: receivers answering 200 after 8 s and after 9.9 s must count as delivered; one that does not answer (it would only after 13 s) and one that sends its status line at once but a header byte a second until 14 s must both be abandoned within 10 s + 1 s tolerance. A fifth, allowed to retry, answers its first attempt at 10.5 s: that answer must not count, so a retry must follow. Times are in platform time.";
    public override IReadOnlyList<string> Rules => ["PL-DLV-03"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (slowUrl, slow) = run.Receiver.Slot(Name, new Reply(200, SlowAnswer));
        var (edgeUrl, edge) = run.Receiver.Slot(Name, new Reply(200, EdgeAnswer));
        var (hangUrl, hang) = run.Receiver.Slot(Name, new Reply(200, GiveUpAt));
        var (dripUrl, drip) = run.Receiver.Slot(Name, Reply.Dripping(DripUntil));
        var (lateUrl, late) = run.Receiver.Slot(Name, new Reply(200, LateAnswer), Reply.Ok);
        var ids = new List<string>();
        foreach (var url in new[] { slowUrl, edgeUrl, hangUrl, dripUrl, lateUrl }) ids.Add(await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken));
        var answers = await Task.WhenAll(ids.Select((id, i) => run.Control.DeliverAsync(Name, id, retry: i == 4, cancellationToken)));
        var finished = answers.All(DeliveryWatch.Finished);
        var first = finished ? DeliveryShapeScenario.Quiet : DeliveryWatch.FirstWithin;
        var all = await Task.WhenAll(new[] { slow, edge, hang, drip, late }.Select(slot => DeliveryWatch.EndedAsync(run, slot, 1, first, cancellationToken)));
        var lateHits = all[4];
        // The late answer must not count: a retry follows it, on the platform's schedule.
        if (lateHits.Count == 1) lateHits = await DeliveryWatch.EndedAsync(run, late, 2, DeliveryWatch.NextWait(run, lateHits, finished), cancellationToken);
        if (all.Any(h => h.Count == 0))
        {
            run.Report(Name, "PL-DLV-03", FindingOutcome.NotExercised, "A delivery the harness asked for never reached the receiver.", all.SelectMany(h => h).Select(h => h.Seq));
            return;
        }
        var problems = new List<string>();
        var notes = new List<string>();
        var (s, e, h, d, l) = (all[0][0], all[1][0], all[2][0], all[3][0], lateHits[0]);
        // On a loaded machine every timer fires late, the platform's as well as the receiver's: the tolerance grows by as much
        // as the receiver's own scheduled answers came late in this run (decision 23), and the report says so.
        var lateness = Lateness(run, (s, SlowAnswer), (e, EdgeAnswer), (h, GiveUpAt), (l, LateAnswer));
        if (lateness > 0.05) notes.Add($"the receiver's own timers ran up to {lateness:0.00} s late in this run, so the tolerances below grew by that much");
        var budget = Budget + Tolerance + TimeSpan.FromSeconds(lateness);
        var slowTook = At(run, s);
        if (s.AbortedByPlatform || s.Answered != 200)
            problems.Add($"the attempt the receiver answers after {SlowAnswer.TotalSeconds:0} s was abandoned by the platform after {slowTook:0.0} s");
        else if (answers[0].TryGetProperty("delivered", out var delivered) && delivered.ValueKind == JsonValueKind.False)
            problems.Add($"the attempt answered 200 after {slowTook:0.0} s was reported as not delivered by the adapter");
        var edgeTook = At(run, e);
        // The platform's timer started before the request reached the receiver (connect, send), and the receiver's own timer
        // can fire late: a hang-up this close to 9.9 s may be the harness's lateness, not a short budget (decision 23).
        var edgeSlack = run.PlatformTime(DeliveryBackoffScenario.RealJitter).TotalSeconds;
        if (e.AbortedByPlatform && edgeTook < EdgeAnswer.TotalSeconds - edgeSlack)
            problems.Add($"the attempt the receiver answers after {EdgeAnswer.TotalSeconds:0.0} s was abandoned by the platform after {edgeTook:0.0} s, inside the 10 s budget");
        else if (e.AbortedByPlatform)
            notes.Add($"the platform hung up on the {EdgeAnswer.TotalSeconds:0.0} s receiver at {edgeTook:0.00} s, before the receiver's own late timer answered; within {edgeSlack:0.00} s of it, that is the harness's timing, not a short budget");
        var hangTook = At(run, h);
        if (!h.AbortedByPlatform)
            problems.Add($"the attempt that got no answer was still open after {hangTook:0.0} s (the receiver answered it then); it must be abandoned by {budget.TotalSeconds:0} s");
        else if (hangTook > budget.TotalSeconds)
            problems.Add($"the attempt that got no answer was abandoned only after {hangTook:0.0} s, later than {Budget.TotalSeconds:0} s + {Tolerance.TotalSeconds:0} s{Plus(lateness)}");
        var dripTook = At(run, d);
        if (!d.AbortedByPlatform)
            problems.Add($"the attempt whose status line came at once but whose headers trickled in a byte a second was still open after {dripTook:0.0} s (its 200 counted); " +
                "the 10 s budget is for the whole attempt, not for each socket read");
        else if (dripTook > budget.TotalSeconds)
            problems.Add($"the attempt whose headers trickled in was abandoned only after {dripTook:0.0} s, later than {Budget.TotalSeconds:0} s + {Tolerance.TotalSeconds:0} s{Plus(lateness)}");
        var lateTook = At(run, l);
        if (l.Succeeded && lateHits.Count < 2 && (LateAnswer - Budget).TotalSeconds > lateness)
            problems.Add($"the first attempt answered 200 after {lateTook:0.0} s, past the 10 s budget, was counted as delivered: no retry followed");
        else if (l.Succeeded && lateHits.Count < 2)
            notes.Add($"the platform took the 200 sent after {lateTook:0.0} s without a retry, but with the harness's timers {lateness:0.00} s late that cannot be told from a 10 s budget whose timer fired late");
        else if (l.AbortedByPlatform && lateTook > budget.TotalSeconds)
            problems.Add($"the attempt answered after {LateAnswer.TotalSeconds:0.0} s was abandoned only after {lateTook:0.0} s, later than {Budget.TotalSeconds:0} s + {Tolerance.TotalSeconds:0} s{Plus(lateness)}");
        var edgeSaid = e.AbortedByPlatform ? $"the {EdgeAnswer.TotalSeconds:0.0} s one was abandoned at {edgeTook:0.00} s (see below)" : $"the {EdgeAnswer.TotalSeconds:0.0} s one was delivered";
        run.Judge(Name, "PL-DLV-03", problems,
            $"The attempt answered after {slowTook:0.0} s was delivered, {edgeSaid}; the unanswered one was abandoned after {hangTook:0.0} s, the dripping one after {dripTook:0.0} s, " +
            $"and the one answered at {LateAnswer.TotalSeconds:0.0} s {(l.AbortedByPlatform ? $"was abandoned after {lateTook:0.0} s" : "was not counted")} and retried (platform time)." +
            (notes.Count > 0 ? " Note: " + string.Join("; ", notes) + "." : ""),
            [s.Seq, e.Seq, h.Seq, d.Seq, .. lateHits.Select(x => x.Seq)],
            "Give each attempt exactly 10 s in all (connect, send, status line and headers): a 2xx inside it is a success, and an attempt without a whole answer by then is a failure to retry. A timeout per socket read is not a budget.");
    }

    private static double At(PlatformRun run, Hit hit) => DeliveryWatch.Open(run, hit).TotalSeconds;

    private static string Plus(double lateness) => lateness > 0.05 ? $" + {lateness:0.00} s of the harness's own lateness" : "";

    /// <summary>How much later than scripted the receiver answered, at most, over the attempts it did answer (platform seconds).</summary>
    private static double Lateness(PlatformRun run, params (Hit Hit, TimeSpan Scripted)[] answered) =>
        answered.Where(a => a.Hit.Answered is not null && !a.Hit.AbortedByPlatform)
            .Select(a => (DeliveryWatch.Open(run, a.Hit) - a.Scripted).TotalSeconds).DefaultIfEmpty(0).Max() is var late && late > 0 ? late : 0;
}

/// <summary>
/// PL-DLV-04: a receiver that always answers 500 gets 1 attempt + up to 3 retries after delays of seconds that grow, then
/// nothing, watched for as long as the next delay on a doubling schedule.
/// </summary>
public sealed class DeliveryBackoffScenario : PlatformScenario
{
    /// <summary>Scheduling jitter allowed when comparing two delays: 300 ms of platform time plus 150 ms of real time (scaled).</summary>
    internal static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(300);
    internal static readonly TimeSpan RealJitter = TimeSpan.FromMilliseconds(150);
    /// <summary>Backoff is counted in seconds (decision 3): a retry sooner than this after a failure is a unit mix-up or none at all.</summary>
    internal static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(500);

    public override string Name => "delivery-backoff";
    public override string Description => $"The receiver answers every attempt 500: the platform must retry (1 attempt + up to 3 retries), each delay between the end of one attempt and the start of the next at least {MinDelay.TotalSeconds:0.0} s, at least as long as the one before (300 ms of platform time plus 150 ms of real time allowed for scheduling jitter), the last longer than the first, then stop; after the last attempt the receiver keeps watching for {DeliveryWatch.NextDelayFactor}× the last delay (the next one on a doubling schedule, with a quarter to spare).";
    public override IReadOnlyList<string> Rules => ["PL-DLV-04"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, slot) = run.Receiver.Slot(Name, Reply.Fail);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var answer = await run.Control.DeliverAsync(Name, id, retry: true, cancellationToken);
        // Up to a fifth attempt: after the fourth, the wait for it is the watch on the contract's schedule.
        var hits = await DeliveryWatch.FollowAsync(run, slot, DeliveryWatch.Finished(answer), stopAfter: 5, cancellationToken);
        hits = slot.Hits;
        if (hits.Count == 0) { run.Report(Name, "PL-DLV-04", FindingOutcome.NotExercised, "No delivery reached the receiver."); return; }
        var gaps = DeliveryWatch.Delays(run, hits);
        var problems = new List<string>();
        if (hits.Count == 1) problems.Add("the attempt answered 500 was never retried");
        if (hits.Count > 4) problems.Add($"{hits.Count} attempts arrived: more than 1 attempt + 3 retries (the 5th {gaps[3].TotalSeconds:0.00} s after the 4th ended)");
        var jitter = Jitter + run.PlatformTime(RealJitter);
        if (gaps.Where(g => g < MinDelay).ToList() is { Count: > 0 } tooShort)
            problems.Add($"{tooShort.Count} retr{(tooShort.Count == 1 ? "y" : "ies")} came less than {MinDelay.TotalSeconds:0.0} s after the failure ({Seconds(tooShort)}): backoff is counted in seconds; were milliseconds taken for seconds?");
        for (var i = 1; i < Math.Min(gaps.Count, 3); i++)
            if (gaps[i] < gaps[i - 1] - jitter)
                problems.Add($"the delay before retry {i + 1} ({gaps[i].TotalSeconds:0.00} s) is shorter than the one before it ({gaps[i - 1].TotalSeconds:0.00} s)");
        var retries = gaps.Take(3).ToList();
        if (retries.Count >= 2 && retries[^1] <= retries[0] + jitter && retries.All(g => g >= MinDelay))
            problems.Add($"the delays do not grow ({Seconds(retries)}): exponential backoff makes each retry wait longer than the one before");
        var delays = Seconds(gaps);
        run.Judge(Name, "PL-DLV-04", problems, $"{hits.Count} attempts (1 + {hits.Count - 1} retries), delays {delays} (platform time), then nothing for {DeliveryWatch.NextDelayFactor}× the last delay.",
            hits.Select(h => h.Seq), $"Observed {hits.Count} attempt(s) with delays {delays}: retry a failed attempt at most 3 times, after delays of seconds that grow (e.g. 1 s, 2 s, 4 s).");
    }

    internal static string Seconds(IEnumerable<TimeSpan> delays) => string.Join(", ", delays.Select(g => g.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s"));
}

/// <summary>
/// PL-DLV-04's other failures: an attempt whose connection the receiver resets and one it never answers must be retried
/// like a 500 (002 §1: "if you don't (or you time out)").
/// </summary>
public sealed class DeliveryFailuresScenario : PlatformScenario
{
    public override string Name => "delivery-failures";
    public override string Description => "The receiver resets the connection of the first attempt (a network error), does not answer the second (it would only after 13 s: a timeout), and answers the third 200: both failures must be retried.";
    public override IReadOnlyList<string> Rules => ["PL-DLV-04"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, slot) = run.Receiver.Slot(Name, Reply.ResetConnection, new Reply(200, DeliveryTimeoutScenario.GiveUpAt), Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var answer = await run.Control.DeliverAsync(Name, id, retry: true, cancellationToken);
        var hits = await DeliveryWatch.FollowAsync(run, slot, DeliveryWatch.Finished(answer), stopAfter: 3, cancellationToken);
        if (hits.Count == 0) { run.Report(Name, "PL-DLV-04", FindingOutcome.NotExercised, "No delivery reached the receiver."); return; }
        var gaps = DeliveryWatch.Delays(run, hits);
        var problems = new List<string>();
        var said = new List<string>();
        if (hits.Count == 1) problems.Add("attempt 1, whose connection the receiver reset (a network error), was never retried");
        else said.Add($"attempt 1 (connection reset) was retried after {gaps[0].TotalSeconds:0.00} s");
        if (hits.Count >= 2)
        {
            var second = hits[1];
            var open = DeliveryWatch.Open(run, second).TotalSeconds;
            if (!second.AbortedByPlatform)
                said.Add($"attempt 2 was not abandoned in {open:0.0} s, so no timeout was provoked (PL-DLV-03 judges that)");
            else if (hits.Count == 2)
                problems.Add($"attempt 2, which got no answer and which the platform abandoned after {open:0.0} s (a timeout), was never retried");
            else
                said.Add($"attempt 2 (no answer, abandoned after {open:0.0} s) was retried after {gaps[1].TotalSeconds:0.00} s");
        }
        run.Judge(Name, "PL-DLV-04", problems, string.Join("; ", said) + ".", hits.Select(h => h.Seq),
            "A timeout, a refused connection and a reset are failures like a non-2xx answer: retry them on the same schedule.");
    }
}
