namespace Dukaan.Reporting;

/// <summary>Display names for rule areas, in the order the contract presents them. Unknown areas still render.</summary>
internal static class AreaInfo
{
    private static readonly (string Area, string Name)[] Known =
    [
        ("signatures", "Deliveries & signatures"),
        ("acknowledgement", "Acknowledgement"),
        ("credentials", "Credentials pull"),
        ("secret-custody", "Secret custody"),
        ("runs", "Runs & limits"),
        ("lifecycle", "Subscription lifecycle"),
        ("heartbeat", "Heartbeat"),
        ("request-config", "Asking the buyer to fix a credential"),
        ("operations", "Operations"),
        ("chat", "In-app chat"),
    ];

    public static string DisplayName(string area)
    {
        foreach (var (key, name) in Known)
            if (string.Equals(key, area, StringComparison.OrdinalIgnoreCase)) return name;
        if (string.IsNullOrWhiteSpace(area)) return "Other";
        // "some-new-area" → "Some new area": readable without a code change when the catalog grows.
        var words = area.Replace('_', ' ').Replace('-', ' ').Trim();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>Position in the contract's own order; unknown areas go last, alphabetically.</summary>
    public static int Order(string area)
    {
        for (var i = 0; i < Known.Length; i++)
            if (string.Equals(Known[i].Area, area, StringComparison.OrdinalIgnoreCase)) return i;
        return Known.Length;
    }
}
