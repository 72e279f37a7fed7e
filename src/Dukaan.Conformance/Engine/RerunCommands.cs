using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Rules;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// A rule's rerun command: the same target and seed, that rule alone, and — with --scenarios — the scenarios whose work
/// produced its verdict that --rules with that rule alone would not run: a rule judged over the whole run (DK-RUN-01
/// counts every scenario's provider calls), or judged in a scenario that is not its own. Without them the rerun would
/// judge the rule on other evidence, or none.
/// </summary>
public sealed class RerunCommands
{
    /// <summary>What --scenarios takes for every scenario of the profile.</summary>
    public const string AllScenarios = "all";

    private readonly RunSettings _settings;
    private readonly IReadOnlyList<ScenarioDoc> _profileScenarios;
    private readonly bool _runsEveryScenario;
    private readonly IReadOnlyList<string> _ran;
    private readonly Func<Exchange, string?> _scenarioOf;
    private readonly IReadOnlyDictionary<long, Exchange> _exchanges;

    /// <param name="ran">The scenarios this run played, in the profile's order.</param>
    /// <param name="scenarioOf">The scenario an exchange belongs to (by its buyer, contract or event), or null when none does.</param>
    public RerunCommands(RunSettings settings, IProfile profile, IReadOnlyList<string> ran, Func<Exchange, string?>? scenarioOf, IReadOnlyDictionary<long, Exchange> exchanges)
    {
        _settings = settings;
        _profileScenarios = profile.Docs.Scenarios;
        _runsEveryScenario = profile.RunsEveryScenario;
        _ran = ran;
        _scenarioOf = scenarioOf ?? (_ => null);
        _exchanges = exchanges;
    }

    /// <param name="relevant">The findings that decided the verdict (those with the decisive outcome).</param>
    public string For(RuleDefinition rule, IReadOnlyList<Finding> relevant)
    {
        var extra = IsTimedOverTheWholeRun(rule, relevant) ? ExtraScenarios(rule.Id, _ran) : ExtraScenarios(rule.Id, relevant);
        var scenarios = extra.Count == 0 ? ""
            : extra.Count == _profileScenarios.Count ? $" --scenarios {AllScenarios}"
            : $" --scenarios {string.Join(',', extra)}";
        return $"{_settings.RerunPrefix} --rules {rule.Id}{scenarios} --seed {_settings.Seed}";
    }

    /// <summary>The scenarios the verdict came from that the rule alone would not run, in the profile's order.</summary>
    public IReadOnlyList<string> ExtraScenarios(string ruleId, IReadOnlyList<Finding> relevant) => ExtraScenarios(ruleId, EvidenceScenarios(relevant));

    private IReadOnlyList<string> ExtraScenarios(string ruleId, IReadOnlyCollection<string> evidence) =>
        _runsEveryScenario ? [] : [.. _profileScenarios.Where(s => evidence.Contains(s.Name) && !s.Rules.Contains(ruleId)).Select(s => s.Name)];

    /// <summary>
    /// An acknowledgement time judged over the whole run depends on everything the agent was handling at that moment,
    /// not only on the deliveries it cites: an agent that answers one delivery at a time was late because other
    /// scenarios' deliveries were queued ahead. Its rerun replays every scenario that ran.
    /// </summary>
    private static bool IsTimedOverTheWholeRun(RuleDefinition rule, IReadOnlyList<Finding> relevant) =>
        rule.Area == Areas.Acknowledgement && relevant.Any(f => f.Scenario == WholeRun);

    private HashSet<string> EvidenceScenarios(IReadOnlyList<Finding> relevant)
    {
        var known = _profileScenarios.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var from = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finding in relevant)
        {
            var attributed = finding.ExchangeSeqs.Where(_exchanges.ContainsKey).Select(seq => _scenarioOf(_exchanges[seq])).OfType<string>().Where(known.Contains).ToList();
            from.UnionWith(attributed);
            if (known.Contains(finding.Scenario)) from.Add(finding.Scenario);
            // Judged over the whole run with nothing that names a scenario (an output scan, an absence): every scenario
            // that ran made the evidence.
            else if (attributed.Count == 0 && finding.Scenario == WholeRun) from.UnionWith(_ran);
        }
        return from;
    }

    /// <summary>
    /// The scenarios a --scenarios value names for <paramref name="profileId"/> (every one for <see cref="AllScenarios"/>),
    /// or null when none was given; <paramref name="problem"/> says what is wrong with it, naming the known scenarios.
    /// </summary>
    public static IReadOnlySet<string>? Parse(string? names, string profileId, out string? problem)
    {
        problem = null;
        if (names is null) return null;
        var known = ProfileRegistry.Get(profileId).Docs.Scenarios.Select(s => s.Name).ToList();
        var given = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (given.Length == 0)
            problem = $"give scenario names, comma-separated, or {AllScenarios}; the {profileId} profile's: {string.Join(", ", known)}.";
        else if (given.Contains(AllScenarios, StringComparer.Ordinal))
            return known.ToHashSet(StringComparer.Ordinal);
        else if (given.FirstOrDefault(g => !known.Contains(g, StringComparer.Ordinal)) is { } unknown)
            problem = $"'{unknown}' is not a scenario of the {profileId} profile; its scenarios are {string.Join(", ", known)} (or {AllScenarios}).";
        return problem is null ? given.ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>What a rerun command gives --scenarios, or null when it plays the rule's own scenarios only.</summary>
    public static string? ScenariosIn(string rerunCommand)
    {
        var words = rerunCommand.Split(' ');
        var at = Array.IndexOf(words, "--scenarios");
        return at >= 0 && at + 1 < words.Length ? words[at + 1] : null;
    }

    /// <summary>The scenario name of findings judged over the whole run, in every profile.</summary>
    public const string WholeRun = "whole run";
}
