using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Scenarios;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Tests;

public sealed class RuleCatalogTests
{
    /// <summary>
    /// The agent-side table of the specification the catalog was built from, pinned: an ID is never renamed or removed
    /// and a level never changes silently. A new rule, or a decision to change a level, is recorded here too.
    /// </summary>
    private static readonly (string Id, RuleLevel Level)[] Specified =
    [
        ("DK-SIG-01", RuleLevel.Must), ("DK-SIG-02", RuleLevel.Must), ("DK-SIG-03", RuleLevel.Must), ("DK-SIG-04", RuleLevel.Must),
        ("DK-SIG-05", RuleLevel.Must), ("DK-SIG-06", RuleLevel.Must),
        ("DK-ACK-01", RuleLevel.Must), ("DK-ACK-02", RuleLevel.Should), ("DK-ACK-03", RuleLevel.Must), ("DK-ACK-04", RuleLevel.Must),
        ("DK-ACK-05", RuleLevel.Should),
        ("DK-CFG-01", RuleLevel.Must), ("DK-CFG-02", RuleLevel.Must), ("DK-CFG-03", RuleLevel.Must), ("DK-CFG-04", RuleLevel.Should),
        ("DK-SEC-01", RuleLevel.Must), ("DK-SEC-02", RuleLevel.Must), ("DK-SEC-03", RuleLevel.Must), ("DK-SEC-04", RuleLevel.Must),
        ("DK-SEC-05", RuleLevel.Should),
        ("DK-RUN-01", RuleLevel.Must), ("DK-RUN-02", RuleLevel.Must), ("DK-RUN-03", RuleLevel.Must),
        ("DK-SUB-01", RuleLevel.Must), ("DK-SUB-02", RuleLevel.Must), ("DK-SUB-03", RuleLevel.Should),
        ("DK-HB-01", RuleLevel.Info), ("DK-HB-02", RuleLevel.Must),
        ("DK-RCF-01", RuleLevel.Should), ("DK-RCF-02", RuleLevel.Must), ("DK-RCF-03", RuleLevel.Must), ("DK-RCF-04", RuleLevel.Should),
        ("DK-OPS-01", RuleLevel.Should),
        ("DK-CHAT-01", RuleLevel.Should),
        ("DK-CHAT-02", RuleLevel.Should),
        ("DK-CHAT-03", RuleLevel.Must),
        ("DK-CHAT-04", RuleLevel.Must),
        ("DK-CHAT-05", RuleLevel.Must),
        ("DK-CHAT-06", RuleLevel.Must),
        ("DK-CHAT-07", RuleLevel.Must),
        ("DK-CHAT-08", RuleLevel.Must),
        ("DK-CHAT-09", RuleLevel.Must),
        ("DK-CHAT-10", RuleLevel.Must),
        ("DK-CHAT-11", RuleLevel.Must),
        ("DK-CHAT-12", RuleLevel.Must),
        ("DK-CHAT-13", RuleLevel.Must),
        ("DK-CHAT-14", RuleLevel.Info),
    ];

    /// <summary>Rules judged over the whole run by <see cref="GlobalChecks"/> rather than by a scenario.</summary>
    private static readonly string[] WholeRun = ["DK-ACK-01", "DK-ACK-02", "DK-CFG-02", "DK-RUN-01", "DK-HB-01", "DK-HB-02", "DK-SEC-01", "DK-SEC-02", "DK-SEC-03", "DK-OPS-01"];

    [Test]
    public void Catalog_keeps_the_ids_and_levels_of_the_specification()
    {
        Assert.That(AgentDukaanRules.Catalog.All.Select(r => (r.Id, r.Level)), Is.EquivalentTo(Specified));
    }

    [Test]
    public void Ids_are_unique_and_every_rule_is_judged_by_some_scenario_or_whole_run_check()
    {
        Assert.That(AgentDukaanRules.Catalog.All.Select(r => r.Id), Is.Unique);
        var covered = CertificationEngine.AllScenarios().SelectMany(s => s.Rules).Concat(WholeRun).ToHashSet();
        Assert.That(AgentDukaanRules.Catalog.All.Select(r => r.Id).Where(id => !covered.Contains(id)), Is.Empty);
    }

    [Test]
    public void Every_whole_run_rule_says_how_it_is_observed()
    {
        // docs/rules.md takes a whole-run rule's "how" from here; a scenario's rules take it from the scenario.
        Assert.That(GlobalChecks.Observations.Keys, Is.EquivalentTo(WholeRun));
        Assert.That(GlobalChecks.Observations.Values, Has.All.Not.Empty);
    }

    [Test]
    public void Decisions_are_numbered_in_order_unique_across_profiles_and_say_something()
    {
        // Numbers are stable IDs shared by all profiles (decision 13 is the AgentDoor sender's, 14 Wakeel's, 16-18 AgentDoor's).
        Assert.That(RuleDecisions.All.Select(d => d.Number), Is.Ordered.Ascending.And.Unique);
        Assert.That(RuleDecisions.All.Take(8).Select(d => d.Number), Is.EqualTo(Enumerable.Range(1, 8)));
        // A profile may cite another's decision (Wakeel and AgentDoor cite decision 2), but a number always means one text.
        var byNumber = Dukaan.Conformance.Profiles.ProfileRegistry.All.SelectMany(p => p.Docs.Decisions).GroupBy(d => d.Number);
        Assert.That(byNumber.Where(g => g.Select(d => d.Text).Distinct().Count() > 1).Select(g => g.Key), Is.Empty, "a decision number means one decision across profiles");
        Assert.That(RuleDecisions.All.Select(d => d.Text), Has.All.Length.GreaterThan(20));
    }

    [TestCase("DK-SIG-*", 6)]
    [TestCase("dk-sig-0?", 6)]
    [TestCase("DK-RUN-02", 1)]
    [TestCase("DK-RUN-02, DK-SUB-*", 4)]
    [TestCase(null, 47)]
    public void Select_understands_globs(string? pattern, int count) =>
        Assert.That(AgentDukaanRules.Catalog.Select(pattern), Has.Count.EqualTo(count));

    [Test]
    public void Select_rejects_a_pattern_that_matches_nothing_and_names_it()
    {
        var ex = Assert.Throws<RuleSelectionException>(() => AgentDukaanRules.Catalog.Select("DK-SIG-*,DK-NOPE-*"));
        Assert.That(ex!.Message, Does.Contain("DK-NOPE-*").And.Contain("list-rules"));
    }

    [Test]
    public void Scenarios_have_unique_kebab_case_names()
    {
        var names = CertificationEngine.AllScenarios().Select(s => s.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.All.Matches("^[a-z]+(-[a-z]+)*$"));
    }
}
