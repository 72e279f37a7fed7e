using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>Everything needed to understand and reproduce one verdict, shown when its row is opened.</summary>
internal static class RuleDetailsView
{
    /// <param name="conversations">Scenario name to its conversation panel, for the scenarios whose buyers chatted.</param>
    public static void Render(HtmlBuilder html, RuleResult rule, IReadOnlyDictionary<string, string> anchors, IReadOnlyDictionary<string, string> conversations, int index)
    {
        var e = rule.Evidence;
        var observedClass = rule.Verdict is Verdict.Fail or Verdict.HarnessError ? " observed--fail" : "";
        html.Add($"""
            <div class="rule__body" data-testid="rule-details-{rule.Id}">
            <p class="statement">{rule.Statement}</p>
            <p class="seedref">Source: {(string.IsNullOrWhiteSpace(rule.SeedReference) ? "—" : rule.SeedReference)} · Level {LevelInfo.Token(rule.Level)} · Area {AreaInfo.DisplayName(rule.Area)}</p>

            """);
        if (!string.IsNullOrWhiteSpace(e.Diagnosis))
            html.Add($"<div class=\"diagnosis\" role=\"note\" data-testid=\"diagnosis-{rule.Id}\"><strong>Diagnosis</strong>{e.Diagnosis}</div>\n");
        html.Add($"""
            <div class="compare">
            <div class="expected"><h4>Expected</h4><pre data-testid="expected-{rule.Id}">{e.Expected}</pre></div>
            <div class="observed{new RawHtml(observedClass)}"><h4>Observed</h4><pre data-testid="observed-{rule.Id}">{e.Observed}</pre></div>
            </div>

            """);
        if (!string.IsNullOrWhiteSpace(e.RerunCommand))
        {
            // Element ids are index-based: rule IDs are catalog strings and need not be valid or unique as DOM ids.
            var codeId = $"rerun-cmd-{index}";
            html.Add($"""
                <h4>Reproduce just this rule</h4>
                <div class="rerun"><code id="{codeId}" data-testid="rerun-{rule.Id}">{e.RerunCommand}</code><button type="button" class="btn" data-copy="{codeId}" data-label="Copy" data-testid="copy-rerun-{rule.Id}" aria-label="Copy the rerun command for {rule.Id}">Copy</button></div>

                """);
        }
        if (e.Scenarios.Count > 0)
        {
            html.Add($"<p class=\"scenario-links\">Scenarios: ");
            for (var i = 0; i < e.Scenarios.Count; i++)
            {
                if (i > 0) html.Add($", ");
                var name = e.Scenarios[i];
                if (anchors.TryGetValue(name, out var anchor)) html.Add($"<a href=\"#{anchor}\">{name}</a>");
                else html.Add($"{name}");
                // A chat rule is judged on what the buyer saw, so its reader wants the conversation, not only the wire.
                if (conversations.TryGetValue(name, out var conversation))
                    html.Add($" (<a href=\"#{conversation}\" data-testid=\"conversation-link-{rule.Id}-{i + 1}\">conversation</a>)");
            }
            html.Add($"</p>\n");
        }
        TranscriptView.Render(html, rule);
        html.Add($"</div>\n");
    }
}
