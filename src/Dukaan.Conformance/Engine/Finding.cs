namespace Dukaan.Conformance.Engine;

/// <summary>What a scenario saw about one rule; the level decides later whether a violation is a fail or a warn.</summary>
public enum FindingOutcome { Satisfied, Violated, NotExercised, HarnessError }

public sealed record Finding(
    string RuleId,
    FindingOutcome Outcome,
    string Expected,
    string Observed,
    string? Diagnosis,
    IReadOnlyList<long> ExchangeSeqs,
    string Scenario);

public sealed class FindingSink
{
    private readonly Lock _gate = new();
    private readonly List<Finding> _findings = [];

    public void Add(Finding finding) { lock (_gate) _findings.Add(finding); }

    public IReadOnlyList<Finding> For(string ruleId) { lock (_gate) return [.. _findings.Where(f => f.RuleId == ruleId)]; }

    public bool HasAny(string ruleId) { lock (_gate) return _findings.Any(f => f.RuleId == ruleId); }
}
