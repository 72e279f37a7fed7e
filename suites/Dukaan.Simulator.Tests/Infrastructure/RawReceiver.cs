using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dukaan.Simulator.Tests.Infrastructure;

/// <summary>
/// A webhook receiver written at the socket level, for misbehaviour WireMock cannot script: a body that never ends,
/// a connection closed mid-body, bytes that are not HTTP.
/// </summary>
public sealed class RawReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _heads = new();
    private int _connections;

    public RawReceiver(Func<NetworkStream, CancellationToken, Task> respond)
    {
        _listener.Start();
        _loop = AcceptLoopAsync(respond);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks/agentdukaan");
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Each request's head (request line and header lines) exactly as the bytes arrived, in arrival order.</summary>
    public IReadOnlyList<byte[]> RequestHeads => [.. _heads];

    private async Task AcceptLoopAsync(Func<NetworkStream, CancellationToken, Task> respond)
    {
        var handlers = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                handlers.Add(HandleAsync(client, respond));
            }
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(TcpClient client, Func<NetworkStream, CancellationToken, Task> respond)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (await ReadRequestAsync(stream, _stop.Token) is { } head) _heads.Enqueue(head);
                await respond(stream, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        }
    }

    /// <summary>Reads the request head and its Content-Length body so the client is never blocked writing; returns the head.</summary>
    private static async Task<byte[]?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!(buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) return null;
            buffer.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString([.. buffer]);
        var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return [.. buffer];
    }

    public static Task WriteAsync(NetworkStream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
