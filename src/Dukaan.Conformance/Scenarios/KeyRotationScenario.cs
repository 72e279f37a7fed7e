using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

public sealed class KeyRotationScenario : Scenario
{
    public override string Name => "key-rotation";
    public override string Description => "The buyer rotates their OpenAI key: a new buyer_configured must lead to a re-fetch and only the new key in use.";
    public override IReadOnlyList<string> Rules => ["DK-CFG-01", "DK-CFG-03"];

    public override async Task RunAsync(ScenarioContext context)
    {
        const string expected = "A /config re-fetch after the second buyer_configured, then provider calls with the new key only";
        var subscription = context.NewSubscription();
        var first = await ProvisionAsync(context, subscription);
        if (first is null)
        {
            context.Fail("DK-CFG-03", expected, "The agent never fetched the initial credentials successfully, so it cannot follow a rotation (see DK-CFG-01/02).");
            return;
        }
        // The work with the old key must be over before the rotation, or a queued call could land after the re-fetch.
        if (context.CanTrigger) await ServedWhenAskedAsync(context, subscription);

        var (field, _) = context.Simulator.Rotate(subscription, null, null);
        context.Note("rotate", $"buyer rotates {field}", subscriptionId: subscription.Id);
        var second = context.DeliverInBackground(subscription);
        const string cachesForever = "The agent caches credentials forever: re-fetch on every buyer_configured.";
        const string afterRotation = "the rotation's buyer_configured";
        var refetch = await ReportFetchAfterAsync(context, subscription, second, "GET /config after the buyer_configured that follows a rotation",
            cachesForever, afterRotation, fetched: "Re-fetched");
        if (refetch is null)
        {
            var answered = await second.Answer;
            context.Fail("DK-CFG-03", expected, NoFetchAfter(context, answered, afterRotation), cachesForever, [answered.ExchangeSeq]);
            return;
        }
        if (!context.CanTrigger)
        {
            context.NotExercised("DK-CFG-03", expected, $"The re-fetch happened ({refetch.Describe()}), but which key the agent then uses cannot be seen. {NoTrigger}");
            return;
        }
        // Twice, each time waiting for the provider call it provokes, so a queued call is judged too.
        var seqs = second.AnsweredSeq.Append(refetch.Seq).ToList();
        Func<Exchange, bool> anyCall = e => e.Seq > refetch.Seq && e.IsProviderCallWith(subscription.Id);
        var asked = await context.AskForWorkAsync(subscription, anyCall);
        if (asked.Trigger is { Refused: false }) asked = await context.AskForWorkAsync(subscription, anyCall);
        var stale = context.Exchanges(e => e.Seq > refetch.Seq && e.IsProviderCallWith(subscription.Id, ProviderApi.KeyRetired)).ToList();
        var fresh = ServedAfter(context, subscription, refetch.Seq);
        seqs.AddRange(stale.Select(e => e.Seq));
        if (fresh is not null) seqs.Add(fresh.Seq);
        const string noFreshCall = "After the re-fetch the agent made no successful provider call with the new key when asked to work.";
        if (stale.Count > 0)
            context.Fail("DK-CFG-03", expected, $"{stale.Count} provider call(s) still used the rotated-out key after the re-fetch.", "The agent re-fetched but kept using its old cached key: replace the cached config with the new one.", seqs);
        else if (fresh is not null)
            context.Pass("DK-CFG-03", expected, $"Re-fetched ({refetch.Describe()}) and then used only the new key ({fresh.Describe()}).", seqs);
        else if (asked.Trigger is { Refused: true } refused)
            context.NotExercisedByTrigger("DK-CFG-03", expected, refused, noFreshCall, null, seqs);
        else
            context.Fail("DK-CFG-03", expected, noFreshCall, null, seqs);
    }
}
