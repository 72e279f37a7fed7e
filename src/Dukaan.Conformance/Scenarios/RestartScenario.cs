using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class RestartScenario : Scenario
{
    public override string Name => "restart";
    public override string Description => "The agent process is killed and started again: it must still serve known buyers, pulling credentials afresh.";
    public override IReadOnlyList<string> Rules => ["DK-SEC-04", "DK-SEC-05"];
    public override Phase Phase => Phase.Restart;

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expectFetch = "The first credential use after the restart follows a /config fetch by the new process";
        const string expectServed = "A known subscription is served after the restart without a new buyer_configured";
        (string, string)[] both = [("DK-SEC-04", expectFetch), ("DK-SEC-05", expectServed)];
        if (!context.Run.Agent.CanRestart)
        {
            NotExercised(context, "This target cannot be restarted by the harness (only agents started with --agent-cmd can).", both);
            return;
        }
        if (!context.CanTrigger) { NotExercised(context, NoTrigger, both); return; }
        var subscription = context.NewSubscription();
        if (await ProvisionAsync(context, subscription) is null)
        {
            NotExercised(context, "The agent never obtained this buyer's credentials before the restart (see DK-CFG-01/02).", both);
            return;
        }
        // The work before the restart must be over, so the first key use afterwards is the new process's; and no
        // delivery may still be waiting for its answer, or the kill would cut it off and blame the agent's ACK.
        await ServedWhenAskedAsync(context, subscription);
        await context.Run.PendingDeliveriesAsync();
        var restartStarted = DateTimeOffset.UtcNow;
        try
        {
            await context.Run.Agent.RestartAsync(context.Cancellation);
        }
        catch (AgentStartException ex)
        {
            context.Fail("DK-SEC-04", expectFetch, $"The agent did not come back after the restart: {ex.Message}");
            context.Fail("DK-SEC-05", expectServed, $"The agent did not come back after the restart: {ex.Message}");
            return;
        }
        context.Note("restart", "agent process killed and restarted", at: restartStarted, durationMs: (DateTimeOffset.UtcNow - restartStarted).TotalMilliseconds);
        var mark = context.Transcript.LastSeq;
        var asked = await context.AskForWorkAsync(subscription, e => e.IsProviderCallWith(subscription.Id));
        var firstUse = asked.Work;
        const string forgets = "The agent forgets its subscriptions on restart: persist the non-sensitive state (which buyers are active) and re-pull credentials lazily.";
        if (firstUse is not null && firstUse.IsOk() && firstUse.Tag(TagKeys.ProviderKey) == ProviderApi.KeyCurrent)
            context.Pass("DK-SEC-05", expectServed, $"Served after the restart: {firstUse.Describe()}", [firstUse.Seq]);
        else if (firstUse is null && asked.Trigger is { Accepted: false } refused)
            context.NotExercisedByTrigger("DK-SEC-05", expectServed, refused, "After the restart the agent did not serve the buyer when asked.", forgets);
        else
            context.Fail("DK-SEC-05", expectServed, firstUse is null ? "After the restart the agent did not serve the buyer when asked." : $"After the restart: {firstUse.Describe()}", forgets);

        if (firstUse is null)
        {
            // A forgetful agent still has to get its credentials right once it hears of the buyer again.
            context.Note("redeliver", "buyer_configured again, for an agent that forgot the buyer", subscriptionId: subscription.Id);
            var redelivery = context.DeliverInBackground(subscription, countForAck: false);
            await WaitForGoodFetchAsync(context, subscription, mark, redelivery.Answer);
            await context.AskForWorkAsync(subscription, e => e.IsProviderCallWith(subscription.Id));
            firstUse = context.Exchanges(e => e.Seq > mark && e.IsProviderCallWith(subscription.Id)).FirstOrDefault();
        }
        var fetch = context.Exchanges(e => e.Seq > mark && e.From(ExchangeKinds.Config, subscription.Id) && e.IsOk()).FirstOrDefault();
        if (firstUse is null)
            context.NotExercised("DK-SEC-04", expectFetch, "After the restart the agent used no credential, even after a new buyer_configured, so where one came from cannot be judged.");
        else if (fetch is not null && fetch.Seq < firstUse.Seq)
            context.Pass("DK-SEC-04", expectFetch, $"Fetched ({fetch.Describe()}) before using the key ({firstUse.Describe()}).", [fetch.Seq, firstUse.Seq]);
        else
            context.Fail("DK-SEC-04", expectFetch, $"Used a key ({firstUse.Describe()}) without a /config fetch by the new process.",
                "The credential came from storage: keep secrets in memory only and re-pull them after a restart.", [firstUse.Seq]);
    }
}
