using System.Net;
using System.Net.Sockets;

namespace Dukaan.Conformance.Agents;

public static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True once something accepts TCP connections on 127.0.0.1:port.</summary>
    public static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken) =>
        await TryConnectAsync(IPAddress.Loopback.ToString(), port, TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false) is null;

    /// <summary>
    /// One TCP connection attempt, bounded by <paramref name="attemptTimeout"/>: null when something accepted it,
    /// otherwise why not. Only the caller's own cancellation throws.
    /// </summary>
    public static async Task<string?> TryConnectAsync(string host, int port, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(attemptTimeout);
            await client.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // A refused connection that races the caller's cancellation is still the cancellation: the caller stops
            // cleanly (an interrupted run), where a SocketException would surface as a harness failure.
            cancellationToken.ThrowIfCancellationRequested();
            return ex.Message;
        }
    }
}
