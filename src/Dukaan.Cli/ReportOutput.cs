using Dukaan.Conformance;
using Dukaan.Reporting;

namespace Dukaan.Cli;

/// <summary>
/// Writes the run's files (results.json is the source of truth; HTML, JUnit and Markdown are rendered from it) and
/// speaks GitHub Actions when it runs there: a job summary and one annotation per failing or warning rule.
/// </summary>
public static class ReportOutput
{
    /// <param name="speakGitHub">False inside a fleet: a fleet of 500 agents would add 500 summaries and thousands of annotations to one job; it writes its own summary instead.</param>
    public static WrittenReports Write(RunResults results, string outDir, IReadOnlyCollection<string> secrets, Baseline? baseline, TextWriter output, bool speakGitHub = true)
    {
        var written = ReportSet.Write(results, outDir, secrets);
        if (!speakGitHub) return written;
        if (GitHubStepSummary.AppendIfConfigured(() => File.ReadAllText(written.SummaryMarkdown)) is { } summary)
            output.WriteLine($"  appended the job summary to {summary}");
        if (string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
            GitHubAnnotations.Write(written.Results, output, baseline);
        return written;
    }
}
