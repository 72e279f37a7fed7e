using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;
using System.Text.Json;
using Dukaan.Conformance.Scenarios.Chat;

namespace Dukaan.Conformance.Scenarios;

public sealed class RestartScenario : Scenario
{
    public override string Name => "restart";
    public override string Description => "The agent process is killed and started again: it must still serve known buyers, pulling credentials afresh.";
    public override IReadOnlyList<string> Rules => ["DK-SEC-04", "DK-SEC-05", DurableState];

    private const string DurableState = "DK-CHAT-14";
    public override Phase Phase => Phase.Restart;

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expectFetch = "The first credential use after the restart follows a /config fetch by the new process";
        const string expectServed = "A known subscription is served after the restart without a new buyer_configured";
        (string, string)[] both = [("DK-SEC-04", expectFetch), ("DK-SEC-05", expectServed)];
        if (!context.ChatDeclared) context.NotApplicable(DurableState, ExpectDurable, Chat.ChatScenario.NoChat);
        else both = [.. both, (DurableState, ExpectDurable)];
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
        var savedBefore = context.ChatDeclared ? await SaveStateBeforeRestartAsync(context, subscription) : null;
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
            if (context.ChatDeclared) context.NotExercised(DurableState, ExpectDurable, $"The agent did not come back after the restart: {ex.Message}");
            return;
        }
        context.Note("restart", "agent process killed and restarted", at: restartStarted, durationMs: (DateTimeOffset.UtcNow - restartStarted).TotalMilliseconds);
        var mark = context.Transcript.LastSeq;
        var asked = await context.AskForWorkAsync(subscription, e => e.IsProviderCallWith(subscription.Id));
        var firstUse = asked.Work;
        const string forgets = "The agent forgets its subscriptions on restart: persist the non-sensitive state (which buyers are active) and re-pull credentials lazily.";
        if (firstUse is not null && firstUse.IsOk() && firstUse.Tag(TagKeys.ProviderKey) == ProviderApi.KeyCurrent)
            context.Pass("DK-SEC-05", expectServed, $"Served after the restart: {firstUse.Describe()}", [firstUse.Seq]);
        else if (firstUse is null && asked.Trigger is { Refused: true } refused)
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
        if (context.ChatDeclared) await JudgeDurableStateAsync(context, subscription, savedBefore);
    }

    private const string ExpectDurable = "After a restart, a relay carrying the saved state leads to a state built on it (its keys kept, not the first turn's state again)";

    /// <summary>One conversation turn before the kill; the state the platform holds afterwards is what the next relay carries.</summary>
    private static async Task<Exchange?> SaveStateBeforeRestartAsync(ScenarioContext context, Subscription subscription)
    {
        var mark = context.Transcript.LastSeq;
        await context.RepliesAsync(subscription, context.Relay(subscription, "Remember where we are, please."));
        return context.Exchanges(e => e.Seq > mark && e.From(ExchangeKinds.ChatState, subscription.Id) && e.Method == "PUT" && e.IsOk()).LastOrDefault();
    }

    /// <summary>
    /// DK-CHAT-14 (INFO): the new process knows nothing but what the relay carries. An agent that builds on the state
    /// saves something other than what it saved for the first turn, keeping the keys; one that ignores it starts over.
    /// </summary>
    private static async Task JudgeDurableStateAsync(ScenarioContext context, Subscription subscription, Exchange? savedBefore)
    {
        if (savedBefore is null)
        {
            context.NotExercised(DurableState, ExpectDurable, "The agent saved no chat state before the restart (state is optional), so there was none to carry back.");
            return;
        }
        var mark = context.Transcript.LastSeq;
        await context.RepliesAsync(subscription, context.Relay(subscription, "Where were we?"));
        var savedAfter = context.Exchanges(e => e.Seq > mark && e.From(ExchangeKinds.ChatState, subscription.Id) && e.Method == "PUT" && e.IsOk()).LastOrDefault();
        if (savedAfter is null)
        {
            context.NotExercised(DurableState, ExpectDurable, "After the restart the agent saved no state for the relay that carried its earlier state, so whether it used it cannot be seen.");
            return;
        }
        var before = StateOf(savedBefore);
        var after = StateOf(savedAfter);
        var kept = before is { } b && after is { } a && b.EnumerateObject().All(p => a.TryGetProperty(p.Name, out _));
        var same = before is { } x && after is { } y && JsonElement.DeepEquals(x, y);
        if (kept && !same)
            context.Pass(DurableState, ExpectDurable, $"Before the restart it saved {Short(savedBefore)}; given that back after the restart it saved {Short(savedAfter)}.", [savedBefore.Seq, savedAfter.Seq]);
        else
            context.Fail(DurableState, ExpectDurable,
                same ? $"After the restart it saved {Short(savedAfter)} again — the state of a fresh conversation — although the relay carried it back."
                     : $"After the restart it saved {Short(savedAfter)}, dropping keys of the state it got back ({Short(savedBefore)}).",
                "Read the inbound relay's state and continue from it: the platform keeps it so a restarted or scaled-out agent can (002 §6.4).", [savedBefore.Seq, savedAfter.Seq]);
    }

    private static JsonElement? StateOf(Exchange put) => RecordedJson.Member(put.RequestBody, "state");

    private static string Short(Exchange put) => StateOf(put) is { } s ? (s.GetRawText() is var t && t.Length > 120 ? t[..120] + "…" : t) : "(unreadable)";
}
