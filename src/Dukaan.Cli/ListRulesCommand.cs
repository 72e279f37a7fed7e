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
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var rules = new Option<string?>("--rules") { Description = "Only rules matching these globs, e.g. DK-SIG-*,DK-RUN-02" };
        var command = new Command("list-rules", "Print the rule catalog: stable ID, level, area, title, seed reference.") { format, rules };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            IReadOnlyList<RuleDefinition> selected;
            try { selected = RuleCatalog.Select(parse.GetValue(rules)); }
            catch (RuleSelectionException ex) { parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}"); return ExitCodes.NothingSelected; }
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(selected, ResultsJson.Options));
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
