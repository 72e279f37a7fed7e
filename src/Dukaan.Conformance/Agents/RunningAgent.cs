namespace Dukaan.Conformance.Agents;

/// <summary>
/// An agent that is already running somewhere the harness cannot control. Output can be read only from a log file
/// the seller points at; restart and the file scan are impossible, so those rules are not-exercised.
/// </summary>
public sealed class RunningAgent(Uri baseUrl, string webhookPath, Uri? triggerUrl, string? logFile) : IAgentUnderTest
{
    public Uri WebhookUrl { get; } = new(baseUrl, webhookPath);
    public Uri? TriggerUrl { get; } = triggerUrl;
    public HttpClient Http { get; } = SpawnedAgent.NewClient();
    public bool CanCaptureOutput => logFile is not null;
    public bool CanRestart => false;
    public bool CanScanFiles => false;
    public bool? ListensOnGivenPort => null;
    public IReadOnlyList<string> Notes { get; } = [];

    public string CapturedOutput()
    {
        if (logFile is null) return "";
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public IReadOnlyList<string> FilesToScan() => [];

    /// <summary>
    /// A URL nobody answers at is a configuration error, not twenty failed rules: wait (bounded) for the host to accept
    /// connections, then hand out the target.
    /// </summary>
    public static async Task<RunningAgent> ConnectAsync(Uri baseUrl, string webhookPath, Uri? triggerUrl, string? logFile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await FreePort.TryConnectAsync(baseUrl.Host, baseUrl.Port, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) is not { } error)
                return new RunningAgent(baseUrl, webhookPath, triggerUrl, logFile);
            if (waited.Elapsed >= timeout)
                throw new AgentStartException($"Nothing answers at {baseUrl} ({error}) after {timeout.TotalSeconds:0} s. Start the agent first, check --agent-url, or raise --startup-timeout.");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task RestartAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A running agent given by --agent-url cannot be restarted by the harness.");

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
