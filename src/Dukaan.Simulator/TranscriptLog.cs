using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dukaan.Simulator;

/// <summary>
/// Appends every exchange of a transcript to a JSON Lines file (one object per line, the <see cref="Exchange"/>'s
/// fields) from one background writer, so the request path only enqueues. Lines are in the order exchanges were
/// recorded, not Seq order (a delivery is recorded when it ends); each carries its <c>seq</c>, so the order can be restored.
/// </summary>
/// <remarks>
/// The queue is bounded: when the disk falls behind, recording waits for room (counted in <see cref="Stalls"/>) rather
/// than drop a line or grow without bound. The writer is a thread of its own and producers block synchronously, so the
/// backpressure never waits on a thread-pool thread that a flood may have used up. Nothing is lost silently: an
/// exchange that cannot be written (after a write error, or recorded after the log was closed) is counted in
/// <see cref="Lost"/> and the first error is kept in <see cref="Error"/>.
/// </remarks>
public sealed class TranscriptLog : IDisposable
{
    /// <summary>Exchanges that may wait for the writer: about 12 MB at 1.5 KB each.</summary>
    public const int DefaultQueueCapacity = 8192;

    /// <summary>How the lines are written and read back: camelCase fields, enums by name, no HTML escaping (the file is not a page).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(30);

    private readonly BlockingCollection<Exchange> _queue;
    private readonly Stream _file;
    private readonly Thread _writer;
    private long _written;
    private long _lost;
    private long _stalls;
    private volatile string? _error;
    private int _disposed;

    private TranscriptLog(string path, Stream file, int queueCapacity)
    {
        Path = path;
        _file = file;
        _queue = new BlockingCollection<Exchange>(new ConcurrentQueue<Exchange>(), queueCapacity);
        _writer = new Thread(Drain) { IsBackground = true, Name = "transcript-log" };
        _writer.Start();
    }

    /// <summary>The file's full path (or what the stream is).</summary>
    public string Path { get; }

    /// <summary>Lines handed to the file so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Exchanges that could not be written; see <see cref="Error"/>.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Times recording had to wait because the writer was <see cref="DefaultQueueCapacity"/> exchanges behind.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>The first reason the file is incomplete, or null while every exchange has been written.</summary>
    public string? Error => _error;

    /// <summary>Creates (or truncates) the file, readable by its owner only: it holds the run's secrets unredacted.</summary>
    /// <exception cref="SimulatorException">The file cannot be created; the message names the path and the cause.</exception>
    public static TranscriptLog Create(string path, int queueCapacity = DefaultQueueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 1 << 16 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new TranscriptLog(full, new FileStream(full, options), queueCapacity);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SimulatorException(0, "TRANSCRIPT_FILE_UNWRITABLE", $"Cannot write the transcript to {full}: {ex.Message} Give a file in a folder you can write to.");
        }
    }

    /// <summary>Writes the lines to <paramref name="stream"/>, which the log closes when it is disposed.</summary>
    /// <param name="description">What the stream is, for messages (a path, "stdout").</param>
    public static TranscriptLog To(Stream stream, string description, int queueCapacity = DefaultQueueCapacity)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        return new TranscriptLog(description, stream, queueCapacity);
    }

    /// <summary>The exchanges of a file this class wrote, in file order; a line that is not an exchange fails with its number.</summary>
    public static IEnumerable<Exchange> Read(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            Exchange? exchange;
            try
            {
                exchange = JsonSerializer.Deserialize<Exchange>(line, JsonOptions);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{number} is not a transcript exchange: {ex.Message}", ex);
            }
            yield return exchange ?? throw new InvalidDataException($"{path}:{number} is null, not a transcript exchange.");
        }
    }

    internal void Append(Exchange exchange)
    {
        try
        {
            if (_queue.TryAdd(exchange)) return;
            Interlocked.Increment(ref _stalls);
            _queue.Add(exchange);
        }
        catch (InvalidOperationException)
        {
            // Recorded after the log was closed (a delivery still ending while the host stops): counted, not written.
            Interlocked.Increment(ref _lost);
            _error ??= "exchanges were recorded after the transcript file was closed";
        }
    }

    /// <summary>Writes what is queued, flushes and closes the file (waiting at most 30 s for a stuck disk).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.CompleteAdding();
        if (!_writer.Join(DrainBound)) _error ??= $"the writer had not finished {DrainBound.TotalSeconds:0} s after the run ended";
    }

    private void Drain()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonOptions.Encoder, SkipValidation = true });
        foreach (var exchange in _queue.GetConsumingEnumerable())
        {
            if (_error is not null)
            {
                Interlocked.Increment(ref _lost);
                continue;
            }
            try
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                JsonSerializer.Serialize(json, exchange, JsonOptions);
                json.Flush();
                _file.Write(buffer.WrittenSpan);
                _file.WriteByte((byte)'\n');
                Interlocked.Increment(ref _written);
                // One flush per burst, not per line: the file is current whenever the queue runs dry.
                if (_queue.Count == 0) _file.Flush();
            }
            catch (Exception ex)
            {
                // Anything escaping this thread would end the process; the run goes on and the report says the file is incomplete.
                _error ??= $"{ex.GetType().Name}: {ex.Message}";
                Interlocked.Increment(ref _lost);
            }
        }
        try
        {
            _file.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _error ??= $"{ex.GetType().Name}: {ex.Message}";
        }
    }
}
