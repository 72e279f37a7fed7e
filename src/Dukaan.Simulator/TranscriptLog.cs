using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dukaan.Simulator;

/// <summary>
/// Appends every exchange of a transcript to a JSON Lines file (one object per line, the <see cref="Exchange"/>'s
/// fields) from one background writer, so the request path only enqueues. Lines are in the order they are appended:
/// the <see cref="Transcript"/> appends in Seq order, the order exchanges started (see <see cref="Transcript.MaxHeldForOrder"/>).
/// </summary>
/// <remarks>
/// The queue is bounded: when the disk falls behind, recording waits for room (counted in <see cref="Stalls"/>) rather
/// than drop a line or grow without bound. The writer is a thread of its own and a waiting recorder sleeps rather than
/// awaits, so the backpressure never depends on a thread-pool thread that a flood may have used up. Under load the
/// writer takes what has queued every millisecond and writes it as one batch; only an idle writer is woken, so
/// recording an exchange costs an enqueue and two counters, not a wake-up and a write each. Nothing is lost silently: an
/// exchange that cannot be written (after a write error, or recorded after the log was closed) is counted in
/// <see cref="Lost"/> and the first error is kept in <see cref="Error"/>.
/// </remarks>
public sealed class TranscriptLog : IDisposable
{
    /// <summary>Exchanges that may wait for the writer: about 7 MB at 0.9 KB each.</summary>
    public const int DefaultQueueCapacity = 8192;

    /// <summary>How the lines are written and read back: camelCase fields, enums by name, no HTML escaping (the file is not a page).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<Exchange> _queue = new();
    // Signalled only when the writer has gone idle: under load it is busy, and recording costs an enqueue and a counter.
    private readonly SemaphoreSlim _wake = new(0);
    private readonly int _queueCapacity;
    private readonly Stream _file;
    private readonly Thread _writer;
    private int _pending;
    private int _idle;
    // Closing refuses new lines; stopping tells the writer to end once the queue is empty. Between the two, Dispose
    // waits for the recorders already past the check (_appending), so no line is queued after the writer has gone.
    private int _closing;
    private int _appending;
    private volatile bool _stopping;
    private long _written;
    private long _lost;
    private long _stalls;
    private volatile string? _error;
    private int _disposed;

    private TranscriptLog(string path, Stream file, int queueCapacity)
    {
        Path = path;
        _file = file;
        _queueCapacity = queueCapacity;
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
        Interlocked.Increment(ref _appending);
        try
        {
            if (Volatile.Read(ref _closing) == 1)
            {
                // Recorded after the log was closed (a delivery still ending while the host stops): counted, not written.
                Interlocked.Increment(ref _lost);
                _error ??= "exchanges were recorded after the transcript file was closed";
                return;
            }
            if (Interlocked.Increment(ref _pending) > _queueCapacity) WaitForRoom();
            _queue.Enqueue(exchange);
            if (Volatile.Read(ref _idle) == 1 && Interlocked.Exchange(ref _idle, 0) == 1) _wake.Release();
        }
        finally
        {
            Interlocked.Decrement(ref _appending);
        }
    }

    /// <summary>
    /// The disk is behind: hold this recorder (never a line) until the writer has caught up. A plain sleep, not an event:
    /// it is the rare path, and it must not depend on the thread pool that a flood may be using up.
    /// </summary>
    private void WaitForRoom()
    {
        Interlocked.Increment(ref _stalls);
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) > _queueCapacity)
        {
            if (Volatile.Read(ref _idle) == 1 && Interlocked.Exchange(ref _idle, 0) == 1) _wake.Release();
            spin.SpinOnce(sleep1Threshold: 10);
        }
    }

    /// <summary>Writes what is queued, flushes and closes the file (waiting at most 30 s for a stuck disk).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Interlocked.Exchange(ref _closing, 1);
        var spin = new SpinWait();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _appending) > 0 && waited.Elapsed < DrainBound) spin.SpinOnce(sleep1Threshold: 10);
        _stopping = true;
        _wake.Release();
        if (!_writer.Join(DrainBound)) _error ??= $"the writer had not finished {DrainBound.TotalSeconds:0} s after the run ended";
    }

    private void Drain()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonOptions.Encoder, SkipValidation = true });
        while (true)
        {
            var drained = 0;
            while (_queue.TryDequeue(out var exchange))
            {
                Write(exchange, buffer, json);
                Interlocked.Decrement(ref _pending);
                drained++;
            }
            // One flush per batch, not per line: the file is at most a batch behind.
            if (drained > 0) Flush();
            if (_stopping && _queue.IsEmpty) break;
            if (drained > 0)
            {
                // Under load, nap instead of waiting to be woken: a wake-up per exchange (a futex call, a context switch
                // and a write each) cost more than the line itself. A millisecond's batch is a few dozen lines.
                Thread.Sleep(1);
                continue;
            }
            Volatile.Write(ref _idle, 1);
            // An exchange queued between the last dequeue and the flag went unannounced: take the flag back and go on,
            // unless its recorder already took it, in which case its wake-up is owed and must be consumed.
            if (!_queue.IsEmpty || _stopping)
            {
                if (Interlocked.Exchange(ref _idle, 0) == 0) _wake.Wait();
                continue;
            }
            _wake.Wait();
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

    private void Write(Exchange exchange, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json)
    {
        if (_error is not null)
        {
            Interlocked.Increment(ref _lost);
            return;
        }
        try
        {
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            ExchangeJson.Write(json, exchange);
            json.Flush();
            buffer.Write("\n"u8);
            _file.Write(buffer.WrittenSpan);
            Interlocked.Increment(ref _written);
        }
        catch (Exception ex)
        {
            // Anything escaping this thread would end the process; the run goes on and the report says the file is incomplete.
            Fail(ex);
        }
    }

    private void Flush()
    {
        if (_error is not null) return;
        try
        {
            _file.Flush();
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        _error ??= $"{ex.GetType().Name}: {ex.Message}";
        Interlocked.Increment(ref _lost);
    }
}

/// <summary>
/// One exchange as a JSON object, written field by field: the same document <see cref="JsonSerializer"/> would write
/// with <see cref="TranscriptLog.JsonOptions"/> (and reads back), at a fraction of its cost on the writer thread.
/// </summary>
public static class ExchangeJson
{
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText DirectionName = JsonEncodedText.Encode("direction");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText SubscriptionId = JsonEncodedText.Encode("subscriptionId");
    private static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText Url = JsonEncodedText.Encode("url");
    private static readonly JsonEncodedText RequestHeaders = JsonEncodedText.Encode("requestHeaders");
    private static readonly JsonEncodedText RequestBody = JsonEncodedText.Encode("requestBody");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText ResponseHeaders = JsonEncodedText.Encode("responseHeaders");
    private static readonly JsonEncodedText ResponseBody = JsonEncodedText.Encode("responseBody");
    private static readonly JsonEncodedText StartedAt = JsonEncodedText.Encode("startedAt");
    private static readonly JsonEncodedText DurationMs = JsonEncodedText.Encode("durationMs");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
    private static readonly JsonEncodedText AgentToPlatform = JsonEncodedText.Encode(nameof(Direction.AgentToPlatform));
    private static readonly JsonEncodedText PlatformToAgent = JsonEncodedText.Encode(nameof(Direction.PlatformToAgent));

    public static void Write(Utf8JsonWriter json, Exchange e)
    {
        json.WriteStartObject();
        json.WriteNumber(Seq, e.Seq);
        json.WriteString(DirectionName, e.Direction == Direction.AgentToPlatform ? AgentToPlatform : PlatformToAgent);
        json.WriteString(Kind, e.Kind);
        json.WriteString(SubscriptionId, e.SubscriptionId);
        json.WriteString(Method, e.Method);
        json.WriteString(Url, e.Url);
        WriteMap(json, RequestHeaders, e.RequestHeaders);
        json.WriteString(RequestBody, e.RequestBody);
        if (e.Status is { } status) json.WriteNumber(Status, status);
        else json.WriteNull(Status);
        WriteMap(json, ResponseHeaders, e.ResponseHeaders);
        json.WriteString(ResponseBody, e.ResponseBody);
        json.WriteString(StartedAt, e.StartedAt);
        json.WriteNumber(DurationMs, e.DurationMs);
        json.WriteString(Error, e.Error);
        WriteMap(json, Tags, e.Tags);
        json.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyDictionary<string, string> map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map) json.WriteString(key, value);
        json.WriteEndObject();
    }
}
