using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class ConfigFailureScenario : Scenario
{
    private static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(3);

    public override string Name => "config-failure";
    public override string Description =>
        "The first /config fetch fails with 503; the agent must recover by retrying, on the platform's redelivery when it answered the delivery 5xx " +
        "to ask for one (decision 30), or on the next buyer_configured.";
    public override IReadOnlyList<string> Rules => ["DK-CFG-04", "DK-CFG-01"];

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expected = "A successful /config fetch after the injected 503 (a retry, the platform's redelivery, or the next buyer_configured), then the buyer served";
        var subscription = context.NewSubscription();
        subscription.InjectConfigFailures(1);
        context.Note("fault", "next /config answers 503", subscriptionId: subscription.Id);
        var delivery = context.DeliverRetryingInBackground(subscription);
        var first = delivery.First;
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
        // An agent that answered 200 retries on its own; one that answered 5xx asked for the platform's retry, so the
        // window opens once the redeliveries are over (each comes at once after its backoff, so a recovery ends the wait early).
        var recovered = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > failed.Seq && e.IsOk(), RetryWindow, windowStartsWith: delivery.Done);
        if (await AskedForRetryAsync(delivery) is { } redelivered)
        {
            // Decision 30: having asked for the retry, the agent must get its config on a redelivery. No next buyer_configured
            // rescues it: the platform's retries were its way back, and a buyer who saw them fail sees "Provider not reached".
            if (recovered is null) FailUnrecovered(context, subscription, expected, failed, redelivered);
            else await ReportServedAsync(context, subscription, expected, recovered, Redelivery.How(redelivered, failed, recovered), Redelivery.Seqs(redelivered, failed, recovered));
            return;
        }
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
        await ReportServedAsync(context, subscription, expected, recovered, how, seqs);
    }

    /// <summary>
    /// The whole delivery when the agent answered its first attempt 5xx, asking for the retry (002 §1, decision 30); null
    /// when it answered otherwise, or has not answered yet (it acts before it ACKs, and the fetch was not what it waited for).
    /// </summary>
    private static async Task<DeliveryResult?> AskedForRetryAsync(RetriedDelivery delivery)
    {
        if (!delivery.First.Answer.IsCompletedSuccessfully || delivery.First.Answer.Result.Status is not (>= 500 and < 600)) return null;
        // The redeliveries end at the first answer that is not a 5xx, or after three: soon, for an agent that recovered.
        return await delivery.Done.ConfigureAwait(false);
    }

    private static void FailUnrecovered(ScenarioContext context, Subscription subscription, string expected, Exchange failed, DeliveryResult redelivered)
    {
        var attempts = redelivered.Attempts;
        context.Fail("DK-CFG-04", expected,
            $"After its /config fetch got the injected 503 ({failed.Describe()}) the agent answered the delivery {attempts[0].Describe()}, asking for the platform's retry; " +
            $"the harness redelivered the same bytes {attempts.Count - 1} time(s) ({string.Join("; ", attempts.Skip(1).Select(Redelivery.Describe))}), " +
            $"but no successful /config fetch for {subscription.Id} followed within {RetryWindow.TotalSeconds:0} s of the last.",
            "A 5xx asks the platform to deliver the same event again (002 §1): fetch /config again when it comes back, instead of remembering the failure.",
            Redelivery.Seqs(redelivered, failed, null));
    }

    private static async Task ReportServedAsync(ScenarioContext context, Subscription subscription, string expected, Exchange recovered, string how, List<long> seqs)
    {
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

    /// <summary>How a delivery the harness redelivered reads in DK-CFG-04's evidence.</summary>
    private static class Redelivery
    {
        public static string Describe(DeliveryAttempt a) => $"attempt {a.Number} after {a.DelayBeforeMs / 1000:0.#} s: {a.Describe()}";

        /// <summary>The attempt the recovering fetch was made in, or after: the one sent last before it.</summary>
        private static DeliveryAttempt? CarrierOf(DeliveryResult delivery, Exchange recovered) =>
            delivery.Attempts.LastOrDefault(a => a.ExchangeSeq < recovered.Seq);

        public static string How(DeliveryResult delivery, Exchange failed, Exchange recovered)
        {
            var first = delivery.Attempts[0];
            return CarrierOf(delivery, recovered) is { Number: > 1 } carrier
                ? $"on the platform's redelivery: the first fetch got the injected 503 ({failed.Describe()}), the agent answered the delivery {first.Describe()} " +
                  $"to ask for the retry (decision 30), the harness sent the same bytes again ({Describe(carrier)}) and the agent fetched"
                : $"by retrying, after answering the delivery {first.Describe()}";
        }

        /// <summary>The first answer, the failed fetch, the redeliveries up to the one that recovered (all of them when none did), the good fetch.</summary>
        public static List<long> Seqs(DeliveryResult delivery, Exchange failed, Exchange? recovered)
        {
            var upTo = recovered is null ? int.MaxValue : CarrierOf(delivery, recovered)?.Number ?? 1;
            var attempts = delivery.Attempts.Where(a => a.Number <= upTo).Select(a => a.ExchangeSeq);
            return [.. attempts.Append(failed.Seq).Concat(recovered is null ? [] : [recovered.Seq]).Order()];
        }
    }
}
