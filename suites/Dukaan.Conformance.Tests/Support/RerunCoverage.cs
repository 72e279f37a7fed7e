namespace Dukaan.Conformance.Tests.Support;

/// <summary>
/// Which rules of a verdict-table row get their rerun command checked. Every non-passing rule of every row would be
/// about 200 reruns (the ignore-port row alone has 33 not-exercised rules, each rerun waiting out the startup timeout),
/// many minutes on two cores; one rerun per rule ID, at the first row (in table order) that fails or warns on it,
/// covers every rule once — each way it is judged, in its own scenario or over the whole run — in about 90 reruns. A
/// slow-ack row (every answer held for the 10 s budget) comes last, so it covers only the rules no other row breaks.
/// </summary>
public static class RerunCoverage
{
    /// <param name="rows">The table in its order: row name → the non-pass verdicts it expects.</param>
    /// <param name="row">The row being run.</param>
    /// <param name="notRunHere">Rows the table's test does not run (another test checks their reruns).</param>
    private const string SlowAck = "slow-ack";

    public static IReadOnlyList<string> RulesOf(IEnumerable<(string Row, IReadOnlyDictionary<string, Verdict> Verdicts)> rows, string row, params string[] notRunHere)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, verdicts) in rows.Where(r => !notRunHere.Contains(r.Row)).OrderBy(r => r.Row == SlowAck))
            foreach (var (rule, verdict) in verdicts)
                if (verdict is Verdict.Fail or Verdict.Warn) first.TryAdd(rule, name);
        return [.. first.Where(p => p.Value == row).Select(p => p.Key).Order(StringComparer.Ordinal)];
    }
}
