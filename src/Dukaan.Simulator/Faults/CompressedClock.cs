namespace Dukaan.Simulator.Faults;

/// <summary>
/// A clock whose timers fire <see cref="Factor"/> times sooner, while the wall time (<see cref="GetUtcNow"/>) and the
/// timestamp counter stay real: the platform's 10 s attempt timeout and its backoff shrink, but a signed timestamp is
/// still judged against the real time, so the 5-minute window is unaffected. Lets the platform profile run its timing
/// rules against the bundled simulator in a fraction of their real length.
/// </summary>
public sealed class CompressedClock : TimeProvider
{
    public CompressedClock(double factor)
    {
        if (!(factor >= 1) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "A clock factor must be a finite number ≥ 1 (1 = real time).");
        Factor = factor;
    }

    public double Factor { get; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow();

    public override long GetTimestamp() => System.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    /// <summary>Platform time → real time. Infinite stays infinite (a disabled timer or period).</summary>
    public TimeSpan Scale(TimeSpan platform) => platform == Timeout.InfiniteTimeSpan || platform <= TimeSpan.Zero ? platform : platform / Factor;

    /// <summary>Real time → platform time, for measurements.</summary>
    public TimeSpan Unscale(TimeSpan real) => real * Factor;

    /// <summary>Change() is scaled too: CancellationTokenSource.CancelAfter reschedules its timer this way.</summary>
    private sealed class ScaledTimer(ITimer inner, CompressedClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Scale(dueTime), clock.Scale(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
