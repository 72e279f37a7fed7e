using System.Security;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class RedactionTests
{
    private static readonly string[] Secrets = [FixtureResults.CanaryKey, FixtureResults.WebhookSecret];

    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "redaction-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void RemoveDir()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void The_fixture_really_carries_the_secrets_so_the_test_below_means_something()
    {
        var unredacted = ResultsJson.Serialize(FixtureResults.Failing()) + HtmlReportWriter.Render(FixtureResults.Failing());
        Assert.That(unredacted, Does.Contain(FixtureResults.CanaryKey));
        Assert.That(unredacted, Does.Contain(Html.Escape(FixtureResults.WebhookSecret)));
    }

    [Test]
    public void No_written_file_contains_a_secret_in_any_spelling()
    {
        var paths = ReportSet.WriteAll(FixtureResults.Failing(), _dir, Secrets);
        var files = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories);
        Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(new[] { "results.json", "index.html", "junit.xml", "summary.md" }), "no temp files left behind");
        Assert.That(paths, Is.EquivalentTo(files));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var secret in Secrets)
            {
                foreach (var spelling in Spellings(secret))
                    Assert.That(text, Does.Not.Contain(spelling), $"{Path.GetFileName(file)} leaks {secret} as {spelling}");
            }
            Assert.That(text, Does.Contain("••••9f8e"), $"{Path.GetFileName(file)} should show where the webhook secret was");
        }
        Assert.That(File.ReadAllText(Path.Combine(_dir, "index.html")), Does.Contain("••••2e1d"));
        Assert.That(File.ReadAllText(Path.Combine(_dir, "junit.xml")), Does.Contain("••••2e1d"));
    }

    [Test]
    public void A_secret_decoded_by_json_pretty_printing_is_still_caught()
    {
        // The engine's text redaction misses a secret the agent sent JSON-escaped; pretty-printing decodes it.
        var results = FixtureResults.Failing();
        var rule = results.Rules[0];
        var escaped = FixtureResults.CanaryKey.Replace("-", "\\u002d", StringComparison.Ordinal);
        var tx = rule.Evidence.Transcript[0] with { RequestBody = $"{{\"key\":\"{escaped}\"}}" };
        var sneaky = FixtureResults.With(Outcome.NotCertified, [rule with { Evidence = rule.Evidence with { Transcript = [tx] } }]);
        Assert.That(HtmlReportWriter.Render(sneaky), Does.Contain(FixtureResults.CanaryKey), "precondition: rendering decodes the escape");

        ReportSet.WriteAll(sneaky, _dir, Secrets);
        Assert.That(File.ReadAllText(Path.Combine(_dir, "index.html")), Does.Not.Contain(FixtureResults.CanaryKey));
    }

    [Test]
    public void Redacted_results_json_reads_back()
    {
        ReportSet.WriteAll(FixtureResults.Failing(), _dir, Secrets);
        var path = Path.Combine(_dir, "results.json");
        var back = ResultsJson.Deserialize(File.ReadAllText(path), path);
        Assert.Multiple(() =>
        {
            Assert.That(back.Rules, Has.Count.EqualTo(33));
            Assert.That(back.Rules.Count(r => r.Verdict == Verdict.Fail), Is.EqualTo(4));
            Assert.That(back.Notes[1], Does.Contain("••••9f8e").And.Not.Contain("whsec"));
        });
    }

    [Test]
    public void Model_redaction_leaves_enum_values_alone_so_the_model_stays_valid()
    {
        // A secret that collides with an enum token must not make redaction throw: reports still get written.
        var redacted = new SecretRedactor(["fail", "MUST", "non-hex"]).Redact(FixtureResults.Failing());
        Assert.Multiple(() =>
        {
            Assert.That(redacted.Outcome, Is.EqualTo(Outcome.NotCertified));
            Assert.That(redacted.Rules.Count(r => r.Verdict == Verdict.Fail), Is.EqualTo(4));
            Assert.That(redacted.Rules.Count(r => r.Level == RuleLevel.Must), Is.EqualTo(FixtureResults.Rules().Count(r => r.Level == RuleLevel.Must)));
            Assert.That(redacted.Rules.Single(r => r.Id == "DK-SIG-05").Evidence.Observed, Is.EqualTo("500 for a •••• signature (3 of 4 variants got 401)"));
            Assert.That(redacted.Rules.Single(r => r.Id == "DK-SEC-04").Evidence.Transcript[0].Error, Is.EqualTo("port still bound"));
            Assert.That(redacted.Rules.Single(r => r.Id == "DK-SIG-05").Evidence.Transcript[1].RequestHeaders["X-AgentDukaan-Sig"], Is.EqualTo("zzzz-not-hex"));
        });
    }

    [TestCase("sk-canary-buyer-7f3a9c2e1d", "••••2e1d")]
    [TestCase("short-secret", "••••cret")]
    [TestCase("tiny", "••••")]
    [TestCase("eleven-char", "••••")]
    [TestCase("abcdefgh<\"&>", "••••••••")]
    public void Mask_shows_the_last_four_only_for_long_secrets_and_never_markup(string secret, string mask)
    {
        Assert.That(SecretRedactor.Mask(secret), Is.EqualTo(mask));
    }

    [Test]
    public void A_secret_containing_another_is_masked_whole()
    {
        var redactor = new SecretRedactor(["abcdefghijkl", "abcdefghijkl-and-more-1234"]);
        Assert.That(redactor.Redact("x abcdefghijkl-and-more-1234 y abcdefghijkl z"), Is.EqualTo("x ••••1234 y ••••ijkl z"));
    }

    [Test]
    public void Empty_and_null_secrets_are_ignored()
    {
        var redactor = new SecretRedactor(["", null]);
        Assert.That(redactor.IsEmpty);
        Assert.That(redactor.Redact("unchanged"), Is.EqualTo("unchanged"));
    }

    private static IEnumerable<string> Spellings(string secret) =>
        new[]
        {
            secret,
            Html.Escape(secret),
            SecurityElement.Escape(secret),
            JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
            JsonEncodedText.Encode(secret).ToString(),
            Uri.EscapeDataString(secret),
        }.Distinct();
}
