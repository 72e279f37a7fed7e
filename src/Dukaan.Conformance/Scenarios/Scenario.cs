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
        return await WaitForGoodFetchAsync(context, subscription, attempt.ExchangeSeq).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a successful /config fetch after <paramref name="afterSeq"/>. Once a fetch has been refused, a retry
    /// that works comes quickly or not at all, so the wait ends <see cref="GiveUpAfterRefusal"/> later instead of
    /// burning the whole observation window on an agent that signs wrongly.
    /// </summary>
    protected static async Task<Exchange?> WaitForGoodFetchAsync(ScenarioContext context, Subscription subscription, long afterSeq)
    {
        DateTimeOffset? refusedAt = null;
        var found = await context.WaitForAsync(e =>
        {
            if (!e.From(ExchangeKinds.Config, subscription.Id) || e.Seq <= afterSeq) return false;
            if (e.IsOk()) return true;
            refusedAt ??= DateTimeOffset.UtcNow;
            return false;
        }, stopWhen: () => refusedAt is { } at && DateTimeOffset.UtcNow - at > GiveUpAfterRefusal).ConfigureAwait(false);
        return found is { } ok && ok.IsOk() ? ok : null;
    }

    private static readonly TimeSpan GiveUpAfterRefusal = TimeSpan.FromSeconds(2);

    /// <summary>Did the agent serve the buyer (a successful provider call with the current key) after <paramref name="afterSeq"/>?</summary>
    protected static Exchange? ServedAfter(ScenarioContext context, Subscription subscription, long afterSeq) =>
        context.Exchanges(e => e.Seq > afterSeq && e.IsProviderCallWith(subscription.Id, Simulator.ProviderApi.KeyCurrent) && e.IsOk()).FirstOrDefault();

    protected const string NoTrigger = "No --trigger-url was given, so the harness could not ask the agent for billable work.";
}
