using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>
/// Proactive push (002 §6.3), four buyers side by side: a push that meets a 503 once, a muted conversation (202), a
/// quota of one (429), and a conversation without the opt-in. Each is asked for a push through the trigger (decision 12).
/// </summary>
public sealed class ChatPushScenario : ChatScenario
{
    public override string Name => "chat-push";
    public override string Description => "Pushes are asked for with the trigger's \"action\": \"push\": one meets a 503 once, one a muted conversation (202), one a quota of 1 (429); a fourth conversation has push off.";
    public override IReadOnlyList<string> Rules => ["DK-CHAT-03", "DK-CHAT-04", "DK-CHAT-06", "DK-CHAT-07", "DK-CHAT-11"];

    private const string NoOptIn = "The listing does not opt in to push (capabilities.proactive.enabled), so this push rule does not apply (decision 15); DK-CHAT-11 still checks that the agent never pushes.";

    protected override async Task RunChatAsync(ScenarioContext context)
    {
        if (context.Run.Agent.TriggerUrl is null)
        {
            foreach (var rule in Rules) context.NotExercised(rule, Statement(rule), "No --trigger-url was given, so the harness could not ask the agent to push (decision 12: POST {\"subscriptionId\", \"action\": \"push\"}).");
            return;
        }
        var parts = new List<Task> { OptInAsync(context) };
        if (context.PushDeclared())
            parts.AddRange([RetryAsync(context), MutedAsync(context), QuotaAsync(context)]);
        else
            foreach (var rule in new[] { "DK-CHAT-03", "DK-CHAT-04", "DK-CHAT-06", "DK-CHAT-07" }) context.NotApplicable(rule, Statement(rule), NoOptIn);
        await Task.WhenAll(parts);
    }

    /// <summary>A buyer the agent has served and talked to, so it has seen the conversation's capabilities.</summary>
    private static async Task<Subscription?> ReadyAsync(ScenarioContext context, string rule, Action<Subscription>? before = null)
    {
        var subscription = context.NewSubscription();
        before?.Invoke(subscription);
        if (await ChatSteps.ProvisionAndGreetAsync(context, subscription, ProvisionAsync)) return subscription;
        context.NotExercised(rule, Statement(rule), "The agent never obtained this buyer's credentials (see DK-CFG-01/02), so no push could be asked for.");
        return null;
    }

    private static async Task<Exchange?> AskForPushAsync(ScenarioContext context, Subscription subscription, string rule)
    {
        var answer = await context.TriggerAsync(subscription, "push");
        if (answer is { Refused: true } refused)
        {
            context.NotExercised(rule, Statement(rule), $"Asked to push for {subscription.Id}, the trigger answered {refused.Describe()} and no work for that buyer followed on the wire.");
            return null;
        }
        var push = await context.WaitForAsync(e => e.Seq > answer!.Mark && e.From(ExchangeKinds.ChatPush, subscription.Id));
        if (push is null) context.NotExercised(rule, Statement(rule), $"Asked to push for {subscription.Id} (trigger → {answer!.Describe()}), the agent sent no push within {context.Run.ObservationWindowNow.TotalSeconds:0} s.");
        return push;
    }

    /// <summary>DK-CHAT-03: the push endpoint answers 503 once; a retry must reuse the clientMsgId and say the same thing.</summary>
    private static async Task RetryAsync(ScenarioContext context)
    {
        const string rule = "DK-CHAT-03";
        const string expected = "Every push carries a clientMsgId; the retry after a 503 carries the same clientMsgId and an equivalent body";
        if (await ReadyAsync(context, rule) is not { } subscription) return;
        subscription.Chat.InjectPushFailures(1);
        if (await AskForPushAsync(context, subscription, rule) is not { } first) return;
        // A retry comes soon or not at all; twice the quiet window bounds the wait for an agent that does not retry.
        var retryWindow = context.Settings.QuietWindow * 2;
        var retry = await context.WaitForAsync(e => e.Seq > first.Seq && e.From(ExchangeKinds.ChatPush, subscription.Id), retryWindow);
        var id = ClientMsgId(first);
        if (id is null)
            context.Fail(rule, expected, $"The push carried no clientMsgId: {first.Describe()}", "clientMsgId is required: it makes a re-POST of the same push a no-op (002 §6.3).", [first.Seq]);
        else if (first.Status != 503)
            context.NotExercised(rule, expected, $"The push was refused before the injected 503 could answer it: {first.Describe()}.");
        else if (retry is null)
            context.Pass(rule, expected, $"The push carried clientMsgId \"{id}\"; after the 503 the agent did not retry within {retryWindow.TotalSeconds:0.#} s (allowed).", [first.Seq]);
        else if (ClientMsgId(retry) != id || !RecordedJson.SameJson(first.RequestBody, retry.RequestBody))
            context.Fail(rule, expected, $"The retry after the 503 changed the push: clientMsgId \"{id}\" → \"{ClientMsgId(retry) ?? "(none)"}\"" +
                (RecordedJson.SameJson(first.RequestBody, retry.RequestBody) ? "" : ", body changed") + ".",
                "A retry of the same push must carry the same clientMsgId (and body), or the buyer sees the message twice once the first attempt turns out to have landed.",
                [first.Seq, retry.Seq]);
        else
            context.Pass(rule, expected, $"The 503 ({first.Describe()}) was retried with the same clientMsgId \"{id}\" and body ({retry.Describe()}).", [first.Seq, retry.Seq]);
    }

    /// <summary>DK-CHAT-06: a push to a muted conversation gets 202 — delivered; the same clientMsgId must not come again.</summary>
    private static async Task MutedAsync(ScenarioContext context)
    {
        const string rule = "DK-CHAT-06";
        const string expected = "After a 202 (muted) push, that clientMsgId is never sent again";
        if (await ReadyAsync(context, rule, s => s.Chat.SetMuted(true)) is not { } subscription) return;
        if (await AskForPushAsync(context, subscription, rule) is not { } push) return;
        if (push.Status != 202)
        {
            context.NotExercised(rule, expected, $"The push to the muted conversation was not accepted, so no 202 could be shown: {push.Describe()}.");
            return;
        }
        await context.QuietAsync();
        var id = ClientMsgId(push);
        var again = context.PushesOf(subscription, push.Seq).Where(e => ClientMsgId(e) == id).ToList();
        if (again.Count == 0)
            context.Pass(rule, expected, $"The muted push ({push.Describe()}) was not re-sent within the quiet window ({context.Settings.QuietWindow.TotalSeconds:0.#} s).", [push.Seq]);
        else
            context.Fail(rule, expected, $"After 202 the same clientMsgId \"{id}\" was sent {again.Count} more time(s): {string.Join("; ", again.Take(3).Select(e => e.Describe()))}",
                "A 202 from push means the buyer muted the conversation: treat it as delivered and do not retry (002 §6.3).", [push.Seq, .. again.Take(3).Select(e => e.Seq)]);
    }

    /// <summary>DK-CHAT-07: with a quota of one, the second push gets 429; no push may follow within the quiet window.</summary>
    private static async Task QuotaAsync(ScenarioContext context)
    {
        const string rule = "DK-CHAT-07";
        const string expected = "After a 429 push, no further push for that subscription within the quiet window";
        if (await ReadyAsync(context, rule, s => s.Chat.SetMaxPerDay(1)) is not { } subscription) return;
        if (await AskForPushAsync(context, subscription, rule) is null) return;
        if (await AskForPushAsync(context, subscription, rule) is not { } second) return;
        var overQuota = second.Status == 429 ? second : context.PushesOf(subscription, 0).FirstOrDefault(e => e.Status == 429);
        if (overQuota is null)
        {
            context.NotExercised(rule, expected, $"No push reached the quota, so no 429 could be shown: {second.Describe()}.");
            return;
        }
        await context.QuietAsync();
        var after = context.PushesOf(subscription, overQuota.Seq).Where(e => e.StartedAfter(overQuota, context.Settings.ReactionGrace)).ToList();
        if (after.Count == 0)
            context.Pass(rule, expected, $"After {overQuota.Describe()} no further push came within the quiet window ({context.Settings.QuietWindow.TotalSeconds:0.#} s).", [overQuota.Seq]);
        else
            context.Fail(rule, expected, $"After {overQuota.Describe()} the agent pushed {after.Count} more time(s): {string.Join("; ", after.Take(3).Select(e => e.Describe()))}",
                "A 429 on push means today's quota (maxPerDay) is used up: stop pushing for this buyer until the day resets (002 §6.3).", [overQuota.Seq, .. after.Take(3).Select(e => e.Seq)]);
    }

    /// <summary>DK-CHAT-11: the conversation's relays say proactive.enabled false; asked to push, the agent must not.</summary>
    private static async Task OptInAsync(ScenarioContext context)
    {
        const string rule = "DK-CHAT-11";
        const string expected = "No push for a conversation whose relays say platform.proactive.enabled: false; a 403 push is never re-sent";
        if (await ReadyAsync(context, rule, s => s.Chat.SetProactive(false)) is not { } subscription) return;
        var answer = await context.TriggerAsync(subscription, "push");
        if (answer is { Refused: true } refused)
        {
            context.NotExercised(rule, expected, $"Asked to push for {subscription.Id}, the trigger answered {refused.Describe()} and no work for that buyer followed on the wire.");
            return;
        }
        await context.QuietAsync();
        var pushes = context.PushesOf(subscription, answer!.Mark);
        if (pushes.Count == 0)
        {
            // The witness: the relays that told the agent proactive.enabled: false (the trigger itself is not on the wire the harness records).
            var told = context.Run.Chat.Relays.Where(r => r.SubscriptionId == subscription.Id && r.Answer.IsCompletedSuccessfully).Select(r => r.Answer.Result.ExchangeSeq);
            context.Pass(rule, expected, $"Asked to push (trigger → {answer.Describe()}) for a conversation whose relays said proactive.enabled: false, the agent sent no push.", told);
        }
        else
            context.Fail(rule, expected, $"The agent pushed {pushes.Count} time(s) although the relays said proactive.enabled: false: {string.Join("; ", pushes.Take(3).Select(e => e.Describe()))}",
                pushes.Count > 1 && pushes.All(e => e.Status == 403)
                    ? "It re-sent a push refused with 403: push is off for this conversation; read platform.proactive.enabled from each relay and do not retry a 403."
                    : "Read platform.proactive.enabled from each relay and push only when it is true: push is opt-in (002 §6.3).",
                pushes.Take(4).Select(e => e.Seq));
    }

    /// <summary>Read from the request the agent sent, so a push refused before the platform parsed it still shows its id.</summary>
    public static string? ClientMsgId(Exchange push) => RecordedJson.String(push.RequestBody, "clientMsgId");
}
