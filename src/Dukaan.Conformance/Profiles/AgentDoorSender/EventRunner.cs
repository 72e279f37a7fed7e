using System.Collections.Concurrent;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// What happened to one emitted event: the emit request's answer (null while still pending), every attempt in order,
/// and how long the harness watched after the last attempt ended without seeing another (null when it had no reason
/// to: the event was delivered, or enough attempts were seen). <see cref="Cut"/> says why watching ended early.
/// </summary>
public sealed record EventTrace(EmittedEvent Event, EmitOutcome? Emit, IReadOnlyList<Attempt> Attempts, double? QuietAfterLastMs, string? Cut)
{
    /// <summary>How late the harness's own timers ran during the run (<see cref="LoadProbe"/>), set once the run is over.</summary>
    public double LoadMs { get; init; }

    /// <summary>Watched long enough after the last attempt that a retry can no longer come (decision 20).</summary>
    public bool StoppedForGood => QuietAfterLastMs >= Backoff.MaxDelay.TotalMilliseconds;

    /// <summary>The delays before each retry: from the end of attempt i to the arrival of attempt i + 1.</summary>
    public IReadOnlyList<RetryGap> Gaps =>
    [
        .. Attempts.Zip(Attempts.Skip(1)).Where(p => p.First.EndedMs is not null)
            .Select(p => new RetryGap(Name, p.Second.Index, p.Second.ArrivedMs - p.First.EndedMs!.Value, p.Second.Seq, p.First.End == AttemptEnd.Answered || p.First.End == AttemptEnd.Reset, LoadMs)),
    ];

    public string Name => $"{Event.Type} ({Event.Marker})";

    /// <summary>"#1 500 · 1.04 s (nominal 1 s) · #2 200": every attempt, what it got, and the delay before the next.</summary>
    public string Story()
    {
        if (Attempts.Count == 0) return $"{Name}: no attempt ({Cut ?? "none arrived"})";
        var parts = new List<string>();
        var gaps = Gaps.ToDictionary(g => g.Retry);
        foreach (var a in Attempts)
        {
            if (gaps.TryGetValue(a.Index, out var gap))
                parts.Add($"{Attempt.Seconds(gap.DelayMs)} later (nominal {gap.NominalMs / 1000:0.#} s)");
            parts.Add($"#{a.Index + 1} {a.Outcome}");
        }
        if (QuietAfterLastMs is { } quiet) parts.Add($"then nothing for {Attempt.Seconds(quiet)}");
        if (Cut is not null) parts.Add($"({Cut})");
        return $"{Name}: {string.Join(" → ", parts)}";
    }
}

/// <summary>
/// Plays one event: script the receiver, ask the sender to emit, then follow the attempts — wait for each to end
/// (an unanswered one ends at the hang bound at the latest), and after a failure wait up to the longest allowed
/// retry delay for the next. Every wait is bounded; the caller's token ends them all.
/// </summary>
public sealed class EventRunner(ScriptedReceiver receiver, Emitter emitter, TimeSpan firstAttemptWindow, CancellationToken emitsEnd)
{
    private readonly ConcurrentBag<Task<EmitOutcome>> _emits = [];

    public async Task<EventTrace> RunAsync(EmittedEvent e, CancellationToken cancellationToken)
    {
        receiver.Script(e.Marker, e.Script);
        // The sender may answer the emit only once delivery is over, so the emit runs beside the attempts, never before them.
        var emit = emitter.EmitAsync(e.Marker, e.Type, e.Data, emitsEnd);
        _emits.Add(emit);
        _ = emit.ContinueWith(_ => receiver.Nudge(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        bool Refused() => emit.IsCompletedSuccessfully && !emit.Result.Accepted;
        EmitOutcome? Emitted() => emit.IsCompletedSuccessfully ? emit.Result : null;

        await receiver.WaitAsync(all => all.Any(a => a.Marker == e.Marker) || Refused(), firstAttemptWindow, cancellationToken).ConfigureAwait(false);
        if (receiver.AttemptsOf(e.Marker).Count == 0)
            return new(e, Emitted(), [], null, Refused() ? $"the sender refused to emit it: {emit.Result.Describe()}"
                : $"no attempt arrived within {firstAttemptWindow.TotalSeconds:0} s of the emit request{(Emitted() is { } o ? $" (answered {o.Describe()})" : "")}");

        while (true)
        {
            var count = receiver.AttemptsOf(e.Marker).Count;
            // An unanswered attempt ends by the hang bound at the latest; the margin covers a slow close.
            await receiver.WaitAsync(all => all.Where(a => a.Marker == e.Marker).All(a => a.Ended), Backoff.HangBound + TimeSpan.FromSeconds(3), cancellationToken)
                .ConfigureAwait(false);
            var attempts = receiver.AttemptsOf(e.Marker);
            var last = attempts[^1];
            if (!last.Ended) return new(e, Emitted(), attempts, null, "the last attempt never ended");
            if (!last.Failed || attempts.Count >= e.StopWatchingAt) return new(e, Emitted(), attempts, null, null);
            var more = false;
            // Timers may fire a millisecond early against the receiver's clock: wait until the full delay has really passed.
            for (var left = Backoff.MaxDelay - Since(last); !more && left > TimeSpan.Zero; left = Backoff.MaxDelay - Since(last))
                more = await receiver.WaitAsync(all => all.Count(a => a.Marker == e.Marker) > attempts.Count, left, cancellationToken).ConfigureAwait(false);
            if (!more && receiver.AttemptsOf(e.Marker).Count == count)
                return new(e, Emitted(), receiver.AttemptsOf(e.Marker), receiver.NowMs - last.EndedMs!.Value, null);
        }
    }

    private TimeSpan Since(Attempt ended) => TimeSpan.FromMilliseconds(receiver.NowMs - ended.EndedMs!.Value);

    /// <summary>Ends every emit request still waiting for its answer, once the run no longer needs them.</summary>
    public async Task DrainAsync()
    {
        foreach (var emit in _emits)
        {
            try { await emit.ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException) { /* recorded by the emitter */ }
        }
    }
}
