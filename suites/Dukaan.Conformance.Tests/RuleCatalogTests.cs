using System.Text.RegularExpressions;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Scenarios;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Tests;

public sealed class RuleCatalogTests
{
    private static string RulesMarkdown()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "RULES.md");
            if (File.Exists(candidate)) return File.ReadAllText(candidate);
        }
        Assert.Ignore("../shared/RULES.md is not beside this checkout; the catalog cannot be compared with it here.");
        return "";
    }

    [Test]
    public void Catalog_matches_the_agent_side_rules_of_RULES_md_by_id_and_level()
    {
        var table = Regex.Matches(RulesMarkdown(), @"^\| (DK-(?:SIG|ACK|CFG|SEC|RUN|SUB|HB|RCF|OPS)-\d\d) \| (MUST|SHOULD|INFO) \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var catalog = RuleCatalog.All.ToDictionary(r => r.Id, r => r.Level.ToString().ToUpperInvariant());
        Assert.That(table, Has.Count.EqualTo(33));
        Assert.That(catalog, Is.EquivalentTo(table));
    }

    [Test]
    public void Ids_are_unique_and_every_rule_is_judged_by_some_scenario_or_whole_run_check()
    {
        Assert.That(RuleCatalog.All.Select(r => r.Id), Is.Unique);
        string[] wholeRun = ["DK-ACK-01", "DK-ACK-02", "DK-CFG-02", "DK-RUN-01", "DK-HB-01", "DK-HB-02", "DK-SEC-01", "DK-SEC-02", "DK-SEC-03", "DK-OPS-01"];
        var covered = CertificationEngine.AllScenarios().SelectMany(s => s.Rules).Concat(wholeRun).ToHashSet();
        Assert.That(RuleCatalog.All.Select(r => r.Id).Where(id => !covered.Contains(id)), Is.Empty);
    }

    [TestCase("DK-SIG-*", 6)]
    [TestCase("dk-sig-0?", 6)]
    [TestCase("DK-RUN-02", 1)]
    [TestCase("DK-RUN-02, DK-SUB-*", 4)]
    [TestCase(null, 33)]
    public void Select_understands_globs(string? pattern, int count) =>
        Assert.That(RuleCatalog.Select(pattern), Has.Count.EqualTo(count));

    [Test]
    public void Select_rejects_a_pattern_that_matches_nothing_and_names_it()
    {
        var ex = Assert.Throws<RuleSelectionException>(() => RuleCatalog.Select("DK-SIG-*,DK-NOPE-*"));
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
