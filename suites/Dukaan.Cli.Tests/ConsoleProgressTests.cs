using System.CommandLine;
using System.Diagnostics;
using System.Text;

namespace Dukaan.Cli.Tests;

/// <summary>
/// Issue 18: certify's progress went through Progress&lt;string&gt;, which posts each line to the thread pool; under load
/// lines came out of order and after the command had returned, into the test's disposed writer, and crashed the test host.
/// </summary>
public sealed class ConsoleProgressTests
{
    [Test]
    public void A_line_is_written_before_Report_returns_and_lines_keep_their_order()
    {
        var output = new StringWriter();
        using var progress = new ConsoleProgress(Terminal.For(output));

        for (var i = 0; i < 200; i++)
        {
            progress.Report($"line {i}");
            Assert.That(output.ToString(), Does.EndWith($"line {i}{Environment.NewLine}"), $"line {i} was not written when Report returned");
        }
    }

    [Test]
    public void Lines_reported_from_many_threads_stay_whole()
    {
        var output = new StringWriter();
        using var progress = new ConsoleProgress(Terminal.For(output));

        Parallel.For(0, 400, i => progress.Report($"scenario-{i} done in 1.0 s"));

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.That(lines, Is.EquivalentTo(Enumerable.Range(0, 400).Select(i => $"scenario-{i} done in 1.0 s")));
    }

    [Test]
    public void A_report_after_the_command_ended_writes_nothing_even_into_a_disposed_writer()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(Terminal.For(output));
        progress.Report("before");
        progress.Dispose();
        output.Dispose();

        Assert.DoesNotThrow(() => progress.Report("after the command returned"));
    }

    [Test]
    public void A_reader_that_went_away_does_not_fail_the_run()
    {
        var writer = new ClosedPipeWriter();
        using var progress = new ConsoleProgress(Terminal.For(writer));

        Assert.DoesNotThrow(() => progress.Report("first"));
        Assert.DoesNotThrow(() => progress.Report("second"));
        Assert.That(writer.Attempts, Is.EqualTo(1), "after the pipe broke, later lines are not attempted");
    }

    /// <summary>Through the real command in process: every progress line precedes the summary, and nothing follows the return.</summary>
    [Test]
    public async Task Certify_writes_progress_before_the_summary_and_nothing_after_it_returns()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var outDir = Directory.CreateTempSubdirectory("dukaan-progress-").FullName;
        try
        {
            var exit = await CliApp.InvokeAsync(["certify", "--rules", "DK-SIG-03", "--out", outDir], new InvocationConfiguration { Output = output, Error = error });
            var atReturn = output.ToString();
            await Task.Delay(TimeSpan.FromSeconds(1));

            Assert.That(exit, Is.EqualTo(0), atReturn + error);
            Assert.That(output.ToString(), Is.EqualTo(atReturn), "lines were written after certify returned");
            var lines = atReturn.Split(Environment.NewLine);
            var lastProgress = Array.FindLastIndex(lines, l => l.Contains(" done in ", StringComparison.Ordinal));
            var summary = Array.FindIndex(lines, l => l.Contains("results.json", StringComparison.Ordinal));
            Assert.That(lastProgress, Is.GreaterThan(0), atReturn);
            Assert.That(summary, Is.GreaterThan(lastProgress), atReturn);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    /// <summary>`certify … | head -1`: the reader leaves after the first line; the verdict is still the exit code, with no stack trace.</summary>
    [Test]
    public async Task Certify_into_a_pipe_closed_early_still_exits_with_its_verdict()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "dukaan-conformance.dll");
        var outDir = Directory.CreateTempSubdirectory("dukaan-pipe-").FullName;
        try
        {
            var info = new ProcessStartInfo("bash", ["-c", $"dotnet '{cli}' certify --rules DK-SIG-03 --out '{outDir}' 2>'{outDir}/stderr.txt' | head -1; echo \"exit=${{PIPESTATUS[0]}}\""])
            {
                RedirectStandardOutput = true, WorkingDirectory = Repo.Root,
            };
            using var process = Process.Start(info)!;
            var stdout = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync();
            var stderr = await File.ReadAllTextAsync(Path.Combine(outDir, "stderr.txt"));

            Assert.That(stdout, Does.Contain("exit=0"), stdout + stderr);
            Assert.That(stderr, Does.Not.Contain("Exception"), stderr);
            Assert.That(File.Exists(Path.Combine(outDir, "results.json")), stdout + stderr);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    private sealed class ClosedPipeWriter : TextWriter
    {
        public int Attempts { get; private set; }
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) { Attempts++; throw new IOException("Broken pipe"); }
        public override void Write(string? value) { Attempts++; throw new IOException("Broken pipe"); }
        public override void Write(char[] buffer, int index, int count) { Attempts++; throw new IOException("Broken pipe"); }
    }
}
