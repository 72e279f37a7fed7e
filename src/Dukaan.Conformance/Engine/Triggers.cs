using System.Globalization;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// How the seller's trigger answered one request for work, where the transcript stood when it was asked, and — for an
/// answer that was not 2xx — the first work the agent then did on the wire for that buyer (null: none, see
/// <see cref="Exchanges.IsWorkFor"/>).
/// </summary>
public sealed record TriggerAnswer(string SubscriptionId, int? Status, string BodyStart, string? Error, long Mark, Exchange? FirstWork = null)
{
    /// <summary>2xx: the agent took the request, at once or queued (202) — the work may come later.</summary>
    public bool Answered2xx => Error is null && Status is >= 200 and < 300;

    /// <summary>
    /// The harness could not ask for work: no 2xx, and no work for the buyer on the wire after it. The answer alone is the
    /// agent's own business (decision 32): a synchronous trigger that did the run and answered 409 after the platform's 429,
    /// or 422 after the provider's 401, was not refused — its work is judged.
    /// </summary>
    public bool Refused => !Answered2xx && FirstWork is null;

    public string Describe() => Error ?? (BodyStart.Length == 0 ? $"{Status}" : $"{Status} `{BodyStart}`");
}

/// <summary>
/// Every trigger answer of a run. A refused trigger (no 2xx and no work on the wire after it) means the harness could not
/// ask for work: the rules that need work are then not-exercised and blamed on the trigger, never failed as the agent's
/// contract handling.
/// </summary>
public sealed class TriggerLog
{
    private readonly Lock _gate = new();
    private readonly List<TriggerAnswer> _answers = [];

    public void Add(TriggerAnswer answer) { lock (_gate) _answers.Add(answer); }

    public IReadOnlyList<TriggerAnswer> Answers { get { lock (_gate) return [.. _answers]; } }

    public bool AllRefused { get { lock (_gate) return _answers.Count > 0 && _answers.All(a => a.Refused); } }

    /// <summary>The diagnosis of a rule left not-exercised by a refused trigger, written once every answer is in.</summary>
    public string RefusalDiagnosis(Uri? url)
    {
        var answers = Answers;
        var refused = answers.Where(a => a.Refused).ToList();
        if (refused.Count == 0) return "";
        var typical = refused.GroupBy(a => a.Describe()).OrderByDescending(g => g.Count()).First().Key;
        var scope = refused.Count == answers.Count
            ? string.Create(CultureInfo.InvariantCulture, $"to all {answers.Count} request(s)")
            : string.Create(CultureInfo.InvariantCulture, $"to {refused.Count} of {answers.Count} request(s)");
        return $"Your trigger ({url}) answered {typical} {scope}, and no work for those buyers followed on the wire, so the harness could not ask the agent for work. " +
               "It must accept POST {\"subscriptionId\":\"…\"} (Content-Type: application/json, with Content-Length) and do the run; it may answer at once (e.g. 202) and work later, " +
               "or work first and answer with the outcome (e.g. 409 after a 429): what the agent does on the wire is judged, not the answer.";
    }
}

/// <summary>What one request for work led to: the trigger's answer (null without a trigger) and the work seen, if any.</summary>
public sealed record WorkOutcome(TriggerAnswer? Trigger, Exchange? Work)
{
    public bool TriggerRefused => Trigger is { Refused: true };
}
