namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// How late the harness's own timers fire during the run: a 100 ms delay, over and over, and the worst overshoot.
/// On a loaded machine the sender's timers are late by as much, so AD-S-07 adds it to its upper bounds instead of
/// blaming the sender for the machine (decision 20).
/// </summary>
public sealed class LoadProbe(TimeProvider clock)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private double _worstMs;

    public double WorstLatenessMs => Volatile.Read(ref _worstMs);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = clock.GetTimestamp();
                await Task.Delay(Tick, clock, cancellationToken).ConfigureAwait(false);
                var late = (clock.GetElapsedTime(started) - Tick).TotalMilliseconds;
                if (late > Volatile.Read(ref _worstMs)) Volatile.Write(ref _worstMs, late);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over: what was measured stands.
        }
    }
}
