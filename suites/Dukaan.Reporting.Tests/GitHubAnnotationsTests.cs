using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class GitHubAnnotationsTests
{
    [Test]
    public void Data_escapes_percent_first_then_line_breaks()
    {
        Assert.That(GitHubAnnotations.EscapeData("100% done\r\nnext: a,b"), Is.EqualTo("100%25 done%0D%0Anext: a,b"));
        // %0A already in the text must not turn into a line break on GitHub's side.
        Assert.That(GitHubAnnotations.EscapeData("literal %0A"), Is.EqualTo("literal %250A"));
    }

    [Test]
    public void Properties_also_escape_colon_and_comma()
    {
        Assert.That(GitHubAnnotations.EscapeProperty("DK-SIG-01: a, b 5%\n"), Is.EqualTo("DK-SIG-01%3A a%2C b 5%25%0A"));
    }

    [Test]
    public void Errors_for_failures_and_harness_errors_warnings_for_warns_nothing_else()
    {
        var lines = GitHubAnnotations.Lines(FixtureResults.Failing());
        Assert.Multiple(() =>
        {
            Assert.That(lines.Count(l => l.StartsWith("::error title=DK-", StringComparison.Ordinal)), Is.EqualTo(5));
            Assert.That(lines.Count(l => l.StartsWith("::warning title=DK-", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(lines, Has.Count.EqualTo(8));
            Assert.That(lines[0], Does.StartWith("::error title=DK-SIG-01 Verifies the HMAC over the raw body bytes::DK-SIG-01 (MUST) failed: Probably hashes"));
            Assert.That(lines, Has.Some.StartWith("::error title=DK-SEC-04 harness error::"));
            Assert.That(lines.All(l => !l.Contains('\n') && !l.Contains('\r')), "one command per line");
        });
    }

    [Test]
    public void A_failure_the_baseline_accepts_is_a_notice_with_its_reason_and_the_others_stay_errors()
    {
        var plain = GitHubAnnotations.Lines(FixtureResults.Failing());
        var lines = GitHubAnnotations.Lines(FixtureResults.Failing(), new Baseline([new BaselineEntry("DK-SIG-01", "raw-body fix ships in 2.3")]));
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(plain.Count), "accepting a failure hides nothing");
            Assert.That(lines, Has.None.StartWith("::error title=DK-SIG-01"));
            Assert.That(lines, Has.One.StartWith("::notice title=DK-SIG-01 accepted failure::DK-SIG-01 (MUST) failed, accepted by the baseline (raw-body fix ships in 2.3): Probably hashes"));
            Assert.That(lines.Count(l => l.StartsWith("::error", StringComparison.Ordinal)), Is.EqualTo(plain.Count(l => l.StartsWith("::error", StringComparison.Ordinal)) - 1));
        });
    }

    [Test]
    public void A_multiline_diagnosis_with_colons_stays_one_command()
    {
        var results = FixtureResults.Failing();
        var rule = results.Rules.First(r => r.Id == "DK-CFG-02");
        var odd = rule with { Title = "ts: ms, not s", Evidence = rule.Evidence with { Diagnosis = "line1\nline2: 100%" } };
        var line = GitHubAnnotations.Lines(FixtureResults.With(Outcome.NotCertified, [odd])).Single();
        Assert.That(line, Does.StartWith("::error title=DK-CFG-02 ts%3A ms%2C not s::DK-CFG-02 (MUST) failed: line1%0Aline2: 100%25 Rerun: "));
    }

    [Test]
    public void Write_prints_one_line_per_annotation()
    {
        using var sw = new StringWriter();
        GitHubAnnotations.Write(FixtureResults.With(Outcome.Certified, [.. FixtureResults.Rules().Select(r => r with { Verdict = Verdict.Pass })]), sw);
        Assert.That(sw.ToString(), Is.Empty);
    }
}
