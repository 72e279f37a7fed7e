using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class MarkdownSummaryTests
{
    [Test]
    public void Starts_with_the_verdict_line_and_has_a_counts_table()
    {
        var md = MarkdownSummaryWriter.Render(FixtureResults.Failing());
        var lines = md.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("## ❌ Not certified — AgentDukaan conformance"));
            Assert.That(md, Does.Contain("| ❌ fail | 4 |"));
            Assert.That(md, Does.Contain("| 💥 harness error | 1 |"));
            Assert.That(md, Does.Contain("| ⚠️ warn | 3 |"));
            Assert.That(md, Does.Contain("| ⏭️ not exercised | 7 |"));
            Assert.That(md, Does.Contain("| ✅ pass | 18 |"));
            Assert.That(md, Does.Contain("| **total** | **33** |"));
        });
    }

    [Test]
    public void Lists_failing_rules_with_diagnoses_then_warnings()
    {
        var md = MarkdownSummaryWriter.Render(FixtureResults.Failing());
        var failing = md.IndexOf("### ❌ Failing rules", StringComparison.Ordinal);
        var warnings = md.IndexOf("### ⚠️ Warnings", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(failing, Is.GreaterThan(0));
            Assert.That(warnings, Is.GreaterThan(failing));
            var failSection = md[failing..warnings];
            foreach (var id in new[] { "DK-SIG-01", "DK-SIG-05", "DK-CFG-02", "DK-SEC-01" })
                Assert.That(failSection, Does.Contain($"**{id}**"));
            Assert.That(failSection, Does.Contain("Diagnosis: Sends seconds, not milliseconds: Date.now()/1000."));
            Assert.That(failSection, Does.Contain("Rerun: `" + FixtureResults.RerunSig01 + "`"));
            Assert.That(failSection, Does.Not.Contain("DK-ACK-02"));
            Assert.That(md[warnings..], Does.Contain("**DK-ACK-02**"));
            Assert.That(md[warnings..], Does.Contain("answer first and fetch in the background"));
            Assert.That(md, Does.Contain("<details><summary>⏭️ Not exercised (7)"));
        });
    }

    [Test]
    public void Agent_text_cannot_inject_html_mentions_or_table_cells()
    {
        var results = FixtureResults.Failing();
        var evil = results.Rules.First(r => r.Id == "DK-SIG-05") is var r
            ? r with { Evidence = r.Evidence with { Diagnosis = "<img src=x onerror=alert(1)> ping @platform-team | col\nnew line **bold** `tick`" } }
            : throw new InvalidOperationException();
        var md = MarkdownSummaryWriter.Render(FixtureResults.With(Outcome.NotCertified, [.. results.Rules.Select(x => x.Id == evil.Id ? evil : x)]));
        var line = md.Split('\n').Single(l => l.Contains("ping", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(md, Does.Not.Contain("<img"));
            Assert.That(line, Does.Contain("&lt;img src=x onerror=alert(1)&gt;"));
            Assert.That(line, Does.Contain("ping \\@platform-team"));
            Assert.That(line, Does.Contain("\\| col new line \\*\\*bold\\*\\* \\`tick\\`"));
        });
    }

    [Test]
    public void Inline_code_survives_backticks_in_the_command()
    {
        Assert.Multiple(() =>
        {
            // CommonMark strips one space from each side when both are there, so padding keeps a trailing backtick intact.
            Assert.That(Markdown.Code("run `x`"), Is.EqualTo("`` run `x` ``"));
            Assert.That(Markdown.Code("a``b"), Is.EqualTo("```a``b```"));
            Assert.That(Markdown.Code("plain"), Is.EqualTo("`plain`"));
        });
    }

    [Test]
    public void Certified_and_nothing_selected_have_their_own_verdict_lines()
    {
        var passing = FixtureResults.Failing().Rules.Select(r => r with { Verdict = Verdict.Pass }).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(MarkdownSummaryWriter.Render(FixtureResults.With(Outcome.Certified, passing)), Does.StartWith("## ✅ Certified"));
            var nothing = MarkdownSummaryWriter.Render(FixtureResults.With(Outcome.NothingSelected, [], "DK-NOPE-*"));
            Assert.That(nothing, Does.StartWith("## ⭕ Nothing selected"));
            Assert.That(nothing, Does.Contain("`DK-NOPE-*`"));
            Assert.That(nothing, Does.Not.Contain("### ❌"));
        });
    }

    [Test]
    public void Step_summary_is_appended_when_the_variable_is_set_and_skipped_otherwise()
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"step-summary-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, "# earlier step\n");
        try
        {
            var env = new Dictionary<string, string?> { [GitHubStepSummary.EnvironmentVariable] = file };
            var written = GitHubStepSummary.AppendIfConfigured("## mine", name => env.GetValueOrDefault(name));
            Assert.Multiple(() =>
            {
                Assert.That(written, Is.EqualTo(file));
                Assert.That(File.ReadAllText(file), Is.EqualTo("# earlier step\n## mine\n"));
                Assert.That(GitHubStepSummary.AppendIfConfigured("## mine", _ => null), Is.Null);
                Assert.That(GitHubStepSummary.AppendIfConfigured("## mine", _ => ""), Is.Null);
            });
        }
        finally
        {
            File.Delete(file);
        }
    }
}
