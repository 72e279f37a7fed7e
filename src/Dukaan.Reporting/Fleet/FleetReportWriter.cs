namespace Dukaan.Reporting.Fleet;

/// <summary>The fleet reports written into a fleet folder, by role.</summary>
public sealed record WrittenFleetReports(string IndexHtml, string FleetMarkdown, string JUnitXml)
{
    public IReadOnlyList<string> All => [IndexHtml, FleetMarkdown, JUnitXml];
}

/// <summary>
/// Renders a fleet's index.html, fleet.md and junit.xml into its folder; the entry point for certify-fleet (at the end
/// of a run) and fleet-report (after a merge). The agents' own folders and fleet.json are not touched: the reports
/// are rendered from them and link into them.
/// </summary>
public static class FleetReportWriter
{
    public const string HtmlFileName = ReportSet.HtmlFileName;
    public const string MarkdownFileName = "fleet.md";
    public const string JUnitFileName = ReportSet.JUnitFileName;

    /// <param name="outDir">The fleet folder: the agents' folders (<see cref="FleetAgentEntry.Folder"/>) are relative to it, and so are the links.</param>
    public static WrittenFleetReports Write(FleetRun run, string outDir)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        Directory.CreateDirectory(outDir);
        // The results were redacted when each agent's certify wrote them: there is no secret left to mask here.
        return new WrittenFleetReports(
            ReportSet.WriteFile(outDir, HtmlFileName, FleetHtmlWriter.Render(run)),
            ReportSet.WriteFile(outDir, MarkdownFileName, FleetMarkdownWriter.Render(run)),
            ReportSet.WriteFile(outDir, JUnitFileName, FleetJUnitWriter.Render(run)));
    }
}
