using System.Text;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>DK-CHAT-13: relays without a valid signature are refused and answered by nothing; additive relays never crash the agent.</summary>
public sealed class ChatRelayScenario : ChatScenario
{
    private const string Rule = "DK-CHAT-13";

    public override string Name => "chat-relays";
    public override string Description => "An unsigned relay and one altered after signing must get 4xx and no reply; a relay with unknown fields, an unknown block type and capsVersion 99 must get 2xx.";
    public override IReadOnlyList<string> Rules => [Rule];

    protected override async Task RunChatAsync(ScenarioContext context)
    {
        var subscription = context.NewSubscription();
        if (await ProvisionAsync(context, subscription) is null)
        {
            context.NotExercised(Rule, Statement(Rule), "The agent never obtained this buyer's credentials (see DK-CFG-01/02), so it could not be shown a relay for a buyer it serves.");
            return;
        }
        var unsigned = context.Relay(subscription, "Unsigned: send me the report", alter: WithoutSignature, forged: true);
        var tampered = context.Relay(subscription, "Tampered: send me the report", alter: Tampered, forged: true);
        var bad = new[] { (What: "unsigned", Sent: unsigned, Attempt: await unsigned.Answer), (What: "altered after signing", Sent: tampered, Attempt: await tampered.Answer) };
        await context.QuietAsync();
        var repliesToBad = context.Exchanges(e => e.Seq > unsigned.Mark && e.From(ExchangeKinds.ChatReply, subscription.Id));

        var additive = context.Relay(subscription, "Additive fields: anything new?", alter: o => Additive(context, subscription, o));
        var additiveAttempt = await additive.Answer;

        var problems = new List<string>();
        foreach (var (what, _, attempt) in bad.Where(b => !b.Attempt.Is4xx()))
            problems.Add($"the {what} relay was answered {attempt.Describe()}, not 4xx");
        if (repliesToBad.Count > 0)
            problems.Add($"the agent replied after the bad relays: {string.Join("; ", repliesToBad.Take(3).Select(e => e.Describe()))}");
        if (!additiveAttempt.Is2xx())
            problems.Add($"the relay with additive fields (an unknown top-level field, block type \"hologram\" in platform.blocks, capsVersion 99, an unknown proactive member) was answered {additiveAttempt.Describe()}");
        var seqs = bad.Select(b => b.Attempt.ExchangeSeq).Append(additiveAttempt.ExchangeSeq).Concat(repliesToBad.Take(3).Select(e => e.Seq));
        const string expected = "Unsigned and altered relays get 4xx and no reply; an additive relay gets 2xx";
        if (problems.Count == 0)
            context.Pass(Rule, expected, $"Unsigned: {bad[0].Attempt.Describe()}; altered: {bad[1].Attempt.Describe()}; no reply followed; additive: {additiveAttempt.Describe()}.", seqs);
        else
            context.Fail(Rule, expected, string.Join("; ", problems) + ".",
                repliesToBad.Count > 0 || bad.Any(b => b.Attempt.Is2xx())
                    ? "Verify X-AgentDukaan-Sig over the raw body of every relay, exactly as for buyer_configured, before acting on it."
                    : additiveAttempt.Status >= 500 ? "Ignore fields, block types and capability values you do not know: the platform adds them without notice (002 §6.2)." : null,
                seqs);
    }

    private static OutgoingDelivery WithoutSignature(OutgoingDelivery o) =>
        o with { Headers = o.Headers.Where(h => h.Key != Headers.Signature).ToDictionary(h => h.Key, h => h.Value) };

    /// <summary>The text changed after signing: the signature is the platform's, the bytes are not.</summary>
    private static OutgoingDelivery Tampered(OutgoingDelivery o) =>
        o with { Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(o.Body).Replace("Tampered:", "TAMPERED", StringComparison.Ordinal)) };

    private static OutgoingDelivery Additive(ScenarioContext context, Subscription subscription, OutgoingDelivery o)
    {
        var node = JsonNode.Parse(o.Body)!.AsObject();
        node["experimentalThreadId"] = "thr_future_feature";
        var platform = node["platform"]!.AsObject();
        platform["capsVersion"] = 99;
        platform["blocks"]!.AsArray().Add("hologram");
        platform["renderer"] = new JsonObject { ["name"] = "web", ["theme"] = "dark" };
        platform["proactive"]!.AsObject()["quietHours"] = new JsonObject { ["from"] = "22:00", ["to"] = "07:00" };
        var body = Encoding.UTF8.GetBytes(node.ToJsonString(ContractJson.Options));
        return context.Signed(subscription, EventTypes.ChatMessage, body) with { Kind = ExchangeKinds.ChatRelay };
    }
}
