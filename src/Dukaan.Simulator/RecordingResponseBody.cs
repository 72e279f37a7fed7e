using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Dukaan.Simulator;

/// <summary>
/// The response body as the endpoint writes it, passed on to the server's own writer at once, with a copy of every
/// byte for the transcript. Whether the endpoint writes to the pipe (the JSON results do) or to the stream, the bytes
/// go out on the path they would have taken without recording.
/// </summary>
internal sealed class RecordingResponseBody : IHttpResponseBodyFeature, IDisposable
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Capture _capture = new();
    private TeeWriter? _writer;
    private TeeStream? _stream;

    public RecordingResponseBody(IHttpResponseBodyFeature inner) => _inner = inner;

    /// <summary>What was written so far; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Captured => _capture.Written;

    public Stream Stream => _stream ??= new TeeStream(_inner.Stream, _capture);

    public PipeWriter Writer => _writer ??= new TeeWriter(_inner.Writer, _capture);

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public void Dispose() => _capture.Dispose();

    /// <summary>A pooled, growing copy of the body: the simulator's answers are its own small JSON documents.</summary>
    private sealed class Capture : IDisposable
    {
        private byte[] _buffer = [];
        private int _length;

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty) return;
            if (_length + bytes.Length > _buffer.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_length + bytes.Length, Math.Max(512, _buffer.Length * 2)));
                _buffer.AsSpan(0, _length).CopyTo(grown);
                if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = grown;
            }
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void Dispose()
        {
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
    }

    private sealed class TeeWriter(PipeWriter inner, Capture capture) : PipeWriter
    {
        private Memory<byte> _lent;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            capture.Append(_lent.Span[..bytes]);
            _lent = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            capture.Append(source.Span);
            return inner.WriteAsync(source, cancellationToken);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class TeeStream(Stream inner, Capture capture) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            // The server's stream refuses synchronous writes unless allowed; ask it first, then keep the copy.
            inner.Write(buffer);
            capture.Append(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            capture.Append(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
