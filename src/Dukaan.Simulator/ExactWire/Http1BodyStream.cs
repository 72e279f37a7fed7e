using System.Globalization;

namespace Dukaan.Simulator.ExactWire;

/// <summary>How the end of a response body is known (RFC 9112 §6.3).</summary>
internal enum BodyFraming { Empty, ContentLength, Chunked, UntilClose }

/// <summary>
/// A response body read off the connection as it arrives, so the status line counts as the answer the moment it is
/// in and a body that never ends costs only what the reader takes. Disposing it closes the connection.
/// </summary>
internal sealed class Http1BodyStream(BufferedConnection connection, BodyFraming framing, long contentLength) : Stream
{
    private const int MaxChunkLine = 4096;
    private long _remaining = framing == BodyFraming.ContentLength ? contentLength : 0;
    private bool _done = framing == BodyFraming.Empty || (framing == BodyFraming.ContentLength && contentLength == 0);
    private bool _chunkDataEnded;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0) return 0;
        if (framing == BodyFraming.UntilClose)
        {
            var read = await connection.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _done = read == 0;
            return read;
        }
        if (framing == BodyFraming.Chunked && _remaining == 0 && !await NextChunkAsync(cancellationToken).ConfigureAwait(false)) return 0;

        var count = await connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        // The same exception type SocketsHttpHandler throws, so the engine words an early end the same either way.
        if (count == 0) throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        _remaining -= count;
        if (framing == BodyFraming.ContentLength && _remaining == 0) _done = true;
        _chunkDataEnded = framing == BodyFraming.Chunked && _remaining == 0;
        return count;
    }

    /// <summary>Moves to the next chunk's data; false after the last chunk (and its trailers, which are skipped).</summary>
    private async Task<bool> NextChunkAsync(CancellationToken cancellationToken)
    {
        if (_chunkDataEnded) await RequiredLineAsync(cancellationToken).ConfigureAwait(false); // the CRLF after the data
        var sizeLine = await RequiredLineAsync(cancellationToken).ConfigureAwait(false);
        var hex = sizeLine.Split(';', 2)[0].Trim();
        if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            throw new HttpIOException(HttpRequestError.InvalidResponse, $"Invalid chunk size line '{sizeLine}'.");
        if (size > 0)
        {
            _remaining = size;
            return true;
        }
        while (await connection.ReadLineAsync(MaxChunkLine, cancellationToken).ConfigureAwait(false) is { Length: > 0 }) { }
        _done = true;
        return false;
    }

    private async Task<string> RequiredLineAsync(CancellationToken cancellationToken) =>
        await connection.ReadLineAsync(MaxChunkLine, cancellationToken).ConfigureAwait(false)
        ?? throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) connection.Dispose();
        base.Dispose(disposing);
    }
}
