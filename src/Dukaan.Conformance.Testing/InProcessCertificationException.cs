using System.Text;

namespace Dukaan.Conformance.Testing;

/// <summary>
/// The agent was not certified. The message lists every failed rule with what was expected, what was seen and the
/// diagnosis, so any test framework shows the whole story without the report.
/// </summary>
public sealed class InProcessCertificationException : Exception
{
    private const int MaxFieldLength = 1200;

    internal InProcessCertificationException(InProcessRun run) : base(Describe(run))
    {
        Results = run.Results;
        Failures = run.Failures;
    }

    public RunResults Results { get; }

    public IReadOnlyList<RuleResult> Failures { get; }

    private static string Describe(InProcessRun run)
    {
        var results = run.Results;
        var text = new StringBuilder();
        text.Append($"AgentDukaan in-process certification: {Wire(results.Outcome)} (seed {results.Seed}");
        if (results.RuleSelection is { } selection) text.Append($", rules {selection}");
        text.Append(").");
        if (run.Failures.Count > 0)
        {
            text.Append($" {run.Failures.Count} rule(s) block certification: {string.Join(", ", run.Failures.Select(r => r.Id))}.");
            foreach (var rule in run.Failures)
            {
                text.AppendLine().AppendLine();
                text.Append($"{rule.Id} [{Wire(rule.Level)}] {Wire(rule.Verdict)}: {rule.Title}");
                Field(text, "expected", rule.Evidence.Expected);
                Field(text, "observed", rule.Evidence.Observed);
                if (rule.Evidence.Diagnosis is { } diagnosis) Field(text, "diagnosis", diagnosis);
            }
        }
        if (results.Notes.Count > 0)
        {
            text.AppendLine().AppendLine().Append("Notes:");
            foreach (var note in results.Notes) text.AppendLine().Append("  - ").Append(note);
        }
        if (results.Target.TriggerUrl is null && run.Failures.Any(r => r.Verdict == Verdict.NotExercised))
            text.AppendLine().AppendLine().Append("Set InProcessOptions.TriggerPath to the agent's test-mode trigger route, so the harness can ask it for billable work.");
        if (run.Failures.FirstOrDefault() is { } first)
            text.AppendLine().AppendLine().Append($"Rerun one rule: new InProcessOptions {{ …, Rules = \"{first.Id}\", " +
                (Engine.RerunCommands.ScenariosIn(first.Evidence.RerunCommand) is { } scenarios ? $"Scenarios = \"{scenarios}\", " : "") + $"Seed = {results.Seed} }}");
        return text.ToString();
    }

    private static void Field(StringBuilder text, string label, string value)
    {
        var clipped = value.Length <= MaxFieldLength ? value : value[..MaxFieldLength] + "…";
        text.AppendLine().Append($"  {label}: ").Append(clipped.ReplaceLineEndings(Environment.NewLine + "    "));
    }

    // The names results.json and the reports use, so the message reads the same as the report.
    private static string Wire<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value, ResultsJson.Options).Trim('"');
}
