namespace Dukaan.Conformance.Testing;

/// <summary>A finished in-process certification: the results (as results.json would hold them) and the verdict on them.</summary>
/// <param name="NotApplicable">Rules whose not-exercised verdict is expected in this mode (<see cref="InProcessCertification.ProcessOnlyRules"/>).</param>
public sealed record InProcessRun(RunResults Results, IReadOnlySet<string> NotApplicable)
{
    /// <summary>
    /// Every rule that keeps the agent from being certified: a failed rule (a MUST, or a SHOULD under Strict), a harness
    /// error, or a MUST rule that was not exercised for a reason other than this mode.
    /// </summary>
    public IReadOnlyList<RuleResult> Failures => [.. Results.Rules.Where(r => Blocks(r, NotApplicable))];

    /// <summary>
    /// The engine's outcome: it certifies only with no failed rule, no harness error and no MUST rule unexercised outside
    /// <see cref="NotApplicable"/>, which it is given too, so <see cref="Failures"/> is then empty.
    /// </summary>
    public bool IsCertified => Results.Outcome == Outcome.Certified;

    /// <summary>Throws <see cref="InProcessCertificationException"/>, naming every failed rule with its evidence, unless certified.</summary>
    public void AssertCertified()
    {
        if (!IsCertified) throw new InProcessCertificationException(this);
    }

    private static bool Blocks(RuleResult rule, IReadOnlySet<string> notApplicable) => rule.Verdict switch
    {
        Verdict.Fail or Verdict.HarnessError => true,
        Verdict.NotExercised => rule.Level == RuleLevel.Must && !notApplicable.Contains(rule.Id),
        _ => false,
    };
}
