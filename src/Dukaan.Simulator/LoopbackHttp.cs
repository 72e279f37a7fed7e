using System.Text;

namespace Dukaan.Simulator;

/// <summary>
/// The client a harness sender uses towards a target on loopback, whatever the profile: what it writes is exactly what
/// the scenario meant to send. A header's non-ASCII probe byte goes out as one Latin-1 byte (not refused, not UTF-8's
/// two); every request gets a fresh connection, because .NET reuses a connection after an HTTP/1.0 answer that did not
/// offer keep-alive (dotnet/runtime#72958) and Python's http.server answers exactly that; no redirects, proxy or
/// cookies; no client timeout — each caller bounds its own attempts.
/// </summary>
public static class LoopbackHttp
{
    public static HttpClient ExactBytesClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.Zero,
        RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };
}
