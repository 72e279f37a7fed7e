namespace Dukaan.Simulator.Tests;

/// <summary>The transcript hands out exchanges in Seq order whatever order they were recorded in, and stops keeping them at capacity.</summary>
public sealed class TranscriptTests
{
    private static Exchange At(long seq, string kind = ExchangeKinds.Run, string? subscriptionId = null) => new(
        seq, Direction.AgentToPlatform, kind, subscriptionId, "POST", "/", new Dictionary<string, string>(), "", 200,
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
    public void Past_capacity_exchanges_are_counted_not_kept()
    {
        var transcript = new Transcript { Capacity = 3 };
        var recorded = new List<long>();
        transcript.Recorded += e => recorded.Add(e.Seq);
        foreach (var seq in new long[] { 5, 2, 4, 1, 3 }) transcript.Add(At(seq));

        Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new long[] { 2, 4, 5 }));
        Assert.That(transcript.Dropped, Is.EqualTo(2));
        Assert.That(recorded, Is.EqualTo(new long[] { 5, 2, 4 }));
    }
}
