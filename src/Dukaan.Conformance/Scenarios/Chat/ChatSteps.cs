using System.Diagnostics;
using Dukaan.Contract;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>A buyer message on its way: what was relayed, where the transcript stood, and the agent's answer to come.</summary>
public sealed record SentRelay(string SubscriptionId, ChatMessageRelay Relay, long Mark, Task<DeliveryAttempt> Answer);

/// <summary>Every buyer message the run relayed, so whole-run checks know which capabilities each reply answered.</summary>
public sealed class ChatLog
{
    private readonly Lock _gate = new();
    private readonly List<SentRelay> _relays = [];
    private readonly HashSet<string> _forged = new(StringComparer.Ordinal);

    public void Add(SentRelay relay) { lock (_gate) _relays.Add(relay); }

    /// <summary>A relay the agent should have refused (unsigned, altered): a reply to it is DK-CHAT-13's failure, not a reply to judge.</summary>
    public void AddForged(string messageId) { lock (_gate) _forged.Add(messageId); }

    public bool IsForged(string? messageId) { lock (_gate) return messageId is not null && _forged.Contains(messageId); }

    public IReadOnlyList<SentRelay> Relays { get { lock (_gate) return [.. _relays]; } }
}

/// <summary>What a scenario does with the chat channel: relay a buyer message, wait for the replies, ask for a push.</summary>
public static class ChatSteps
{
    /// <summary>How long the conversation must be quiet before the agent is taken to have finished answering.</summary>
    public static readonly TimeSpan SettleAfter = TimeSpan.FromMilliseconds(600);

    public static bool PushDeclared(this ScenarioContext context) => context.Settings.Listing.Chat?.Proactive is { Enabled: true };

    /// <summary>
    /// Relays one buyer message, validly signed, once, without waiting for the answer: the replies are what the caller
    /// waits for. <paramref name="alter"/> crafts a bad or additive relay from the valid one; a <paramref name="forged"/> one
    /// (unsigned, altered) is not a buyer message the agent should answer, so it stays out of the run's chat log.
    /// </summary>
    public static SentRelay Relay(this ScenarioContext context, Subscription subscription, string text, ChatPlatform? platform = null, ChatFileRef? file = null,
        Func<OutgoingDelivery, OutgoingDelivery>? alter = null, bool forged = false)
    {
        var relay = context.Simulator.BuildChatRelay(subscription, text, platform, file);
        var outgoing = context.Simulator.SignedRelay(subscription, relay, context.Run.Agent.WebhookUrl);
        if (alter is not null) outgoing = alter(outgoing);
        var mark = context.Transcript.LastSeq;
        var answer = context.SendAsync(subscription, outgoing);
        context.Run.TrackPending(answer);
        var sent = new SentRelay(subscription.Id, relay, mark, answer);
        if (forged) context.Run.Chat.AddForged(relay.MessageId);
        else context.Run.Chat.Add(sent);
        context.Note("relay", $"buyer message {relay.MessageId}" + (alter is null ? "" : " (crafted)"), subscriptionId: subscription.Id);
        return sent;
    }

    /// <summary>
    /// The agent's replies to a relay: waits for the first (the window counts from the relay's answer), then until the
    /// buyer's conversation has been quiet for <see cref="SettleAfter"/> — a placeholder and its replacement both count.
    /// </summary>
    public static async Task<IReadOnlyList<Exchange>> RepliesAsync(this ScenarioContext context, Subscription subscription, SentRelay sent)
    {
        var first = await context.WaitForAsync(e => e.Seq > sent.Mark && e.From(ExchangeKinds.ChatReply, subscription.Id), windowStartsWith: sent.Answer).ConfigureAwait(false);
        if (first is null) return [];
        await context.UntilQuietAsync(subscription.Id).ConfigureAwait(false);
        return context.Exchanges(e => e.Seq > sent.Mark && e.From(ExchangeKinds.ChatReply, subscription.Id));
    }

    /// <summary>
    /// Waits until the agent has done nothing for a subscription for <see cref="SettleAfter"/>, at most one observation
    /// window. Heartbeats do not count: they tick on their own clock (every 500 ms for the bundled agent) and would keep
    /// a turn that is over from ever looking finished.
    /// </summary>
    public static async Task UntilQuietAsync(this ScenarioContext context, string subscriptionId)
    {
        var limit = Stopwatch.StartNew();
        var last = LastSeqOf(context, subscriptionId);
        var since = Stopwatch.StartNew();
        while (since.Elapsed < SettleAfter && limit.Elapsed < context.Run.ObservationWindowNow)
        {
            await Task.Delay(50, context.Cancellation).ConfigureAwait(false);
            var now = LastSeqOf(context, subscriptionId);
            if (now != last) (last, since) = (now, Stopwatch.StartNew());
        }
    }

    private static long LastSeqOf(ScenarioContext context, string subscriptionId) =>
        context.Transcript.Snapshot().LastOrDefault(e => e.SubscriptionId == subscriptionId && e.Kind != ExchangeKinds.Heartbeat)?.Seq ?? 0;

    /// <summary>Provisions a buyer and has one conversation turn, so the agent knows the conversation's capabilities.</summary>
    public static async Task<bool> ProvisionAndGreetAsync(ScenarioContext context, Subscription subscription, Func<ScenarioContext, Subscription, Task<Exchange?>> provision)
    {
        if (await provision(context, subscription).ConfigureAwait(false) is null) return false;
        await context.RepliesAsync(subscription, context.Relay(subscription, "Hi! Can you send me updates?")).ConfigureAwait(false);
        return true;
    }

    public static IReadOnlyList<Exchange> PushesOf(this ScenarioContext context, Subscription subscription, long afterSeq) =>
        context.Exchanges(e => e.Seq > afterSeq && e.From(ExchangeKinds.ChatPush, subscription.Id));
}
