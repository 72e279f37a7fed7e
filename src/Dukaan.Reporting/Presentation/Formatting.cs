using System.Globalization;

namespace Dukaan.Reporting;

internal static class Formatting
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Duration(double ms)
    {
        if (double.IsNaN(ms) || ms < 0) return "–";
        if (ms < 1) return ms.ToString("0.##", Inv) + " ms";
        if (ms < 1000) return ms.ToString("0", Inv) + " ms";
        if (ms < 60_000) return (ms / 1000).ToString("0.0#", Inv) + " s";
        var span = TimeSpan.FromMilliseconds(ms);
        return span.TotalHours >= 1
            ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
            : $"{(int)span.TotalMinutes} min {span.Seconds:00} s";
    }

    /// <summary>Milliseconds with one decimal where it carries information, for transcript rows.</summary>
    public static string Ms(double ms) => ms < 100 ? ms.ToString("0.#", Inv) + " ms" : ms.ToString("#,0", Inv) + " ms";

    public static string Offset(double ms) => ms < 1000 ? "+" + ms.ToString("0", Inv) + " ms" : "+" + (ms / 1000).ToString("0.000", Inv) + " s";

    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv);

    public static string IsoDate(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);

    public static string Seconds(double ms) => (Math.Max(0, ms) / 1000).ToString("0.000", Inv);
}
