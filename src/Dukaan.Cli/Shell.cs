namespace Dukaan.Cli;

/// <summary>POSIX sh quoting for the command lines the CLI prints or runs, so a rerun or next step can be pasted as is.</summary>
internal static class Shell
{
    /// <summary>
    /// A value as typed (a path, a URL, a command), single-quoted only when sh would split or expand it, so the
    /// common case stays readable in a rerun command.
    /// </summary>
    public static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '{' or '}') ? Always(value) : value;

    /// <summary>
    /// A name found on disk (an entry script, a project file) rather than typed: anything beyond the portable
    /// file-name characters is quoted, since such a name may hold any metacharacter (&amp;, ;, parentheses).
    /// </summary>
    public static string QuoteFileName(string name) =>
        name.All(c => char.IsLetterOrDigit(c) || c is '.' or '/' or '_' or '-') ? name : Always(name);

    /// <summary>Single-quoted whatever it holds; a quote inside becomes '\''.</summary>
    public static string Always(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
