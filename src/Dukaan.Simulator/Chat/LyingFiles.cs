using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dukaan.Contract;

namespace Dukaan.Simulator.Chat;

/// <summary>What one download of an attachment came to: how many bytes went out before the agent hung up, stopped reading, or the cap ended it.</summary>
public sealed record FileDownload(string Token, string SubscriptionId, long BytesWritten, bool AgentHungUp, bool AgentStoppedReading, bool ReachedCap, DateTimeOffset StartedAt, double DurationMs);

/// <summary>An attachment the buyer's client described one way (<see cref="Declared"/>) while its real bytes are another.</summary>
public sealed record LyingFile(string Token, string SubscriptionId, ChatFileRef Declared, long RealBytes);

/// <summary>
/// Attachments whose declared size and mime lie (002 §6.6): a "1 KB text/csv" whose download is an endless stream of
/// binary bytes, cut at <see cref="Cap"/>. Each download records how far the agent read, which DK-CHAT-09 judges.
/// </summary>
/// <remarks>
/// Served from a raw loopback socket, not Kestrel: Kestrel turns writes to a connection the client closed into silent
/// no-ops, so "the agent hung up after 1 MiB" and "the agent read all 64 MiB" looked the same. Here a send to a closed
/// peer fails, a small send buffer keeps what is written close to what was read, and a reader that stops reading
/// without closing is seen when a send makes no progress for <see cref="StallAfter"/>.
/// </remarks>
public sealed class LyingFiles(Transcript transcript, TimeProvider clock) : IDisposable
{
    /// <summary>Where the endless stream ends: no agent that trusts the declared size gets away with reading it all.</summary>
    public const long Cap = 64L * 1024 * 1024;

    /// <summary>
    /// A send that makes no progress this long means the reader stopped without hanging up. Generous, because a reader
    /// that is merely slow (a loaded machine) must not be mistaken for one that stopped at its own limit.
    /// </summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(5);

    private const int ChunkBytes = 64 * 1024;
    private static readonly byte[] Chunk = BuildChunk();
    private readonly ConcurrentDictionary<string, LyingFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FileDownload> _downloads = new();
    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _mostWritten = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private int _counter;

    public LyingFile Add(string subscriptionId)
    {
        var token = $"f_{Interlocked.Increment(ref _counter):D4}_{Guid.NewGuid():N}"[..24];
        var declared = new ChatFileRef($"http://127.0.0.1:{EnsureListening()}/files/{token}", "sales-week-48.csv", 1024, "text/csv");
        var file = new LyingFile(token, subscriptionId, declared, Cap);
        _files[token] = file;
        return file;
    }

    public IReadOnlyList<FileDownload> Downloads => [.. _downloads];

    public IReadOnlyList<FileDownload> DownloadsOf(string token) => [.. _downloads.Where(d => d.Token == token)];

    /// <summary>The most bytes any download of this attachment has been sent so far, finished or still under way.</summary>
    public long MostWritten(string token) => _mostWritten.GetValueOrDefault(token);

    /// <summary>A download of this attachment is under way: how far it gets is not known yet.</summary>
    public bool IsDownloading(string token) => _running.TryGetValue(token, out var n) && n > 0;

    private int EnsureListening()
    {
        lock (_gate)
        {
            if (_listener is null)
            {
                _listener = new TcpListener(IPAddress.Loopback, 0);
                _listener.Start();
                _ = AcceptLoopAsync(_listener, _stopping.Token);
            }
            return ((IPEndPoint)_listener.LocalEndpoint).Port;
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(socket, stopping);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        using var _ = socket;
        socket.SendBufferSize = ChunkBytes;
        var startedAt = clock.GetUtcNow();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        // Taken as the download starts, so it is listed before what the agent did while it read; a 404 is not recorded.
        using var reservation = transcript.Reserve();
        var (method, target) = await ReadRequestLineAsync(socket, stopping).ConfigureAwait(false);
        var token = target.StartsWith("/files/", StringComparison.Ordinal) ? target["/files/".Length..] : "";
        if (method != "GET" || !_files.TryGetValue(token, out var file))
        {
            var body = Encoding.UTF8.GetBytes(ErrorJson("FILE_NOT_FOUND", $"No attachment at '{target}'; use the fileRef.url of a relay."));
            await TrySendAsync(socket, Encoding.ASCII.GetBytes($"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), stopping).ConfigureAwait(false);
            await TrySendAsync(socket, body, stopping).ConfigureAwait(false);
            return;
        }
        _running.AddOrUpdate(token, 1, (_, n) => n + 1);
        long written = 0;
        var outcome = SendOutcome.Sent;
        try
        {
            // No Content-Length: the body ends when the connection does, as an endless stream would.
            outcome = await TrySendAsync(socket, Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {file.Declared.Mime}\r\nConnection: close\r\n\r\n"), stopping).ConfigureAwait(false);
            while (outcome == SendOutcome.Sent && written < file.RealBytes)
            {
                var n = (int)Math.Min(ChunkBytes, file.RealBytes - written);
                outcome = await TrySendAsync(socket, Chunk.AsMemory(0, n), stopping).ConfigureAwait(false);
                if (outcome == SendOutcome.Sent) written += n;
                _mostWritten.AddOrUpdate(token, written, (_, most) => Math.Max(most, written));
            }
        }
        finally
        {
            var download = new FileDownload(token, file.SubscriptionId, written, outcome == SendOutcome.PeerClosed, outcome == SendOutcome.Stalled,
                outcome == SendOutcome.Sent && written >= Cap, startedAt, stopwatch.Elapsed.TotalMilliseconds);
            _downloads.Enqueue(download);
            Record(file, download, target, reservation.Seq);
            _running.AddOrUpdate(token, 0, (_, n) => n - 1);
        }
    }

    private enum SendOutcome { Sent, PeerClosed, Stalled }

    private static async Task<SendOutcome> TrySendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken stopping)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        stall.CancelAfter(StallAfter);
        try
        {
            while (bytes.Length > 0)
            {
                var sent = await socket.SendAsync(bytes, SocketFlags.None, stall.Token).ConfigureAwait(false);
                bytes = bytes[sent..];
            }
            return SendOutcome.Sent;
        }
        catch (OperationCanceledException)
        {
            return SendOutcome.Stalled;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return SendOutcome.PeerClosed;
        }
    }

    /// <summary>The request line; the rest of the head is read and ignored (at most 16 KiB, at most 5 s).</summary>
    private static async Task<(string Method, string Target)> ReadRequestLineAsync(Socket socket, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var head = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (head.Count < 16 * 1024)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) break;
                head.AddRange(buffer.AsSpan(0, n));
                if (Encoding.Latin1.GetString([.. head]).Contains("\r\n\r\n", StringComparison.Ordinal)) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException) { /* answer what was read */ }
        var line = Encoding.Latin1.GetString([.. head]).Split("\r\n")[0].Split(' ');
        return line.Length >= 2 ? (line[0], line[1]) : ("", "");
    }

    private void Record(LyingFile file, FileDownload d, string target, long seq)
    {
        var how = d.AgentHungUp ? "the agent hung up" : d.AgentStoppedReading ? $"the agent stopped reading for {StallAfter.TotalSeconds:0} s" : "the stream ended at the cap";
        transcript.Add(new Exchange(seq, Direction.AgentToPlatform, ExchangeKinds.ChatFile, file.SubscriptionId, "GET", file.Declared.Url,
            new Dictionary<string, string>(), "", 200, new Dictionary<string, string> { ["Content-Type"] = file.Declared.Mime },
            $"[{d.BytesWritten} bytes streamed, then {how}; not kept]", d.StartedAt, d.DurationMs, null,
            new Dictionary<string, string> { [TagKeys.FileBytes] = d.BytesWritten.ToString(CultureInfo.InvariantCulture), ["path"] = target }));
    }

    private static string ErrorJson(string code, string message) =>
        System.Text.Json.JsonSerializer.Serialize(ErrorBody.Of(code, message), ContractJson.Options);

    /// <summary>Bytes no CSV holds: a PNG signature, NULs and every byte value, so a reader that checks the bytes knows at once.</summary>
    private static byte[] BuildChunk()
    {
        var chunk = new byte[ChunkBytes];
        for (var i = 0; i < chunk.Length; i++) chunk[i] = (byte)(i % 256);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        png.CopyTo(chunk, 0);
        return chunk;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        lock (_gate) _listener?.Stop();
        _stopping.Dispose();
    }
}
