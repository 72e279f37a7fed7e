namespace Dukaan.Conformance.Engine;

/// <summary>What a scenario saw about one rule; the level decides later whether a violation is a fail or a warn.</summary>
public enum FindingOutcome { Satisfied, Violated, NotExercised, HarnessError, NotApplicable }

public sealed record Finding(
    string RuleId,
    FindingOutcome Outcome,
    string Expected,
    string Observed,
    string? Diagnosis,
    IReadOnlyList<long> ExchangeSeqs,
    string Scenario)
{
    /// <summary>
    /// Set when the seller's trigger refused the request for work this rule needed (no 2xx, and no work for the buyer on
    /// the wire after it). If every trigger of the run was refused, the harness never could ask for work and
    /// the rule stays not-exercised; if others led to work, the agent refused work for a buyer it should serve, and this
    /// finding (the scenario's failure) replaces it.
    /// </summary>
    public Finding? IfOtherTriggersWorked { get; init; }

    /// <summary>What a scan of the target's output or files covered, for a rule judged on a scan rather than on exchanges.</summary>
    public IReadOnlyList<ScanCount> Scanned { get; init; } = [];

    /// <summary>
    /// Decision 32: what exercised the rule, the exchanges or a scan that covered something. A pass without it says
    /// nothing was wrong where nothing was looked at, so the assembler refuses it.
    /// </summary>
    public bool HasWitness => ExchangeSeqs.Count > 0 || Scanned.Any(s => s.Count > 0);
}

public sealed class FindingSink
{
    private readonly Lock _gate = new();
    private readonly List<Finding> _findings = [];

    public void Add(Finding finding) { lock (_gate) _findings.Add(finding); }

    public IReadOnlyList<Finding> For(string ruleId) { lock (_gate) return [.. _findings.Where(f => f.RuleId == ruleId)]; }

    public bool HasAny(string ruleId) { lock (_gate) return _findings.Any(f => f.RuleId == ruleId); }

    public IReadOnlyList<Finding> All { get { lock (_gate) return [.. _findings]; } }

    public void Rewrite(Func<Finding, Finding> rewrite)
    {
        lock (_gate)
            for (var i = 0; i < _findings.Count; i++) _findings[i] = rewrite(_findings[i]);
    }
}
