using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// A rule's rerun command keeps the seed and changes --rules: the scenarios it plays must meet the same buyers as in the
/// run it reruns, whatever other scenarios that run had.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class SeedReplayTests
{
    /// <remarks>
    /// With DK-ACK-03 too, happy-path starts beside non-canonical-body and makes its buyer first: one shared random
    /// sequence gave non-canonical-body the second buyer of the seed instead of the first.
    /// </remarks>
    [Test]
    public async Task The_same_seed_gives_a_scenario_the_same_buyers_under_another_rule_selection()
    {
        async Task<string[]> BuyersOfSig01(string rules)
        {
            var outcome = await InProcessCli.CertifyAsync(FixtureAgents.CertifyArgs("csharp", null, "--rules", rules, "--seed", "5", "--observation-window", "5").Skip(1));
            Assert.That(outcome.Results, Is.Not.Null, outcome.Error);
            return [.. outcome.Results!.Rules.Single(r => r.Id == "DK-SIG-01").Evidence.Transcript.Select(t => t.SubscriptionId).OfType<string>().Distinct().Order()];
        }
        var alone = await BuyersOfSig01("DK-SIG-01");
        var withHappyPath = await BuyersOfSig01("DK-ACK-03,DK-SIG-01");
        Assert.That(alone, Is.Not.Empty);
        Assert.That(withHappyPath, Is.EqualTo(alone));
    }

    /// <summary>The other profiles draw from the seed too: Wakeel's contracts (ids, CRM keys, tokens) were random per run.</summary>
    [Test]
    public async Task The_same_seed_gives_wakeel_the_same_contracts_under_another_rule_selection()
    {
        async Task<string[]> ContractsOfSig01(string rules)
        {
            var outcome = await InProcessCli.CertifyAsync(["--profile", "wakeel", "--agent-cmd", $"node '{Path.Combine(Repo.Root, "fixtures/agents/wakeel/node/agent.mjs")}'",
                "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-wakeel-").FullName, "--rules", rules, "--seed", "5", "--observation-window", "5"]);
            Assert.That(outcome.Results, Is.Not.Null, outcome.Error);
            return [.. outcome.Results!.Rules.Single(r => r.Id == "WK-SIG-01").Evidence.Transcript.Select(t => t.SubscriptionId).OfType<string>().Distinct().Order()];
        }
        var alone = await ContractsOfSig01("WK-SIG-01");
        var withOthers = await ContractsOfSig01("WK-SIG-01,WK-CB-*");
        Assert.That(alone, Is.Not.Empty);
        Assert.That(withOthers, Is.EqualTo(alone));
    }
}
