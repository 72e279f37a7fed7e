using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

/// <summary>Runs of the fixture's rule set where every rule passes except the ones a test names: easy to reason about.</summary>
internal static class VerdictRuns
{
    public static RunResults Passing(params (string Id, Verdict Verdict)[] overrides)
    {
        var rules = FixtureResults.Rules().Select(r => r with { Verdict = Verdict.Pass }).ToList();
        foreach (var (id, verdict) in overrides)
        {
            var i = rules.FindIndex(r => r.Id == id);
            if (i < 0) throw new ArgumentException($"{id} is not a fixture rule", nameof(overrides));
            rules[i] = rules[i] with { Verdict = verdict };
        }
        var (outcome, exit) = rules.Any(r => r.Verdict == Verdict.HarnessError) ? (Outcome.HarnessError, 2)
            : rules.Any(r => r.Verdict == Verdict.Fail || (r.Level == RuleLevel.Must && r.Verdict == Verdict.NotExercised)) ? (Outcome.NotCertified, 1)
            : (Outcome.Certified, 0);
        return FixtureResults.Failing() with { Rules = rules, Summary = Summary.Of(rules), Outcome = outcome, ExitCode = exit, Notes = [] };
    }

    public static RunResults Without(this RunResults results, string id) =>
        results with { Rules = [.. results.Rules.Where(r => r.Id != id)], Summary = Summary.Of(results.Rules.Where(r => r.Id != id)) };

    public static string Save(this RunResults results, string dir, string folder)
    {
        var path = Path.Combine(dir, folder, ReportSet.ResultsFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ResultsJson.Serialize(results));
        return path;
    }
}
