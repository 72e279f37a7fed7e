using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Scenarios;

public sealed class HappyPathScenario : Scenario
{
    public override string Name => "happy-path";
    public override string Description => "One buyer subscribes: delivery, /config pull, a redelivery of the same bytes, one billable run.";
    public override IReadOnlyList<string> Rules => ["DK-CFG-01", "DK-ACK-03", "DK-RUN-01"];

    public override async Task RunAsync(ScenarioContext context)
    {
        var subscription = context.NewSubscription();
        var (first, sent) = await context.DeliverAsync(subscription);
        await ReportFetchAfterAsync(context, subscription, first, "GET /api/subscriptions/{id}/config after the buyer_configured");

        var again = await context.SendAsync(subscription, sent);
        const string expectRedelivery = "2xx for a redelivery of the same bytes";
        if (again.Is2xx())
            context.Pass("DK-ACK-03", expectRedelivery, $"Redelivery answered {again.Describe()}.", [first.ExchangeSeq, again.ExchangeSeq]);
        else
            context.Fail("DK-ACK-03", expectRedelivery, $"Redelivery answered {again.Describe()}.",
                again.Status == 409 ? "The agent treats a redelivery as a conflict; AgentDukaan retries with the same bytes, so duplicates must be harmless." : null,
                [first.ExchangeSeq, again.ExchangeSeq]);

        // One billable run for DK-RUN-01, judged over the whole run; waiting lets a queued run finish inside the scenario.
        if (context.CanTrigger) await ServedWhenAskedAsync(context, subscription);
    }
}
