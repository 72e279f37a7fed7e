using System.Globalization;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>The delay before one retry, as the receiver measured it (decision 20).</summary>
/// <param name="Retry">n: 1 for the first retry (the second attempt).</param>
/// <param name="SharpStart">
/// The failure's end is known to the millisecond (the receiver sent the answer or the reset); after an unanswered
/// attempt it is when the receiver noticed the close, which can be late, so such a delay may read short.
/// </param>
/// <param name="LoadMs">How late the harness's own timers ran in the run: added to the upper bound (see <see cref="LoadProbe"/>).</param>
public sealed record RetryGap(string Event, int Retry, double DelayMs, long Seq, bool SharpStart = true, double LoadMs = 0)
{
    public double NominalMs => Backoff.Nominal(Retry);

    public double Ratio => DelayMs / NominalMs;

    public bool WithinBounds => Backoff.WithinBounds(Retry, DelayMs, LoadMs);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"retry {Retry} after {Attempt.Seconds(DelayMs)} (nominal {NominalMs / 1000:0.#} s, allowed {Backoff.Lowest(Retry) / 1000:0.##}–{Backoff.Highest(Retry, LoadMs) / 1000:0.##} s)");
}

/// <summary>
/// The seed's retry policy under test: maxRetries 3 (decision 13), timeoutMs 10 000, and "exponential with jitter
/// (1s, 2s, 4s, 8s, max 10s)" with the bounds of AD-S-07 (decision 20).
/// </summary>
public static class Backoff
{
    public const int MaxRetries = 3;
    public const int Attempts = MaxRetries + 1;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>The latest a retry may come (10 s cap + 1 s): a retry not seen by then is taken as not coming.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(11);

    /// <summary>How long an unanswered attempt is held open: a sender that has not given up by then never will.</summary>
    public static readonly TimeSpan HangBound = Timeout + Tolerance;

    public static double Nominal(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        return Math.Min(1000 * Math.Pow(2, Math.Min(retry - 1, 30)), 10_000);
    }

    public static double Lowest(int retry) => 0.5 * Nominal(retry);

    /// <summary>
    /// What a delay measured at the receiver may add to the sender's own timer: the new connection, the request on the
    /// wire and both sides' scheduling on a loaded machine. Only the upper bound gets it: lateness never shortens a delay.
    /// </summary>
    public static readonly TimeSpan WireAllowance = TimeSpan.FromMilliseconds(500);

    /// <summary>An attempt abandoned sooner than this did not give the receiver its timeoutMs (half of it, for the same lateness).</summary>
    public static readonly TimeSpan EarliestAbandon = Timeout / 2;

    public static double Highest(int retry, double loadMs = 0) =>
        Math.Min(1.5 * Nominal(retry) + WireAllowance.TotalMilliseconds + Math.Max(loadMs, 0), MaxDelay.TotalMilliseconds);

    public static bool WithinBounds(int retry, double delayMs, double loadMs = 0) => delayMs >= Lowest(retry) && delayMs <= Highest(retry, loadMs);

    /// <summary>
    /// Jitter is variation around nominal, and only its downward half can be told from a loaded machine: a timer fires
    /// late under load (by hundreds of milliseconds, measured), never 3 % early. So jitter is seen when a delay within
    /// AD-S-07's bounds, whose start the receiver knows exactly, came below 0.97× nominal.
    /// </summary>
    public static bool ShowsJitter(IReadOnlyList<RetryGap> gaps) => gaps.Any(g => g.WithinBounds && g.SharpStart && g.Ratio < 0.97);
}
