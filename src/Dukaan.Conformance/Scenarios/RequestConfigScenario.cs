using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>The closed loop of 002 §5: provider 401 → request-config → buyer re-submits → re-fetch → the new key works.</summary>
public sealed class RequestConfigScenario : Scenario
{
    private static readonly TimeSpan RequestWindow = TimeSpan.FromSeconds(5);

    public override string Name => "request-config";
    public override string Description => "The provider rejects the buyer's key (401); the agent must ask the buyer to fix it with a config_request signature, and work again after the re-submit.";
    public override IReadOnlyList<string> Rules => ["DK-RCF-01", "DK-RCF-02", "DK-RCF-03", "DK-RCF-04"];

    public override async Task RunAsync(ScenarioContext context)
    {
        string[] expected =
        [
            "POST /request-config naming the rejected field (openai_api_key) after a provider 401",
            "request-config accepted by the platform: signed over config_request.${id}.${ts}.${sortedFields}.${message ?? ''} matching the body",
            "No request-config signed with the run token `${id}.${ts}`",
            "After the re-submit: a /config re-fetch, then a successful provider call with the new key",
        ];
        void NotExercisedAll(string why) { for (var i = 0; i < 4; i++) context.NotExercised(Rules[i], expected[i], why); }

        if (!context.CanTrigger) { NotExercisedAll(NoTrigger); return; }
        var subscription = context.NewSubscription();
        if (await ProvisionAsync(context, subscription) is null)
        {
            NotExercisedAll("The agent never obtained this buyer's credentials (see DK-CFG-01/02), so the provider could not reject them.");
            return;
        }
        subscription.SetProviderMode(ProviderMode.Reject);
        context.Note("fault", "provider rejects the buyer's key (401)", subscriptionId: subscription.Id);
        var mark = context.Transcript.LastSeq;
        var asked = await context.AskForWorkAsync(subscription, e => e.IsProviderCallWith(subscription.Id) && e.Status == 401);
        if (asked.Trigger is { Refused: true } refusedTrigger)
        {
            const string noCall = "When asked to work, the agent made no provider call with this buyer's key, so no 401 could be shown to it.";
            for (var i = 0; i < 4; i++) context.NotExercisedByTrigger(Rules[i], expected[i], refusedTrigger, noCall);
            return;
        }
        if (asked.Work is not { } rejected)
        {
            NotExercisedAll("When asked to work, the agent made no provider call with this buyer's key, so no 401 could be shown to it.");
            return;
        }
        var request = await context.WaitForAsync(e => e.From(ExchangeKinds.RequestConfig, subscription.Id) && e.Seq > mark, RequestWindow);
        if (request is null)
        {
            context.Fail("DK-RCF-01", expected[0], $"No POST /request-config within {RequestWindow.TotalSeconds:0} s of the provider's 401 ({rejected.Describe()}).",
                "The agent swallows the provider's 401: call request-config so the buyer is asked to fix the key.", [rejected.Seq]);
            // RCF-02/03 are about how request-config is signed when it is sent. The agent had its chance (a provider 401)
            // and sent none: nothing was signed, so nothing exercised them (decision 32); DK-RCF-01 carries the missing call.
            const string declined = "The agent did not call request-config after the provider's 401 (see DK-RCF-01), so there was no request-config signature to check.";
            context.NotApplicable("DK-RCF-02", expected[1], declined);
            context.NotApplicable("DK-RCF-03", expected[2], declined);
            context.NotExercised("DK-RCF-04", expected[3], "The agent never called request-config, so there was no re-submit to recover from.");
            return;
        }
        var all = context.Exchanges(e => e.From(ExchangeKinds.RequestConfig, subscription.Id) && e.Seq > mark).ToList();
        var seqs = new List<long> { rejected.Seq };
        seqs.AddRange(all.Select(e => e.Seq));
        if (request.RequestBody.Contains(subscription.ProviderKeyField, StringComparison.Ordinal))
            context.Pass("DK-RCF-01", expected[0], $"Called {request.Describe()} with body {request.RequestBody}", seqs);
        else
            context.Fail("DK-RCF-01", expected[0], $"Called request-config but its body does not name '{subscription.ProviderKeyField}': {request.RequestBody}", null, seqs);

        var refused = all.Where(e => !e.IsOk()).ToList();
        if (refused.Count == 0)
            context.Pass("DK-RCF-02", expected[1], $"Accepted: {request.Describe()}", seqs);
        else
            context.Fail("DK-RCF-02", expected[1], string.Join("; ", refused.Select(e => e.Describe())), ExplainRefusal(refused[0]), seqs);

        var runToken = all.Where(e => e.Tag(TagKeys.Diagnosis) == RequestAuth.RunTokenOnRequestConfig).ToList();
        if (runToken.Count == 0)
            context.Pass("DK-RCF-03", expected[2], $"{all.Count} request-config call(s), none signed with the run token.", seqs);
        else
            context.Fail("DK-RCF-03", expected[2], $"{runToken.Count} request-config call(s) carried the run token as signature.",
                "request-config signed with the run token: sign config_request.${id}.${ts}.${sortedFields}.${message ?? ''} instead (002 §5).", seqs);

        // The buyer re-submits a working key.
        subscription.SetProviderMode(ProviderMode.Accept);
        context.Simulator.Rotate(subscription, subscription.ProviderKeyField, null);
        context.Note("resubmit", "buyer re-submits a valid key", subscriptionId: subscription.Id);
        var resubmitted = context.DeliverInBackground(subscription);
        var refetch = await WaitForGoodFetchAsync(context, subscription, resubmitted.Mark, resubmitted.Answer);
        seqs.AddRange(resubmitted.AnsweredSeq);
        if (refetch is null)
        {
            context.Fail("DK-RCF-04", expected[3], "No successful /config re-fetch after the buyer re-submitted.", null, seqs);
            return;
        }
        seqs.Add(refetch.Seq);
        ReportServed(context, "DK-RCF-04", expected[3], await ServedWhenAskedAsync(context, subscription),
            served => $"Re-fetched ({refetch.Describe()}) and worked again ({served.Describe()}).",
            $"Re-fetched ({refetch.Describe()}) but did not work again when asked.",
            "The agent keeps the subscription flagged after asking for a new key: clear the flag on the next buyer_configured.", seqs);
    }

    private static string? ExplainRefusal(Exchange refused) => refused.Tag(TagKeys.Diagnosis) switch
    {
        RequestAuth.RunTokenOnRequestConfig => "request-config signed with the run token; it needs its own config_request payload.",
        "body-does-not-match-signature" => "The signature does not cover the fields and message in the body: sign exactly what you send.",
        { } other => $"Signature mistake recognised by the platform: {other}.",
        null => refused.Tag(TagKeys.ErrorCode) is { } code ? $"The platform refused it with {code}." : null,
    };
}
