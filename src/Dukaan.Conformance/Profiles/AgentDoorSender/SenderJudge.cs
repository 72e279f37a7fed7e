using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// Every AD-S rule judged from the event traces once the scenarios are over: pure over its inputs, so each verdict
/// can be tested on made-up attempts. The wire rules (01–03) judge every attempt of the run, the retry rules the
/// events their scenarios emitted.
/// </summary>
public sealed partial class SenderJudge(IReadOnlyList<EventTrace> traces, string secret, FindingSink findings, ISet<string> selected)
{
    private const string WholeRun = RerunCommands.WholeRun;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Iso8601();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Hex64();

    public static bool IsIso8601(string? text) => text is not null && Iso8601().IsMatch(text) && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _);

    private IEnumerable<EventTrace> Of(string scenario) => traces.Where(t => t.Event.Scenario == scenario);

    private IReadOnlyList<(EventTrace Trace, Attempt Attempt)> AllAttempts => [.. traces.SelectMany(t => t.Attempts.Select(a => (t, a)))];

    private void Add(string rule, FindingOutcome outcome, string observed, string? diagnosis, IEnumerable<long> seqs, string scenario)
    {
        if (!selected.Contains(rule)) return;
        findings.Add(new Finding(rule, outcome, AgentDoorSenderRules.Catalog.Get(rule).Statement, observed, diagnosis, [.. seqs.Distinct()], scenario));
    }

    public void All()
    {
        Headers();
        Signature();
        Payload();
        RetriesOnFailures();
        NoRetryOnClientErrors();
        RetryLimit();
        Delays();
        SameEvent();
        Timeout();
    }

    private static string Label(EventTrace t, Attempt a) => $"attempt {a.Index + 1} of {t.Event.Type} ({t.Event.Label})";

    /// <summary>Problems of many attempts, grouped so one broken header reads once with its count, not forty times.</summary>
    private static string Summarize(IReadOnlyList<(string Problem, string Where)> problems, int attempts)
    {
        var groups = problems.GroupBy(p => p.Problem).Select(g => $"{g.Key} ({g.Count()} of {attempts} attempts, e.g. {g.First().Where})");
        return string.Join("; ", groups) + ".";
    }

    private void WireRule(string rule, Func<EventTrace, Attempt, IEnumerable<string>> check, string passText, Func<IReadOnlyList<string>, string?> diagnose)
    {
        var all = AllAttempts;
        if (all.Count == 0)
        {
            Add(rule, FindingOutcome.NotExercised, "No attempt reached the receiver, so nothing could be checked." + Why(), null, [], WholeRun);
            return;
        }
        var problems = all.SelectMany(x => check(x.Trace, x.Attempt).Select(p => (p, Label(x.Trace, x.Attempt), x.Attempt.Seq))).ToList();
        if (problems.Count == 0)
            Add(rule, FindingOutcome.Satisfied, string.Format(System.Globalization.CultureInfo.InvariantCulture, passText, all.Count), null, all.Take(3).Select(x => x.Attempt.Seq), WholeRun);
        else
            Add(rule, FindingOutcome.Violated, Summarize([.. problems.Select(p => (p.Item1, p.Item2))], all.Count), diagnose([.. problems.Select(p => p.Item1).Distinct()]),
                problems.Select(p => p.Seq).Take(6), WholeRun);
    }

    private string Why() => traces.FirstOrDefault(t => t.Cut is not null)?.Cut is { } cut ? $" First event: {cut}." : "";

    private static JsonObject? Parse(byte[] body)
    {
        try { return JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { return null; }
    }

    private static string? Text(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // ---- AD-S-01 -------------------------------------------------------------------------------------------------

    private void Headers() => WireRule("AD-S-01", HeaderProblems, "All {0} attempts carried Content-Type application/json, a User-Agent, X-AgentDoor-Event and -Event-Id matching the payload, and an ISO 8601 X-AgentDoor-Timestamp.",
        _ => "Send every header of the seed's list on every attempt, retries included: Content-Type: application/json, User-Agent (e.g. AgentDoor-Webhooks/1.0), X-AgentDoor-Event = the payload's type, X-AgentDoor-Event-Id = its id, X-AgentDoor-Timestamp = its timestamp (ISO 8601).");

    public static IEnumerable<string> HeaderProblems(EventTrace trace, Attempt a)
    {
        var payload = Parse(a.Body);
        var contentType = a.Header("Content-Type");
        if (contentType is null) yield return "no Content-Type";
        else if (!string.Equals(contentType.Split(';')[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase)) yield return $"Content-Type is '{contentType}'";
        if (string.IsNullOrWhiteSpace(a.Header("User-Agent"))) yield return "no User-Agent";
        var type = a.Header("X-AgentDoor-Event");
        if (string.IsNullOrEmpty(type)) yield return "no X-AgentDoor-Event";
        else if (Text(payload, "type") is { } t && t != type) yield return $"X-AgentDoor-Event '{type}' is not the payload's type '{t}'";
        var id = a.Header("X-AgentDoor-Event-Id");
        if (string.IsNullOrEmpty(id)) yield return "no X-AgentDoor-Event-Id";
        else if (Text(payload, "id") is { } i && i != id) yield return $"X-AgentDoor-Event-Id '{id}' is not the payload's id '{i}'";
        var timestamp = a.Header("X-AgentDoor-Timestamp");
        if (string.IsNullOrEmpty(timestamp)) yield return "no X-AgentDoor-Timestamp";
        else if (!IsIso8601(timestamp)) yield return $"X-AgentDoor-Timestamp '{timestamp}' is not ISO 8601";
    }

    // ---- AD-S-02 -------------------------------------------------------------------------------------------------

    private void Signature() => WireRule("AD-S-02", (_, a) => SignatureProblems(a, secret), "All {0} attempts were signed sha256=<hex HMAC-SHA256> over the exact bytes sent.",
        problems => problems.Any(p => p.StartsWith("no sha256= prefix", StringComparison.Ordinal))
            ? "Write the header as `sha256=` followed by the hex digest: receivers compare the whole value (`signature !== `sha256=${expected}``), so bare hex is refused."
            : problems.Any(p => p.Contains("re-serialized", StringComparison.Ordinal))
                ? "The signature matches a re-serialization of the payload, not the bytes on the wire: serialize once, sign that string, and send exactly that string as the body."
                : "Compute HMAC-SHA256 keyed with AGENTDOOR_WEBHOOK_SECRET over the exact body bytes sent, hex-encode it, prefix sha256=.");

    public static IEnumerable<string> SignatureProblems(Attempt a, string secret)
    {
        var header = a.Header("X-AgentDoor-Signature");
        if (string.IsNullOrEmpty(header)) { yield return "no X-AgentDoor-Signature"; yield break; }
        var expected = Dukaan.Contract.PrefixedBodySignature.Sign(secret, a.Body);
        if (string.Equals(header, expected, StringComparison.OrdinalIgnoreCase)) yield break;
        if (!header.StartsWith(Dukaan.Contract.PrefixedBodySignature.Prefix, StringComparison.Ordinal))
        {
            yield return Hex64().IsMatch(header) && string.Equals("sha256=" + header, expected, StringComparison.OrdinalIgnoreCase)
                ? "no sha256= prefix: the header is the bare hex digest" : "no sha256= prefix and not the body's HMAC";
            yield break;
        }
        if (!Hex64().IsMatch(header[7..])) { yield return "the signature is not sha256= followed by 64 hex digits"; yield break; }
        yield return ReserializedMatch(a.Body, header, secret) ? "the signature is over a re-serialized payload, not the bytes sent" : "the signature is not the HMAC of the bytes sent";
    }

    /// <summary>True when the header is the HMAC of the body re-serialized compactly, as JSON.stringify would write it.</summary>
    private static bool ReserializedMatch(byte[] body, string header, string secret)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(body); }
        catch (JsonException) { return false; }
        if (node is null) return false;
        var compact = Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return string.Equals(Dukaan.Contract.PrefixedBodySignature.Sign(secret, compact), header, StringComparison.OrdinalIgnoreCase);
    }

    // ---- AD-S-03 -------------------------------------------------------------------------------------------------

    private void Payload()
    {
        WireRule("AD-S-03", PayloadProblems, "All {0} bodies were {{id, type, timestamp, data}} with the emitted type and data, agreeing with the headers; every event had its own id.",
            _ => "Send JSON.stringify({ id, type, timestamp, data }) with the emitted type and data, a fresh id per event (e.g. evt_<unix>_<counter>) and the same id, type and timestamp in the X-AgentDoor-* headers.");
        if (!selected.Contains("AD-S-03")) return;
        // Unique per event: an id used by two different events makes one look like a retry of the other to every receiver.
        var shared = AllAttempts.Select(x => (Id: Text(Parse(x.Attempt.Body), "id"), x.Trace, x.Attempt)).Where(x => x.Id is not null)
            .GroupBy(x => x.Id!).Where(g => g.Select(x => x.Trace.Event.Marker).Distinct().Count() > 1).ToList();
        if (shared.Count > 0)
            Add("AD-S-03", FindingOutcome.Violated,
                $"Different events shared an id: {string.Join("; ", shared.Take(3).Select(g => $"{g.Key} was used by {string.Join(", ", g.Select(x => x.Trace.Event.Type).Distinct())}"))}.",
                "Give every event its own id: receivers deduplicate by id, so a reused id makes them drop a new event as a duplicate.", shared.SelectMany(g => g.Select(x => x.Attempt.Seq)).Take(6), WholeRun);
    }

    public static IEnumerable<string> PayloadProblems(EventTrace trace, Attempt a)
    {
        var payload = Parse(a.Body);
        if (payload is null) { yield return "the body is not a JSON object"; yield break; }
        var id = Text(payload, "id");
        var type = Text(payload, "type");
        var timestamp = Text(payload, "timestamp");
        if (string.IsNullOrEmpty(id)) yield return "the payload has no string id";
        if (type is null) yield return "the payload has no string type";
        else if (type != trace.Event.Type) yield return $"the payload's type '{type}' is not the emitted '{trace.Event.Type}'";
        if (timestamp is null) yield return "the payload has no string timestamp";
        else if (!IsIso8601(timestamp)) yield return $"the payload's timestamp '{timestamp}' is not ISO 8601";
        if (payload["data"] is not JsonObject data) yield return "the payload has no data object";
        else if (!JsonNode.DeepEquals(data, trace.Event.Data)) yield return "the payload's data is not the emitted data";
        if (timestamp is not null && a.Header("X-AgentDoor-Timestamp") is { } header && IsIso8601(timestamp) && IsIso8601(header)
            && DateTimeOffset.Parse(header, System.Globalization.CultureInfo.InvariantCulture) != DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture))
            yield return $"X-AgentDoor-Timestamp '{header}' is not the payload's timestamp '{timestamp}'";
    }

    // ---- AD-S-04 -------------------------------------------------------------------------------------------------

    private void RetriesOnFailures()
    {
        var kinds = new[] { (SenderScenarios.RetryAfter500, "a 500"), (SenderScenarios.RetryAfter429, "a 429"), (SenderScenarios.RetryAfterReset, "a reset connection"), (SenderScenarios.Timeout, "a timeout") };
        var ran = kinds.Where(k => Of(k.Item1).Any()).ToList();
        if (ran.Count == 0) return;
        var retried = new List<string>();
        var missing = new List<string>();
        var unexercised = new List<string>();
        var seqs = new List<long>();
        foreach (var (scenario, what) in ran)
        {
            var trace = Of(scenario).First();
            seqs.AddRange(trace.Attempts.Select(a => a.Seq));
            if (trace.Attempts.Count == 0) { unexercised.Add($"after {what}: {trace.Story()}"); continue; }
            var first = trace.Attempts[0];
            if (scenario == SenderScenarios.Timeout && first.End == AttemptEnd.ClosedByHarness)
            {
                // The sender never timed out, so "retries after a timeout" was not what happened: AD-S-10 says why.
                unexercised.Add($"after a timeout: the sender never gave up on the unanswered attempt (AD-S-10); {trace.Story()}");
                continue;
            }
            if (trace.Attempts.Count >= 2) retried.Add($"after {what}: {trace.Story()}");
            else if (trace.StoppedForGood) missing.Add($"after {what}: {trace.Story()}");
            else unexercised.Add($"after {what}: {trace.Story()}");
        }
        if (missing.Count > 0)
            Add("AD-S-04", FindingOutcome.Violated, $"No retry {string.Join("; ", missing)}.",
                missing.Any(m => m.StartsWith("after a 429", StringComparison.Ordinal))
                    ? "429 is the one 4xx the seed retries (\"Retry on: network errors, timeouts, HTTP 5xx, HTTP 429\"): treat it like a 5xx, not like other 4xx."
                    : "Retry on network errors, timeouts, 5xx and 429, up to maxRetries times with exponential backoff.",
                seqs, SenderScenarios.RetryAfter500);
        else if (retried.Count > 0)
            Add("AD-S-04", FindingOutcome.Satisfied, $"Retried {string.Join("; ", retried)}." + (unexercised.Count > 0 ? $" Not exercised {string.Join("; ", unexercised)}." : ""),
                null, seqs, SenderScenarios.RetryAfter500);
        else
            Add("AD-S-04", FindingOutcome.NotExercised, $"Not exercised {string.Join("; ", unexercised)}.", null, seqs, SenderScenarios.RetryAfter500);
    }

    // ---- AD-S-05 -------------------------------------------------------------------------------------------------

    private void NoRetryOnClientErrors()
    {
        var events = Of(SenderScenarios.NoRetryAfter4xx).ToList();
        if (events.Count == 0) return;
        var retried = events.Where(t => t.Attempts.Count >= 2).ToList();
        var kept = events.Where(t => t.Attempts.Count == 1 && t.StoppedForGood).ToList();
        var seqs = events.SelectMany(t => t.Attempts.Select(a => a.Seq));
        if (retried.Count > 0)
            Add("AD-S-05", FindingOutcome.Violated, $"Retried after a 4xx: {string.Join("; ", retried.Select(t => t.Story()))}.",
                "Do not retry a 4xx other than 429: the receiver refused the event (bad signature, gone, not found) and will refuse it again. Retry only network errors, timeouts, 5xx and 429.",
                retried.SelectMany(t => t.Attempts.Select(a => a.Seq)), SenderScenarios.NoRetryAfter4xx);
        else if (kept.Count == events.Count)
            Add("AD-S-05", FindingOutcome.Satisfied, $"No retry after any 4xx: {string.Join("; ", kept.Select(t => t.Story()))}.", null, seqs, SenderScenarios.NoRetryAfter4xx);
        else
            Add("AD-S-05", FindingOutcome.NotExercised, $"Not watched long enough: {string.Join("; ", events.Except(kept).Select(t => t.Story()))}.", null, seqs, SenderScenarios.NoRetryAfter4xx);
    }

    // ---- AD-S-06 -------------------------------------------------------------------------------------------------

    private void RetryLimit()
    {
        if (Of(SenderScenarios.RetryLimit).FirstOrDefault() is not { } trace) return;
        var n = trace.Attempts.Count;
        var seqs = trace.Attempts.Select(a => a.Seq);
        var story = trace.Story();
        if (n > Backoff.Attempts)
            Add("AD-S-06", FindingOutcome.Violated, $"More than {Backoff.Attempts} attempts: {story}.",
                $"Stop after maxRetries (default {Backoff.MaxRetries}) retries: {Backoff.Attempts} attempts in all, then report the delivery as failed.", seqs, SenderScenarios.RetryLimit);
        else if (!trace.StoppedForGood || n == 0)
            Add("AD-S-06", FindingOutcome.NotExercised, $"The attempts could not be followed to the end: {story}.", null, seqs, SenderScenarios.RetryLimit);
        else if (n == Backoff.Attempts)
            Add("AD-S-06", FindingOutcome.Satisfied, $"{n} attempts (1 + {Backoff.MaxRetries} retries), then none: {story}.", null, seqs, SenderScenarios.RetryLimit);
        else
            Add("AD-S-06", FindingOutcome.Violated, $"Only {n} attempt(s) in all: {story}.",
                n == Backoff.MaxRetries
                    ? $"Off by one: the sender made {Backoff.MaxRetries} attempts in all, counting the first attempt as one of maxRetries. maxRetries ({Backoff.MaxRetries}) counts the retries after the first attempt (decision 13): loop while attempt <= maxRetries, starting at 0, for {Backoff.Attempts} attempts."
                    : $"Retry a 5xx up to maxRetries ({Backoff.MaxRetries}) times after the first attempt: {Backoff.Attempts} attempts in all.",
                seqs, SenderScenarios.RetryLimit);
    }

    // ---- AD-S-07, AD-S-08 ----------------------------------------------------------------------------------------

    private void Delays()
    {
        var gaps = traces.SelectMany(t => t.Gaps).OrderBy(g => g.Retry).ThenBy(g => g.Event, StringComparer.Ordinal).ToList();
        var listed = string.Join("; ", gaps.Select(g => $"{g.Event}: {g.Describe()}"));
        if (gaps.Count == 0)
        {
            Add("AD-S-07", FindingOutcome.NotExercised, "No retry was seen, so no delay could be measured.", null, [], SenderScenarios.RetryLimit);
            Add("AD-S-08", FindingOutcome.NotExercised, "No retry was seen, so no delay could be measured.", null, [], SenderScenarios.RetryLimit);
            return;
        }
        var outside = gaps.Where(g => !g.WithinBounds).ToList();
        if (outside.Count == 0)
            Add("AD-S-07", FindingOutcome.Satisfied, $"Every delay was within bounds: {listed}.", null, gaps.Select(g => g.Seq), SenderScenarios.RetryLimit);
        else
            Add("AD-S-07", FindingOutcome.Violated, $"Outside [0.5×, 1.5×] of nominal (+ 0.5 s for the wire, never above 11 s): {string.Join("; ", outside.Select(g => $"{g.Event}: {g.Describe()}"))}. All delays: {listed}.",
                outside.All(g => g.DelayMs < Backoff.Lowest(g.Retry))
                    ? "Wait before each retry: min(1000·2^(n−1), 10000) ms (1 s, 2 s, 4 s, 8 s, then 10 s), with jitter of at most ±50 %."
                    : "Cap the delay at 10 s and keep jitter within ±50 % of min(1000·2^(n−1), 10000) ms.",
                outside.Select(g => g.Seq), SenderScenarios.RetryLimit);
        var ratios = string.Join(", ", gaps.Select(g => g.Ratio.ToString("0.00×", System.Globalization.CultureInfo.InvariantCulture)));
        if (Backoff.ShowsJitter(gaps))
            Add("AD-S-08", FindingOutcome.Satisfied, $"The delays vary around nominal (ratios {ratios}): {listed}.", null, gaps.Select(g => g.Seq), SenderScenarios.RetryLimit);
        else if (gaps.Count(g => g.WithinBounds) == 0)
            Add("AD-S-08", FindingOutcome.Violated, $"No delay came near its nominal value (ratios {ratios}), so there is no jitter around it: {listed}.",
                "Back off exponentially (AD-S-07), then add random jitter to each delay.", gaps.Select(g => g.Seq), SenderScenarios.RetryLimit);
        else
            Add("AD-S-08", FindingOutcome.Violated, $"The delays sit on their nominal values (ratios {ratios}; none within bounds came below 0.97× nominal, which timer lateness cannot explain): {listed}.",
                "Add random jitter to each delay (e.g. ×(0.8 + 0.4·random())), so senders that failed together do not retry in lockstep.", gaps.Select(g => g.Seq), SenderScenarios.RetryLimit);
    }

    // ---- AD-S-09 -------------------------------------------------------------------------------------------------

    private void SameEvent()
    {
        var retriedEvents = traces.Where(t => t.Attempts.Count >= 2).ToList();
        if (retriedEvents.Count == 0)
        {
            if (traces.Any(t => t.Event.Scenario is not (SenderScenarios.Delivery or SenderScenarios.NoRetryAfter4xx)))
                Add("AD-S-09", FindingOutcome.NotExercised, "No event was retried, so no retry could be compared with its first attempt.", null, [], SenderScenarios.RetryLimit);
            return;
        }
        var differences = new List<string>();
        foreach (var t in retriedEvents)
        {
            var first = t.Attempts[0];
            foreach (var retry in t.Attempts.Skip(1))
            {
                var what = new List<string>();
                if (retry.Header("X-AgentDoor-Event-Id") != first.Header("X-AgentDoor-Event-Id"))
                    what.Add($"event id {retry.Header("X-AgentDoor-Event-Id") ?? "(none)"} instead of {first.Header("X-AgentDoor-Event-Id") ?? "(none)"}");
                if (!retry.Body.AsSpan().SequenceEqual(first.Body)) what.Add("other payload bytes");
                if (retry.Header("X-AgentDoor-Signature") != first.Header("X-AgentDoor-Signature")) what.Add("another signature");
                if (what.Count > 0) differences.Add($"{t.Name} attempt {retry.Index + 1}: {string.Join(", ", what)}");
            }
        }
        var seqs = retriedEvents.SelectMany(t => t.Attempts.Select(a => a.Seq));
        if (differences.Count == 0)
            Add("AD-S-09", FindingOutcome.Satisfied, $"Every retry of {retriedEvents.Count} event(s) repeated the first attempt's id, bytes and signature ({string.Join(", ", retriedEvents.Select(t => $"{t.Event.Label}: {t.Attempts.Count} attempts"))}).",
                null, seqs, SenderScenarios.RetryLimit);
        else
            Add("AD-S-09", FindingOutcome.Violated, string.Join("; ", differences.Take(6)) + ".",
                "Build and sign the event once, before the first attempt, and resend exactly those bytes and headers on every retry: receivers deduplicate by id, so a new id makes a retry a second event.",
                seqs, SenderScenarios.RetryLimit);
    }

    // ---- AD-S-10 -------------------------------------------------------------------------------------------------

    private void Timeout()
    {
        if (Of(SenderScenarios.Timeout).FirstOrDefault() is not { } trace) return;
        var seqs = trace.Attempts.Select(a => a.Seq);
        if (trace.Attempts.Count == 0) { Add("AD-S-10", FindingOutcome.NotExercised, trace.Story() + ".", null, seqs, SenderScenarios.Timeout); return; }
        var first = trace.Attempts[0];
        var held = first.EndedMs is { } end ? end - first.ArrivedMs : 0;
        var lowest = Backoff.EarliestAbandon.TotalMilliseconds;
        switch (first.End)
        {
            case AttemptEnd.ClosedByHarness:
                Add("AD-S-10", FindingOutcome.Violated, $"The sender was still waiting for an answer {Attempt.Seconds(held)} after the attempt arrived: {trace.Story()}.",
                    "Give every attempt a timeout of timeoutMs (default 10 000 ms), e.g. fetch(url, { signal: AbortSignal.timeout(timeoutMs) }) or HttpClient.Timeout, and count a timeout as a failed attempt.",
                    seqs, SenderScenarios.Timeout);
                break;
            case AttemptEnd.AbandonedBySender when held < lowest:
                Add("AD-S-10", FindingOutcome.Violated, $"The sender gave up after {Attempt.Seconds(held)}, before timeoutMs (10 s): {trace.Story()}.",
                    "Wait the full timeoutMs (10 000 ms by default) before abandoning an attempt: receivers are allowed 10 s.", seqs, SenderScenarios.Timeout);
                break;
            case AttemptEnd.AbandonedBySender when trace.Attempts.Count >= 2:
                Add("AD-S-10", FindingOutcome.Satisfied, $"Abandoned after {Attempt.Seconds(held)} and retried: {trace.Story()}.", null, seqs, SenderScenarios.Timeout);
                break;
            case AttemptEnd.AbandonedBySender when trace.StoppedForGood:
                Add("AD-S-10", FindingOutcome.Violated, $"Abandoned after {Attempt.Seconds(held)} but never retried, so the timeout did not count as a failure: {trace.Story()}.",
                    "Treat a timed-out attempt like a failed one: retry it with backoff.", seqs, SenderScenarios.Timeout);
                break;
            default:
                Add("AD-S-10", FindingOutcome.NotExercised, $"The unanswered attempt could not be followed to the end: {trace.Story()}.", null, seqs, SenderScenarios.Timeout);
                break;
        }
    }
}
