using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>The files one run produced, by role, and the redacted results they were rendered from.</summary>
public sealed record WrittenReports(string ResultsJson, string IndexHtml, string JUnitXml, string SummaryMarkdown)
{
    public IReadOnlyList<string> All => [ResultsJson, IndexHtml, JUnitXml, SummaryMarkdown];

    /// <summary>The results with secrets masked: what anything printed afterwards (console, annotations) must use.</summary>
    public required RunResults Results { get; init; }
}

/// <summary>
/// Writes every report of a run into one folder, redacting the given secrets from all of them. This is the entry
/// point the CLI calls; the individual writers render strings and never touch the disk.
/// </summary>
public static class ReportSet
{
    public const string ResultsFileName = "results.json";
    public const string HtmlFileName = "index.html";
    public const string JUnitFileName = "junit.xml";
    public const string SummaryFileName = "summary.md";

    private static readonly UTF8Encoding Utf8NoBom = new(false);

    /// <summary>Writes results.json, index.html, junit.xml and summary.md; returns their full paths in that order.</summary>
    public static IReadOnlyList<string> WriteAll(RunResults results, string outDir, IReadOnlyCollection<string> secrets) =>
        Write(results, outDir, secrets).All;

    public static WrittenReports Write(RunResults results, string outDir, IReadOnlyCollection<string> secretsToRedact)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var redactor = new SecretRedactor(secretsToRedact);
        var safe = redactor.Redact(results);
        Directory.CreateDirectory(outDir);
        var dir = Path.GetFullPath(outDir);
        return new WrittenReports(
            WriteFile(dir, ResultsFileName, ResultsJson.Serialize(safe), redactor),
            WriteFile(dir, HtmlFileName, HtmlReportWriter.Render(safe), redactor),
            WriteFile(dir, JUnitFileName, JUnitWriter.Render(safe), redactor),
            WriteFile(dir, SummaryFileName, MarkdownSummaryWriter.Render(safe), redactor))
        { Results = safe };
    }

    /// <summary>Writes one file that holds no secret (a comparison of already-redacted runs) the same safe way.</summary>
    public static string WriteFile(string dir, string name, string content) =>
        WriteFile(Path.GetFullPath(dir), name, content, SecretRedactor.None);

    private static string WriteFile(string dir, string name, string content, SecretRedactor redactor)
    {
        var path = Path.Combine(dir, name);
        // Write beside and rename, so a crash or a full disk never leaves a half-written report that looks complete.
        var temp = path + ".tmp";
        File.WriteAllText(temp, redactor.Redact(content), Utf8NoBom);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
