using System.Text.Json;

namespace Dukaan.Simulator.Tests;

/// <summary>
/// The transcript's JSON Lines file is the complete evidence: every exchange, one valid object a line, whatever memory
/// evicted; recording waits for a slow disk rather than drop; closing flushes; nothing is lost without being counted.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class TranscriptLogTests
{
    private static Exchange At(long seq, Direction direction = Direction.AgentToPlatform) => new(
        seq, direction, direction == Direction.AgentToPlatform ? ExchangeKinds.Run : ExchangeKinds.Delivery, "sub_1", "POST", $"/api/subscriptions/sub_1/run?n={seq}",
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-AgentDukaan-Timestamp"] = "1700000000000", ["Content-Type"] = "application/json" },
        "{\"q\":\"é <b>&</b>\"}", seq % 7 == 0 ? null : 200, new Dictionary<string, string>(), "{\"ok\":true}", DateTimeOffset.UnixEpoch.AddMilliseconds(seq), 1.25,
        seq % 7 == 0 ? "timeout" : null, new Dictionary<string, string> { [TagKeys.ErrorCode] = "E" + seq });

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _folders = [];

    private string TempFile()
    {
        var folder = Directory.CreateTempSubdirectory("dukaan-transcript-").FullName;
        _folders.Add(folder);
        return Path.Combine(folder, "transcript.jsonl");
    }

    [OneTimeTearDown]
    public void RemoveFiles()
    {
        foreach (var folder in _folders) Directory.Delete(folder, recursive: true);
    }

    [Test]
    public void Every_exchange_reaches_the_file_even_those_evicted_from_memory()
    {
        var path = TempFile();
        var transcript = new Transcript { Capacity = 10, Log = TranscriptLog.Create(path) };
        for (var i = 0; i < 1000; i++) transcript.Add(At(transcript.NextSeq(), i % 100 == 0 ? Direction.PlatformToAgent : Direction.AgentToPlatform));
        transcript.Dispose();

        var lines = File.ReadAllLines(path);
        var read = TranscriptLog.Read(path).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(transcript.Snapshot(), Has.Count.EqualTo(10 + 10), "10 agent calls and the 10 stimuli in memory");
            Assert.That(transcript.Evicted, Is.EqualTo(980));
            Assert.That(lines, Has.Length.EqualTo(1000));
            Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.ValueKind), Has.All.EqualTo(JsonValueKind.Object));
            Assert.That(read.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, 1000).Select(n => (long)n)));
            Assert.That(transcript.Log!.Written, Is.EqualTo(1000));
            Assert.That(transcript.Log.Lost, Is.Zero);
            Assert.That(transcript.Log.Error, Is.Null);
        });
        // Every field comes back as it went in.
        var original = At(7);
        var seven = read.Single(e => e.Seq == 7);
        Assert.Multiple(() =>
        {
            Assert.That(seven with { RequestHeaders = original.RequestHeaders, ResponseHeaders = original.ResponseHeaders, Tags = original.Tags }, Is.EqualTo(original));
            Assert.That(seven.RequestHeaders, Is.EquivalentTo(original.RequestHeaders));
            Assert.That(seven.Tags, Is.EquivalentTo(original.Tags));
            Assert.That(seven.Status, Is.Null);
            Assert.That(lines[6], Does.Contain("\"direction\":\"AgentToPlatform\"").And.Contain("<b>&</b>"), "enums by name, no HTML escaping");
        });
    }

    [Test]
    public void Concurrent_recorders_lose_no_line()
    {
        var path = TempFile();
        var transcript = new Transcript { Capacity = 500, Log = TranscriptLog.Create(path, queueCapacity: 64) };
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 2000; i++) transcript.Add(At(transcript.NextSeq()));
        });
        transcript.Dispose();

        var seqs = TranscriptLog.Read(path).Select(e => e.Seq).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(seqs, Has.Count.EqualTo(16_000));
            Assert.That(seqs.Order(), Is.EqualTo(Enumerable.Range(1, 16_000).Select(n => (long)n)), "each seq once: sorting by seq restores the order");
            Assert.That(transcript.Snapshot(), Has.Count.EqualTo(500));
            Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.Ordered.Ascending);
            Assert.That(transcript.Evicted, Is.EqualTo(15_500));
        });
    }

    [Test]
    public void Dispose_flushes_what_is_still_queued()
    {
        using var gate = new GatedStream();
        var transcript = new Transcript { Log = TranscriptLog.To(gate, "gated", queueCapacity: 10_000) };
        for (var i = 1; i <= 5000; i++) transcript.Add(At(i));
        gate.Open();
        transcript.Dispose();

        Assert.That(gate.Lines(), Has.Count.EqualTo(5000));
        Assert.That(gate.Closed, Is.True, "the log closes its stream");
    }

    [Test]
    public async Task When_the_writer_falls_behind_recording_waits_instead_of_dropping()
    {
        using var gate = new GatedStream();
        var transcript = new Transcript { Log = TranscriptLog.To(gate, "gated", queueCapacity: 4) };
        var recording = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++) transcript.Add(At(transcript.NextSeq()));
        });

        // The writer is stuck on its first line; the queue holds 4; the 6th Add has to wait.
        await Task.Delay(300);
        Assert.That(recording.IsCompleted, Is.False, "recording should be held back by the full queue");
        Assert.That(transcript.Log!.Stalls, Is.GreaterThanOrEqualTo(1));
        gate.Open();
        await recording.WaitAsync(TimeSpan.FromSeconds(10));
        transcript.Dispose();

        Assert.That(gate.Lines(), Has.Count.EqualTo(20));
        Assert.That(transcript.Log.Lost, Is.Zero);
    }

    [Test]
    public void An_exchange_recorded_after_the_log_closed_is_counted_as_lost_not_dropped_silently()
    {
        var path = TempFile();
        var transcript = new Transcript { Log = TranscriptLog.Create(path) };
        transcript.Add(At(1));
        transcript.Dispose();
        transcript.Add(At(2));

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(1));
            Assert.That(transcript.Snapshot(), Has.Count.EqualTo(2), "memory still has it");
            Assert.That(transcript.Log!.Lost, Is.EqualTo(1));
            Assert.That(transcript.Log.Error, Does.Contain("after the transcript file was closed"));
        });
    }

    [Test]
    public void A_failing_disk_is_reported_and_the_run_goes_on()
    {
        var log = TranscriptLog.To(new FailingStream(), "a full disk", queueCapacity: 16);
        var transcript = new Transcript { Log = log };
        for (var i = 1; i <= 3; i++) transcript.Add(At(i));
        transcript.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(transcript.Snapshot(), Has.Count.EqualTo(3));
            Assert.That(log.Error, Does.Contain("No space left"));
            Assert.That(log.Written + log.Lost, Is.EqualTo(3), "every exchange is either written or counted as lost");
            Assert.That(log.Lost, Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    public void A_file_that_cannot_be_created_fails_with_its_path_and_a_fix()
    {
        var blocker = TempFile();
        File.WriteAllText(blocker, "a file where a folder is needed");
        var path = Path.Combine(blocker, "transcript.jsonl");

        var ex = Assert.Throws<SimulatorException>(() => TranscriptLog.Create(path));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("Give a file in a folder you can write to"));
    }

    [Test]
    public async Task The_simulator_writes_its_file_and_closes_it_when_it_stops()
    {
        var path = TempFile();
        Transcript transcript;
        await using (var host = await SimulatorHost.StartAsync(new SimulatorOptions { TranscriptFile = path, TranscriptCapacity = 5 }))
        {
            transcript = host.Simulator.Transcript;
            for (var i = 0; i < 12; i++) transcript.Add(At(transcript.NextSeq()));
        }

        Assert.That(transcript.Capacity, Is.EqualTo(5));
        Assert.That(transcript.Snapshot(), Has.Count.EqualTo(5));
        Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(12), "stopping the host flushed and closed the file");
    }

    /// <summary>A stream whose writes block until <see cref="Open"/>: a disk that has stopped keeping up.</summary>
    private sealed class GatedStream : WriteOnlyStream
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly Lock _gate = new();
        private readonly MemoryStream _bytes = new();

        public bool Closed { get; private set; }

        public void Open() => _open.Set();

        public List<string> Lines()
        {
            lock (_gate) return [.. System.Text.Encoding.UTF8.GetString(_bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _open.Wait(TimeSpan.FromSeconds(30));
            lock (_gate) _bytes.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            Closed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class FailingStream : WriteOnlyStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }

    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
