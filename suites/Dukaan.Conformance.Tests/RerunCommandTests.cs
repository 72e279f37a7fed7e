using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Rules;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// A rule's rerun command plays the scenarios its verdict came from that the rule alone would not: the ones a whole-run
/// finding's exchanges belong to, every scenario that ran when it names none, never the rule's own.
/// </summary>
public sealed class RerunCommandTests
{
    private static readonly IProfile Profile = ProfileRegistry.Get("agentdukaan");
    private static readonly string[] Ran = [.. Profile.Docs.Scenarios.Select(s => s.Name)];

    private static Exchange For(long seq, string subscription) => new(seq, Direction.AgentToPlatform, ExchangeKinds.Provider, subscription, "POST", "/v1/chat/completions",
        new Dictionary<string, string>(), "", 200, new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 0, null, new Dictionary<string, string>());

    private static string Rerun(string rule, Finding finding)
    {
        var exchanges = new[] { For(1, "sub_happy"), For(2, "sub_limit"), For(3, "sub_cancel") }.ToDictionary(e => e.Seq);
        var scenarioOf = new Dictionary<string, string> { ["sub_happy"] = "happy-path", ["sub_limit"] = "run-limit", ["sub_cancel"] = "cancellation" };
        var reruns = new RerunCommands(new RunSettings { Seed = 9, RerunPrefix = "dukaan-conformance certify --agent-cmd x" }, Profile, Ran,
            e => e.SubscriptionId is { } id ? scenarioOf.GetValueOrDefault(id) : null, exchanges);
        return reruns.For(AgentDukaanRules.Catalog.Get(rule), [finding]);
    }

    private static Finding Finding(string rule, string scenario, params long[] seqs) => new(rule, FindingOutcome.Violated, "", "", null, seqs, scenario);

    [Test]
    public void A_whole_run_finding_replays_the_scenarios_of_its_exchanges_but_the_rules_own()
    {
        Assert.That(Rerun("DK-RUN-01", Finding("DK-RUN-01", RerunCommands.WholeRun, 1, 2, 3)),
            Is.EqualTo("dukaan-conformance certify --agent-cmd x --rules DK-RUN-01 --scenarios run-limit,cancellation --seed 9"));
    }

    [Test]
    public void A_whole_run_finding_that_names_no_scenario_replays_every_one_that_ran()
    {
        Assert.That(Rerun("DK-SEC-01", Finding("DK-SEC-01", RerunCommands.WholeRun)),
            Is.EqualTo("dukaan-conformance certify --agent-cmd x --rules DK-SEC-01 --scenarios all --seed 9"));
    }

    /// <summary>
    /// serial-ack: DK-ACK-02's late deliveries belonged to three scenarios, but they were late because the others' were
    /// queued ahead of them; replaying those three alone gave a pass (seen in CI).
    /// </summary>
    [Test]
    public void An_acknowledgement_time_judged_over_the_whole_run_replays_every_scenario_that_ran()
    {
        Assert.That(Rerun("DK-ACK-02", Finding("DK-ACK-02", RerunCommands.WholeRun, 2, 3)),
            Is.EqualTo("dukaan-conformance certify --agent-cmd x --rules DK-ACK-02 --scenarios all --seed 9"));
    }

    [Test]
    public void A_rule_judged_in_its_own_scenario_needs_no_scenarios()
    {
        Assert.That(Rerun("DK-RUN-02", Finding("DK-RUN-02", "run-limit", 2)), Is.EqualTo("dukaan-conformance certify --agent-cmd x --rules DK-RUN-02 --seed 9"));
    }

    [Test]
    public void A_rule_judged_in_a_scenario_not_its_own_replays_that_scenario()
    {
        Assert.That(Rerun("DK-CHAT-14", Finding("DK-CHAT-14", "chat-conversation")), Does.Contain("--scenarios chat-conversation"));
    }

    [TestCase("DK-RUN-01 --scenarios run-limit,cancellation --seed 9", "run-limit,cancellation")]
    [TestCase("DK-RUN-01 --seed 9", null)]
    public void The_in_process_message_reads_the_scenarios_back(string tail, string? scenarios) =>
        Assert.That(RerunCommands.ScenariosIn("in-process: set InProcessOptions --rules " + tail), Is.EqualTo(scenarios));
}
