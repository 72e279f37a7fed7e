using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>
/// Scenarios in one phase run side by side; phases run one after another. Isolation scenarios test cross-buyer
/// effects (a 429 or 403 for one buyer), so they run alone; the restart scenario kills the agent, so it runs last.
/// </summary>
public enum Phase { Concurrent = 1, Burst = 2, Isolation = 3, Restart = 4 }

public abstract class Scenario
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract IReadOnlyList<string> Rules { get; }
    public virtual Phase Phase => Phase.Concurrent;
    public abstract Task RunAsync(ScenarioContext context);

    /// <summary>Delivers and waits for the agent to pull the credentials successfully; null when it never does.</summary>
    protected static async Task<Exchange?> ProvisionAsync(ScenarioContext context, Subscription subscription)
    {
        var (attempt, _) = await context.DeliverAsync(subscription).ConfigureAwait(false);
        return await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > attempt.ExchangeSeq && e.IsOk()).ConfigureAwait(false);
    }

    /// <summary>Did the agent serve the buyer (a successful provider call with the current key) after <paramref name="afterSeq"/>?</summary>
    protected static Exchange? ServedAfter(ScenarioContext context, Subscription subscription, long afterSeq) =>
        context.Exchanges(e => e.Seq > afterSeq && e.IsProviderCallWith(subscription.Id, Simulator.ProviderApi.KeyCurrent) && e.IsOk()).FirstOrDefault();

    protected const string NoTrigger = "No --trigger-url was given, so the harness could not ask the agent for billable work.";
}
