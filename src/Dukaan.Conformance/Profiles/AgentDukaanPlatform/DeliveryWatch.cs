using System.Diagnostics;
using System.Text.Json;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// Follows one delivery by what the receiver sees, not by when the adapter answers: an adapter may answer /deliver at once
/// and leave the delivery to the platform's queue (docs/platform-adapter.md). Each next attempt is awaited as long as the
/// contract's schedule (decision 3: exponential backoff) says it could take, so a platform that retries once too often is
/// seen doing it.
/// </summary>
internal static class DeliveryWatch
{
    /// <summary>How long a delivery the adapter queued may take to reach the receiver, and a first retry to follow a failure (platform time).</summary>
    internal static readonly TimeSpan FirstWithin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The next delay on a doubling schedule is twice the last one; 2.5× leaves a quarter of it for jitter. Waiting only
    /// 1.25× the last delay closed the watch before a fifth attempt came.
    /// </summary>
    internal const double NextDelayFactor = 2.5;

    /// <summary>How long an attempt that reached the receiver may stay open: the longest scripted answer (the drip) and room to spare.</summary>
    private static readonly TimeSpan EndsWithin = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Whether the adapter says the delivery is over (its answer lists the attempts): the platform's own word that no
    /// attempt is pending, so the harness needs to watch only for a retry it should not send.
    /// </summary>
    public static bool Finished(JsonElement deliverAnswer) =>
        deliverAnswer.ValueKind == JsonValueKind.Object && deliverAnswer.TryGetProperty("attempts", out var attempts) && attempts.ValueKind == JsonValueKind.Array;

    /// <summary>
    /// The attempts of one delivery: the first (awaited up to <see cref="FirstWithin"/>), then each next one as long as the
    /// one before failed, awaited for the schedule's next delay; stops at a 2xx, or when <paramref name="stopAfter"/>
    /// attempts have ended (the caller watches on after that itself).
    /// </summary>
    public static async Task<IReadOnlyList<Hit>> FollowAsync(PlatformRun run, ReceiverSlot slot, bool finished, int stopAfter, CancellationToken cancellationToken)
    {
        var hits = await EndedAsync(run, slot, 1, finished ? DeliveryShapeScenario.Quiet : FirstWithin, cancellationToken).ConfigureAwait(false);
        while (hits.Count > 0 && hits.Count < stopAfter && !hits[^1].Succeeded)
        {
            var more = await EndedAsync(run, slot, hits.Count + 1, NextWait(run, hits, finished), cancellationToken).ConfigureAwait(false);
            if (more.Count == hits.Count) break;
            hits = more;
        }
        return hits;
    }

    /// <summary>Waits for attempt <paramref name="count"/> to arrive within <paramref name="wait"/> (platform time) and then to end.</summary>
    public static async Task<IReadOnlyList<Hit>> EndedAsync(PlatformRun run, ReceiverSlot slot, int count, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await slot.WaitForArrivalAsync(count, run.RealTime(wait), cancellationToken).ConfigureAwait(false)) return slot.Hits;
        return await slot.WaitForAsync(count, run.RealTime(EndsWithin), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How long to wait for the attempt after the last of <paramref name="hits"/>, on the contract's schedule (platform time).</summary>
    public static TimeSpan NextWait(PlatformRun run, IReadOnlyList<Hit> hits, bool finished)
    {
        var delays = Delays(run, hits);
        if (delays.Count == 0) return finished ? DeliveryShapeScenario.Quiet : FirstWithin;
        var next = delays[^1] * NextDelayFactor;
        return next < DeliveryShapeScenario.Quiet ? DeliveryShapeScenario.Quiet : next;
    }

    /// <summary>Delay before each retry: from the end of one attempt, as the receiver saw it, to the arrival of the next (platform time).</summary>
    public static IReadOnlyList<TimeSpan> Delays(PlatformRun run, IReadOnlyList<Hit> hits) =>
        [.. hits.Zip(hits.Skip(1), (a, b) => run.PlatformTime(Stopwatch.GetElapsedTime(a.EndedTicks, b.ArrivedTicks)))];

    /// <summary>How long after its arrival the platform hung up on an attempt, or the receiver answered it (platform time).</summary>
    public static TimeSpan Open(PlatformRun run, Hit hit) => run.PlatformTime(Stopwatch.GetElapsedTime(hit.ArrivedTicks, hit.EndedTicks));
}
