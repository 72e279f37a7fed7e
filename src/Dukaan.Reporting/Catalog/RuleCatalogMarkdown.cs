using System.Text;
using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Rules;

namespace Dukaan.Reporting;

/// <summary>
/// docs/rules.md: the rule catalog, how each rule is provoked and observed, and the interpretation decisions, rendered
/// from the code that judges them (`list-rules --format markdown`), so the document cannot drift from the harness.
/// </summary>
public static class RuleCatalogMarkdown
{
    public const string RegenerateCommand = "dotnet run --project src/Dukaan.Cli -- list-rules --format markdown > docs/rules.md";

    /// <summary>One profile's document (list-rules --profile X --format markdown). Always '\n', whichever OS renders it.</summary>
    public static string Render(IProfile profile, IReadOnlyList<RuleDefinition> rules)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rules);
        var doc = new Doc();
        Header(doc, [profile], $"# {profile.Info.Title}: rule catalog");
        Profile(doc, profile, rules);
        return doc.ToString();
    }

    /// <summary>docs/rules.md: every profile, each with its decisions, rules, scenarios and whole-run checks.</summary>
    public static string RenderAll(IReadOnlyList<IProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var doc = new Doc();
        Header(doc, profiles, "# DukaanConformance rule catalog");
        foreach (var profile in profiles) Profile(doc, profile, profile.Rules.All);
        return doc.ToString();
    }

    private static void Header(Doc doc, IReadOnlyList<IProfile> profiles, string title)
    {
        doc.Line(title)
            .Line()
            .Line($"<!-- Generated from src/Dukaan.Conformance (each profile's rule catalog, decisions, scenarios); do not edit by hand. Regenerate with: {RegenerateCommand} -->")
            .Line()
            .Line("Each contract the harness certifies (a *profile*) as checkable rules: what `dukaan-conformance certify --profile ID` judges, " +
                "how it provokes and observes each rule, and how it reads the contract where the sources are vague. IDs are stable: a rule's ID " +
                "never changes meaning and is never reused; new rules get new numbers.")
            .Line()
            .Line("**Levels**: MUST (a failure fails certification), SHOULD (a failure is a warning; `--strict` makes it fail), INFO (reported, never fails).")
            .Line()
            .Line("**Verdicts** every rule can get: `pass`, `fail`, `warn` (a SHOULD or INFO rule not met), `not-exercised` (the run had no way to provoke it, " +
                "e.g. no trigger was configured — never counted as pass), `harness-error` (the harness itself broke — never blamed on the agent), " +
                "`not-applicable` (the target does not declare what the rule is about, e.g. chat rules for a listing without chat — never blocks certification, never hides a missing stimulus).")
            .Line()
            .Line($"**Profiles**: {string.Join(", ", profiles.Select(p => $"`{p.Info.Id}` ({p.Info.Title}, {p.Rules.All.Count} rules)"))}. " +
                "Decision numbers are shared by all profiles: a number always means the same decision.")
            .Line();
    }

    private static void Profile(Doc doc, IProfile profile, IReadOnlyList<RuleDefinition> rules)
    {
        var docs = profile.Docs;
        doc.Line($"## {docs.Heading}").Line()
            .Line($"**Sources**: {docs.Sources}. Contract version `{profile.Info.ContractVersion}`; deliveries go to `{profile.Info.DefaultWebhookPath}` unless `--webhook-path` says otherwise.")
            .Line();
        doc.Line("The target is started with:").Line().Line("| variable | value |").Line("| --- | --- |");
        foreach (var variable in profile.Info.Environment) doc.Line($"| `{variable.Name}` | {Cell(variable.Meaning)} |");
        doc.Line();
        if (docs.Decisions.Count > 0)
        {
            doc.Line($"### Decisions where the sources are vague or disagree ({profile.Info.Id})").Line();
            foreach (var decision in docs.Decisions) doc.Line($"{decision.Number}. {decision.Text}");
            doc.Line();
        }
        Rules(doc, profile, rules);
        Scenarios(doc, profile, rules);
        WholeRun(doc, profile, rules);
    }

    private static void Rules(Doc doc, IProfile profile, IReadOnlyList<RuleDefinition> rules)
    {
        var docs = profile.Docs;
        doc.Line("| ID | level | rule | area |").Line("| --- | --- | --- | --- |");
        foreach (var rule in rules)
            doc.Line($"| [{rule.Id}](#{Anchor(rule.Id)}) | {LevelInfo.Token(rule.Level)} | {Cell(rule.Title)} | {AreaInfo.DisplayName(rule.Area)} |");
        doc.Line();

        foreach (var area in rules.GroupBy(r => r.Area).OrderBy(g => AreaInfo.Order(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            doc.Line($"### {AreaInfo.DisplayName(area.Key)} ({profile.Info.Id})").Line();
            foreach (var rule in area)
            {
                doc.Line($"#### {rule.Id}").Line()
                    .Line($"**{LevelInfo.Token(rule.Level)}** · {rule.Title}").Line()
                    .Line($"- Passes when: {rule.Statement}");
                foreach (var scenario in docs.Scenarios.Where(s => s.Rules.Contains(rule.Id)))
                    doc.Line($"- Provoked by [`{scenario.Name}`](#{ScenarioAnchor(profile, scenario)}): {scenario.Description}");
                if (docs.WholeRunChecks.TryGetValue(rule.Id, out var observed))
                    doc.Line($"- Observed over the [whole run](#{Anchor($"whole-run checks ({profile.Info.Id})")}): {observed}");
                doc.Line($"- Source: {rule.SeedReference}").Line();
            }
        }
    }

    private static void Scenarios(Doc doc, IProfile profile, IReadOnlyList<RuleDefinition> rules)
    {
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var scenarios = profile.Docs.Scenarios.Where(s => s.Rules.Any(selected.Contains)).ToList();
        if (scenarios.Count == 0) return;
        doc.Line($"### Scenarios ({profile.Info.Id})").Line()
            .Line("Each scenario plays one situation against the target and judges the rules it names.")
            .Line();
        foreach (var scenario in scenarios)
        {
            doc.Line($"#### Scenario `{profile.Info.Id}/{scenario.Name}`").Line()
                .Line(scenario.Description).Line()
                .Line($"Judges: {string.Join(", ", scenario.Rules.Where(selected.Contains).Select(id => $"[{id}](#{Anchor(id)})"))}.").Line();
        }
    }

    private static void WholeRun(Doc doc, IProfile profile, IReadOnlyList<RuleDefinition> rules)
    {
        var checks = profile.Docs.WholeRunChecks;
        if (!rules.Any(r => checks.ContainsKey(r.Id))) return;
        doc.Line($"### Whole-run checks ({profile.Info.Id})").Line()
            .Line("Judged after the scenarios, before the target is stopped, over everything the run saw: every exchange recorded, " +
                "the target's output and the files it wrote.")
            .Line();
        foreach (var rule in rules.Where(r => checks.ContainsKey(r.Id)))
            doc.Line($"- [{rule.Id}](#{Anchor(rule.Id)}): {checks[rule.Id]}");
        doc.Line();
    }

    private static string ScenarioAnchor(IProfile profile, ScenarioDoc scenario) => Anchor($"scenario {profile.Info.Id}{scenario.Name}");

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
