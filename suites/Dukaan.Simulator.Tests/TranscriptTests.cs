namespace Dukaan.Simulator.Tests;

/// <summary>The transcript hands out exchanges in Seq order whatever order they were recorded in, and keeps the newest of the agent's past capacity.</summary>
public sealed class TranscriptTests
{
    private static Exchange At(long seq, string kind = ExchangeKinds.Run, string? subscriptionId = null, Direction direction = Direction.AgentToPlatform) => new(
        seq, direction, kind, subscriptionId, "POST", "/", new Dictionary<string, string>(), "", 200,
        new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 0, null, new Dictionary<string, string>());

    [Test]
    public void Snapshot_is_in_seq_order_when_exchanges_arrive_out_of_order()
    {
        var transcript = new Transcript();
        foreach (var seq in new long[] { 3, 1, 4, 2, 6, 5 }) transcript.Add(At(seq));

        Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Equal_seqs_keep_the_order_they_were_added_in()
    {
        var transcript = new Transcript();
        transcript.Add(At(2, "b"));
        transcript.Add(At(1, "a"));
        transcript.Add(At(2, "c"));
        transcript.Add(At(2, "d"));

        Assert.That(transcript.Snapshot().Select(e => e.Kind), Is.EqualTo(new[] { "a", "b", "c", "d" }));
    }

    [Test]
    public void Where_and_ForSubscription_filter_in_seq_order()
    {
        var transcript = new Transcript();
        transcript.Add(At(3, subscriptionId: "x"));
        transcript.Add(At(2, subscriptionId: "y"));
        transcript.Add(At(1, subscriptionId: "x"));

        Assert.That(transcript.ForSubscription("x").Select(e => e.Seq), Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(transcript.Where(e => e.Seq > 1).Select(e => e.Seq), Is.EqualTo(new long[] { 2, 3 }));
    }

    [Test]
    public void Past_capacity_the_oldest_agent_calls_are_evicted_and_counted()
    {
        var transcript = new Transcript { Capacity = 3 };
        var recorded = new List<long>();
        transcript.Recorded += e => recorded.Add(e.Seq);
        foreach (var seq in new long[] { 5, 2, 4, 1, 3 }) transcript.Add(At(seq));

        // 1 arrived older than all that were kept, so it went at once; 3 pushed 2 out.
        Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(transcript.Evicted, Is.EqualTo(2));
        // Everything is still announced: the live log and the file see every exchange.
        Assert.That(recorded, Is.EqualTo(new long[] { 5, 2, 4, 1, 3 }));
    }

    [Test]
    public void Three_times_capacity_agent_calls_leave_exactly_capacity_of_them_and_every_stimulus()
    {
        var transcript = new Transcript { Capacity = 100 };
        var stimuli = new List<long>();
        var calls = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            if (i % 30 == 0)
            {
                var seq = transcript.NextSeq();
                stimuli.Add(seq);
                transcript.Add(At(seq, ExchangeKinds.Delivery, direction: Direction.PlatformToAgent));
            }
            calls.Add(transcript.NextSeq());
            transcript.Add(At(calls[^1]));
        }

        var kept = transcript.Snapshot();
        var agent = kept.Where(e => e.Direction == Direction.AgentToPlatform).Select(e => e.Seq).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(agent, Has.Count.EqualTo(100));
            Assert.That(agent, Is.EqualTo(calls.TakeLast(100)), "the newest 100 agent calls");
            Assert.That(kept.Where(e => e.Direction == Direction.PlatformToAgent).Select(e => e.Seq), Is.EqualTo(stimuli), "every stimulus, even the first");
            Assert.That(kept.Select(e => e.Seq), Is.Ordered.Ascending);
            Assert.That(transcript.Evicted, Is.EqualTo(200));
        });
    }

    [Test]
    public void The_platforms_deliveries_are_the_evictable_ones_when_the_harness_plays_the_agent()
    {
        var transcript = new Transcript { Capacity = 2, PeerDirection = Direction.PlatformToAgent };
        for (var i = 0; i < 5; i++)
        {
            transcript.Add(At(transcript.NextSeq()));
            transcript.Add(At(transcript.NextSeq(), ExchangeKinds.Delivery, direction: Direction.PlatformToAgent));
        }

        Assert.That(transcript.Snapshot().Count(e => e.Direction == Direction.AgentToPlatform), Is.EqualTo(5));
        Assert.That(transcript.Snapshot().Where(e => e.Direction == Direction.PlatformToAgent).Select(e => e.Seq), Is.EqualTo(new long[] { 8, 10 }));
        Assert.That(transcript.Evicted, Is.EqualTo(3));
    }

    [Test]
    public void A_snapshot_is_shared_until_the_next_exchange_arrives()
    {
        var transcript = new Transcript();
        transcript.Add(At(1));
        var first = transcript.Snapshot();

        Assert.That(transcript.Snapshot(), Is.SameAs(first), "polling without news copies nothing");
        transcript.Add(At(2));
        Assert.That(transcript.Snapshot(), Is.Not.SameAs(first));
        Assert.That(first.Select(e => e.Seq), Is.EqualTo(new long[] { 1 }), "an earlier snapshot does not change under its reader");
    }

    [Test]
    public void Capacity_below_one_is_refused()
    {
        Assert.That(() => new Transcript { Capacity = 0 }, Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    /// <summary>
    /// A delivery takes its Seq as it goes out; the /config fetch the agent makes before answering ends first. Ordered by
    /// when they started, the delivery is first in memory and in the file — and a reader that looks while the delivery
    /// is under way sees the fetch alone, but is told not to go on from its Seq.
    /// </summary>
    [Test]
    public void An_exchange_that_ends_after_one_it_caused_comes_first_in_memory_and_in_the_file()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dukaan-transcript-order-").FullName, "transcript.jsonl");
        var transcript = new Transcript { Log = TranscriptLog.Create(path) };
        var delivery = transcript.NextSeq();
        var fetch = transcript.NextSeq();
        transcript.Add(At(fetch, ExchangeKinds.Config, "sub_1"));

        Assert.Multiple(() =>
        {
            Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new[] { fetch }), "in flight: the delivery is not published yet");
            Assert.That(transcript.SettledThrough, Is.EqualTo(delivery - 1), "a reader going on from the fetch would miss the delivery");
        });

        transcript.Add(At(delivery, ExchangeKinds.Delivery, "sub_1", Direction.PlatformToAgent));
        transcript.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(transcript.Snapshot().Select(e => e.Kind), Is.EqualTo(new[] { ExchangeKinds.Delivery, ExchangeKinds.Config }));
            Assert.That(transcript.SettledThrough, Is.EqualTo(fetch));
            Assert.That(TranscriptLog.Read(path).Select(e => e.Kind), Is.EqualTo(new[] { ExchangeKinds.Delivery, ExchangeKinds.Config }), "the file, as the report copies it");
        });
    }

    [Test]
    public void A_seq_given_up_holds_nothing_back_and_one_published_cannot_be_given_up()
    {
        var transcript = new Transcript();
        long given;
        using (var reservation = transcript.Reserve()) given = reservation.Seq;
        using (var published = transcript.Reserve()) transcript.Add(At(published.Seq));

        Assert.Multiple(() =>
        {
            Assert.That(transcript.SettledThrough, Is.EqualTo(given + 1));
            Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new[] { given + 1 }));
        });
    }

    [Test]
    public async Task The_file_holds_exchanges_back_behind_one_under_way_only_up_to_a_bound()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dukaan-transcript-order-").FullName, "transcript.jsonl");
        var transcript = new Transcript { Log = TranscriptLog.Create(path) };
        var held = transcript.NextSeq();
        for (var i = 0; i < Transcript.MaxHeldForOrder + 10; i++) transcript.Add(At(transcript.NextSeq()));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (transcript.Log!.Written < 10 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        var writtenWhileHeld = transcript.Log.Written;
        transcript.Add(At(held, ExchangeKinds.Delivery, direction: Direction.PlatformToAgent));
        transcript.Dispose();

        var seqs = TranscriptLog.Read(path).Select(e => e.Seq).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(writtenWhileHeld, Is.EqualTo(10), "past the bound, the oldest of the held ones went to the file");
            Assert.That(seqs, Has.Count.EqualTo(Transcript.MaxHeldForOrder + 11), "nothing lost");
            Assert.That(seqs.Take(10), Is.EqualTo(Enumerable.Range((int)held + 1, 10).Select(i => (long)i)));
            Assert.That(seqs[10], Is.EqualTo(held), "the late one is written as soon as it ends, ahead of those still held");
            Assert.That(seqs.Skip(11), Is.Ordered.Ascending);
        });
    }

    /// <summary>
    /// An agent's call takes its Seq as it arrives: one still sending its body when the harness starts something else
    /// is listed before it, though it ends after.
    /// </summary>
    [Test]
    public async Task An_agent_call_is_listed_by_when_it_arrived_not_when_it_ended()
    {
        await using var sim = await Infrastructure.InProcessSimulator.StartAsync();
        var subscription = sim.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = sim.Client.PostAsync($"/api/subscriptions/{subscription.Id}/run", new SlowBody(release.Task));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (sim.Simulator.Transcript.LastSeq == 0 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);

        var startedMeanwhile = sim.Simulator.Transcript.NextSeq();
        sim.Simulator.Transcript.Add(At(startedMeanwhile, ExchangeKinds.Delivery, subscription.Id, Direction.PlatformToAgent));
        release.SetResult();
        using var answer = await sending.WaitAsync(TimeSpan.FromSeconds(10));

        var call = sim.Simulator.Transcript.Snapshot().Single(e => e.Kind == ExchangeKinds.Run);
        Assert.That(call.Seq, Is.LessThan(startedMeanwhile));
        Assert.That(sim.Simulator.Transcript.Snapshot().Select(e => e.Kind), Is.EqualTo(new[] { ExchangeKinds.Run, ExchangeKinds.Delivery }));
    }

    /// <summary>A request body whose second half is sent only once <paramref name="rest"/> completes.</summary>
    private sealed class SlowBody(Task rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("{\"n\":"u8.ToArray());
            await stream.FlushAsync();
            await rest;
            await stream.WriteAsync("1}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
