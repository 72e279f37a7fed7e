using Dukaan.Conformance;
using static Dukaan.Reporting.Tests.VerdictRuns;

namespace Dukaan.Reporting.Tests.Compare;

public sealed class RunComparisonTests
{
    private static RunComparison Build(params RunResults[] runs) =>
        RunComparison.Build([.. runs.Select((r, i) => new ComparedRun($"run {i + 1}", r))]);

    private static ComparisonRow Row(RunComparison comparison, string id) => comparison.Rows.Single(r => r.RuleId == id);

    [Test]
    public void Pass_then_fail_is_a_regression_and_only_that_row_changed()
    {
        var comparison = Build(Passing(), Passing(("DK-RUN-02", Verdict.Fail)));
        Assert.That(comparison.Regressions.Select(r => r.RuleId), Is.EqualTo(new[] { "DK-RUN-02" }));
        Assert.That(comparison.Changes.Select(r => r.RuleId), Is.EqualTo(new[] { "DK-RUN-02" }));
        Assert.That(Row(comparison, "DK-RUN-02").Transitions, Is.EqualTo(new[] { new VerdictChange(0, 1, Verdict.Pass, Verdict.Fail) }));
        Assert.That(Row(comparison, "DK-SIG-02").Changed, Is.False);
    }

    [Test]
    public void Fail_then_pass_is_a_change_but_not_a_regression()
    {
        var comparison = Build(Passing(("DK-RUN-02", Verdict.Fail)), Passing());
        Assert.That(comparison.Regressions, Is.Empty);
        Assert.That(Row(comparison, "DK-RUN-02").Changed, Is.True);
    }

    [TestCase(Verdict.Warn)]
    [TestCase(Verdict.NotExercised)]
    [TestCase(Verdict.HarnessError)]
    public void Pass_then_anything_but_pass_is_a_regression(Verdict later) =>
        Assert.That(Row(Build(Passing(), Passing(("DK-ACK-02", later))), "DK-ACK-02").Regressed, Is.True);

    [TestCase(Verdict.Fail, Verdict.Warn)]
    [TestCase(Verdict.Warn, Verdict.NotExercised)]
    [TestCase(Verdict.HarnessError, Verdict.Fail)]
    public void Moving_between_non_passing_verdicts_is_a_change_not_a_regression(Verdict from, Verdict to)
    {
        var row = Row(Build(Passing(("DK-ACK-02", from)), Passing(("DK-ACK-02", to))), "DK-ACK-02");
        Assert.That(row.Changed, Is.True);
        Assert.That(row.Regressed, Is.False);
    }

    [Test]
    public void Each_consecutive_pair_counts_so_a_dip_in_the_middle_is_a_regression_even_when_first_and_last_agree()
    {
        var row = Row(Build(Passing(), Passing(("DK-SEC-01", Verdict.Fail)), Passing()), "DK-SEC-01");
        Assert.That(row.Regressed, Is.True);
        Assert.That(row.Transitions.Select(t => (t.FromRun, t.ToRun, t.IsRegression)), Is.EqualTo(new[] { (0, 1, true), (1, 2, false) }));
    }

    [Test]
    public void A_run_that_did_not_check_a_rule_is_skipped_so_pass_then_gap_then_warn_still_regresses()
    {
        var row = Row(Build(Passing(), Passing().Without("DK-HB-01"), Passing(("DK-HB-01", Verdict.Warn))), "DK-HB-01");
        Assert.That(row.Verdicts, Is.EqualTo(new Verdict?[] { Verdict.Pass, null, Verdict.Warn }));
        Assert.That(row.Transitions, Is.EqualTo(new[] { new VerdictChange(0, 2, Verdict.Pass, Verdict.Warn) }));
        Assert.That(row.Regressed, Is.True);
    }

    [Test]
    public void A_rule_missing_from_a_run_is_neither_changed_nor_regressed()
    {
        var row = Row(Build(Passing(), Passing().Without("DK-HB-01")), "DK-HB-01");
        Assert.That(row.Verdicts, Is.EqualTo(new Verdict?[] { Verdict.Pass, null }));
        Assert.That(row.Changed, Is.False);
    }

    [Test]
    public void Rows_are_the_union_of_all_runs_in_catalog_order_with_unknown_ids_last()
    {
        var extra = Passing();
        extra = extra with { Rules = [.. extra.Rules, extra.Rules[0] with { Id = "DK-ZZZ-01", Title = "from a newer harness" }] };
        var comparison = Build(Passing().Without("DK-OPS-01"), extra);
        var ids = comparison.Rows.Select(r => r.RuleId).ToList();
        Assert.That(ids, Has.Count.EqualTo(FixtureResults.Rules().Count + 1));
        Assert.That(ids[0], Is.EqualTo("DK-SIG-01"));
        Assert.That(ids.IndexOf("DK-ACK-01"), Is.GreaterThan(ids.IndexOf("DK-SIG-06")), "the contract's order, not alphabetical (ACK < SIG)");
        Assert.That(ids[^2..], Is.EqualTo(new[] { "DK-OPS-01", "DK-ZZZ-01" }));
        Assert.That(Row(comparison, "DK-ZZZ-01").Verdicts, Is.EqualTo(new Verdict?[] { null, Verdict.Pass }));
    }

    [Test]
    public void The_newest_runs_title_names_the_row()
    {
        var old = Passing();
        old = old with { Rules = [.. old.Rules.Select(r => r.Id == "DK-SIG-01" ? r with { Title = "old wording" } : r)] };
        Assert.That(Row(Build(old, Passing()), "DK-SIG-01").Title, Is.EqualTo("Verifies the HMAC over the raw body bytes"));
    }

    [Test]
    public void Fewer_than_two_runs_is_refused() =>
        Assert.That(() => RunComparison.Build([new ComparedRun("only", Passing())]), Throws.ArgumentException.With.Message.Contains("at least two"));

    [Test]
    public void Settings_that_change_verdicts_by_themselves_are_called_out()
    {
        var strict = Passing() with { Strict = true, RuleSelection = "DK-SIG-*" };
        var caveats = Build(Passing(), strict).Caveats;
        Assert.That(caveats, Has.Some.Contains("Strictness differs (#1: not strict, #2: strict)"));
        Assert.That(caveats, Has.Some.Contains("Rule selections differ (#1: all rules, #2: DK-SIG-*)"));
        Assert.That(Build(Passing(), Passing()).Caveats, Is.Empty);
    }

    [Test]
    public void Labels_name_target_and_time_and_add_the_file_only_when_two_would_read_the_same()
    {
        var a = Passing();
        var later = a with { StartedAt = a.StartedAt.AddHours(1) };
        var distinct = RunLabels.Label([("/r/one/results.json", a), ("/r/two/results.json", later)]);
        Assert.That(distinct.Select(r => r.Label), Is.EqualTo(new[]
        {
            $"{a.Target.Description} · 2026-11-23 12:30 UTC",
            $"{a.Target.Description} · 2026-11-23 13:30 UTC",
        }));
        Assert.That(distinct.Select(r => r.Source), Is.EqualTo(new[] { "/r/one/results.json", "/r/two/results.json" }));
        var same = RunLabels.Label([("/r/one/results.json", a), ("/r/two/results.json", a)]);
        Assert.That(same.Select(r => r.Label), Is.EqualTo(new[]
        {
            $"{a.Target.Description} · 2026-11-23 12:30 UTC · one/results.json",
            $"{a.Target.Description} · 2026-11-23 12:30 UTC · two/results.json",
        }));
    }
}
