using Dukaan.Simulator;
using Spectre.Console;

namespace Dukaan.Cli.Simulate;

/// <summary>What `simulate --profile X` was given, resolved: where to print, where to listen, what to sign with, where deliveries go.</summary>
internal sealed record SimSession(IAnsiConsole Console, TextWriter Output, int Port, string Secret, Uri AgentUrl, bool Quiet)
{
    /// <summary>Streams the live log and holds the simulator open until Ctrl+C or SIGTERM cancels the token.</summary>
    public async Task RunUntilCancelledAsync(Transcript transcript, CancellationToken cancellationToken)
    {
        if (!Quiet) transcript.Recorded += e => Console.MarkupLine(LiveLog.Line(e));
        try { await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { Console.MarkupLine("[grey]stopping the simulator[/]"); }
    }
}

/// <summary>The outcome of one delivery as the control API answers it.</summary>
internal sealed record DeliveryView(string AgentUrl, int? Status, double DurationMs, bool TimedOut, string? Error, string Summary);
