namespace Dukaan.Conformance.Testing;

/// <summary>
/// The agent's way out: requests to the simulated platform's origin go to its TestServer; anything else fails loudly,
/// because an in-process agent that calls a real host would either leave the machine or silently test nothing.
/// </summary>
internal sealed class PlatformRoute(Uri origin, HttpMessageHandler simulator) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _simulator = new(simulator, disposeHandler: true);
    private volatile bool _closed;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_closed)
            return Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError,
                $"The in-process platform has shut down (the certification run is over); the agent still called {request.RequestUri}."));
        if (request.RequestUri is not { IsAbsoluteUri: true } uri || Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            return Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError,
                $"In-process certification reaches only the simulated platform at {origin}; the agent called {request.RequestUri?.ToString() ?? "a relative URL"}. " +
                "Build every platform and provider URL from InProcessPlatform.ApiUrl and ProviderBaseUrl."));
        return _simulator.SendAsync(request, cancellationToken);
    }

    // Agents may wrap this handler in clients that dispose it (IHttpClientFactory does, after a while); the run owns it.
    protected override void Dispose(bool disposing) { }

    public void Close()
    {
        _closed = true;
        _simulator.Dispose();
    }
}
