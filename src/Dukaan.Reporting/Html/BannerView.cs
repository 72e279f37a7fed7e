using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>The first thing on the page: the verdict, the counts, and what was tested under which settings.</summary>
internal static class BannerView
{
    public static void Render(HtmlBuilder html, RunResults results)
    {
        var outcome = OutcomeText.Token(results.Outcome);
        var icon = results.Outcome switch
        {
            Outcome.Certified => "✓",
            Outcome.NotCertified => "✕",
            Outcome.HarnessError => "!",
            _ => "–",
        };
        html.Add($"""
            <header class="banner banner--{outcome}" data-testid="banner" data-outcome="{outcome}">
            <div class="banner__top">
            <div class="banner__icon" aria-hidden="true">{icon}</div>
            <div>
            <p class="banner__kicker">{results.Title} · {results.Profile}</p>
            <h1 data-testid="banner-verdict">{OutcomeText.Headline(results.Outcome)}</h1>
            <p class="banner__reason" data-testid="banner-reason">{OutcomeText.Reason(results)}</p>
            </div>
            </div>
            <ul class="counts" aria-label="Rules by verdict">

            """);
        foreach (var verdict in VerdictInfo.WorstFirst)
        {
            var n = VerdictInfo.Count(results.Summary, verdict);
            var token = VerdictInfo.Token(verdict);
            html.Add($"""<li class="count v--{token}{new RawHtml(n == 0 ? " count--zero" : "")}" data-testid="count-{token}"><span class="count__n">{n}</span> {VerdictInfo.Label(verdict)}</li>""").Add($"\n");
        }
        html.Add($"""<li class="count" data-testid="count-total"><span class="count__n">{results.Rules.Count}</span> rules</li>""").Add($"\n</ul>\n");

        html.Add($"<dl class=\"meta\">\n");
        Meta(html, "Target", results.Target.Description, "meta-target", wide: true);
        if (results.Target.Command is { Length: > 0 } command) Meta(html, "Command", command, "meta-command", wide: true, mono: true);
        if (results.Target.AgentUrl is { Length: > 0 } url) Meta(html, "Agent URL", url, "meta-agent-url", mono: true);
        Meta(html, "Webhook path", results.Target.WebhookPath, "meta-webhook", mono: true);
        if (results.Target.TriggerUrl is { Length: > 0 } trigger) Meta(html, "Trigger URL", trigger, "meta-trigger", mono: true);
        html.Add($"""<div><dt>Date</dt><dd data-testid="meta-date"><time datetime="{Formatting.IsoDate(results.StartedAt)}">{Formatting.Date(results.StartedAt)}</time></dd></div>""").Add($"\n");
        Meta(html, "Duration", Formatting.Duration(results.DurationMs), "meta-duration");
        Meta(html, "Profile", results.Profile, "meta-profile", mono: true);
        Meta(html, "Contract version", results.ContractVersion, "meta-contract");
        Meta(html, "Harness version", results.HarnessVersion, "meta-harness");
        Meta(html, "Seed", results.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "meta-seed", mono: true);
        Meta(html, "Strict", results.Strict ? "yes — SHOULD failures fail certification" : "no", "meta-strict");
        Meta(html, "Rule selection", results.RuleSelection is { Length: > 0 } s ? s : "all rules", "meta-selection", mono: results.RuleSelection is { Length: > 0 });
        Meta(html, "Exit code", results.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), "meta-exit", mono: true);
        html.Add($"</dl>\n</header>\n");

        if (results.Notes.Count > 0)
        {
            html.Add($"<section class=\"notes\" data-testid=\"notes\"><strong>Notes</strong><ul>\n");
            foreach (var note in results.Notes) html.Add($"<li>{note}</li>\n");
            html.Add($"</ul></section>\n");
        }
    }

    private static void Meta(HtmlBuilder html, string label, string value, string testId, bool wide = false, bool mono = false)
    {
        var cls = wide ? " class=\"meta--wide\"" : "";
        var valueClass = mono ? " class=\"mono\"" : "";
        html.Add($"<div{new RawHtml(cls)}><dt>{label}</dt><dd{new RawHtml(valueClass)} data-testid=\"{testId}\">{value}</dd></div>\n");
    }
}
