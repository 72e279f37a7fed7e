using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>The rules, grouped by area with the worst first, and the toolbar that filters them.</summary>
internal static class RulesView
{
    public static void Render(HtmlBuilder html, RunResults results, IReadOnlyDictionary<string, string> anchors, IReadOnlyDictionary<string, string> conversations)
    {
        html.Add($"<main>\n<h2 id=\"rules\">Rules</h2>\n");
        if (results.Rules.Count == 0)
        {
            html.Add($"<p class=\"empty\" data-testid=\"no-rules\">No rules were run.</p>\n</main>\n");
            return;
        }
        RenderToolbar(html, results);
        var index = 0;
        foreach (var group in RuleOrdering.Groups(results.Rules))
        {
            var tally = string.Join(" · ", VerdictInfo.WorstFirst
                .Select(v => (v, n: group.Rules.Count(r => r.Verdict == v)))
                .Where(x => x.n > 0)
                .Select(x => $"{x.n} {VerdictInfo.Label(x.v)}"));
            html.Add($"""
                <section class="area" data-area="{group.Area}" data-testid="area-{group.Area}" aria-label="{group.DisplayName}">
                <div class="area__head"><h3>{group.DisplayName}</h3><span class="area__key">{group.Area}</span><span class="area__tally">{tally}</span></div>
                <div class="cols" aria-hidden="true"><span></span><span>ID</span><span>Rule</span><span>Level</span><span>Verdict</span></div>

                """);
            foreach (var rule in group.Rules) RenderRule(html, rule, anchors, conversations, index++);
            html.Add($"</section>\n");
        }
        html.Add($"<p class=\"empty\" data-testid=\"no-match\" hidden>No rule matches these filters.</p>\n</main>\n");
    }

    private static void RenderToolbar(HtmlBuilder html, RunResults results)
    {
        html.Add($"<div class=\"toolbar\" role=\"search\">\n<div class=\"filters\" role=\"group\" aria-label=\"Filter by verdict\"><span class=\"filters__label\">Verdict</span>\n");
        Chip(html, "verdict", "all", "All", results.Rules.Count, pressed: true);
        foreach (var verdict in VerdictInfo.WorstFirst)
            Chip(html, "verdict", VerdictInfo.Token(verdict), VerdictInfo.Label(verdict), results.Rules.Count(r => r.Verdict == verdict), pressed: false);
        html.Add($"</div>\n<div class=\"filters\" role=\"group\" aria-label=\"Filter by level\"><span class=\"filters__label\">Level</span>\n");
        Chip(html, "level", "all", "All", results.Rules.Count, pressed: true);
        foreach (var level in LevelInfo.All)
            Chip(html, "level", LevelInfo.Token(level), LevelInfo.Token(level), results.Rules.Count(r => r.Level == level), pressed: false);
        html.Add($"""
            </div>
            <input class="search" type="search" data-testid="search" placeholder="Search ID, title, diagnosis" aria-label="Search rules by ID, title or diagnosis" autocomplete="off" spellcheck="false">
            <span class="shown" data-testid="visible-count" aria-live="polite">{results.Rules.Count} of {results.Rules.Count} rules</span>
            <button type="button" class="btn" data-testid="expand-all">Expand all</button>
            <button type="button" class="btn" data-testid="collapse-all">Collapse all</button>
            </div>

            """);
    }

    private static void Chip(HtmlBuilder html, string group, string value, string label, int count, bool pressed)
    {
        // Test ids are lower case throughout ("filter-level-must"); the data-value keeps the results.json token.
        var testId = $"filter-{group}-{value.ToLowerInvariant()}";
        html.Add($"""<button type="button" class="chip" data-filter="{group}" data-value="{value}" data-testid="{testId}" aria-pressed="{(pressed ? "true" : "false")}">{label} <span class="chip__n">{count}</span></button>""").Add($"\n");
    }

    private static void RenderRule(HtmlBuilder html, RuleResult rule, IReadOnlyDictionary<string, string> anchors, IReadOnlyDictionary<string, string> conversations, int index)
    {
        var verdict = VerdictInfo.Token(rule.Verdict);
        var level = LevelInfo.Token(rule.Level);
        var search = $"{rule.Id} {rule.Title} {rule.Evidence.Diagnosis}".ToLowerInvariant();
        // A one-line hint under the title lets a reader triage failures without opening each one.
        var hint = rule.Verdict is Verdict.Pass ? null : EvidenceText.Why(rule.Evidence);
        html.Add($"""
            <details class="rule rule--{verdict}" id="rule-{rule.Id}" data-testid="rule-row-{rule.Id}" data-verdict="{verdict}" data-level="{level}" data-search="{search}">
            <summary data-testid="rule-toggle-{rule.Id}"><span class="rule__id">{rule.Id}</span><span class="rule__title">{rule.Title}
            """);
        if (!string.IsNullOrWhiteSpace(hint)) html.Add($"<span class=\"rule__hint\">{OneLine(hint)}</span>");
        html.Add($"""
            </span><span class="rule__level"><span class="level level--{level}">{level}</span></span><span class="rule__verdict"><span class="badge v--{verdict}" data-testid="verdict-{rule.Id}">{VerdictInfo.Label(rule.Verdict)}</span></span></summary>

            """);
        RuleDetailsView.Render(html, rule, anchors, conversations, index);
        html.Add($"</details>\n");
    }

    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= 240 ? flat : flat[..240] + "…";
    }
}
