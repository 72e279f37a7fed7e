using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Dukaan.Simulator.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that remembers which timers are armed and when they fall due, so a test can
/// fire exactly the next backoff or timeout instead of nudging the clock blindly and racing real I/O.
/// </summary>
public sealed class TrackingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        // Arm the bookkeeping before the real timer: a zero due time may fire inside base.CreateTimer.
        tracked.Arm(GetUtcNow(), dueTime);
        lock (_gate) _timers.Add(tracked);
        tracked.Inner = base.CreateTimer(callback, state, dueTime, period);
        return tracked;
    }

    /// <summary>Armed timers that have not fired yet: when each falls due, what due time it was armed with, and when (real time) it was armed.</summary>
    public IReadOnlyList<PendingTimer> Pending()
    {
        var now = GetUtcNow();
        lock (_gate)
            return [.. _timers.Where(t => t.DueAt is { } due && due > now)
                .Select(t => new PendingTimer(t.DueAt!.Value, t.DueTime, t.ArmedAtReal))
                .OrderBy(t => t.DueAt)];
    }

    private void Forget(TrackedTimer timer) { lock (_gate) _timers.Remove(timer); }

    private sealed class TrackedTimer(TrackingClock owner) : ITimer
    {
        public ITimer? Inner { get; set; }
        public DateTimeOffset? DueAt { get; private set; }
        public TimeSpan DueTime { get; private set; }
        public long ArmedAtReal { get; private set; }

        public void Arm(DateTimeOffset now, TimeSpan dueTime)
        {
            DueTime = dueTime;
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            ArmedAtReal = Stopwatch.GetTimestamp();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(owner.GetUtcNow(), dueTime);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner.Forget(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            owner.Forget(this);
            return Inner?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
    }
}

public sealed record PendingTimer(DateTimeOffset DueAt, TimeSpan DueTime, long ArmedAtReal)
{
    public TimeSpan RealAge => Stopwatch.GetElapsedTime(ArmedAtReal);
}

public static class ClockDriver
{
    /// <summary>
    /// Runs <paramref name="work"/> to completion, jumping the fake clock to the next armed timer each time one is pending.
    /// A timer armed with <paramref name="attemptTimeout"/> is an attempt's timeout: it is fired only when
    /// <paramref name="fireTimeouts"/> is set, and only after it has been armed for <paramref name="minRealWaitBeforeTimeout"/> of real
    /// time, so a receiver that is not really slow gets the chance to answer and make the test fail.
    /// </summary>
    public static async Task<T> DriveAsync<T>(this TrackingClock clock, Task<T> work, TimeSpan attemptTimeout, bool fireTimeouts,
        CancellationToken cancellationToken, TimeSpan? minRealWaitBeforeTimeout = null)
    {
        var minWait = minRealWaitBeforeTimeout ?? TimeSpan.FromMilliseconds(300);
        while (!work.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = clock.GetUtcNow();
            var next = clock.Pending().FirstOrDefault(t => t.DueTime != attemptTimeout || (fireTimeouts && t.RealAge >= minWait));
            if (next is not null && next.DueAt > now) clock.Advance(next.DueAt - now);
            await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken)).ConfigureAwait(false);
        }
        return await work.ConfigureAwait(false);
    }
}
