using Dukaan.Contract;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>The three run-token endpoints, as the harness calls them.</summary>
internal static class RunTokenEndpoints
{
    public static readonly (string Name, string Kind, HttpMethod Method, Func<string, string> Path)[] All =
    [
        ("/config", ExchangeKinds.Config, HttpMethod.Get, PlatformCaller.ConfigPath),
        ("/run", ExchangeKinds.Run, HttpMethod.Post, PlatformCaller.RunPath),
        ("/heartbeat", ExchangeKinds.Heartbeat, HttpMethod.Post, PlatformCaller.HeartbeatPath),
    ];

    public static Task<Exchange> CallAsync(PlatformRun run, string scenario, (string Name, string Kind, HttpMethod Method, Func<string, string> Path) endpoint, string id,
        Dictionary<string, string> headers, CancellationToken cancellationToken) =>
        run.Caller.SendAsync(scenario, endpoint.Kind, id, endpoint.Method, endpoint.Path(id), headers, endpoint.Method == HttpMethod.Get ? null : "{}"u8.ToArray(), cancellationToken);
}

/// <summary>
/// PL-AUTH-01 and PL-AUTH-02: run tokens made wrong on purpose (missing, another secret, 6 minutes old, 6 minutes ahead,
/// ts in seconds) get 401 on each endpoint; correct ones (now, 4 minutes old, 4 minutes ahead) are accepted.
/// </summary>
public sealed class RunTokenScenario : PlatformScenario
{
    public override string Name => "run-tokens";
    public override string Description => "On /config, /run and /heartbeat of an active subscription: a missing signature, one made with another secret, correct ones whose ts is 6 minutes old or 6 minutes ahead, and one whose ts is in epoch seconds (signed over that ts) must get 401; correct tokens with ts now, 4 minutes old and 4 minutes ahead must be accepted.";
    public override IReadOnlyList<string> Rules => ["PL-AUTH-01", "PL-AUTH-02"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
        var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
        var secret = run.Caller.Secret;
        Dictionary<string, string> Signed(long ts, string key) => new() { [Headers.Signature] = RunToken.Sign(key, id, ts), [Headers.Timestamp] = PlatformCaller.Text(ts) };
        var minute = 60_000L;
        (string What, Func<Dictionary<string, string>> Headers)[] wrong =
        [
            ("no signature", () => new() { [Headers.Timestamp] = PlatformCaller.Text(PlatformCaller.NowMs()) }),
            ("signed with another secret", () => Signed(PlatformCaller.NowMs(), secret + "-not-the-listing-secret")),
            ("ts 6 minutes old", () => Signed(PlatformCaller.NowMs() - 6 * minute, secret)),
            ("ts 6 minutes ahead", () => Signed(PlatformCaller.NowMs() + 6 * minute, secret)),
            ("ts in epoch seconds", () => Signed(PlatformCaller.NowMs() / 1000, secret)),
        ];
        (string What, Func<Dictionary<string, string>> Headers)[] right =
        [
            ("ts now", () => Signed(PlatformCaller.NowMs(), secret)),
            ("ts 4 minutes old", () => Signed(PlatformCaller.NowMs() - 4 * minute, secret)),
            ("ts 4 minutes ahead", () => Signed(PlatformCaller.NowMs() + 4 * minute, secret)),
        ];
        var refusedProblems = new List<string>();
        var acceptedProblems = new List<string>();
        var refusedSeqs = new List<long>();
        var acceptedSeqs = new List<long>();
        foreach (var endpoint in RunTokenEndpoints.All)
        {
            foreach (var (what, headers) in wrong)
            {
                var e = await RunTokenEndpoints.CallAsync(run, Name, endpoint, id, headers(), cancellationToken);
                refusedSeqs.Add(e.Seq);
                if (e.Status != 401) refusedProblems.Add($"{endpoint.Name} with {what}: {PlatformCaller.Describe(e)}, not 401");
            }
            foreach (var (what, headers) in right)
            {
                var e = await RunTokenEndpoints.CallAsync(run, Name, endpoint, id, headers(), cancellationToken);
                acceptedSeqs.Add(e.Seq);
                if (e.Status is not (>= 200 and < 300)) acceptedProblems.Add($"{endpoint.Name} with a correct token, {what}: {PlatformCaller.Describe(e)}");
            }
        }
        run.Judge(Name, "PL-AUTH-01", refusedProblems, $"All {refusedSeqs.Count} wrong tokens ({string.Join(", ", wrong.Select(w => w.What))}) got 401 on each endpoint.", refusedSeqs,
            "Verify HMAC(secret, `${subscriptionId}.${ts}`) with ts in epoch milliseconds, within 5 minutes of the platform clock either way, before anything else.");
        run.Judge(Name, "PL-AUTH-02", acceptedProblems, $"All {acceptedSeqs.Count} correct tokens ({string.Join(", ", right.Select(w => w.What))}) were accepted on each endpoint.", acceptedSeqs,
            "The window is 5 minutes either way: a correctly signed ts inside it must be accepted.");
    }
}

/// <summary>PL-SUB-01: a subscription set to cancelled, paused or past_due gets 403 SUBSCRIPTION_NOT_ACTIVE on each endpoint.</summary>
public sealed class InactiveSubscriptionScenario : PlatformScenario
{
    private static readonly string[] Statuses = ["cancelled", "paused", "past_due"];

    public override string Name => "inactive-subscriptions";
    public override string Description => "Three subscriptions set through the adapter to cancelled, paused and past_due; correctly signed calls to /config, /run and /heartbeat must each get 403 SUBSCRIPTION_NOT_ACTIVE.";
    public override IReadOnlyList<string> Rules => ["PL-SUB-01"];

    public override async Task RunAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var seqs = new List<long>();
        foreach (var status in Statuses)
        {
            var (url, _) = run.Receiver.Slot(Name, Reply.Ok);
            var id = await run.Control.CreateSubscriptionAsync(Name, url, cancellationToken);
            await run.Control.SetStatusAsync(Name, id, status, cancellationToken);
            foreach (var endpoint in RunTokenEndpoints.All)
            {
                var e = await RunTokenEndpoints.CallAsync(run, Name, endpoint, id, run.Caller.RunToken(id), cancellationToken);
                seqs.Add(e.Seq);
                if (e.Status != 403 || PlatformCaller.ErrorCode(e) != ErrorCodes.SubscriptionNotActive)
                    problems.Add($"{status}: {PlatformCaller.Describe(e)}, not 403 {ErrorCodes.SubscriptionNotActive}");
            }
        }
        run.Judge(Name, "PL-SUB-01", problems, $"Each of {string.Join(", ", Statuses)} got 403 {ErrorCodes.SubscriptionNotActive} on /config, /run and /heartbeat.", seqs,
            "Check the subscription's status on every signed call and refuse anything but active with 403 SUBSCRIPTION_NOT_ACTIVE.");
    }
}
