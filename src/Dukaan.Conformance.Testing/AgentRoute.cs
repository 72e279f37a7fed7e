namespace Dukaan.Conformance.Testing;

/// <summary>
/// The simulator's way to the agent. The simulator is built first and the agent after it (the agent needs the
/// platform's coordinates), so deliveries go through this handler, which is pointed at the agent's TestServer once it exists.
/// </summary>
internal sealed class AgentRoute : HttpMessageHandler
{
    private HttpMessageInvoker? _agent;
    private volatile string _why = "The agent has not started yet.";

    public void Connect(HttpMessageHandler agent) => Volatile.Write(ref _agent, new HttpMessageInvoker(agent, disposeHandler: true));

    /// <summary>Later deliveries fail as a connection failure would, rather than reach a disposed server.</summary>
    public void Disconnect()
    {
        _why = "The agent has been stopped.";
        Interlocked.Exchange(ref _agent, null)?.Dispose();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Volatile.Read(ref _agent) is { } agent
            ? agent.SendAsync(request, cancellationToken)
            : Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, $"{_why} (delivery to {request.RequestUri})"));

    protected override void Dispose(bool disposing)
    {
        if (disposing) Disconnect();
        base.Dispose(disposing);
    }
}
