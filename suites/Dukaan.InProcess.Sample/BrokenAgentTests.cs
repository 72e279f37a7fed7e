using Dukaan.Conformance;
using Dukaan.Conformance.Testing;

namespace Dukaan.InProcess.Sample;

/// <summary>A deliberately broken agent must fail in-process, and the failure must name the rule it breaks.</summary>
public sealed class BrokenAgentTests
{
    [TestCase("ignore-429", "DK-RUN-02")]
    [TestCase("reserialize-json", "DK-SIG-01")]
    // Through a TestServer there is no wire: the odd signature reaches the agent as a string and the duplicate as two values.
    [TestCase("crash-on-non-ascii-signature", "DK-SIG-05")]
    [TestCase("crash-on-duplicate-signature", "DK-SIG-05")]
    [CancelAfter(60_000)]
    public async Task Broken_agent_fails_with_the_rule_it_breaks(string breaks, string ruleId, CancellationToken cancellationToken)
    {
        using var agent = new ReferenceAgentHost();
        var run = await InProcessCertification.RunAsync(platform => agent.Build(platform, breaks), ReferenceAgentHost.Options(), cancellationToken);

        var failure = Assert.Throws<InProcessCertificationException>(run.AssertCertified)!;

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Does.Contain($"{ruleId} [MUST] fail"));
            // Exactly that rule: the full run shows each break is pinned to its rule, with no collateral findings.
            Assert.That(failure.Failures.Select(r => r.Id), Is.EqualTo(new[] { ruleId }));
            Assert.That(failure.Failures.Select(r => r.Verdict), Is.All.EqualTo(Verdict.Fail), "a broken agent is a failure, not a harness problem");
            Assert.That(failure.Results.Outcome, Is.EqualTo(Outcome.NotCertified));
            Assert.That(failure.Message, Does.Contain($"Rules = \"{ruleId}\", Seed = 1"));
        });
        TestContext.Out.WriteLine(failure.Message);
    }
}
