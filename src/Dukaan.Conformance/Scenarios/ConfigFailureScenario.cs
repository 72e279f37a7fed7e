using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class ConfigFailureScenario : Scenario
{
    private static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(3);

    public override string Name => "config-failure";
    public override string Description => "The first /config fetch fails with 503; the agent must recover by retrying or on the next buyer_configured.";
    public override IReadOnlyList<string> Rules => ["DK-CFG-04", "DK-CFG-01"];

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expected = "A successful /config fetch after the injected 503 (a retry, or on the next buyer_configured), then the buyer served";
        var subscription = context.NewSubscription();
        subscription.InjectConfigFailures(1);
        context.Note("fault", "next /config answers 503", subscriptionId: subscription.Id);
        var first = context.DeliverInBackground(subscription);
        var failed = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > first.Mark, windowStartsWith: first.Answer);
        if (failed is null)
        {
            context.NotExercised("DK-CFG-04", expected, "The agent never fetched /config for this subscription, so the failure was never injected (see DK-CFG-01).");
            return;
        }
        if (failed.Status != 503)
        {
            // The platform checks the signature before the injected fault, so a refused fetch never reaches it.
            context.NotExercised("DK-CFG-04", expected, $"The agent's fetch was refused before the fault could be injected ({failed.Describe()}; see DK-CFG-02).");
            return;
        }
        var recovered = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > failed.Seq && e.IsOk(), RetryWindow);
        var seqs = first.AnsweredSeq.Append(failed.Seq).ToList();
        var how = "by retrying";
        if (recovered is null)
        {
            how = "on the next buyer_configured";
            var second = context.DeliverInBackground(subscription);
            var next = await ReportFetchAfterAsync(context, subscription, second, "GET /config after the buyer_configured that follows a failed fetch",
                "After one failed fetch the agent stopped fetching for this subscription.");
            seqs.AddRange(second.AnsweredSeq);
            recovered = next is not null && next.IsOk() ? next : null;
        }
        if (recovered is null)
        {
            context.Fail("DK-CFG-04", expected, $"No successful /config fetch within {RetryWindow.TotalSeconds:0} s of the 503, nor after the next buyer_configured.",
                "A failed fetch is treated as final: retry with backoff, and always re-fetch on the next event.", seqs);
            return;
        }
        seqs.Add(recovered.Seq);
        if (context.CanTrigger)
        {
            var asked = await ServedWhenAskedAsync(context, subscription);
            if (asked.Work is not { } served)
            {
                var observed = $"Recovered the config {how} ({recovered.Describe()}) but then did not serve the buyer when asked to work.";
                if (asked.Trigger is { Refused: true } refused) context.NotExercisedByTrigger("DK-CFG-04", expected, refused, observed, null, seqs);
                else context.Fail("DK-CFG-04", expected, observed, null, seqs);
                return;
            }
            seqs.Add(served.Seq);
        }
        context.Pass("DK-CFG-04", expected, $"Recovered {how}: {recovered.Describe()}.", seqs);
    }
}
