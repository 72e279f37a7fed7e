using System.Collections.Concurrent;
using System.Globalization;
using Dukaan.Contract;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Simulator.Chat;

/// <summary>What one download of an attachment came to: how many bytes went out before the agent hung up or the cap ended it.</summary>
public sealed record FileDownload(string Token, string SubscriptionId, long BytesWritten, bool AgentHungUp, bool ReachedCap, DateTimeOffset StartedAt, double DurationMs);

/// <summary>An attachment the buyer's client described one way (<see cref="Declared"/>) while its real bytes are another.</summary>
public sealed record LyingFile(string Token, string SubscriptionId, ChatFileRef Declared, long RealBytes);

/// <summary>
/// Attachments whose declared size and mime lie (002 §6.6): a "1 KB text/csv" whose download is an endless stream of
/// binary bytes, cut at <see cref="Cap"/>. Each download records how far the agent read, which DK-CHAT-09 judges.
/// </summary>
public sealed class LyingFiles
{
    /// <summary>Where the endless stream ends: no agent that trusts the declared size gets away with reading it all.</summary>
    public const long Cap = 64L * 1024 * 1024;

    private const int ChunkBytes = 64 * 1024;
    private static readonly byte[] Chunk = BuildChunk();
    private readonly ConcurrentDictionary<string, LyingFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FileDownload> _downloads = new();
    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);
    private int _counter;

    public LyingFile Add(string subscriptionId, Uri baseUrl, string name = "sales-week-48.csv", long declaredBytes = 1024, string mime = "text/csv", long realBytes = Cap)
    {
        var token = $"f_{Interlocked.Increment(ref _counter):D4}_{Guid.NewGuid():N}"[..24];
        var declared = new ChatFileRef(new Uri(baseUrl, ChatPaths.File(token).TrimStart('/')).ToString(), name, declaredBytes, mime);
        var file = new LyingFile(token, subscriptionId, declared, Math.Min(realBytes, Cap));
        _files[token] = file;
        return file;
    }

    public IReadOnlyList<FileDownload> Downloads => [.. _downloads];

    public IReadOnlyList<FileDownload> DownloadsOf(string token) => [.. _downloads.Where(d => d.Token == token)];

    /// <summary>A download of this attachment is under way: how far it gets is not known yet.</summary>
    public bool IsDownloading(string token) => _running.TryGetValue(token, out var n) && n > 0;

    /// <summary>
    /// Streams the real bytes with the declared mime and no Content-Length, flushing each chunk, so the bytes written
    /// track what the agent read (plus the socket buffers) and a hang-up shows as a failed write.
    /// </summary>
    public static async Task ServeAsync(string token, HttpContext http, PlatformSimulator simulator)
    {
        var exchange = PlatformApi.Tag(http, ExchangeKinds.ChatFile, "");
        var files = simulator.Files;
        if (!files._files.TryGetValue(token, out var file))
        {
            exchange.SubscriptionId = null;
            await ErrorResponses.WriteAsync(http, StatusCodes.Status404NotFound, "FILE_NOT_FOUND", $"No attachment '{token}'; use the fileRef.url of a relay.");
            return;
        }
        exchange.SubscriptionId = file.SubscriptionId;
        var startedAt = simulator.Clock.GetUtcNow();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        http.Response.ContentType = file.Declared.Mime;
        long written = 0;
        var hungUp = false;
        files._running.AddOrUpdate(token, 1, (_, n) => n + 1);
        try
        {
            while (written < file.RealBytes)
            {
                var n = (int)Math.Min(ChunkBytes, file.RealBytes - written);
                await http.Response.Body.WriteAsync(Chunk.AsMemory(0, n), http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                written += n;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            hungUp = true;
        }
        finally
        {
            exchange.Tags[TagKeys.FileBytes] = written.ToString(CultureInfo.InvariantCulture);
            files._downloads.Enqueue(new FileDownload(token, file.SubscriptionId, written, hungUp, !hungUp && written >= Cap, startedAt, stopwatch.Elapsed.TotalMilliseconds));
            files._running.AddOrUpdate(token, 0, (_, n) => n - 1);
        }
    }

    /// <summary>Bytes no CSV holds: a PNG signature, NULs and every byte value, so a reader that checks the bytes knows at once.</summary>
    private static byte[] BuildChunk()
    {
        var chunk = new byte[ChunkBytes];
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        for (var i = 0; i < chunk.Length; i++) chunk[i] = (byte)(i % 256);
        png.CopyTo(chunk, 0);
        return chunk;
    }
}
