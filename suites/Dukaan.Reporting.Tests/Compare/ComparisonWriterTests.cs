using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dukaan.Conformance;
using static Dukaan.Reporting.Tests.VerdictRuns;

namespace Dukaan.Reporting.Tests.Compare;

public sealed partial class ComparisonWriterTests
{
    /// <summary>Run 2 regresses DK-RUN-02 and fixes DK-SEC-01; labels and a title carry markup an attacker could choose.</summary>
    internal static RunComparison Hostile()
    {
        var before = Passing(("DK-SEC-01", Verdict.Fail));
        var after = Passing(("DK-RUN-02", Verdict.Fail));
        after = after with { Rules = [.. after.Rules.Select(r => r.Id == "DK-SIG-02" ? r with { Title = "</td><script>window.__pwned=5</script>" } : r)] };
        return RunComparison.Build(
        [
            new ComparedRun(FixtureResults.HostileLabel, before, "/tmp/<b>old</b>/results.json"),
            new ComparedRun("new | @team #12 `x`", after),
        ]);
    }

    [Test]
    public void Html_escapes_labels_titles_and_sources()
    {
        var html = ComparisonHtmlWriter.Render(Hostile());
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Not.Contain("<img").And.Not.Contain("<script").And.Not.Contain("<b>old"));
            Assert.That(html, Does.Contain("&lt;img src=y onerror=window.__pwned=4&gt;"));
            Assert.That(html, Does.Contain("&lt;/td&gt;&lt;script&gt;window.__pwned=5&lt;/script&gt;"));
            Assert.That(html, Does.Contain("/tmp/&lt;b&gt;old&lt;/b&gt;/results.json"));
        });
    }

    [Test]
    public void Html_is_self_contained_and_its_policy_allows_exactly_its_stylesheet()
    {
        var html = ComparisonHtmlWriter.Render(Hostile());
        var style = StyleElement().Match(html);
        Assert.That(style.Success, Is.True);
        var hash = "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style.Groups[1].Value)));
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain($"content=\"default-src &#39;none&#39;; style-src &#39;{hash}&#39;;"));
            Assert.That(html, Does.Not.Contain("unsafe-inline").And.Not.Contain("<link").And.Not.Contain(" style=\""));
            Assert.That(Regex.IsMatch(html, "<[^>]*\\s(src|href)\\s*=", RegexOptions.IgnoreCase), Is.False, "nothing loaded from anywhere");
            Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"));
            Assert.That(style.Groups[1].Value, Does.Contain(".banner {").And.Contain(".row--regressed"), "index.html's stylesheet plus the matrix's");
        });
    }

    [Test]
    public void Html_marks_regressed_and_changed_rows_in_words_as_well_as_colour()
    {
        var html = ComparisonHtmlWriter.Render(Hostile());
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("<h1 data-testid=\"compare-headline\">1 regression</h1>"));
            Assert.That(html, Does.Contain("<tr class=\"row--regressed\" data-testid=\"compare-row-DK-RUN-02\" data-changed=\"true\" data-regressed=\"true\">"));
            Assert.That(html, Does.Contain("<tr class=\"row--changed\" data-testid=\"compare-row-DK-SEC-01\" data-changed=\"true\" data-regressed=\"false\">"));
            Assert.That(html, Does.Contain("<tr class=\"row--same\" data-testid=\"compare-row-DK-SIG-03\" data-changed=\"false\" data-regressed=\"false\">"));
            Assert.That(Regex.Count(html, "<span class=\"mark mark--regressed\">regressed</span>"), Is.EqualTo(2), "in 'what changed' and in the matrix");
            Assert.That(html, Does.Contain("data-testid=\"count-regressed\"><span class=\"count__n\">1</span>"));
            Assert.That(html, Does.Contain("data-testid=\"count-changed\"><span class=\"count__n\">1</span>"));
        });
    }

    [Test]
    public void Html_without_changes_says_so()
    {
        var html = ComparisonHtmlWriter.Render(RunComparison.Build([new("a", Passing()), new("b", Passing())]));
        Assert.That(html, Does.Contain(">No regression</h1>").And.Contain("data-testid=\"compare-no-changes\""));
    }

    [Test]
    public void Markdown_leads_with_regressions_and_escapes_what_could_ping_link_or_break_the_table()
    {
        var md = ComparisonMarkdownWriter.Render(Hostile());
        Assert.Multiple(() =>
        {
            Assert.That(md, Does.Contain("❌ **1 regression** across 2 runs (passed before, not any more): DK-RUN-02."));
            Assert.That(md, Does.Contain("| DK-RUN-02 No more billable work after 429 RUN\\_LIMIT\\_EXCEEDED | MUST | run 1 ✅ pass → run 2 ❌ fail **regressed** |"));
            Assert.That(md, Does.Contain("new \\| \\@team \\#12 \\`x\\`"));
            Assert.That(md, Does.Contain("&lt;img src=y onerror=window.\\_\\_pwned=4&gt;"));
            Assert.That(md, Does.Not.Contain("<img").And.Not.Contain("<script"));
            Assert.That(md.IndexOf("What changed", StringComparison.Ordinal), Is.LessThan(md.IndexOf("All rules × runs", StringComparison.Ordinal)));
        });
    }

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
