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
        var extra = ExtraScenarios(rule.Id, relevant);
        var scenarios = extra.Count == 0 ? ""
            : extra.Count == _profileScenarios.Count ? $" --scenarios {AllScenarios}"
            : $" --scenarios {string.Join(',', extra)}";
        return $"{_settings.RerunPrefix} --rules {rule.Id}{scenarios} --seed {_settings.Seed}";
    }

    /// <summary>The scenarios the verdict came from that the rule alone would not run, in the profile's order.</summary>
    public IReadOnlyList<string> ExtraScenarios(string ruleId, IReadOnlyList<Finding> relevant)
    {
        if (_runsEveryScenario) return [];
        var evidence = EvidenceScenarios(relevant);
        return [.. _profileScenarios.Where(s => evidence.Contains(s.Name) && !s.Rules.Contains(ruleId)).Select(s => s.Name)];
    }

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

    /// <summary>The scenario name of findings judged over the whole run, in every profile.</summary>
    public const string WholeRun = "whole run";
}
