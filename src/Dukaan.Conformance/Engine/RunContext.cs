using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>A harness action worth showing on the timeline: a trigger, a restart, a cancellation.</summary>
public sealed record HarnessEvent(string Scenario, DateTimeOffset At, double DurationMs, string Kind, string Label, int? Status, string? SubscriptionId);

/// <summary>A delivery under way: the transcript position before it was sent (what the agent did after it has a higher
/// Seq), the exact bytes, and the answer to come.</summary>
public sealed record PendingDelivery(long Mark, OutgoingDelivery Sent, Task<DeliveryAttempt> Answer)
{
    /// <summary>The delivery's own transcript entry once it has answered, for evidence; empty while it is under way.</summary>
    public IEnumerable<long> AnsweredSeq => Answer.IsCompletedSuccessfully ? [Answer.Result.ExchangeSeq] : [];
}

/// <summary>
/// A delivery the harness sends again while it is answered 5xx, as the platform does (decision 30): its first attempt, and
/// the whole delivery, every attempt, once the answers end.
/// </summary>
public sealed record RetriedDelivery(PendingDelivery First, Task<DeliveryResult> Done);

/// <summary>A valid buyer_configured the harness sent (each attempt of a redelivered one); the ACK rules are judged over all of them.</summary>
public sealed record ValidDelivery(string Scenario, string SubscriptionId, DeliveryAttempt Attempt);

/// <summary>Everything shared by the scenarios of one run.</summary>
public sealed class RunContext(PlatformSimulator simulator, IAgentUnderTest agent, RunSettings settings, ISet<string> selectedRules)
{
    private readonly Lock _gate = new();
    private readonly List<HarnessEvent> _events = [];
    private readonly List<ValidDelivery> _validDeliveries = [];
    private readonly Dictionary<string, List<string>> _subscriptionsByScenario = [];
    private readonly Dictionary<string, string> _scenarioBySubscription = new(StringComparer.Ordinal);

    public PlatformSimulator Simulator { get; } = simulator;
    public IAgentUnderTest Agent { get; } = agent;
    public RunSettings Settings { get; } = settings;
    public FindingSink Findings { get; } = new();
    public TriggerLog Triggers { get; } = new();
    public Scenarios.Chat.ChatLog Chat { get; } = new();
    public ISet<string> SelectedRules { get; } = selectedRules;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();

    public IReadOnlyList<HarnessEvent> Events { get { lock (_gate) return [.. _events]; } }
    public IReadOnlyList<ValidDelivery> ValidDeliveries { get { lock (_gate) return [.. _validDeliveries]; } }

    public IReadOnlyList<string> SubscriptionsOf(string scenario)
    {
        lock (_gate) return _subscriptionsByScenario.TryGetValue(scenario, out var list) ? [.. list] : [];
    }

    /// <summary>The scenario that made the subscription, or null (one made outside the scenarios).</summary>
    public string? ScenarioOf(string subscriptionId)
    {
        lock (_gate) return _scenarioBySubscription.GetValueOrDefault(subscriptionId);
    }

    /// <summary>Records a finding for a rule the run selected; findings for other rules are dropped here, in one place.</summary>
    /// <param name="scanned">What a scan of the agent's output or files covered, for a rule judged on one (decision 32).</param>
    public void Report(string scenario, string ruleId, FindingOutcome outcome, string expected, string observed, string? diagnosis = null, IEnumerable<long>? seqs = null,
        IReadOnlyList<ScanCount>? scanned = null)
    {
        // A mistyped ID would otherwise be dropped below as "not selected" and leave its rule silently not-exercised;
        // failing here turns it into a harness error on every rule of the scenario, which a test or a user sees at once.
        if (!Rules.AgentDukaanRules.Catalog.Contains(ruleId)) throw new ArgumentException($"Unknown rule id '{ruleId}' reported by '{scenario}'.", nameof(ruleId));
        if (!SelectedRules.Contains(ruleId)) return;
        Findings.Add(new Finding(ruleId, outcome, expected, observed, diagnosis, [.. seqs ?? []], scenario) { Scanned = scanned ?? [] });
    }

    internal void AddEvent(HarnessEvent e) { lock (_gate) _events.Add(e); }

    private readonly List<Task> _pending = [];
    private int _expiredWindows;

    /// <summary>What a later wait gets once the agent has let a whole observation window pass without acting.</summary>
    public static readonly TimeSpan CappedObservationWindow = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The observation window for the next wait. Once a full window has run out with nothing seen, the agent has shown
    /// it does not act in time, and the rule waiting then fails; later waits are capped at
    /// <see cref="CappedObservationWindow"/>, so an agent that never acts costs one window, not one per scenario. A
    /// compliant agent never lets a window run out, so it is never judged on the shorter one. The report notes the cap.
    /// </summary>
    public TimeSpan ObservationWindowNow =>
        Volatile.Read(ref _expiredWindows) == 0 || Settings.ObservationWindow <= CappedObservationWindow ? Settings.ObservationWindow : CappedObservationWindow;

    public bool ObservationWindowWasCapped => Volatile.Read(ref _expiredWindows) > 0 && Settings.ObservationWindow > CappedObservationWindow;

    internal void ObservationWindowExpired() => Interlocked.Increment(ref _expiredWindows);
    private readonly CancellationTokenSource _unresponsive = new();
    private int _answered;
    private int _timedOut;
    private string? _unresponsiveReason;

    /// <summary>How many deliveries must time out, with nothing else heard from the agent, before it is called hung.</summary>
    public const int HungAfterTimeouts = 3;

    /// <summary>
    /// Cancelled when the agent has answered none of its first deliveries (each given the full 10 s) and has made no
    /// request at all: a hung agent. Waiting out every later window would only make a hostile agent expensive.
    /// </summary>
    public CancellationToken Unresponsive => _unresponsive.Token;

    public string? UnresponsiveReason => Volatile.Read(ref _unresponsiveReason);

    internal void ObserveDeliveryAnswer(DeliveryAttempt attempt)
    {
        if (attempt.Status is not null) Interlocked.Increment(ref _answered);
        else if (attempt.Error?.StartsWith("timeout", StringComparison.Ordinal) == true) Interlocked.Increment(ref _timedOut);
        if (Volatile.Read(ref _answered) > 0 || Volatile.Read(ref _timedOut) < HungAfterTimeouts || _unresponsive.IsCancellationRequested) return;
        if (Simulator.Transcript.Where(e => e.Direction == Direction.AgentToPlatform).Count > 0) return;
        Volatile.Write(ref _unresponsiveReason,
            $"The agent answered none of its first {Volatile.Read(ref _timedOut)} deliveries within {Settings.AckBudget.TotalSeconds:0} s and made no request to the platform: it appears hung, so the checks still waiting for it were stopped.");
        _unresponsive.Cancel();
    }

    internal void TrackPending(Task answer) { lock (_gate) _pending.Add(answer); }

    /// <summary>Every delivery still under way has answered or timed out (each is bounded by the ACK budget).</summary>
    public async Task PendingDeliveriesAsync()
    {
        Task[] pending;
        lock (_gate) pending = [.. _pending];
        try { await Task.WhenAll(pending).ConfigureAwait(false); }
        catch (OperationCanceledException) { /* cancelled with the run: nothing to judge */ }
    }
    internal void AddValidDelivery(ValidDelivery d) { lock (_gate) _validDeliveries.Add(d); }

    internal void AddSubscription(string scenario, string id)
    {
        lock (_gate)
        {
            if (!_subscriptionsByScenario.TryGetValue(scenario, out var list)) _subscriptionsByScenario[scenario] = list = [];
            list.Add(id);
            _scenarioBySubscription[id] = scenario;
        }
    }

    /// <summary>Every sensitive value handed out in this run, current or rotated out: the canaries.</summary>
    public IReadOnlyList<string> AllSecrets() =>
        [.. Simulator.Store.All.SelectMany(s => s.SensitiveConfig.Values.Concat(s.RetiredSecrets)).Distinct(StringComparer.Ordinal)];
}
