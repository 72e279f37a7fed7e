using System.Text;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Scenarios;

namespace Dukaan.Reporting;

/// <summary>
/// docs/rules.md: the rule catalog, how each rule is provoked and observed, and the interpretation decisions, rendered
/// from the code that judges them (`list-rules --format markdown`), so the document cannot drift from the harness.
/// </summary>
public static class RuleCatalogMarkdown
{
    public const string RegenerateCommand = "dotnet run --project src/Dukaan.Cli -- list-rules --format markdown > docs/rules.md";

    /// <summary>Always '\n', so the committed file is the same whichever OS regenerated it.</summary>
    public static string Render(IReadOnlyList<RuleDefinition> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var scenarios = CertificationEngine.AllScenarios();
        var doc = new Doc();
        Header(doc);
        Decisions(doc);
        Rules(doc, rules, scenarios);
        Scenarios(doc, rules, scenarios);
        WholeRun(doc, rules);
        return doc.ToString();
    }

    private static void Header(Doc doc)
    {
        doc.Line("# AgentDukaan rule catalog")
            .Line()
            .Line($"<!-- Generated from src/Dukaan.Conformance (the rule catalog, the decisions, the scenarios); do not edit by hand. Regenerate with: {RegenerateCommand} -->")
            .Line()
            .Line("The contract of AgentDukaan hosted agents as checkable rules: what `dukaan-conformance certify` judges, how it provokes and " +
                "observes each rule, and how it reads the contract where the sources are vague. IDs are stable: a rule's ID never changes " +
                "meaning and is never reused; new rules get new numbers.")
            .Line()
            .Line("**Levels**: MUST (a failure fails certification), SHOULD (a failure is a warning; `--strict` makes it fail), INFO (reported, never fails).")
            .Line()
            .Line("**Verdicts** every rule can get: `pass`, `fail`, `warn` (a SHOULD or INFO rule not met), `not-exercised` (the run had no way to provoke it, " +
                "e.g. no trigger was configured — never counted as pass), `harness-error` (the harness itself broke — never blamed on the agent).")
            .Line()
            .Line("**Sources**: the AgentDukaan contract documents, cited by number and section: `000` = Deploying a Hosted Agent, " +
                "`002` = Webhook & Callback Contract.")
            .Line()
            .Line("**Scope**: this version certifies the profile `agentdukaan`, the agent under test. In-app chat (`DK-CHAT-*`), the platform side " +
                "(`PL-*`), Wakeel (`WK-*`) and AgentDoor (`AD-*`) are planned, not yet certified by this version; their rules appear here " +
                "once the catalog has them, and their ID prefixes are reserved.")
            .Line();
    }

    private static void Decisions(Doc doc)
    {
        doc.Line("## Decisions where the sources are vague or disagree").Line();
        foreach (var decision in RuleDecisions.All) doc.Line($"{decision.Number}. {decision.Text}");
        doc.Line();
    }

    private static void Rules(Doc doc, IReadOnlyList<RuleDefinition> rules, IReadOnlyList<Scenario> scenarios)
    {
        doc.Line("## AgentDukaan — agent under test (profile `agentdukaan`)").Line();
        doc.Line("| ID | level | rule | area |").Line("| --- | --- | --- | --- |");
        foreach (var rule in rules)
            doc.Line($"| [{rule.Id}](#{Anchor(rule.Id)}) | {LevelInfo.Token(rule.Level)} | {Cell(rule.Title)} | {AreaInfo.DisplayName(rule.Area)} |");
        doc.Line();

        foreach (var area in rules.GroupBy(r => r.Area).OrderBy(g => AreaInfo.Order(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            doc.Line($"### {AreaInfo.DisplayName(area.Key)}").Line();
            foreach (var rule in area)
            {
                doc.Line($"#### {rule.Id}").Line()
                    .Line($"**{LevelInfo.Token(rule.Level)}** · {rule.Title}").Line()
                    .Line($"- Passes when: {rule.Statement}");
                foreach (var scenario in scenarios.Where(s => s.Rules.Contains(rule.Id)))
                    doc.Line($"- Provoked by [`{scenario.Name}`](#{Anchor("scenario-" + scenario.Name)}): {scenario.Description}");
                if (GlobalChecks.Observations.TryGetValue(rule.Id, out var observed))
                    doc.Line($"- Observed over the [whole run](#whole-run-checks): {observed}");
                doc.Line($"- Source: {rule.SeedReference}").Line();
            }
        }
    }

    private static void Scenarios(Doc doc, IReadOnlyList<RuleDefinition> rules, IReadOnlyList<Scenario> scenarios)
    {
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        doc.Line("## Scenarios").Line()
            .Line("Each scenario plays one situation against the agent and judges the rules it names. Scenarios run side by side in phases; " +
                "the ones that watch cross-buyer effects run alone, and the restart runs last.")
            .Line();
        foreach (var scenario in scenarios.Where(s => s.Rules.Any(selected.Contains)))
        {
            doc.Line($"### Scenario `{scenario.Name}`").Line()
                .Line(scenario.Description).Line()
                .Line($"Judges: {string.Join(", ", scenario.Rules.Where(selected.Contains).Select(id => $"[{id}](#{Anchor(id)})"))}.").Line();
        }
    }

    private static void WholeRun(Doc doc, IReadOnlyList<RuleDefinition> rules)
    {
        if (!rules.Any(r => GlobalChecks.Observations.ContainsKey(r.Id))) return;
        doc.Line("## Whole-run checks").Line()
            .Line("Judged after the scenarios, before the agent is stopped, over everything the run saw: every exchange the simulator " +
                "recorded, the agent's output and the files it wrote.")
            .Line();
        foreach (var rule in rules.Where(r => GlobalChecks.Observations.ContainsKey(r.Id)))
            doc.Line($"- [{rule.Id}](#{Anchor(rule.Id)}): {GlobalChecks.Observations[rule.Id]}");
    }

    /// <summary>The id GitHub gives a heading: lower case, spaces to dashes, other punctuation dropped.</summary>
    private static string Anchor(string heading) =>
        new([.. heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is '-' or ' ' or '_').Select(c => c == ' ' ? '-' : c)]);

    /// <summary>The catalog's own text: its `code` spans stay code; only what would break a table row is escaped.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private sealed class Doc
    {
        private readonly StringBuilder _text = new();

        public Doc Line(string text = "")
        {
            _text.Append(text).Append('\n');
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
