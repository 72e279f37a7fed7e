using System.Text.Json;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// Reads a results.json from disk for commands that work on finished runs (report, compare). Every way a file can be
/// wrong ends in a <see cref="ResultsFormatException"/> with a one-line message, never a stack trace.
/// </summary>
public static class ResultsFile
{
    /// <summary>
    /// Also refuses documents that parse but lack parts every report needs (a run cut short by hand-editing, a
    /// different tool's JSON with a schemaVersion): the plain reader would hand those on with nulls inside.
    /// </summary>
    private static readonly JsonSerializerOptions Complete = new(ResultsJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <param name="path">A results.json, or a report folder holding one (reports/&lt;timestamp&gt;/).</param>
    public static RunResults Load(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ResultsFormatException("The results path is empty; give a results.json written by `dukaan-conformance certify`.");
        var file = Directory.Exists(path) ? Path.Combine(path, ReportSet.ResultsFileName) : path;
        if (!File.Exists(file))
            throw new ResultsFormatException(Directory.Exists(path)
                ? $"{path} is a folder without a {ReportSet.ResultsFileName}; give the folder certify --out wrote, or the results.json itself."
                : $"{path} does not exist; give a results.json written by `dukaan-conformance certify` (it is in the --out folder).");
        string json;
        try
        {
            json = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFormatException($"{file} cannot be read: {ex.Message}");
        }
        try
        {
            // The shared reader first: its messages for a wrong schemaVersion say what to do.
            ResultsJson.Deserialize(json, file);
            return JsonSerializer.Deserialize<RunResults>(json, Complete) ?? throw new ResultsFormatException($"{file} holds null, not a results object.");
        }
        catch (JsonException ex)
        {
            throw new ResultsFormatException($"{file} is not a complete results.json (at {ex.Path ?? "$"}): {FirstSentence(ex.Message)} Re-run certify, or re-render from an unedited copy.");
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // e.g. "schemaVersion": 1e40 — a number, but not one GetInt32 can read.
            throw new ResultsFormatException($"{file} is not a results.json this harness can read: {ex.Message}");
        }
    }

    /// <summary>System.Text.Json's messages end with "Path: … | LineNumber: …" (said already) and advice meant for the harness's developers.</summary>
    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = (cut > 0 ? message[..cut] : message).Replace(" Consider updating its nullability annotation.", "", StringComparison.Ordinal).Trim();
        return text.EndsWith('.') ? text : text + ".";
    }
}
