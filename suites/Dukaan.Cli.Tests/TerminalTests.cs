using Spectre.Console;

namespace Dukaan.Cli.Tests;

/// <summary>What every command's Spectre output does when it is not on a terminal (a CI log, a file, a test's writer).</summary>
public sealed class TerminalTests
{
    [Test]
    public void A_long_line_is_not_broken()
    {
        var output = new StringWriter();
        var text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));

        Terminal.For(output).MarkupLine(text);

        Assert.That(output.ToString(), Is.EqualTo(text + Environment.NewLine));
    }

    [Test]
    public void A_table_is_as_wide_as_its_content()
    {
        var output = new StringWriter();
        var cell = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"cell{i}"));
        var table = new Table().AddColumns("A", "B").AddRow("row-1", cell).AddRow("row-2", cell);

        Terminal.For(output).Write(table);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(6), "top, header, separator, two rows, bottom: " + output);
        Assert.That(lines.Where(l => l.Contains("row-", StringComparison.Ordinal)), Has.All.Contains(cell));
    }
}
