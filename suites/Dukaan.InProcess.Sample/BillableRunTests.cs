using Dukaan.Conformance;
using Dukaan.Conformance.Testing;

namespace Dukaan.InProcess.Sample;

/// <summary>
/// DK-RUN-01 counts billable runs, and a billable run is a provider call answered 2xx (decision 31). The request-config
/// scenario makes the provider refuse the buyer's key once: an agent that reports only the work that happened then has
/// one provider call more than /run reports, and that is right.
/// </summary>
public sealed class BillableRunTests
{
    [Test, CancelAfter(60_000)]
    public async Task A_provider_call_the_provider_refused_needs_no_run_report(CancellationToken cancellationToken)
    {
        var rule = await RunReportingAsync("report-after-work", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Verdict, Is.EqualTo(Verdict.Pass), rule.Evidence.Observed);
            Assert.That(rule.Evidence.Observed, Does.Contain("1 call(s) refused by the provider (401)"));
            // The witnesses: the refused call it excused, and a billable call with its /run.
            Assert.That(rule.Evidence.Transcript.Select(e => (e.Kind, e.Status)), Does.Contain(("provider", (int?)401)).And.Contain(("provider", (int?)200)).And.Contain(("run", (int?)200)));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_billable_run_without_a_run_report_still_fails(CancellationToken cancellationToken)
    {
        var rule = await RunReportingAsync("report-after-work,no-run-report", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Verdict, Is.EqualTo(Verdict.Fail), rule.Evidence.Observed);
            // Only the call the provider answered 2xx is counted against the missing /run, not the refused one.
            Assert.That(rule.Evidence.Observed, Does.Contain("1 billable provider call(s) (answered 2xx) but 0 /run report(s)"));
        });
    }

    /// <summary>DK-RUN-01 after the request-config scenario, whose provider refuses the buyer's key once.</summary>
    private static async Task<RuleResult> RunReportingAsync(string breaks, CancellationToken cancellationToken)
    {
        using var agent = new ReferenceAgentHost();
        var run = await InProcessCertification.RunAsync(platform => agent.Build(platform, breaks), ReferenceAgentHost.Options("DK-RUN-01,DK-RCF-*"), cancellationToken);
        return run.Results.Rules.Single(r => r.Id == "DK-RUN-01");
    }
}
