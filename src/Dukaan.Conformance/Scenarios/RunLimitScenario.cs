using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class RunLimitScenario : Scenario
{
    private const int Limit = 2;

    public override string Name => "run-limit";
    public override string Description => $"One buyer on a tier of {Limit} runs is asked for more; after the 429 the agent must stop for that buyer only.";
    public override IReadOnlyList<string> Rules => ["DK-RUN-02", "DK-RUN-03"];
    public override Phase Phase => Phase.Isolation;

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expectStop = "No provider call and no /run for the subscription after its 429 RUN_LIMIT_EXCEEDED";
        const string expectOthers = "Another subscription is still served while the first is over its limit";
        (string, string)[] both = [("DK-RUN-02", expectStop), ("DK-RUN-03", expectOthers)];
        if (!context.CanTrigger) { NotExercised(context, NoTrigger, both); return; }
        var limited = context.NewSubscription(new CreateSubscriptionRequest(Tier: new Tier("Tiny", 99, Limit)));
        var other = context.NewSubscription();
        if (!await ProvisionAllAsync(context, limited, other))
        {
            NotExercised(context, "The agent never obtained the buyers' credentials (see DK-CFG-01/02), so it could not be driven to the limit.", both);
            return;
        }
        Exchange? limitHit = null;
        TriggerAnswer? refused = null;
        for (var i = 0; i < Limit + 2 && limitHit is null && refused is null; i++)
        {
            // Each request waits for the /run it provokes (a queued run too) before the next, so the count is exact.
            var asked = await context.AskForWorkAsync(limited, e => e.From(ExchangeKinds.Run, limited.Id));
            if (asked.TriggerRefused) refused = asked.Trigger;
            if (asked.Work is null) break;
            limitHit = context.Exchanges(e => e.From(ExchangeKinds.Run, limited.Id) && e.Status == 429).FirstOrDefault();
        }
        if (limitHit is null && refused is not null)
        {
            const string noLimit = "The agent never reported enough runs to reach the limit, so it never saw a 429 (see DK-RUN-01).";
            foreach (var (rule, expected) in both) context.NotExercisedByTrigger(rule, expected, refused, noLimit);
            return;
        }
        if (limitHit is null)
        {
            NotExercised(context, "The agent never reported enough runs to reach the limit, so it never saw a 429 (see DK-RUN-01).", both);
            return;
        }
        context.Note("limit", "429 RUN_LIMIT_EXCEEDED", 429, limited.Id, limitHit.StartedAt);
        await AskAgainAfterGraceAsync(context, limited, TimeSpan.FromMilliseconds(context.Settings.QuietWindow.TotalMilliseconds / 2));
        var after = context.Exchanges(e => e.SubscriptionId == limited.Id && e.StartedAfter(limitHit, context.Settings.ReactionGrace) &&
                                           (e.Kind == ExchangeKinds.Provider || e.From(ExchangeKinds.Run, limited.Id))).ToList();
        var seqs = after.Select(e => e.Seq).Prepend(limitHit.Seq).ToList();
        if (after.Count == 0)
            context.Pass("DK-RUN-02", expectStop, $"After {limitHit.Describe()} and two more requests for work, the agent made no provider call and no /run for it.", seqs);
        else
            context.Fail("DK-RUN-02", expectStop, $"After {limitHit.Describe()} the agent still made {after.Count} call(s): {string.Join("; ", after.Take(4).Select(e => e.Describe()))}",
                "The agent ignores 429 RUN_LIMIT_EXCEEDED: stop billable work for that buyer until the period resets.", seqs);

        ReportServed(context, "DK-RUN-03", expectOthers, await ServedWhenAskedAsync(context, other), served => $"{other.Id} was served: {served.Describe()}",
            $"{other.Id} was not served after {limited.Id} hit its limit.", "A 429 for one buyer stopped work for others: keep the over-limit flag per subscription.", [limitHit.Seq]);
    }
}
