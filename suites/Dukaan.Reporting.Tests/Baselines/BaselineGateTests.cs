using Dukaan.Conformance;
using static Dukaan.Reporting.Tests.VerdictRuns;

namespace Dukaan.Reporting.Tests.Baselines;

public sealed class BaselineGateTests
{
    private static Baseline Accepting(params string[] rules) => new([.. rules.Select(r => new BaselineEntry(r, $"reason for {r}"))]);

    private static string Explain(BaselineOutcome outcome)
    {
        var text = new StringWriter();
        outcome.Write(text);
        return text.ToString();
    }

    [Test]
    public void A_failure_outside_the_baseline_fails_the_gate_and_prints_an_entry_to_paste()
    {
        var outcome = BaselineGate.Evaluate(Passing(("DK-RUN-02", Verdict.Fail), ("DK-SEC-05", Verdict.Fail)), Accepting("DK-SEC-05"));
        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.UnexpectedFailures.Select(r => r.Id), Is.EqualTo(new[] { "DK-RUN-02" }));
        Assert.That(outcome.StillFailing.Select(e => e.Rule), Is.EqualTo(new[] { "DK-SEC-05" }));
        Assert.That(outcome.PasteSnippet, Is.EqualTo("    { \"rule\": \"DK-RUN-02\", \"reason\": \"TODO: why this failure is accepted\" }"));
        var text = Explain(outcome);
        Assert.That(text, Does.Contain("DK-RUN-02 (MUST, fail): No more billable work after 429 RUN_LIMIT_EXCEEDED"));
        Assert.That(text, Does.Contain(outcome.PasteSnippet).And.Contain("baseline: failed (exit 1): 1 unexpected failure(s)."));
    }

    [Test]
    public void The_paste_snippet_is_json_the_loader_takes_once_a_human_writes_the_reason()
    {
        var results = Passing(("DK-RUN-02", Verdict.Fail), ("DK-CFG-02", Verdict.Fail));
        var snippet = BaselineGate.Evaluate(results, Accepting()).PasteSnippet;
        var path = Path.Combine(Path.GetTempPath(), $"baseline-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{ \"accepted\": [\n" + snippet + "\n] }");
            Assert.That(() => Baseline.Load(path), Throws.TypeOf<BaselineFormatException>().With.Message.Contains("placeholder"), "pasted as is: no reason yet");
            File.WriteAllText(path, "{ \"accepted\": [\n" + snippet.Replace(Baseline.ReasonPlaceholder, "JIRA-9", StringComparison.Ordinal) + "\n] }");
            var outcome = BaselineGate.Evaluate(results, Baseline.Load(path));
            Assert.That(outcome.ExitCode, Is.EqualTo(0));
            Assert.That(outcome.StillFailing.Select(e => e.Rule), Is.EquivalentTo(new[] { "DK-RUN-02", "DK-CFG-02" }));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void When_every_failure_is_accepted_the_gate_passes_though_the_run_did_not()
    {
        var results = Passing(("DK-SEC-05", Verdict.Fail), ("DK-RUN-01", Verdict.NotExercised));
        Assert.That(results.ExitCode, Is.EqualTo(1));
        var outcome = BaselineGate.Evaluate(results, Accepting("DK-SEC-05", "DK-RUN-01"));
        Assert.That(outcome.ExitCode, Is.EqualTo(0));
        Assert.That(outcome.RunExitCode, Is.EqualTo(1));
        Assert.That(Explain(outcome), Does.Contain("DK-SEC-05 still fails; accepted (reason for DK-SEC-05)").And.Contain("baseline: passed (exit 0): 2 failure(s) accepted"));
    }

    [Test]
    public void A_must_rule_the_run_could_not_exercise_blocks_like_a_failure_unless_accepted()
    {
        var outcome = BaselineGate.Evaluate(Passing(("DK-RUN-01", Verdict.NotExercised)), Accepting());
        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(Explain(outcome), Does.Contain("DK-RUN-01 (MUST, not exercised)"));
    }

    [Test]
    public void An_accepted_rule_that_now_passes_is_stale_and_fails_the_gate()
    {
        var outcome = BaselineGate.Evaluate(Passing(("DK-SEC-05", Verdict.Fail)), Accepting("DK-SEC-05", "DK-SIG-02"));
        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.UnexpectedFailures, Is.Empty);
        Assert.That(outcome.StaleEntries.Select(e => e.Rule), Is.EqualTo(new[] { "DK-SIG-02" }));
        Assert.That(Explain(outcome), Does.Contain("DK-SIG-02 now passes; remove it from the baseline (it was accepted because: reason for DK-SIG-02)")
            .And.Contain("failed (exit 1): 1 stale entry."));
    }

    [Test]
    public void An_entry_this_run_did_not_judge_is_neither_stale_nor_failing()
    {
        var results = Passing(("DK-ACK-02", Verdict.Warn)).Without("DK-HB-01");
        var outcome = BaselineGate.Evaluate(results, Accepting("DK-ACK-02", "DK-HB-01"));
        Assert.That(outcome.ExitCode, Is.EqualTo(0));
        Assert.That(outcome.NotJudged.Select(e => e.Rule), Is.EqualTo(new[] { "DK-ACK-02", "DK-HB-01" }));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void A_run_that_judged_nothing_keeps_its_exit_code(int exit)
    {
        var results = Passing(("DK-SEC-04", Verdict.HarnessError)) with { ExitCode = exit };
        var outcome = BaselineGate.Evaluate(results, Accepting("DK-SIG-02"));
        Assert.That(outcome.ExitCode, Is.EqualTo(exit));
        Assert.That(Explain(outcome), Does.StartWith($"baseline: not applied — the run ended with exit code {exit}"));
    }

    [Test]
    public void A_clean_run_with_an_empty_baseline_passes_quietly_but_says_so()
    {
        var outcome = BaselineGate.Evaluate(Passing(), Accepting());
        Assert.That(outcome.ExitCode, Is.EqualTo(0));
        Assert.That(outcome.PasteSnippet, Is.Empty);
        Assert.That(Explain(outcome).Trim(), Is.EqualTo("baseline: passed (exit 0)."));
    }
}
