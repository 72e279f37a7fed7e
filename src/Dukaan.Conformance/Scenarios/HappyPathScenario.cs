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
        var first = context.DeliverInBackground(subscription);
        var fetch = await ReportFetchAfterAsync(context, subscription, first, "GET /api/subscriptions/{id}/config after the buyer_configured");

        // A platform retries after an attempt ends; an agent that works before it ACKs is given the fast-ACK budget to
        // answer the first before the same bytes come again, but not the whole 10 s twice over.
        await Task.WhenAny(first.Answer, Task.Delay(context.Settings.FastAck, context.Cancellation));
        var again = await context.SendAsync(subscription, first.Sent);
        var firstSeq = (await first.Answer).ExchangeSeq;
        const string expectRedelivery = "2xx for a redelivery of the same bytes";
        if (again.Is2xx())
            context.Pass("DK-ACK-03", expectRedelivery, $"Redelivery answered {again.Describe()}.", [firstSeq, again.ExchangeSeq]);
        else
            context.Fail("DK-ACK-03", expectRedelivery, $"Redelivery answered {again.Describe()}.",
                again.Status == 409 ? "The agent treats a redelivery as a conflict; AgentDukaan retries with the same bytes, so duplicates must be harmless." : null,
                [firstSeq, again.ExchangeSeq]);

        // One billable run for DK-RUN-01, judged over the whole run; waiting lets a queued run finish inside the scenario.
        // Without credentials there is no work to wait for (other scenarios ask again).
        if (context.CanTrigger && fetch is not null && fetch.IsOk()) await ServedWhenAskedAsync(context, subscription);
    }
}
