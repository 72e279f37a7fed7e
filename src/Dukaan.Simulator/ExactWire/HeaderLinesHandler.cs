namespace Dukaan.Simulator.ExactWire;

/// <summary>
/// Sends a request that carries a header with several values through <see cref="RawHttp1Client"/>, which writes one
/// line per value; everything else goes to the normal handler. SocketsHttpHandler joins the values of a header into
/// one line with ", ", so a "duplicated header" probe sent through it would test the agent against a header it never sees.
/// </summary>
internal sealed class HeaderLinesHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        HasRepeatedHeader(request)
            ? RawHttp1Client.SendAsync(request, cancellationToken)
            : base.SendAsync(request, cancellationToken);

    private static bool HasRepeatedHeader(HttpRequestMessage request) =>
        request.Headers.NonValidated.Any(h => h.Value.Count > 1)
        || (request.Content?.Headers.NonValidated.Any(h => h.Value.Count > 1) ?? false);
}
