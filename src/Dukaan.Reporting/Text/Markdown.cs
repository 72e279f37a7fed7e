using System.Text;

namespace Dukaan.Reporting;

/// <summary>Escaping for GitHub-flavoured Markdown, where raw HTML is live and so is most punctuation.</summary>
internal static class Markdown
{
    /// <summary>Inline text on one line: HTML neutralised, Markdown syntax backslash-escaped, line breaks flattened.</summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\r': break;
                case '\n': case '\t': sb.Append(' '); break;
                // Only what can open markup mid-line (text never starts a line here), plus '@' and '#' so agent
                // text cannot mention people or link issues, and '|' so it cannot break a table.
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' or '@' or '#':
                    sb.Append('\\').Append(c);
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Inline code that survives backticks in the content: the fence is one longer than the longest run inside.</summary>
    public static string Code(string? text)
    {
        var flat = (text ?? "").Replace("\r", "", StringComparison.Ordinal).Replace('\n', ' ');
        var longest = 0;
        var run = 0;
        foreach (var c in flat)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        var pad = flat.StartsWith('`') || flat.EndsWith('`') ? " " : "";
        return fence + pad + flat + pad + fence;
    }
}
