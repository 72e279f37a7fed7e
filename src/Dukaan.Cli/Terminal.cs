using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>Spectre output over a command's own writer (the invocation's Output), so what a seller sees is what a test captures.</summary>
internal static class Terminal
{
    /// <summary>
    /// Off a terminal no window limits a line, but Spectre would still break lines and fold table cells at its default
    /// of 80 columns, which leaves a CI log or a redirected file with commands and paths cut in two. This width is
    /// wide enough that text and tables are never wrapped (tables do not expand, so they still size to their content)
    /// and small enough that Spectre's width arithmetic cannot overflow.
    /// </summary>
    internal const int UnwrappedWidth = 1 << 16;

    /// <summary>
    /// Colours only on the process's own console (Spectre still checks it is a terminal): there this is the console
    /// AnsiConsole would give. A writer a caller captures, such as a test's, gets plain text.
    /// </summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var onConsole = ReferenceEquals(output, Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = onConsole ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = onConsole ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!onConsole || Console.IsOutputRedirected) console.Profile.Width = UnwrappedWidth;
        return console;
    }
}
