using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>
/// Progress lines written where they are reported, in the order they are reported. <see cref="Progress{T}"/> posts
/// each line to the thread pool instead, so lines came out of order and after the command had returned: after the
/// summary for a user, and into a disposed writer for a caller that captured the output (a test host crashed on it).
/// Once the command is done (disposed) a late report is dropped, and a reader that went away (a closed pipe, a
/// disposed writer) never turns a progress line into the command's failure.
/// </summary>
internal sealed class ConsoleProgress(IAnsiConsole console) : IProgress<string>, IDisposable
{
    private readonly Lock _gate = new();
    private bool _closed;

    public void Report(string value)
    {
        lock (_gate)
        {
            if (_closed) return;
            try
            {
                console.MarkupLine($"  [grey]{Markup.Escape(value)}[/]");
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Nobody is reading any more; the run and its reports matter more than its progress lines.
                _closed = true;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate) _closed = true;
    }
}
