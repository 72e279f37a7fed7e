using System.Globalization;
using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Fleet;

/// <summary>compare.md for two fleets: the verdict, the two fleets, regressions per agent and rule, improvements, roster changes.</summary>
public static class FleetComparisonMarkdownWriter
{
    /// <summary>Rows per table; a contract change that breaks every rule of every agent must still fit a job summary.</summary>
    public const int MaxRows = 1000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(FleetComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var c = comparison;
        var md = new StringBuilder();
        md.Append(Inv, $"## Fleet {Markdown.Text(c.New.Manifest.FleetName)} — comparison\n\n");
        md.Append(c.Regressed.Count == 0 ? "✅ **No regression**. " : $"❌ **{Markdown.Text(FleetComparisonText.Headline(c))}**. ");
        md.Append(Markdown.Text(FleetComparisonText.Reason(c))).Append("\n\n");
        foreach (var caveat in c.Caveats) md.Append("> ⚠️ ").Append(Markdown.Text(caveat)).Append('\n');
        if (c.Caveats.Count > 0) md.Append('\n');

        md.Append("| fleet | folder | agents | certified | failed | no verdict | not run |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var (run, source, label) in new[] { (c.Old, c.OldSource, "old"), (c.New, c.NewSource, "new") })
            md.Append(Inv, $"| {label} · {Markdown.Text(run.Manifest.FleetName)} · {Formatting.Date(run.Manifest.StartedAt)} | {Markdown.Text(source)} | {run.Manifest.Roster.Count} | {run.Certified} | {run.Failed} | {run.Errors} | {run.NotRun.Count} |\n");
        md.Append('\n');

        Table(md, "### ❌ Regressions", c.Changed.Where(x => x.Regressed), x => x.Regressions, x => x.StatusRegressed);
        Table(md, "### ✅ Improvements", c.Changed.Where(x => x.Improvements.Count > 0 || x.StatusImproved), x => x.Improvements, x => x.StatusImproved);

        if (c.Added.Count > 0)
            md.Append(Inv, $"**Added ({c.Added.Count}):** {string.Join(", ", c.Added.Select(a => $"{Markdown.Text(a.Name)} ({FleetText.StatusLabel(a.Status)})"))}\n\n");
        if (c.Removed.Count > 0)
            md.Append(Inv, $"**Removed ({c.Removed.Count}):** {string.Join(", ", c.Removed.Select(a => Markdown.Text(a.Name)))}\n\n");
        if (c.ProfileChanged.Count > 0)
            md.Append(Inv, $"**Profile changed ({c.ProfileChanged.Count}), rules not compared:** {string.Join(", ", c.ProfileChanged.Select(p => $"{Markdown.Text(p.Name)} ({Markdown.Code(p.From)} → {Markdown.Code(p.To)})"))}\n\n");
        md.Append(Inv, $"_{c.Unchanged} agents unchanged. Worse, from best: pass or not applicable · not exercised · warn · harness error · fail; a new rule not passed is a regression._\n");
        return md.ToString();
    }

    private static void Table(StringBuilder md, string heading, IEnumerable<FleetAgentChange> agents, Func<FleetAgentChange, IReadOnlyList<FleetRuleChange>> rules, Func<FleetAgentChange, bool> statusMoved)
    {
        var rows = new List<string>();
        foreach (var agent in agents)
        {
            var name = Markdown.Text(agent.Name);
            if (statusMoved(agent))
                rows.Add($"| {name} | certification | | {FleetText.StatusLabel(agent.Old.Status)} → **{FleetText.StatusLabel(agent.New.Status)}** |");
            foreach (var rule in rules(agent))
                rows.Add($"| {name} | {Markdown.Text(rule.RuleId)} {Markdown.Text(rule.Title)} | {(rule.Level is { } l ? LevelInfo.Token(l) : "")} | {Cell(rule.From)} → **{Cell(rule.To)}** |");
        }
        if (rows.Count == 0) return;
        md.Append(heading).Append(Inv, $" ({rows.Count})\n\n| agent | rule | level | old → new |\n| --- | --- | --- | --- |\n");
        foreach (var row in rows.Take(MaxRows)) md.Append(row).Append('\n');
        if (rows.Count > MaxRows) md.Append(Inv, $"\n_{rows.Count - MaxRows} more rows in compare.html._\n");
        md.Append('\n');
    }

    private static string Cell(Verdict? verdict) => verdict is { } v ? $"{VerdictInfo.Emoji(v)} {VerdictInfo.Label(v)}" : "— not checked";
}
