using Dukaan.Conformance;
using Dukaan.Reporting;

namespace Dukaan.Cli;

/// <summary>
/// Writes the run's files (results.json is the source of truth; HTML, JUnit and Markdown are rendered from it) and
/// speaks GitHub Actions when it runs there: a job summary and one annotation per failing or warning rule.
/// </summary>
public static class ReportOutput
{
    public static WrittenReports Write(RunResults results, string outDir, IReadOnlyCollection<string> secrets, Baseline? baseline, TextWriter output)
    {
        var written = ReportSet.Write(results, outDir, secrets);
        if (GitHubStepSummary.AppendIfConfigured(() => File.ReadAllText(written.SummaryMarkdown)) is { } summary)
            output.WriteLine($"  appended the job summary to {summary}");
        if (string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
            GitHubAnnotations.Write(written.Results, output, baseline);
        return written;
    }
}
