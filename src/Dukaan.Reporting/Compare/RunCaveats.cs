using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// Differences between runs that change verdicts without any change in the agent: a reader comparing a strict run
/// with a lenient one should be told before blaming the agent for warn → fail.
/// </summary>
internal static class RunCaveats
{
    public static IReadOnlyList<string> Of(IReadOnlyList<ComparedRun> runs)
    {
        var caveats = new List<string>();
        Differs(runs, r => r.Strict ? "strict" : "not strict",
            list => $"Strictness differs ({list}): a SHOULD rule that is not met is fail in a strict run and warn otherwise.", caveats);
        Differs(runs, r => r.RuleSelection is { Length: > 0 } s ? s : "all rules",
            list => $"Rule selections differ ({list}): a rule a run did not check shows —.", caveats);
        Differs(runs, r => r.HarnessVersion, list => $"Harness versions differ ({list}): checks may have changed between them.", caveats);
        Differs(runs, r => r.ContractVersion, list => $"Contract versions differ ({list}).", caveats);
        Differs(runs, r => r.Profile, list => $"Profiles differ ({list}).", caveats);
        var broken = runs.Select((r, i) => (r, i)).Where(x => x.r.Results.Outcome == Outcome.HarnessError).Select(x => $"#{x.i + 1}").ToList();
        if (broken.Count > 0)
            caveats.Add($"Run {string.Join(", ", broken)} ended in a harness error: its verdicts say more about the harness than about the agent.");
        return caveats;
    }

    private static void Differs(IReadOnlyList<ComparedRun> runs, Func<RunResults, string> property, Func<string, string> message, List<string> caveats)
    {
        var values = runs.Select(r => property(r.Results)).ToList();
        if (values.Distinct(StringComparer.Ordinal).Count() < 2) return;
        caveats.Add(message(string.Join(", ", values.Select((v, i) => $"#{i + 1}: {v}"))));
    }
}
