using System.CommandLine;
using System.Text.Json;
using Dukaan.Conformance;
using Dukaan.Conformance.Profiles;
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
        var profileOption = new Option<string?>("--profile") { Description = $"Whose rules: {string.Join(", ", ProfileRegistry.All.Select(p => p.Info.Id))} (default {ProfileRegistry.DefaultId})." };
        var command = new Command("list-rules", "Print a profile's rule catalog: stable ID, level, area, title, seed reference; as Markdown, also how each rule is provoked and the interpretation decisions.") { format, rules, profileOption };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            IReadOnlyList<RuleDefinition> selected;
            IProfile profile;
            try { profile = ProfileRegistry.Get(parse.GetValue(profileOption)); }
            catch (UnknownProfileException ex) { parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}"); return ExitCodes.HarnessOrConfigError; }
            try { selected = profile.Rules.Select(parse.GetValue(rules)); }
            catch (RuleSelectionException ex) { parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}"); return ExitCodes.NothingSelected; }
            switch (parse.GetValue(format))
            {
                case "json":
                    output.WriteLine(JsonSerializer.Serialize(selected, ResultsJson.Options));
                    return ExitCodes.Success;
                case "markdown":
                    // With neither --profile nor --rules: every profile, which is docs/rules.md.
                    output.Write(parse.GetValue(profileOption) is null && parse.GetValue(rules) is null
                        ? RuleCatalogMarkdown.RenderAll(ProfileRegistry.All)
                        : RuleCatalogMarkdown.Render(profile, selected));
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
