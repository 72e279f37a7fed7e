using System.Text;

namespace Dukaan.Simulator.ExactWire;

/// <summary>
/// A response being read off a connection: lines for the head and chunk sizes, bytes for the body, from one buffer so
/// nothing read ahead while looking for a line end is lost. Owns the stream and the socket under it.
/// </summary>
internal sealed class BufferedConnection(Stream stream, IDisposable socket) : IDisposable
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads up to <paramref name="destination"/>'s length; 0 only when the peer closed the connection.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false)) return 0;
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    /// <summary>
    /// One line without its CRLF (a bare LF also ends it, as lenient clients accept), decoded as Latin-1 so every byte
    /// survives; null when the connection ends first. A line longer than <paramref name="maxBytes"/> is not HTTP.
    /// </summary>
    public async Task<string?> ReadLineAsync(int maxBytes, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false)) return null;
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.AddRange(_buffer.AsSpan(_start, stop - _start));
            if (line.Count > maxBytes)
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The answer has a line longer than {maxBytes} bytes; it is not an HTTP response.");
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0) break;
        }
        if (line.Count > 0 && line[^1] == '\r') line.RemoveAt(line.Count - 1);
        return Encoding.Latin1.GetString([.. line]);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    public void Dispose()
    {
        stream.Dispose();
        socket.Dispose();
    }
}
