using System.Security.Cryptography;
using System.Text;

namespace Dukaan.Reporting;

/// <summary>The page's stylesheet and script, with the CSP hashes that allow exactly them and nothing else.</summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> CssText = new(() => Load("Dukaan.Reporting.report.css"));
    private static readonly Lazy<string> ScriptText = new(() => Load("Dukaan.Reporting.report.js"));

    public static string Css => CssText.Value;

    public static string Script => ScriptText.Value;

    internal static string Sha256(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static string Load(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from Dukaan.Reporting.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // Line endings normalised so the hash does not depend on how the file was checked out.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
