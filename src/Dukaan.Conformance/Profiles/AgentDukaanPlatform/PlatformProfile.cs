using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// The AgentDukaan platform itself: the harness plays a well-behaved agent plus a scriptable webhook receiver and
/// judges the platform, driving it only through its control adapter (docs/platform-adapter.md).
/// </summary>
public sealed class PlatformProfile : IProfile
{
    public const string Id = "agentdukaan-platform";

    public static ProfileInfo Metadata { get; } = new(
        Id,
        "AgentDukaan platform conformance",
        "agentdukaan-hosted-agents-2026 platform side (seeds 000, 002)",
        ["000 Deploying a Hosted Agent", "002 Webhook & Callback Contract"],
        "/hooks/agentdukaan",
        [
            new("(no agent)", "the harness plays the agent; the target is the bundled simulator, or --platform-url URL with --secret S (the listing's webhook secret)"),
        ],
        "no agent and no trigger: the harness plays the agent and drives the platform through its control adapter");

    public ProfileInfo Info => Metadata;

    public RuleCatalog Rules => PlatformRules.Catalog;

    public ProfileDocs Docs { get; } = new(
        "AgentDukaan platform (profile `agentdukaan-platform`)",
        "`000` = Deploying a Hosted Agent, `002` = Webhook & Callback Contract; the platform is driven through the control adapter of docs/platform-adapter.md",
        [
            // The agent side's decisions a platform must implement too: the platform section lists them so a platform team
            // finds its whole contract in one place (issue 19; docs/platform-adapter.md spells them out for a platform).
            RuleDecisions.Get(4), RuleDecisions.Get(5), RuleDecisions.Get(6), RuleDecisions.Get(7), RuleDecisions.Get(8), RuleDecisions.Get(9),
            RuleDecisions.Get(11), RuleDecisions.Get(19),
            new(22, "Target and clock. Without `--platform-url` the bundled simulator is certified, in process on loopback, on a compressed clock: its timers " +
                $"(attempt timeout, retry backoff) and the receiver's scripted delays run {PlatformEngine.BundledTimeScale:0}× faster, while the wall clock stays real so the 5-minute " +
                "timestamp window is unaffected; measured durations are multiplied back into platform time. With `--platform-url` timings are real time, unless the " +
                "platform declares a compressed clock of its own with `--time-scale N`. Every run notes which clock was used."),
            new(23, "PL-DLV-03 is timed at the receiver, from the request's arrival to the platform hanging up; the platform's own timer started earlier (connect, send), " +
                "so the measured time is never longer than the platform's. A receiver that is never abandoned answers after 13 s so a platform that never gives up cannot hold the run. " +
                $"Five receivers: answers at {DeliveryTimeoutScenario.SlowAnswer.TotalSeconds:0} s and {DeliveryTimeoutScenario.EdgeAnswer.TotalSeconds:0.0} s must be delivered; no answer, and a status line at once " +
                $"with a header byte a second until {DeliveryTimeoutScenario.DripUntil.TotalSeconds:0} s (a budget per socket read never ends it), must be abandoned by 11 s; an answer at " +
                $"{DeliveryTimeoutScenario.LateAnswer.TotalSeconds:0.0} s must not count, so a retry follows it. A hang-up on the {DeliveryTimeoutScenario.EdgeAnswer.TotalSeconds:0.0} s receiver within " +
                $"{DeliveryBackoffScenario.RealJitter.TotalMilliseconds:0} ms of real time (scaled by the clock factor) before its answer is the harness's timing, not a short budget, and is not failed. On a loaded machine the 1 s tolerance grows by as much as the receiver's own " +
                "scripted answers came late in the run, and a late answer taken without a retry is failed only when it came later after 10 s than that lateness (the report says so)."),
            new(24, "PL-DLV-04: \"retried\" means at least one retry and at most three after the first attempt, for an answer of 500, a reset connection and an attempt without " +
                "an answer alike (000 §2a: \"if you don't [respond with 2xx] (or you time out …), AgentDukaan retries\"). A delay is measured from the end of one attempt to the arrival of the next. Backoff is in seconds and grows: " +
                $"every delay is at least {DeliveryBackoffScenario.MinDelay.TotalSeconds:0.0} s, none is shorter than the one before, and the last is longer than the first, two delays being compared with " +
                $"{DeliveryBackoffScenario.Jitter.TotalMilliseconds:0} ms of platform time plus {DeliveryBackoffScenario.RealJitter.TotalMilliseconds:0} ms of real time (scaled by the clock factor) of scheduling jitter. " +
                "Deliveries are followed by what the receiver sees, whether the adapter answers /deliver when it is done or at once (queued): a first attempt, and a first retry, are awaited " +
                $"for {DeliveryWatch.FirstWithin.TotalSeconds:0} s (only {DeliveryShapeScenario.Quiet.TotalSeconds:0} s when the adapter's answer already lists the attempts), and every next attempt, including " +
                $"one after the fourth, for {DeliveryWatch.NextDelayFactor}× the last delay: the next delay on a doubling schedule, with a quarter to spare."),
            new(25, "PL-DLV-05 with a platform that never retries: the same-bytes half has nothing to compare and is not exercised; the nothing-after-2xx half is still judged " +
                "on the delivery answered 200 at once, so the rule passes on that alone (PL-DLV-04 is the one that fails)."),
            new(26, "PL-AUTH-02 probes correct tokens with ts now, 4 minutes old and 4 minutes ahead: \"inside the window\" covers its edges, so a window narrower than 5 minutes fails it."),
            new(27, $"PL-ERR-01's oversized body is {MalformedRequestsScenario.OversizedBytes / 1024} KiB, above the simulator's 1 MiB cap; a platform with a larger cap must lower it " +
                "for the adapter's listing or this probe fails. 4xx means 400–499 with a JSON error body (decision 38); \"never a hang\" means an answer within " +
                $"{MalformedRequestsScenario.AnswerBound.TotalSeconds:0} s of real time (every other call of the run may take {PlatformCaller.CallTimeout.TotalSeconds:0} s before it counts as failed)."),
            new(28, "PL-CHAT-01 and PL-CHAT-02 need a listing whose chat manifest opts in to push (category `alert`); the bundled simulator is started with one, and an external " +
                "platform without it leaves both rules not-exercised (`simulate --chat` provides it). The opt-in is turned off per conversation through the adapter for the 403 probe."),
            new(29, "The control adapter is plumbing, not the platform under test: when it refuses or fails, the rules it was setting up are not-exercised, never failed. " +
                $"The same holds when it answers but sets up something the probes cannot use (docs/platform-adapter.md, \"What a created subscription must be\"): a created " +
                $"subscription that is not active, has fewer than {ControlAdapter.MinRunLimit} runs left or shows masked `sensitive` values, checked when the adapter answers; and " +
                "an adapter whose create already delivers (or whose `/deliver` with `retry: false` sends more than one request), seen by the warm-up, leaves the PL-DLV rules " +
                "not-exercised. The evidence names the adapter and what it did."),
            RuleDecisions.PassNeedsWitness,
            new(38, "The error body. No seed defines it: 002 shows only the success envelope `{success: true, data}` and names codes (429 `RUN_LIMIT_EXCEEDED`, " +
                $"403 `SUBSCRIPTION_NOT_ACTIVE`). The simulator answers `{ErrorShape.Nested}` (decision 8); many platforms write the flat `{ErrorShape.Flat}`. " +
                "A platform rule judges the status and the code wherever it is, `error.code` or a top-level `code`; a body that claims `success: true` or carries " +
                "no code in either place is not an error body. Evidence names the shape it saw, and `simulate --break flat-error-body` certifies."),
        ],
        [.. PlatformEngine.All.Select(s => s.Doc)],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public Task<CertificationRun> CertifyAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        PlatformEngine.RunAsync(request, progress, cancellationToken);
}
