using System.Text.RegularExpressions;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed partial class HtmlReportTests
{
    private static string Failing() => HtmlReportWriter.Render(FixtureResults.Failing());

    [Test]
    public void Hostile_bodies_headers_and_labels_are_escaped_not_markup()
    {
        var html = Failing();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Not.Contain("<img"));
            Assert.That(html, Does.Not.Contain("<svg onload"));
            Assert.That(html, Does.Not.Contain("window.__pwned=1</script>"));
            Assert.That(html, Does.Contain("&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;"));
            Assert.That(html, Does.Contain("&quot;&gt;&lt;svg onload=&quot;window.__pwned=3&quot;&gt;"));
            Assert.That(html, Does.Contain("&lt;img src=y onerror=window.__pwned=4&gt;"));
            Assert.That(html, Does.Contain("fixtures/agents/node-broken &lt;&amp; co&gt;"));
        });
    }

    [Test]
    public void The_only_script_element_is_the_report_script()
    {
        var html = Failing();
        Assert.That(ScriptTag().Matches(html), Has.Count.EqualTo(1));
        Assert.That(Regex.Matches(html, "</script", RegexOptions.IgnoreCase), Has.Count.EqualTo(1));
    }

    [Test]
    public void Is_self_contained_and_forbids_fetches_by_policy()
    {
        var html = Failing();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;sha256-"));
            Assert.That(html, Does.Not.Contain("'unsafe-inline'").And.Not.Contain("&#39;unsafe-inline&#39;"));
            Assert.That(ExternalReference().IsMatch(html), Is.False, "no src= or href= pointing off the page");
            Assert.That(html, Does.Not.Contain("<link"));
            Assert.That(html, Does.Not.Contain(" style=\""), "style attributes would be blocked by the CSP");
            Assert.That(html, Does.Not.Contain(" onclick="));
        });
    }

    [Test]
    public void Banner_states_the_outcome_counts_and_run_facts()
    {
        var html = Failing();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("data-testid=\"banner\" data-outcome=\"not-certified\""));
            Assert.That(html, Does.Contain("<h1 data-testid=\"banner-verdict\">Not certified</h1>"));
            Assert.That(html, Does.Contain("4 MUST rules failed: DK-SIG-01, DK-SIG-05, DK-CFG-02, DK-SEC-01."));
            Assert.That(html, Does.Contain("data-testid=\"count-fail\"><span class=\"count__n\">4</span>"));
            Assert.That(html, Does.Contain("data-testid=\"count-pass\"><span class=\"count__n\">18</span>"));
            Assert.That(html, Does.Contain("data-testid=\"meta-duration\">48.25 s</dd>"));
            Assert.That(html, Does.Contain("data-testid=\"meta-seed\">4242</dd>"));
            Assert.That(html, Does.Contain("2026-11-23 12:30:00 UTC"));
            Assert.That(html, Does.Contain("data-testid=\"meta-selection\">all rules</dd>"));
            Assert.That(html.IndexOf("data-testid=\"banner\"", StringComparison.Ordinal), Is.LessThan(html.IndexOf("data-testid=\"rule-row-", StringComparison.Ordinal)));
        });
    }

    [TestCase(Outcome.Certified, "Certified", "certified")]
    [TestCase(Outcome.HarnessError, "Harness error", "harness-error")]
    [TestCase(Outcome.NothingSelected, "Nothing selected", "nothing-selected")]
    public void Banner_has_a_state_for_every_outcome(Outcome outcome, string headline, string token)
    {
        var rules = outcome == Outcome.NothingSelected ? [] : FixtureResults.Rules();
        var html = HtmlReportWriter.Render(FixtureResults.With(outcome, rules, outcome == Outcome.NothingSelected ? "DK-ZZZ-*" : null));
        Assert.That(html, Does.Contain($"data-outcome=\"{token}\""));
        Assert.That(html, Does.Contain($">{headline}</h1>"));
        if (outcome == Outcome.NothingSelected)
        {
            Assert.That(html, Does.Contain("No rule matched the selection “DK-ZZZ-*”"));
            Assert.That(html, Does.Contain("data-testid=\"no-rules\""));
        }
    }

    [Test]
    public void Rules_are_grouped_by_area_worst_first_and_failures_lead_within_an_area()
    {
        var html = Failing();
        var areas = AreaSection().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var rows = RuleRow().Matches(html).Select(m => (Id: m.Groups[1].Value, Verdict: m.Groups[2].Value)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(areas.Take(3), Is.EquivalentTo(new[] { "signatures", "credentials", "secret-custody" }));
            Assert.That(areas, Has.Count.EqualTo(9));
            Assert.That(rows, Has.Count.EqualTo(33));
            var custody = rows.Where(r => r.Id.StartsWith("DK-SEC", StringComparison.Ordinal)).Select(r => r.Verdict).ToList();
            Assert.That(custody, Is.EqualTo(new[] { "fail", "harness-error", "warn", "pass", "pass" }));
            Assert.That(html, Does.Contain("<h3>Deliveries &amp; signatures</h3>"));
            Assert.That(html, Does.Contain("<h3>Asking the buyer to fix a credential</h3>"));
        });
    }

    [Test]
    public void Json_bodies_are_pretty_printed_keeping_big_integers_and_raw_text_stays_available()
    {
        var html = Failing();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("&quot;orderRef&quot;: 9007199254740993"));
            Assert.That(html, Does.Contain("{\n  &quot;event&quot;: &quot;buyer_configured&quot;,\n  &quot;subscriptionId&quot;: &quot;sub_A1&quot;\n}"));
            Assert.That(html, Does.Contain("Raw body as sent"));
            Assert.That(html, Does.Contain("&quot;buyer&quot;: &quot;Ren\\u00e9e&quot;"), "the raw toggle shows the escape exactly as sent");
        });
    }

    [Test]
    public void Every_rule_has_details_a_rerun_command_and_a_copy_button()
    {
        var html = Failing();
        foreach (var rule in FixtureResults.Rules())
        {
            Assert.That(html, Does.Contain($"data-testid=\"rule-details-{rule.Id}\""));
            Assert.That(html, Does.Contain($"data-testid=\"copy-rerun-{rule.Id}\""));
        }
        Assert.That(html, Does.Contain($"data-testid=\"rerun-DK-SIG-01\">{FixtureResults.RerunSig01.Replace("'", "&#39;", StringComparison.Ordinal)}</code>"));
    }

    [Test]
    public void Each_scenario_gets_an_svg_with_four_lanes_tooltips_and_status_colours()
    {
        var html = Failing();
        var svgs = Regex.Matches(html, "<svg class=\"timeline\"");
        Assert.Multiple(() =>
        {
            Assert.That(svgs, Has.Count.EqualTo(6), "the scenario without events gets a note instead");
            Assert.That(html, Does.Contain(">platform→agent</text>"));
            Assert.That(html, Does.Contain(">agent→provider</text>"));
            Assert.That(html, Does.Contain("<g class=\"mark\" data-status=\"bad\"><title>non-hex — platform→agent · 500"));
            Assert.That(html, Does.Contain("<g class=\"mark\" data-status=\"warn\"><title>POST /run sub_E2 — agent→platform · 429"));
            Assert.That(html, Does.Contain("<g class=\"mark\" data-status=\"bad\"><title>restart failed: port still bound — harness"));
            Assert.That(html, Does.Contain("No events were recorded."));
        });
    }

    [Test]
    public void A_huge_body_is_clipped_in_the_page()
    {
        var results = FixtureResults.Failing();
        var rule = results.Rules[0];
        var tx = rule.Evidence.Transcript[0] with { ResponseBody = new string('x', 100_000) };
        var big = rule with { Evidence = rule.Evidence with { Transcript = [tx] } };
        var html = HtmlReportWriter.Render(FixtureResults.With(Outcome.NotCertified, [big]));
        Assert.That(html, Does.Contain("Showing the first 20,000 of 100,000 characters"));
        Assert.That(html.Length, Is.LessThan(60_000 + ReportAssetsLength()));
    }

    [Test]
    public void Tick_steps_are_round_numbers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TimelineSvg.TickStep(6_000), Is.EqualTo(1_000));
            Assert.That(TimelineSvg.TickStep(400), Is.EqualTo(50));
            Assert.That(TimelineSvg.TickStep(10_500), Is.EqualTo(2_000));
        });
    }

    [Test]
    public void Inline_assets_cannot_close_their_own_element_and_the_script_never_builds_markup()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ReportAssets.Css, Does.Not.Contain("</"));
            Assert.That(ReportAssets.Script, Does.Not.Contain("</"));
            Assert.That(ReportAssets.Script, Does.Not.Contain("innerHTML").And.Not.Contain("outerHTML").And.Not.Contain("insertAdjacentHTML").And.Not.Contain("document.write"));
            Assert.That(ReportAssets.Script, Does.Not.Contain("fetch(").And.Not.Contain("XMLHttpRequest"));
        });
    }

    [Test]
    public void Not_certified_without_fail_verdicts_still_explains_itself()
    {
        var warnsOnly = FixtureResults.Rules().Select(r => r.Verdict == Verdict.Fail ? r with { Verdict = Verdict.Pass } : r).ToList();
        var strict = FixtureResults.With(Outcome.NotCertified, warnsOnly) with { Strict = true };
        Assert.That(HtmlReportWriter.Render(strict), Does.Contain("Strict mode: 3 SHOULD rules not met: DK-ACK-02, DK-ACK-05, DK-SEC-05."));
    }

    private static int ReportAssetsLength() => ReportAssets.Css.Length + ReportAssets.Script.Length;

    [GeneratedRegex("<script[\\s>]", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("(?:src|href)\\s*=\\s*\"(?!#)[^\"]*\"", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("<section class=\"area\" data-area=\"([^\"]+)\"")]
    private static partial Regex AreaSection();

    [GeneratedRegex("data-testid=\"rule-row-([^\"]+)\" data-verdict=\"([^\"]+)\"")]
    private static partial Regex RuleRow();
}
