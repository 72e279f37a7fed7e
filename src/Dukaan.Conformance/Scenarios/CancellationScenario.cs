using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class CancellationScenario : Scenario
{
    public override string Name => "cancellation";
    public override string Description => "One of two buyers cancels: after its 403 the agent must stop serving it, keep serving the other, and serve it again once it is reactivated.";
    public override IReadOnlyList<string> Rules => ["DK-SUB-01", "DK-SUB-02", "DK-SUB-03", "DK-HB-02"];
    public override Phase Phase => Phase.Isolation;

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expectStop = "No provider call, /run or /heartbeat for the subscription after its 403 SUBSCRIPTION_NOT_ACTIVE";
        const string expectOthers = "The other subscription is still served";
        const string expectReactivated = "After reactivation and a new buyer_configured: a re-fetch and the buyer served";
        (string, string)[] all = [("DK-SUB-01", expectStop), ("DK-SUB-02", expectOthers), ("DK-SUB-03", expectReactivated)];
        if (!context.CanTrigger) { NotExercised(context, NoTrigger, all); return; }
        var cancelled = context.NewSubscription();
        var other = context.NewSubscription();
        if (!await ProvisionAllAsync(context, cancelled, other))
        {
            NotExercised(context, "The agent never obtained the buyers' credentials (see DK-CFG-01/02).", all);
            return;
        }
        // Served once before the cancellation, and that work over, so nothing queued before it is judged after it.
        var before = await ServedWhenAskedAsync(context, cancelled);
        if (before.Trigger is { Refused: true } refused)
        {
            const string notServed = "The agent did not serve the buyer even before the cancellation.";
            foreach (var (rule, expected) in all) context.NotExercisedByTrigger(rule, expected, refused, notServed);
            return;
        }
        context.Simulator.SetStatus(cancelled, SubscriptionStatus.Cancelled);
        var cancelMark = context.Transcript.LastSeq;
        context.Note("cancel", "buyer cancels", subscriptionId: cancelled.Id);
        await context.TriggerAsync(cancelled);
        var first403 = await context.WaitForAsync(e => e.Seq > cancelMark && e.Direction == Direction.AgentToPlatform && e.SubscriptionId == cancelled.Id && e.Status == 403,
            TimeSpan.FromSeconds(5));
        if (first403 is null)
        {
            NotExercised(context, "After the cancellation the agent made no platform call for that buyer, so it never received the 403.", all);
            return;
        }
        await AskAgainAfterGraceAsync(context, cancelled);
        var reactivationMark = context.Transcript.LastSeq;
        var after = context.Exchanges(e => e.Seq <= reactivationMark && e.IsServing(cancelled.Id) && e.StartedAfter(first403, context.Settings.ReactionGrace)).ToList();
        var seqs = after.Select(e => e.Seq).Prepend(first403.Seq).ToList();
        if (after.Count == 0)
            context.Pass("DK-SUB-01", expectStop, $"After {first403.Describe()} and more requests for work, nothing more for this buyer during {context.Settings.QuietWindow.TotalMilliseconds:0} ms.", seqs);
        else
            context.Fail("DK-SUB-01", expectStop, $"After {first403.Describe()} the agent made {after.Count} call(s): {string.Join("; ", after.Take(4).Select(e => e.Describe()))}",
                "The agent keeps serving a cancelled buyer: on 403 SUBSCRIPTION_NOT_ACTIVE stop and discard its cached credentials.", seqs);

        var heartbeats = after.Where(e => e.Kind == ExchangeKinds.Heartbeat).ToList();
        if (heartbeats.Count > 0)
            context.Fail("DK-HB-02", "No heartbeat for a subscription after its 403", $"{heartbeats.Count} heartbeat(s) after {first403.Describe()}.",
                "The heartbeat loop does not check the cancelled flag.", heartbeats.Select(e => e.Seq).Prepend(first403.Seq));

        ReportServed(context, "DK-SUB-02", expectOthers, await ServedWhenAskedAsync(context, other), served => $"{other.Id} was served: {served.Describe()}",
            $"{other.Id} was not served after {cancelled.Id} was cancelled.", "A 403 for one buyer stopped work for others: keep the cancelled flag per subscription.", [first403.Seq]);

        context.Simulator.SetStatus(cancelled, SubscriptionStatus.Active);
        context.Note("reactivate", "buyer re-subscribes", subscriptionId: cancelled.Id);
        var redelivered = context.DeliverInBackground(cancelled);
        var refetch = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, cancelled.Id) && e.Seq > redelivered.Mark && e.IsOk(), TimeSpan.FromSeconds(5), windowStartsWith: redelivered.Answer);
        if (refetch is null)
        {
            context.Fail("DK-SUB-03", expectReactivated, "No successful /config fetch after the reactivation's buyer_configured.", null, [.. redelivered.AnsweredSeq]);
            return;
        }
        ReportServed(context, "DK-SUB-03", expectReactivated, await ServedWhenAskedAsync(context, cancelled),
            again => $"Re-fetched ({refetch.Describe()}) and served ({again.Describe()}).",
            $"Re-fetched ({refetch.Describe()}) but did not serve the buyer when asked.",
            "The agent remembers the cancellation forever: a new buyer_configured reactivates the buyer.", [.. redelivered.AnsweredSeq, refetch.Seq]);
    }
}
