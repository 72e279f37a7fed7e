using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>Stable, valid, unique fragment ids for scenarios, so rules can link to their timelines and conversations.</summary>
internal static class ScenarioAnchors
{
    public static IReadOnlyDictionary<string, string> For(IReadOnlyList<ScenarioTimeline> scenarios)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            if (map.ContainsKey(scenario.Name)) continue;
            var slug = Slug(scenario.Name);
            var anchor = "scenario-" + slug;
            for (var i = 2; !used.Add(anchor); i++) anchor = $"scenario-{slug}-{i}";
            map[scenario.Name] = anchor;
        }
        return map;
    }

    /// <summary>Where a scenario's conversation panel is, for the scenarios that have one, so chat rules can point at it.</summary>
    public static IReadOnlyDictionary<string, string> Conversations(IReadOnlyList<ScenarioTimeline> scenarios, IReadOnlyDictionary<string, string> anchors) =>
        scenarios.Where(s => s.Chats is { Count: > 0 }).DistinctBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(s => s.Name, s => ConversationId(anchors[s.Name]), StringComparer.Ordinal);

    public static string ConversationId(string scenarioAnchor) => scenarioAnchor + "-conversation";

    private static string Slug(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "unnamed" : slug;
    }
}
