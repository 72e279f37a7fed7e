using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>Stable, valid, unique fragment ids for scenarios, so rules can link to their timelines.</summary>
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
