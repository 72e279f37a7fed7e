using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// What every platform scenario works with: the agent-side caller, the control adapter, the receiver, the clock factor,
/// and where findings go. Times measured here are real; <see cref="PlatformTime"/> turns them into the platform's.
/// </summary>
public sealed class PlatformRun(PlatformCaller caller, ControlAdapter control, WebhookReceiver receiver, double timeScale, TimeProvider clock,
    FindingSink findings, IReadOnlySet<string> selected)
{
    public PlatformCaller Caller => caller;
    public ControlAdapter Control => control;
    public WebhookReceiver Receiver => receiver;
    public FindingSink Findings => findings;

    /// <summary>How many times faster than real time the platform's delays run (1 for a platform measured in real time).</summary>
    public double TimeScale => timeScale;

    /// <summary>The clock the receiver's scripted delays run on: the same factor as the platform's.</summary>
    public TimeProvider Clock => clock;

    public bool IsSelected(string rule) => selected.Contains(rule);

    /// <summary>Set by the warm-up when the adapter's create already delivers: the delivery rules are then the adapter's to fix, not judged.</summary>
    public string? AdapterDeliversOnCreate { get; set; }

    /// <summary>The warm-up's exchanges that showed it: the create, the /deliver and what the receiver got.</summary>
    public IReadOnlyList<long> AdapterDeliversOnCreateSeqs { get; set; } = [];

    /// <summary>A real duration measured by the harness, as the platform's clock counts it.</summary>
    public TimeSpan PlatformTime(TimeSpan real) => real * timeScale;

    /// <summary>A platform duration, as real time the harness waits.</summary>
    public TimeSpan RealTime(TimeSpan platform) => platform / timeScale;

    public void Report(string scenario, string rule, FindingOutcome outcome, string observed, IEnumerable<long>? seqs = null, string? diagnosis = null, string? expected = null)
    {
        if (!selected.Contains(rule)) return;
        findings.Add(new Finding(rule, outcome, expected ?? PlatformRules.Catalog.Get(rule).Statement, observed, diagnosis, [.. (seqs ?? []).Distinct().Order()], scenario));
    }

    /// <summary>Satisfied when <paramref name="problems"/> is empty, otherwise violated with each problem on a line of its own.</summary>
    public void Judge(string scenario, string rule, IReadOnlyList<string> problems, string whenFine, IEnumerable<long> seqs, string? diagnosis = null) =>
        Report(scenario, rule, problems.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            problems.Count == 0 ? whenFine : string.Join("\n", problems), seqs, problems.Count == 0 ? null : diagnosis);
}

/// <summary>One platform scenario: what it plays, which rules it judges.</summary>
public abstract class PlatformScenario
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract IReadOnlyList<string> Rules { get; }

    public abstract Task RunAsync(PlatformRun run, CancellationToken cancellationToken);

    public ScenarioDoc Doc => new(Name, Description, Rules);
}
