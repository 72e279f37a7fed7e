namespace Dukaan.Conformance.Agents;

/// <summary>
/// The agent as the harness sees it: where to deliver, how to provoke work, and which optional powers
/// (output capture, restart, file scan) this kind of target has. Rules that need a missing power are not-exercised.
/// </summary>
public interface IAgentUnderTest : IAsyncDisposable
{
    Uri WebhookUrl { get; }
    Uri? TriggerUrl { get; }

    /// <summary>Sends deliveries and triggers; in-process agents supply their own in-memory client.</summary>
    HttpClient Http { get; }

    bool CanCaptureOutput { get; }
    bool CanRestart { get; }
    bool CanScanFiles { get; }

    /// <summary>True when the harness chose the port through $PORT and the agent answered there; null when not applicable.</summary>
    bool? ListensOnGivenPort { get; }

    /// <summary>Everything the agent has written to stdout/stderr so far (all process generations).</summary>
    string CapturedOutput();

    /// <summary>Files the agent created or changed (working directory, TMPDIR, HOME and its XDG directories), for the secrets-on-disk scan.</summary>
    IReadOnlyList<string> FilesToScan();

    /// <summary>Where <see cref="FilesToScan"/> looks, as the secret rules' evidence names it; empty when files cannot be scanned.</summary>
    IReadOnlyList<string> FileScanPlaces => [];

    Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>Notes for the report: exits, truncation, anything the seller should know about the process.</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Cancelled the moment the agent is gone for good (its process exited on its own), so every wait that can no
    /// longer be met ends at once instead of running out its window. Never cancelled for a target the harness cannot watch.
    /// </summary>
    CancellationToken Gone => CancellationToken.None;

    /// <summary>Why <see cref="Gone"/> was cancelled: the exit code and the last output lines.</summary>
    string? GoneReason => null;
}

/// <summary>The agent could not be started or reached; the run ends with exit code 2 and says why.</summary>
public sealed class AgentStartException(string message, bool portNeverOpened = false) : Exception(message)
{
    public bool PortNeverOpened { get; } = portNeverOpened;
}
