using System.CommandLine;
using System.Text.Json;
using Dukaan.Conformance;
using Dukaan.Conformance.Rules;
using Dukaan.Reporting;
using Spectre.Console;

namespace Dukaan.Cli;

public static class ListRulesCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = $"table, json, or markdown (docs/rules.md is this output: {RuleCatalogMarkdown.RegenerateCommand})", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "markdown");
        var rules = new Option<string?>("--rules") { Description = "Only rules matching these globs, e.g. DK-SIG-*,DK-RUN-02" };
        var command = new Command("list-rules", "Print the rule catalog: stable ID, level, area, title, seed reference; as Markdown, also how each rule is provoked and the interpretation decisions.") { format, rules };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            IReadOnlyList<RuleDefinition> selected;
            try { selected = AgentDukaanRules.Catalog.Select(parse.GetValue(rules)); }
            catch (RuleSelectionException ex) { parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}"); return ExitCodes.NothingSelected; }
            switch (parse.GetValue(format))
            {
                case "json":
                    output.WriteLine(JsonSerializer.Serialize(selected, ResultsJson.Options));
                    return ExitCodes.Success;
                case "markdown":
                    output.Write(RuleCatalogMarkdown.Render(selected));
                    return ExitCodes.Success;
            }
            var table = new Table().AddColumns("ID", "Level", "Area", "Rule", "Seed");
            foreach (var rule in selected)
                table.AddRow(Markup.Escape(rule.Id), LevelInfo.Token(rule.Level), rule.Area, Markup.Escape(rule.Title), Markup.Escape(rule.SeedReference));
            Terminal.For(output).Write(table);
            output.WriteLine($"{selected.Count} rules.");
            return ExitCodes.Success;
        });
        return command;
    }
}
