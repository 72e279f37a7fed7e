using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>A harness action worth showing on the timeline: a trigger, a restart, a cancellation.</summary>
public sealed record HarnessEvent(string Scenario, DateTimeOffset At, double DurationMs, string Kind, string Label, int? Status, string? SubscriptionId);

/// <summary>A valid buyer_configured the harness sent; the ACK rules are judged over all of them.</summary>
public sealed record ValidDelivery(string Scenario, string SubscriptionId, DeliveryAttempt Attempt);

/// <summary>Everything shared by the scenarios of one run.</summary>
public sealed class RunContext(PlatformSimulator simulator, IAgentUnderTest agent, RunSettings settings, ISet<string> selectedRules)
{
    private readonly Lock _gate = new();
    private readonly List<HarnessEvent> _events = [];
    private readonly List<ValidDelivery> _validDeliveries = [];
    private readonly Dictionary<string, List<string>> _subscriptionsByScenario = [];

    public PlatformSimulator Simulator { get; } = simulator;
    public IAgentUnderTest Agent { get; } = agent;
    public RunSettings Settings { get; } = settings;
    public FindingSink Findings { get; } = new();
    public TriggerLog Triggers { get; } = new();
    public ISet<string> SelectedRules { get; } = selectedRules;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();

    public IReadOnlyList<HarnessEvent> Events { get { lock (_gate) return [.. _events]; } }
    public IReadOnlyList<ValidDelivery> ValidDeliveries { get { lock (_gate) return [.. _validDeliveries]; } }

    public IReadOnlyList<string> SubscriptionsOf(string scenario)
    {
        lock (_gate) return _subscriptionsByScenario.TryGetValue(scenario, out var list) ? [.. list] : [];
    }

    /// <summary>Records a finding for a rule the run selected; findings for other rules are dropped here, in one place.</summary>
    public void Report(string scenario, string ruleId, FindingOutcome outcome, string expected, string observed, string? diagnosis = null, IEnumerable<long>? seqs = null)
    {
        if (!SelectedRules.Contains(ruleId)) return;
        Findings.Add(new Finding(ruleId, outcome, expected, observed, diagnosis, [.. seqs ?? []], scenario));
    }

    internal void AddEvent(HarnessEvent e) { lock (_gate) _events.Add(e); }
    internal void AddValidDelivery(ValidDelivery d) { lock (_gate) _validDeliveries.Add(d); }

    internal void AddSubscription(string scenario, string id)
    {
        lock (_gate)
        {
            if (!_subscriptionsByScenario.TryGetValue(scenario, out var list)) _subscriptionsByScenario[scenario] = list = [];
            list.Add(id);
        }
    }

    /// <summary>Every sensitive value handed out in this run, current or rotated out: the canaries.</summary>
    public IReadOnlyList<string> AllSecrets() =>
        [.. Simulator.Store.All.SelectMany(s => s.SensitiveConfig.Values.Concat(s.RetiredSecrets)).Distinct(StringComparer.Ordinal)];
}
