namespace Dukaan.Reporting;

/// <summary>The four lanes of a scenario picture, and how transcript directions map onto them.</summary>
internal static class Lanes
{
    public const string PlatformToAgent = "platform→agent";
    public const string AgentToPlatform = "agent→platform";
    public const string AgentToProvider = "agent→provider";
    public const string Harness = "harness";

    public static IReadOnlyList<string> All { get; } = [PlatformToAgent, AgentToPlatform, AgentToProvider, Harness];

    /// <summary>
    /// Accepts the lane spellings and the simulator's enum names (PlatformToAgent, AgentToPlatform) so a transcript
    /// renders the same whichever the engine writes. Null when it is none of them.
    /// </summary>
    public static string? Normalize(string? direction, string? kind = null)
    {
        if (string.IsNullOrWhiteSpace(direction)) return null;
        var d = new string([.. direction.Where(char.IsLetter)]).ToLowerInvariant();
        if (d.Contains("provider", StringComparison.Ordinal)) return AgentToProvider;
        // The simulator serves the provider too, so it records provider calls as agent→platform with kind "provider".
        if (d.StartsWith("agent", StringComparison.Ordinal) && string.Equals(kind, "provider", StringComparison.OrdinalIgnoreCase)) return AgentToProvider;
        if (d.StartsWith("platform", StringComparison.Ordinal)) return PlatformToAgent;
        if (d.StartsWith("agent", StringComparison.Ordinal)) return AgentToPlatform;
        if (d.StartsWith("harness", StringComparison.Ordinal)) return Harness;
        return null;
    }

    /// <summary>The arrow for a known lane, else the direction as recorded, so an unknown one is still shown.</summary>
    public static string Describe(string direction, string? kind) => Normalize(direction, kind) is { } lane ? Arrow(lane) : direction;

    public static string Arrow(string? lane) => lane switch
    {
        PlatformToAgent => "platform → agent",
        AgentToPlatform => "agent → platform",
        AgentToProvider => "agent → provider",
        Harness => "harness",
        _ => "",
    };

    public static string CssToken(string? lane) => lane switch
    {
        PlatformToAgent => "in",
        AgentToPlatform => "out",
        AgentToProvider => "provider",
        Harness => "harness",
        _ => "other",
    };
}

internal static class StatusInfo
{
    /// <summary>2xx green, 4xx amber (429 and 403 are expected answers in many rules), 5xx and errors red.</summary>
    public static string Css(int? status, string? kindOrError = null, string? lane = null)
    {
        // On a wire lane, no status means no response at all (timeout, reset): that is an error, not a neutral event.
        if (status is null && lane is not null && lane != Lanes.Harness) return "bad";
        if (status is null)
        {
            var k = kindOrError?.ToLowerInvariant() ?? "";
            return k.Contains("error", StringComparison.Ordinal) || k.Contains("timeout", StringComparison.Ordinal)
                || k.Contains("crash", StringComparison.Ordinal) || k.Contains("fail", StringComparison.Ordinal) || k.Contains("refused", StringComparison.Ordinal)
                ? "bad" : "info";
        }
        return status switch
        {
            >= 200 and < 300 => "ok",
            >= 400 and < 500 => "warn",
            >= 500 => "bad",
            _ => "other",
        };
    }

    public static string Text(int? status, string? error) => status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (error is { Length: > 0 } ? "error" : "—");
}
