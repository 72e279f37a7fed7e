using Dukaan.Conformance;

namespace Dukaan.Cli;

/// <summary>Writes the run's files. results.json is the source of truth; the other formats are rendered from it.</summary>
public static class ReportOutput
{
    public static IReadOnlyList<string> Write(RunResults results, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var json = Path.Combine(outDir, "results.json");
        File.WriteAllText(json, ResultsJson.Serialize(results));
        return [json];
    }
}
