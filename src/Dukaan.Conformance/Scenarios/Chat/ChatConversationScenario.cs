using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>
/// Two turns of a conversation: one with the listing's full capabilities, one from a renderer that draws text only.
/// The replies, their signatures, blocks and state calls are judged over the whole run by <see cref="ChatChecks"/>.
/// </summary>
public sealed class ChatConversationScenario : ChatScenario
{
    public override string Name => "chat-conversation";
    public override string Description => "Two buyer messages are relayed, the second from a renderer that draws text blocks only; the replies, the blocks and the state calls are checked.";
    public override IReadOnlyList<string> Rules => ["DK-CHAT-01", "DK-CHAT-02", "DK-CHAT-05", "DK-CHAT-08", "DK-CHAT-10", "DK-CHAT-12"];

    protected override async Task RunChatAsync(ScenarioContext context)
    {
        var subscription = context.NewSubscription();
        if (await ProvisionAsync(context, subscription) is null)
        {
            foreach (var rule in Rules) context.NotExercised(rule, Statement(rule), "The agent never obtained this buyer's credentials (see DK-CFG-01/02), so no conversation was started.");
            return;
        }
        await context.RepliesAsync(subscription, context.Relay(subscription, "How did sales do this week?"));
        var textOnly = subscription.Chat.Platform(rendererBlocks: ["text"], capsVersion: 2);
        await context.RepliesAsync(subscription, context.Relay(subscription, "And compared with last week?", textOnly));
    }
}
