using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// A scenario's timeline as the report draws it: the emit request, then every attempt labelled with what the
/// receiver answered and, for a retry, how long after the failure it came against the nominal delay; a harness mark
/// shows how long the receiver watched for an attempt that did not come.
/// </summary>
public static class SenderTimeline
{
    public static ScenarioTimeline Of(ScenarioDoc scenario, IReadOnlyList<EventTrace> traces, IReadOnlyList<Exchange> exchanges, DateTimeOffset runStart,
        Dukaan.Conformance.Engine.Redactor redactor)
    {
        var events = new List<TimelineEvent>();
        double At(DateTimeOffset at) => Math.Round((at - runStart).TotalMilliseconds, 1);
        foreach (var trace in traces.Where(t => t.Event.Scenario == scenario.Name))
        {
            if (trace.Emit is { } emit && exchanges.FirstOrDefault(e => e.Seq == emit.Seq) is { } sent)
                events.Add(new TimelineEvent(At(sent.StartedAt), Math.Round(sent.DurationMs, 1), "platform→agent", Emitter.Kind,
                    redactor.Apply($"emit {trace.Event.Type} ({trace.Event.Label}) → {emit.Describe()}"), emit.Status));
            var gaps = trace.Gaps.ToDictionary(g => g.Retry);
            foreach (var a in trace.Attempts)
            {
                var retry = gaps.TryGetValue(a.Index, out var gap) ? $" · came {Attempt.Seconds(gap.DelayMs)} after the failure (nominal {gap.NominalMs / 1000:0.#} s)" : "";
                events.Add(new TimelineEvent(At(a.ArrivedAt), Math.Round((a.EndedMs ?? a.ArrivedMs) - a.ArrivedMs, 1), "agent→platform", ScriptedReceiver.Kind,
                    redactor.Apply($"{trace.Event.Label} attempt {a.Index + 1}: receiver {a.Outcome}{retry}"), a.End == AttemptEnd.Answered ? a.Reply.Status : null));
            }
            if (trace.QuietAfterLastMs is { } quiet && trace.Attempts.Count > 0 && trace.Attempts[^1] is { EndedMs: { } endedMs } last)
            {
                var endedAt = last.ArrivedAt + TimeSpan.FromMilliseconds(endedMs - last.ArrivedMs);
                var next = Backoff.Nominal(last.Index + 1);
                events.Add(new TimelineEvent(At(endedAt), Math.Round(quiet, 1), "harness", "watch",
                    $"{trace.Event.Label}: watched {Attempt.Seconds(quiet)} for attempt {last.Index + 2} (nominal delay {next / 1000:0.#} s, latest allowed 11 s): none came", null));
            }
            if (trace.Cut is { } cut && trace.Attempts.Count == 0)
                events.Add(new TimelineEvent(events.Count > 0 ? events[^1].AtMs : 0, 0, "harness", "note", redactor.Apply($"{trace.Event.Label}: {cut}"), null));
        }
        events.Sort((a, b) => a.AtMs.CompareTo(b.AtMs));
        var start = events.Count > 0 ? events.Min(e => e.AtMs) : 0;
        var end = events.Count > 0 ? events.Max(e => e.AtMs + e.DurationMs) : 0;
        return new ScenarioTimeline(scenario.Name, scenario.Description, start, end, events);
    }
}
