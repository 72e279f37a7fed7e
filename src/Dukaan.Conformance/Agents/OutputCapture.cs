using System.Text;

namespace Dukaan.Conformance.Agents;

/// <summary>
/// Collects a process's output up to a cap, so a flooding agent costs bounded memory. Bytes past the cap are
/// counted and reported, never silently dropped.
/// </summary>
public sealed class OutputCapture(long capBytes = 32L << 20)
{
    private readonly Lock _gate = new();
    private readonly MemoryStream _buffer = new();
    private long _dropped;

    public long DroppedBytes { get { lock (_gate) return _dropped; } }

    public Task PumpAsync(Stream source, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        var chunk = new byte[8192];
        try
        {
            int n;
            while ((n = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0) Append(chunk.AsSpan(0, n));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The process went away; what was read is kept.
        }
    }, CancellationToken.None);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            var room = (int)Math.Max(0, Math.Min(bytes.Length, capBytes - _buffer.Length));
            _buffer.Write(bytes[..room]);
            _dropped += bytes.Length - room;
        }
    }

    public string Text()
    {
        lock (_gate) return Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
    }
}
