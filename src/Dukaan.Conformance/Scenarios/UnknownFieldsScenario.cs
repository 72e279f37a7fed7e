using System.Text.Json;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;

namespace Dukaan.Conformance.Scenarios;

/// <summary>The contract grows by adding fields and events (002 §6.2 says so); an agent must not crash on them.</summary>
public sealed class UnknownFieldsScenario : Scenario
{
    public override string Name => "unknown-fields";
    public override string Description => "A buyer_configured with additive unknown fields, and a signed event of an unknown type.";
    public override IReadOnlyList<string> Rules => ["DK-ACK-04"];

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

        var answers = new[] { ("additive unknown fields", withFields), ("unknown event type 'something_new'", withEvent) };
        var bad = answers.Where(a => a.Item2.Status >= 500 || (a.Item2.Status is null && a.Item2.Error?.StartsWith("connection", StringComparison.Ordinal) == true)).ToList();
        const string expected = "No 5xx and no dropped connection (any 2xx or 4xx)";
        var observed = string.Join("; ", answers.Select(a => $"{a.Item1}: {a.Item2.Describe()}"));
        if (bad.Count == 0)
            context.Pass("DK-ACK-04", expected, observed, [withFields.ExchangeSeq, withEvent.ExchangeSeq]);
        else
            context.Fail("DK-ACK-04", expected, observed,
                "The handler validates the payload strictly (or switches on the event type without a default) and throws: ignore unknown fields, answer 2xx to unknown events.",
                [withFields.ExchangeSeq, withEvent.ExchangeSeq]);
    }
}
