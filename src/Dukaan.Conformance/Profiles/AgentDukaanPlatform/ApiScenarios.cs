using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>Reads the adapter's subscription view: runsUsed, the audit log, actionNeeded.</summary>
internal static class SubscriptionView
{
    public static int? RunsUsed(JsonElement view) =>
        view.TryGetProperty("runsUsed", out var r) && r.TryGetInt32(out var used) ? used : null;

    public static int ConfigFetches(JsonElement view) =>
        view.TryGetProperty("audit", out var audit) && audit.ValueKind == JsonValueKind.Array
            ? audit.EnumerateArray().Count(e => e.TryGetProperty("action", out var a) && a.GetString() == "config.fetched") : 0;

    public static bool? ActionNeeded(JsonElement view) =>
        view.TryGetProperty("actionNeeded", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : null;

    /// <summary>The non-sensitive setup fields the view's "config" names.</summary>
    public static IReadOnlyList<string> ConfigFields(JsonElement view) =>
        view.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? [.. c.EnumerateObject().Select(p => p.Name)] : [];

    public static IReadOnlyDictionary<string, string> Sensitive(JsonElement view) =>
        view.TryGetProperty("sensitive", out var s) && s.ValueKind == JsonValueKind.Object
            ? s.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
            : new Dictionary<string, string>();
}

/// <summary>PL-RUN-01: with a limit of 100, 200 concurrent /run calls admit exactly 100, the rest 429 RUN_LIMIT_EXCEEDED.</summary>
public sealed class RunLimitScenario : PlatformScenario
{
    internal const int Limit = 100;
    internal const int Concurrent = 200;

    public override string Name => "run-limit";
    public override string Description => $"A subscription whose limit the adapter sets to {Limit} gets {Concurrent} correctly signed /run calls at once: exactly {Limit} must be admitted and the others get 429 {ErrorCodes.RunLimitExceeded}; the adapter's runsUsed must say {Limit}, and one more call afterwards gets 429 too.";
    public override IReadOnlyList<string> Rules => ["PL-RUN-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        await run.Control.SetLimitAsync(Name, id, Limit, cancellationToken);
        // All requests are built first and released together, so they overlap on the platform as much as loopback allows.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Concurrent).Select(async _ =>
        {
            await gate.Task.ConfigureAwait(false);
            return await run.Caller.SendAsync(Name, ExchangeKinds.Run, id, HttpMethod.Post, PlatformCaller.RunPath(id), run.Caller.RunToken(id), "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }).ToList();
        gate.SetResult();
        var answers = await Task.WhenAll(calls);
        var after = await run.Caller.SendAsync(Name, ExchangeKinds.Run, id, HttpMethod.Post, PlatformCaller.RunPath(id), run.Caller.RunToken(id), "{}"u8.ToArray(), cancellationToken);
        var view = await run.Control.GetSubscriptionAsync(Name, id, cancellationToken);
        var admitted = answers.Count(a => a.Status is >= 200 and < 300);
        var limited = answers.Count(a => a.Status == 429 && PlatformCaller.ErrorCode(a) == ErrorCodes.RunLimitExceeded);
        var other = answers.Where(a => a.Status is not (>= 200 and < 300) && !(a.Status == 429 && PlatformCaller.ErrorCode(a) == ErrorCodes.RunLimitExceeded)).ToList();
        var problems = new List<string>();
        if (admitted != Limit) problems.Add($"{admitted} of {Concurrent} concurrent calls were admitted with a limit of {Limit}");
        if (limited != Concurrent - Limit) problems.Add($"{limited} got 429 {ErrorCodes.RunLimitExceeded}, not {Concurrent - Limit}");
        if (other.Count > 0) problems.Add($"{other.Count} got something else, e.g. {PlatformCaller.Describe(other[0])}");
        if (after.Status != 429 || PlatformCaller.ErrorCode(after) != ErrorCodes.RunLimitExceeded) problems.Add($"the call after the burst got {PlatformCaller.Describe(after)}, not 429 {ErrorCodes.RunLimitExceeded}");
        if (SubscriptionView.RunsUsed(view) is { } used && used != Limit) problems.Add($"the adapter reports runsUsed = {used}");
        var evidence = answers.Where(a => a.Status is >= 200 and < 300).Take(3).Concat(answers.Where(a => a.Status == 429).Take(3)).Concat(other.Take(3)).Select(a => a.Seq).Append(after.Seq);
        run.Judge(Name, "PL-RUN-01", problems, $"{admitted} admitted, {limited} refused with 429 {ErrorCodes.RunLimitExceeded}; runsUsed {SubscriptionView.RunsUsed(view)}; the next call 429.", evidence,
            "Check and increment the run counter atomically (one locked or conditional update), never check, await, then increment.");
    }
}

/// <summary>PL-RUN-02: heartbeats leave runsUsed alone, while one /run moves it (so the counter is shown to be live).</summary>
public sealed class HeartbeatScenario : PlatformScenario
{
    public override string Name => "heartbeat-is-free";
    public override string Description => "Five correctly signed heartbeats must leave the adapter's runsUsed unchanged; one /run afterwards must raise it by one, showing the counter is live.";
    public override IReadOnlyList<string> Rules => ["PL-RUN-02"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var before = SubscriptionView.RunsUsed(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        var seqs = new List<long>();
        var problems = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var e = await RunTokenEndpoints.CallAsync(run, Name, RunTokenEndpoints.All[2], id, run.Caller.RunToken(id), cancellationToken);
            seqs.Add(e.Seq);
            if (e.Status is not (>= 200 and < 300)) problems.Add($"heartbeat {i + 1}: {PlatformCaller.Describe(e)}");
        }
        var afterBeats = SubscriptionView.RunsUsed(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        var runCall = await RunTokenEndpoints.CallAsync(run, Name, RunTokenEndpoints.All[1], id, run.Caller.RunToken(id), cancellationToken);
        seqs.Add(runCall.Seq);
        var afterRun = SubscriptionView.RunsUsed(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        if (before is null || afterBeats is null || afterRun is null)
        {
            run.Report(Name, "PL-RUN-02", FindingOutcome.NotExercised, "The adapter's subscription view has no numeric \"runsUsed\", so runs could not be counted.", seqs);
            return;
        }
        if (afterBeats != before) problems.Add($"runsUsed went from {before} to {afterBeats} over 5 heartbeats");
        if (problems.Count == 0 && afterRun != afterBeats + 1)
        {
            run.Report(Name, "PL-RUN-02", FindingOutcome.NotExercised, $"runsUsed did not move with a /run either ({afterBeats} → {afterRun}, {PlatformCaller.Describe(runCall)}), so it does not show what heartbeats cost.", seqs);
            return;
        }
        run.Judge(Name, "PL-RUN-02", problems, $"runsUsed stayed {before} over 5 heartbeats and became {afterRun} after one /run.", seqs,
            "A heartbeat is a liveness signal: record it, never count it against runLimitPerMonth.");
    }
}

/// <summary>PL-CFG-01: /config's shape and values, and one audit entry per fetch.</summary>
public sealed class ConfigScenario : PlatformScenario
{
    public override string Name => "config-fetch";
    public override string Description => "Two correctly signed /config fetches: each must answer {success: true, data: {config}} with every sensitive value the adapter knows for the subscription, and the adapter's audit log must gain one config.fetched entry per fetch.";
    public override IReadOnlyList<string> Rules => ["PL-CFG-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var view = await run.Control.GetSubscriptionAsync(Name, id, cancellationToken);
        var sensitive = SubscriptionView.Sensitive(view);
        var before = SubscriptionView.ConfigFetches(view);
        var problems = new List<string>();
        var seqs = new List<long>();
        for (var i = 1; i <= 2; i++)
        {
            var e = await RunTokenEndpoints.CallAsync(run, Name, RunTokenEndpoints.All[0], id, run.Caller.RunToken(id), cancellationToken);
            seqs.Add(e.Seq);
            var json = PlatformCaller.Json(e);
            var values = DeliveryShapeScenario.ConfigValues(e);
            if (values is null || json?.TryGetProperty("success", out var ok) != true || ok.ValueKind != JsonValueKind.True)
            {
                problems.Add($"fetch {i}: {PlatformCaller.Describe(e)} is not {{success: true, data: {{config: {{…}}}}}}");
                continue;
            }
            foreach (var (field, value) in sensitive)
                if (values.GetValueOrDefault(field) != value) problems.Add($"fetch {i}: config.{field} is {(values.ContainsKey(field) ? "not the buyer's value" : "missing")}");
        }
        var after = SubscriptionView.ConfigFetches(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        if (after - before != 2) problems.Add($"the audit log gained {after - before} config.fetched entr{(after - before == 1 ? "y" : "ies")} for 2 fetches");
        if (sensitive.Count == 0) problems.Add("the adapter's view names no sensitive value to compare with");
        run.Judge(Name, "PL-CFG-01", problems, $"Both fetches answered {{success, data: {{config}}}} with the sensitive value(s) of {string.Join(", ", sensitive.Keys)}, and the audit log gained 2 config.fetched entries.", seqs,
            "Answer the decrypted config in the envelope, and write an audit entry for every fetch (the buyer's access log).");
    }
}

/// <summary>
/// PL-RCF-01: the run token, a chat domain's signature, a body that differs from what was signed, and a ts outside the
/// window get 401; the right signature over several fields in unsorted order is accepted and flags action needed.
/// </summary>
public sealed class RequestConfigScenario : PlatformScenario
{
    private const long Minute = 60_000L;

    public override string Name => "request-config";
    public override string Description => "POST /request-config naming every field of the subscription in reverse order (the signature sorts them, decision 5): signed with the run token, with a chat_push signature over the body, with a config_request signature over a different message than the body carries, and correctly but with a ts 6 minutes old and 6 minutes ahead (each 401), then correctly; the adapter's actionNeeded must stay false after the refusals and be true after the accepted one.";
    public override IReadOnlyList<string> Rules => ["PL-RCF-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var view = await run.Control.GetSubscriptionAsync(Name, id, cancellationToken);
        // Several fields, sent out of order: a platform that joins them as sent instead of sorted agrees with a correct agent only for one.
        var known = SubscriptionView.Sensitive(view).Keys.Concat(SubscriptionView.ConfigFields(view)).Distinct(StringComparer.Ordinal).ToList();
        string[] fields = known.Count > 0 ? [.. known.OrderDescending(StringComparer.Ordinal)] : ["openai_api_key"];
        const string message = "Your API key was rejected; please enter a new one.";
        var body = JsonSerializer.SerializeToUtf8Bytes(new { fields, message });
        Dictionary<string, string> Headers(string signature, long ts) => new() { [Contract.Headers.Signature] = signature, [Contract.Headers.Timestamp] = PlatformCaller.Text(ts) };
        var secret = run.Caller.Secret;
        var problems = new List<string>();
        var seqs = new List<long>();

        (string What, Func<long, string> Sign, long Shift)[] wrong =
        [
            ("signed with the run token", ts => RunToken.Sign(secret, id, ts), 0),
            ("signed as chat_push over the body", ts => BodyBoundDomain.ChatPush.Sign(secret, id, ts, body), 0),
            ("a body whose message differs from the one signed", ts => ConfigRequestSignature.Sign(secret, id, ts, fields, "a different message"), 0),
            ("correctly signed with a ts 6 minutes old", ts => ConfigRequestSignature.Sign(secret, id, ts, fields, message), -6 * Minute),
            ("correctly signed with a ts 6 minutes ahead", ts => ConfigRequestSignature.Sign(secret, id, ts, fields, message), 6 * Minute),
        ];
        foreach (var (what, sign, shift) in wrong)
        {
            var ts = PlatformCaller.NowMs() + shift;
            var e = await Send(Headers(sign(ts), ts));
            if (e.Status != 401) problems.Add($"{what}: {PlatformCaller.Describe(e)}, not 401");
        }
        var flaggedEarly = SubscriptionView.ActionNeeded(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        if (flaggedEarly == true) problems.Add("a refused request flagged action needed");
        var now = PlatformCaller.NowMs();
        var right = await Send(Headers(ConfigRequestSignature.Sign(secret, id, now, fields, message), now));
        if (right.Status is not (>= 200 and < 300))
            problems.Add($"correctly signed, fields {string.Join(", ", fields)} sent in that order and signed sorted ({ConfigRequestSignature.SortedFields(fields)}): {PlatformCaller.Describe(right)}");
        var flagged = SubscriptionView.ActionNeeded(await run.Control.GetSubscriptionAsync(Name, id, cancellationToken));
        if (flagged != true) problems.Add($"after the accepted request the adapter's actionNeeded is {(flagged?.ToString().ToLowerInvariant() ?? "missing")}");
        run.Judge(Name, "PL-RCF-01", problems,
            $"The run token, a chat_push signature, a body that differs from the signed one and a ts 6 minutes old or ahead got 401; the config_request signature over the fields {string.Join(", ", fields)} (sent in that order, signed sorted) was accepted and flagged action needed.", seqs,
            "Verify HMAC(secret, `config_request.${id}.${ts}.${sortedFields}.${message ?? ''}`) over the fields and message in the body, the fields sorted in ordinal order whatever order the body lists them in, with ts within 5 minutes of the platform clock either way; never accept the run token or another domain's signature here.");

        async Task<Exchange> Send(Dictionary<string, string> headers)
        {
            var e = await run.Caller.SendAsync(Name, ExchangeKinds.RequestConfig, id, HttpMethod.Post, PlatformCaller.RequestConfigPath(id), headers, body, cancellationToken);
            seqs.Add(e.Seq);
            return e;
        }
    }
}
