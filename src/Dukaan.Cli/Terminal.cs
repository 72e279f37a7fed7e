using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>Spectre output over a command's own writer (the invocation's Output), so what a seller sees is what a test captures.</summary>
internal static class Terminal
{
    /// <summary>
    /// Colours only on the process's own console (Spectre still checks it is a terminal): there this is the console
    /// AnsiConsole would give. A writer a caller captures, such as a test's, gets plain text.
    /// </summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var onConsole = ReferenceEquals(output, Console.Out);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = onConsole ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = onConsole ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
    }
}
