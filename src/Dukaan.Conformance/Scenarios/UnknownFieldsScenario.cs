using System.Text.Json;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>The contract grows by adding fields and events (002 §6.2 says so); an agent must not crash on them.</summary>
public sealed class UnknownFieldsScenario : Scenario
{
    public override string Name => "unknown-fields";
    public override string Description =>
        "A buyer_configured with additive unknown fields, and a signed event of an unknown type: each must get an answer that is not 5xx " +
        "within the 10 s ACK budget (a timeout fails like a crash).";
    public override IReadOnlyList<string> Rules => ["DK-ACK-04"];

    private sealed record Answer(string Label, DeliveryAttempt Attempt, bool UnknownEvent);

    public override async Task RunAsync(ScenarioContext context)
    {
        var subscription = context.NewSubscription();
        var node = JsonSerializer.SerializeToNode(context.Simulator.BuildBuyerConfigured(subscription), ContractJson.Options)!.AsObject();
        node["platform"] = new JsonObject { ["capsVersion"] = 3, ["blocks"] = new JsonArray("text", "progress") };
        node["tier"]!.AsObject()["trialDays"] = 14;
        var extended = JsonSerializer.SerializeToUtf8Bytes(node);
        var withFields = await context.SendAsync(subscription, context.Signed(subscription, EventTypes.BuyerConfigured, extended));

        var unknownEvent = JsonSerializer.SerializeToUtf8Bytes(new { @event = "something_new", subscriptionId = subscription.Id, data = new { reason = "a future event" }, ts = context.Simulator.Clock.GetUtcNow().ToUnixTimeMilliseconds() });
        var withEvent = await context.SendAsync(subscription, context.Signed(subscription, "something_new", unknownEvent));

        Answer[] answers = [new("additive unknown fields", withFields, UnknownEvent: false), new("unknown event type 'something_new'", withEvent, UnknownEvent: true)];
        // No status line within the ACK budget fails like a 5xx: the platform counts the delivery as failed and retries it.
        var bad = answers.Where(a => a.Attempt.Status is null or >= 500).ToList();
        var expected = $"An answer within the {context.Settings.AckBudget.TotalSeconds:0} s ACK budget that is not 5xx (2xx preferred, 4xx tolerated); no timeout, no dropped connection";
        var observed = string.Join("; ", answers.Select(a => $"{a.Label}: {a.Attempt.Describe()}"));
        if (bad.Count == 0)
            context.Pass("DK-ACK-04", expected, observed, [withFields.ExchangeSeq, withEvent.ExchangeSeq]);
        else
            context.Fail("DK-ACK-04", expected, observed, string.Join(" ", bad.Select(a => Diagnose(a.Attempt, a.UnknownEvent)).Distinct()),
                [withFields.ExchangeSeq, withEvent.ExchangeSeq]);
    }

    private static string Diagnose(DeliveryAttempt attempt, bool unknownEvent) => (attempt.Status, unknownEvent) switch
    {
        (>= 500, _) => "The handler validates the payload strictly (or switches on the event type without a default) and throws: ignore unknown fields, answer 2xx to unknown events.",
        (null, true) when attempt.Error?.StartsWith("timeout", StringComparison.Ordinal) == true =>
            "The unknown event got no answer in time: the handler waits on something only known events bring, or an event switch without a default never responds. Answer 2xx to unknown events at once.",
        (null, false) when attempt.Error?.StartsWith("timeout", StringComparison.Ordinal) == true =>
            "The buyer_configured carrying unknown fields got no answer in time. If valid deliveries time out too (DK-ACK-01), the agent is slow to acknowledge any delivery rather than tripping on the fields.",
        _ => "The connection dropped without an answer: the handler probably crashed the process or the connection. Ignore unknown fields, answer 2xx to unknown events.",
    };
}
