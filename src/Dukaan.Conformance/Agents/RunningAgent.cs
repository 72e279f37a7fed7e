namespace Dukaan.Conformance.Agents;

/// <summary>
/// An agent that is already running somewhere the harness cannot control. Output can be read only from a log file
/// the seller points at; restart and the file scan are impossible, so those rules are not-exercised.
/// </summary>
public sealed class RunningAgent(Uri baseUrl, string webhookPath, Uri? triggerUrl, string? logFile) : IAgentUnderTest
{
    public string Kind => "url";
    public string Description => baseUrl.ToString();
    public Uri WebhookUrl { get; } = new(baseUrl, webhookPath);
    public Uri? TriggerUrl { get; } = triggerUrl;
    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = Timeout.InfiniteTimeSpan };
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

    public Task RestartAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A running agent given by --agent-url cannot be restarted by the harness.");

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
