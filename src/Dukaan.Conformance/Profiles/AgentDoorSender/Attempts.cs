using System.Globalization;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

public enum ReplyKind { Status, Reset, Hang }

/// <summary>What the receiver does with one attempt: answer a status, reset the connection, or never answer.</summary>
public sealed record Reply(ReplyKind Kind, int Status = 0)
{
    public static Reply With(int status) => new(ReplyKind.Status, status);
    public static readonly Reply Ok = With(200);
    public static readonly Reply Reset = new(ReplyKind.Reset);
    public static readonly Reply Hang = new(ReplyKind.Hang);

    public bool IsSuccess => Kind == ReplyKind.Status && Status is >= 200 and < 300;

    public override string ToString() => Kind switch
    {
        ReplyKind.Status => Status.ToString(CultureInfo.InvariantCulture),
        ReplyKind.Reset => "connection reset",
        _ => "no answer",
    };
}

/// <summary>The receiver's answers to one event: attempt i (0-based) gets <see cref="Steps"/>[i], every later one <see cref="Then"/>.</summary>
public sealed record AttemptScript(IReadOnlyList<Reply> Steps, Reply Then)
{
    public static AttemptScript Always(Reply reply) => new([], reply);

    public static AttemptScript OnceThenOk(Reply first) => new([first], Reply.Ok);

    public Reply For(int index) => index < Steps.Count ? Steps[index] : Then;
}

/// <summary>How an attempt ended, as the receiver saw it.</summary>
public enum AttemptEnd
{
    /// <summary>Still going: the answer is not out yet, or the sender is still waiting for one.</summary>
    Open,
    Answered,
    Reset,
    /// <summary>Never answered, and the sender closed the connection: it abandoned the attempt.</summary>
    AbandonedBySender,
    /// <summary>Never answered, still open when the hang bound passed: the harness closed it.</summary>
    ClosedByHarness,
}

/// <summary>
/// One HTTP request the sender made to the receiver. Times are milliseconds on the receiver's clock since it started,
/// so delays between attempts are differences of two readings of one monotonic clock.
/// </summary>
public sealed record Attempt(
    long Seq,
    string? Marker,
    int Index,
    double ArrivedMs,
    DateTimeOffset ArrivedAt,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    Reply Reply,
    AttemptEnd End,
    double? EndedMs)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool Ended => End != AttemptEnd.Open;

    /// <summary>The attempt counts as failed for the sender: anything but a 2xx answer.</summary>
    public bool Failed => Ended && !(End == AttemptEnd.Answered && Reply.IsSuccess);

    public string Outcome => End switch
    {
        AttemptEnd.Answered => Reply.Status.ToString(CultureInfo.InvariantCulture),
        AttemptEnd.Reset => "connection reset",
        AttemptEnd.AbandonedBySender => $"no answer; the sender gave up after {Seconds(EndedMs!.Value - ArrivedMs)}",
        AttemptEnd.ClosedByHarness => $"no answer; the sender was still waiting after {Seconds(EndedMs!.Value - ArrivedMs)}, so the harness closed it",
        _ => "in progress",
    };

    public static string Seconds(double ms) => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
