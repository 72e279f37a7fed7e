using System.CommandLine;
using Dukaan.Cli;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Reporting;

namespace Dukaan.Conformance.Tests;

/// <summary>docs/rules.md is the project's own statement of the rules: generated from the catalog, committed, never stale.</summary>
public sealed class RulesDocumentTests
{
    private static string Committed() => File.ReadAllText(Path.Combine(Repo.Root, "docs", "rules.md")).ReplaceLineEndings("\n");

    private static async Task<string> GeneratedAsync()
    {
        // Through the command line, so the test runs exactly the command the failure message tells people to run.
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["list-rules", "--format", "markdown"], new InvocationConfiguration { Output = output, Error = error });
        Assert.That(exit, Is.EqualTo(0), error.ToString());
        return output.ToString();
    }

    [Test]
    public async Task The_committed_docs_rules_md_is_the_generated_one()
    {
        var committed = Committed();
        var generated = await GeneratedAsync();
        Assert.That(committed, Is.EqualTo(generated), () => Stale(committed, generated));
    }

    private static string Stale(string committed, string generated)
    {
        var (c, g) = (committed.Split('\n'), generated.Split('\n'));
        var common = Math.Min(c.Length, g.Length);
        var line = Enumerable.Range(0, common).FirstOrDefault(i => c[i] != g[i], common);
        return $"docs/rules.md is out of date with the rule catalog. Regenerate it from the repository root with\n  {RuleCatalogMarkdown.RegenerateCommand}\n" +
            $"and commit it. First difference at line {line + 1}:\n  committed: {(line < c.Length ? c[line] : "(end of file)")}\n  generated: {(line < g.Length ? g[line] : "(end of file)")}";
    }

    [Test]
    public async Task Each_rule_has_a_section_with_its_level_title_statement_how_and_source()
    {
        var doc = await GeneratedAsync();
        Assert.Multiple(() =>
        {
            foreach (var rule in AgentDukaanRules.Catalog.All)
            {
                var start = doc.IndexOf($"\n#### {rule.Id}\n", StringComparison.Ordinal);
                Assert.That(start, Is.GreaterThan(0), $"no section for {rule.Id}");
                if (start < 0) continue;
                var end = doc.IndexOf("\n#", start + 1, StringComparison.Ordinal);
                var section = doc[start..end];
                Assert.That(section, Does.Contain($"**{rule.Level.ToString().ToUpperInvariant()}** · {rule.Title}\n"), rule.Id);
                Assert.That(section, Does.Contain($"\n- Passes when: {rule.Statement}\n"), rule.Id);
                Assert.That(section, Does.Contain("\n- Provoked by [`").Or.Contain("\n- Observed over the [whole run]"), $"{rule.Id} says how it is provoked");
                Assert.That(section, Does.Contain($"\n- Source: {rule.SeedReference}\n"), rule.Id);
            }
        });
    }

    [Test]
    public async Task It_carries_the_decisions_and_depends_on_nothing_outside_the_repository()
    {
        var doc = await GeneratedAsync();
        foreach (var decision in RuleDecisions.All) Assert.That(doc, Does.Contain($"\n{decision.Number}. {decision.Text}\n"));
        Assert.That(doc, Does.Not.Contain("shared/").And.Not.Contain("RULES.md"));
    }
}
