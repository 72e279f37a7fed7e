using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dukaan.Reporting;

/// <summary>A body as a reader wants to see it: JSON indented, everything else as sent, both bounded in size.</summary>
internal sealed record FormattedBody(string Display, bool IsJson, bool WasPrettified, int OriginalLength, bool Truncated);

internal static class BodyFormatter
{
    /// <summary>Keeps a page with a flooding agent openable; the full text stays in results.json.</summary>
    public const int MaxDisplayChars = 20_000;

    private const int MaxPrettifyChars = 256 * 1024;

    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static FormattedBody Format(string body)
    {
        var pretty = TryPrettify(body);
        var display = pretty ?? body;
        var truncated = display.Length > MaxDisplayChars;
        if (truncated) display = display[..MaxDisplayChars];
        return new FormattedBody(display, pretty is not null, pretty is not null && !string.Equals(pretty, body, StringComparison.Ordinal), body.Length, truncated);
    }

    public static string Clip(string text) => text.Length <= MaxDisplayChars ? text : text[..MaxDisplayChars];

    /// <summary>
    /// Null when the body is not a JSON object or array. Numbers keep their original digits (JsonElement writes the raw
    /// token), which matters when the body under test carries an integer above 2^53.
    /// </summary>
    internal static string? TryPrettify(string body)
    {
        if (body.Length is 0 or > MaxPrettifyChars) return null;
        var trimmed = body.AsSpan().Trim();
        if (trimmed.IsEmpty || (trimmed[0] != '{' && trimmed[0] != '[')) return null;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, Indented)) doc.RootElement.WriteTo(writer);
            return Encoding.UTF8.GetString(stream.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
