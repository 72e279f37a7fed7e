using Dukaan.Conformance;

namespace Dukaan.Reporting;

internal static class EvidenceText
{
    /// <summary>
    /// The one line that says why a rule did not pass: the diagnosis when the harness recognised the cause, else what
    /// it observed. Every output (page, JUnit, annotations) uses this, so they never disagree.
    /// </summary>
    public static string Why(Evidence evidence) =>
        evidence.Diagnosis is { Length: > 0 } diagnosis ? diagnosis : evidence.Observed;
}
