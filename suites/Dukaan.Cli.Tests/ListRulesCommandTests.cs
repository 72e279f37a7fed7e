using System.CommandLine;
using System.Text.Json;
using Dukaan.Conformance.Rules;

namespace Dukaan.Cli.Tests;

/// <summary>`list-rules` through the real command line, writing to the invocation's writers.</summary>
public sealed class ListRulesCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> ListAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["list-rules", .. args], new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task The_table_lists_every_rule_with_its_level_and_a_count()
    {
        var (exit, output, err) = await ListAsync();
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(err, Is.Empty);
        Assert.That(output, Does.Contain("DK-SIG-01").And.Contain("MUST").And.Contain("SHOULD"));
        Assert.That(output, Does.EndWith($"\n{AgentDukaanRules.Catalog.All.Count} rules.\n"));
        Assert.That(output, Does.Not.Contain("\u001b["), "a captured writer gets no colour codes");
    }

    [Test]
    public async Task Each_rule_is_one_row_of_one_line_when_the_output_is_not_a_terminal()
    {
        // A captured writer is not a terminal: the table sizes to its content instead of folding cells at 80 columns.
        var (_, output, _) = await ListAsync();
        var lines = output.Split('\n');
        foreach (var rule in AgentDukaanRules.Catalog.All)
            Assert.That(lines, Has.One.Contains(rule.Id).And.Contains(rule.Title).And.Contains(rule.SeedReference), output);
    }

    [Test]
    public async Task Json_holds_the_selected_rules()
    {
        var (exit, output, _) = await ListAsync("--format", "json", "--rules", "DK-SIG-*");
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        var ids = JsonDocument.Parse(output).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.That(ids, Is.Not.Empty.And.All.StartsWith("DK-SIG-"));
        Assert.That(ids, Has.Count.EqualTo(AgentDukaanRules.Catalog.Select("DK-SIG-*").Count));
    }

    [Test]
    public async Task Markdown_documents_the_selected_rules_only()
    {
        var (exit, output, err) = await ListAsync("--format", "markdown", "--rules", "DK-SIG-01,DK-OPS-01");
        Assert.That(exit, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(output, Does.StartWith("# AgentDukaan conformance: rule catalog\n"));
        Assert.That(output.Split('\n').Where(l => l.StartsWith("#### DK-", StringComparison.Ordinal)), Is.EqualTo(new[] { "#### DK-SIG-01", "#### DK-OPS-01" }));
        Assert.That(output, Does.Contain("#### Scenario `agentdukaan/non-canonical-body`").And.Not.Contain("Scenario `agentdukaan/bad-signatures`"));
    }

    [Test]
    public async Task A_selection_that_matches_nothing_exits_3_on_the_error_writer()
    {
        var (exit, output, err) = await ListAsync("--rules", "DK-NOPE-*");
        Assert.That(exit, Is.EqualTo(ExitCodes.NothingSelected));
        Assert.That(output, Is.Empty);
        Assert.That(err, Does.StartWith("error: "));
    }
}
