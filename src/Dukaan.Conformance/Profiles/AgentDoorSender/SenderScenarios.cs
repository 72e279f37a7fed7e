using System.Text.Json.Nodes;
using Dukaan.Conformance.Profiles.AgentDoor;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// One event a scenario asks the sender to emit: its type and data (<c>data.agent_id</c> is its marker, unique in the
/// run), the receiver's script for its attempts, and after how many attempts the harness has seen enough.
/// </summary>
public sealed record EmittedEvent(string Scenario, string Label, string Marker, string Type, JsonObject Data, AttemptScript Script, int StopWatchingAt);

/// <summary>
/// The sender scenarios. Each emits its own events, told apart by marker, so all of them run side by side and a
/// compliant run lasts about as long as the slowest: the retry limit's 1 + 2 + 4 s of backoff and its 11 s watch.
/// </summary>
public static class SenderScenarios
{
    public const string Delivery = "delivery";
    public const string RetryAfter500 = "retry-after-500";
    public const string RetryAfter429 = "retry-after-429";
    public const string RetryAfterReset = "retry-after-reset";
    public const string Timeout = "timeout";
    public const string NoRetryAfter4xx = "no-retry-after-4xx";
    public const string RetryLimit = "retry-limit";

    public static readonly int[] ClientErrors = [400, 401, 404, 410];

    public static IReadOnlyList<ScenarioDoc> Docs { get; } =
    [
        new(Delivery, "Two events emitted at once (agent.registered with nested data and a non-ASCII string; agent.spending_cap_warning with a fractional number), each answered 200: headers, signature and payload of every attempt.",
            ["AD-S-01", "AD-S-02", "AD-S-03"]),
        new(RetryAfter500, "One event whose first attempt is answered 500 and every later one 200: a retry must follow.", ["AD-S-04", "AD-S-09"]),
        new(RetryAfter429, "One event whose first attempt is answered 429 and every later one 200: a retry must follow.", ["AD-S-04", "AD-S-09"]),
        new(RetryAfterReset, "One event whose first attempt has its connection reset (TCP RST) once the request arrived, every later one 200: a retry must follow.",
            ["AD-S-04", "AD-S-09"]),
        new(Timeout, "One event whose first attempt is never answered (held open up to 11 s, then closed by the harness), every later one 200: the sender must give up by 11 s (not before 5 s) and retry.",
            ["AD-S-04", "AD-S-09", "AD-S-10"]),
        new(NoRetryAfter4xx, "Four events answered 400, 401, 404 and 410 (200 to any retry); each watched 11 s for a retry that must not come.", ["AD-S-05"]),
        new(RetryLimit, "One event answered 500 to every attempt: 4 attempts in all (1 + maxRetries 3) with exponential delays, then none within 11 s of the 4th.",
            ["AD-S-06", "AD-S-07", "AD-S-08", "AD-S-09"]),
    ];

    /// <summary>The events of one scenario, each with its own marker, drawn from the seed by scenario and label (the same whatever else runs).</summary>
    public static IReadOnlyList<EmittedEvent> EventsOf(string scenario, int seed)
    {
        EmittedEvent One(string label, string type, AttemptScript script, int stopAt, Action<JsonObject>? shape = null)
        {
            var marker = $"ag_{label.Replace('-', '_')}_{Dukaan.Simulator.SeedStream.Hex(seed, $"{scenario}/{label}", 0, 4)}";
            var data = (JsonObject)JsonNode.Parse(SeedEvents.DataOf(type))!;
            data["agent_id"] = marker;
            shape?.Invoke(data);
            return new EmittedEvent(scenario, label, marker, type, data, script, stopAt);
        }
        return scenario switch
        {
            Delivery =>
            [
                One("registered", "agent.registered", AttemptScript.Always(Reply.Ok), 1, d => ((JsonObject)d["metadata"]!)["team"] = "Café Ünïcode ✓"),
                One("cap-warning", "agent.spending_cap_warning", AttemptScript.Always(Reply.Ok), 1),
            ],
            RetryAfter500 => [One("retry-500", "agent.payment_failed", AttemptScript.OnceThenOk(Reply.With(500)), 3)],
            RetryAfter429 => [One("retry-429", "agent.rate_limited", AttemptScript.OnceThenOk(Reply.With(429)), 3)],
            RetryAfterReset => [One("retry-reset", "agent.authenticated", AttemptScript.OnceThenOk(Reply.Reset), 3)],
            Timeout => [One("timeout", "agent.flagged", AttemptScript.OnceThenOk(Reply.Hang), 3)],
            NoRetryAfter4xx => [.. ClientErrors.Select(status => One($"no-retry-{status}", "agent.suspended", AttemptScript.OnceThenOk(Reply.With(status)), 2))],
            // A 5th attempt already breaks the limit; watching further would only cost time.
            RetryLimit => [One("retry-limit", "agent.spending_cap_exceeded", AttemptScript.Always(Reply.With(500)), Backoff.Attempts + 1)],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
        };
    }
}
