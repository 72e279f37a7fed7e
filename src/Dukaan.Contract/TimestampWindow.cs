using System.Globalization;

namespace Dukaan.Contract;

public enum TimestampVerdict { Ok, Missing, NotANumber, TooOld, TooFarInFuture, LooksLikeSeconds }

/// <summary>
/// <c>X-AgentDukaan-Ts</c> is epoch milliseconds and must lie within ±5 minutes of the platform clock (docs/rules.md decision 4).
/// </summary>
public sealed record TimestampWindow(TimeSpan Tolerance)
{
    public static readonly TimestampWindow Default = new(TimeSpan.FromMinutes(5));

    public TimestampVerdict Check(string? header, DateTimeOffset now, out long ts)
    {
        ts = 0;
        if (string.IsNullOrWhiteSpace(header)) return TimestampVerdict.Missing;
        if (!long.TryParse(header.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ts)) return TimestampVerdict.NotANumber;
        var nowMs = now.ToUnixTimeMilliseconds();
        var skew = nowMs - ts;
        if (Math.Abs(skew) <= (long)Tolerance.TotalMilliseconds) return TimestampVerdict.Ok;
        // A value within the window once multiplied by 1000 is the classic Date.now()/1000 mistake; name it.
        // The bound keeps ts * 1000 from wrapping: a crafted ts could otherwise make the difference long.MinValue and Math.Abs throw.
        if (ts <= long.MaxValue / 1000 && Math.Abs(nowMs - ts * 1000) <= (long)Tolerance.TotalMilliseconds + 1000) return TimestampVerdict.LooksLikeSeconds;
        return skew > 0 ? TimestampVerdict.TooOld : TimestampVerdict.TooFarInFuture;
    }
}
