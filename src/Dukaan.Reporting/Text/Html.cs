using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Dukaan.Reporting;

/// <summary>Markup that is already safe; the only way to put unescaped text into <see cref="HtmlBuilder"/> output.</summary>
internal readonly record struct RawHtml(string Value);

internal static class Html
{
    /// <summary>
    /// Escapes for both text and double- or single-quoted attribute context, so one function is right everywhere.
    /// Non-ASCII is left alone: the page is UTF-8, and numeric references would defeat the literal-text redaction pass.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        AppendEscaped(sb, text);
        return sb.ToString();
    }

    public static void AppendEscaped(StringBuilder sb, string? text)
    {
        if (text is null) return;
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                // NUL is replaced by browsers anyway; dropping it keeps the file clean for grep and diff tools.
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
    }
}

/// <summary>
/// Builds HTML where every interpolation hole is escaped unless it is a <see cref="RawHtml"/>: agent-controlled text
/// (bodies, headers, diagnoses) cannot reach the page unescaped by forgetting a call.
/// </summary>
internal sealed class HtmlBuilder(int capacity = 64 * 1024)
{
    internal StringBuilder Buffer { get; } = new(capacity);

    public HtmlBuilder Add([InterpolatedStringHandlerArgument("")] ref HtmlInterpolation html)
    {
        _ = html;
        return this;
    }

    public override string ToString() => Buffer.ToString();
}

[InterpolatedStringHandler]
internal readonly ref struct HtmlInterpolation
{
    private readonly StringBuilder _sb;

    public HtmlInterpolation(int literalLength, int formattedCount, HtmlBuilder builder)
    {
        _ = literalLength;
        _ = formattedCount;
        _sb = builder.Buffer;
    }

    public void AppendLiteral(string literal) => _sb.Append(literal);

    public void AppendFormatted(RawHtml html) => _sb.Append(html.Value);

    public void AppendFormatted(string? text) => Html.AppendEscaped(_sb, text);

    public void AppendFormatted<T>(T value, string? format = null)
    {
        var text = value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString();
        Html.AppendEscaped(_sb, text);
    }
}
