using System.Runtime.InteropServices;
using Dukaan.Conformance.Agents;

namespace Dukaan.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (how containers and CI services stop a process). The first one cancels the running
/// command, which then ends cleanly — certify stops the agent and writes reports marked interrupted. A second one
/// means "now": agents are killed and the process ends with the default action, so nothing is left running.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    private TerminationSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, On),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, On),
        ];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => LiveAgentProcesses.KillAll();
    }

    /// <summary>The signals of this process; null until <see cref="Install"/> (in-process tests never install them).</summary>
    public static TerminationSignals? Current { get; private set; }

    public static TerminationSignals Install() => Current = new TerminationSignals();

    public CancellationToken Token => _cancel.Token;

    /// <summary>128 + the signal number of the first signal (130 for SIGINT, 143 for SIGTERM); null when none came.</summary>
    public int? ExitCode => Volatile.Read(ref _received) is var s and > 0 ? 128 + s : null;

    private void On(PosixSignalContext context)
    {
        var number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        if (Interlocked.CompareExchange(ref _received, number, 0) == 0)
        {
            context.Cancel = true;
            _cancel.Cancel();
            return;
        }
        LiveAgentProcesses.KillAll();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }
}
