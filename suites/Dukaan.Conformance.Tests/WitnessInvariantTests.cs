using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Profiles.Wakeel;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// Decision 32 where every profile's findings become verdicts: a pass that cites neither an exchange nor a scan that
/// covered something is a harness error naming the rule, so no engine can certify on nothing.
/// </summary>
public sealed class WitnessInvariantTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch.AddDays(20000);

    private static RunResults Assemble(params Finding[] findings)
    {
        var sink = new FindingSink();
        foreach (var finding in findings) sink.Add(finding);
        var request = new CertificationRequest(
            new TargetInfo("spawned", "a test", "true", "/tmp", null, "/wakeel/deploy", null),
            (_, _) => Task.FromException<IAgentUnderTest>(new InvalidOperationException("never started")),
            new RunSettings(), Profile: WakeelProfile.Metadata);
        Exchange delivery = new(7, Direction.PlatformToAgent, ExchangeKinds.Delivery, null, "POST", "http://127.0.0.1:1/wakeel/deploy",
            new Dictionary<string, string>(), "{}", 200, new Dictionary<string, string>(), "", Start, 3, null, new Dictionary<string, string>());
        return ResultsAssembler.FromFindings(request, WakeelRules.Catalog.All, sink, [delivery], [], [], [], Start, 10);
    }

    private static Finding Pass(string rule, params long[] seqs) =>
        new(rule, FindingOutcome.Satisfied, "expected", $"{rule} looked fine", null, seqs, "test");

    [Test]
    public void A_pass_that_cites_nothing_is_a_harness_error_naming_the_rule()
    {
        var results = Assemble(Pass("WK-SIG-01"), Pass("WK-ACK-01", 7));
        var unwitnessed = results.Rules.Single(r => r.Id == "WK-SIG-01");
        Assert.Multiple(() =>
        {
            Assert.That(unwitnessed.Verdict, Is.EqualTo(Verdict.HarnessError));
            Assert.That(unwitnessed.Evidence.Observed, Does.StartWith("WK-SIG-01 was judged pass without citing what exercised it").And.Contain("WK-SIG-01 looked fine"));
            Assert.That(results.Outcome, Is.EqualTo(Outcome.HarnessError), "a harness bug never certifies");
            Assert.That(results.Rules.Single(r => r.Id == "WK-ACK-01").Verdict, Is.EqualTo(Verdict.Pass), "a pass citing its exchange stays a pass");
            Assert.That(results.Rules.Single(r => r.Id == "WK-ACK-01").Evidence.Transcript.Select(e => e.Seq), Is.EqualTo(new[] { 7L }));
        });
    }

    [Test]
    public void A_pass_on_a_scan_needs_a_non_zero_count_and_the_count_reaches_the_evidence()
    {
        var results = Assemble(
            Pass("WK-SEC-01") with { Scanned = [new(5210, "characters of stdout/stderr"), new(0, "files")] },
            Pass("WK-CB-04") with { Scanned = [new(0, "characters of stdout/stderr")] });
        var scanned = results.Rules.Single(r => r.Id == "WK-SEC-01");
        Assert.Multiple(() =>
        {
            Assert.That(scanned.Verdict, Is.EqualTo(Verdict.Pass));
            Assert.That(scanned.Evidence.Scanned, Is.EqualTo(new ScanCount[] { new(5210, "characters of stdout/stderr"), new(0, "files") }));
            Assert.That(results.Rules.Single(r => r.Id == "WK-CB-04").Verdict, Is.EqualTo(Verdict.HarnessError), "a scan of nothing is no witness");
        });
    }

    [Test]
    public void Other_verdicts_need_no_witness()
    {
        var results = Assemble(
            new Finding("WK-CB-02", FindingOutcome.NotApplicable, "expected", "no callback was sent", null, [], "test"),
            new Finding("WK-CB-05", FindingOutcome.NotExercised, "expected", "never sent", null, [], "test"),
            new Finding("WK-SIG-02", FindingOutcome.Violated, "expected", "accepted", null, [], "test"));
        Assert.That(results.Rules.Where(r => r.Id is "WK-CB-02" or "WK-CB-05" or "WK-SIG-02").ToDictionary(r => r.Id, r => r.Verdict), Is.EquivalentTo(
            new Dictionary<string, Verdict> { ["WK-CB-02"] = Verdict.NotApplicable, ["WK-CB-05"] = Verdict.NotExercised, ["WK-SIG-02"] = Verdict.Warn }));
    }
}
