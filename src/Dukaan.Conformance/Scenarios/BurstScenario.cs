using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Scenarios;

public sealed class BurstScenario : Scenario
{
    public override string Name => "concurrent-deliveries";
    public override string Description => "buyer_configured for 20 subscriptions sent at once.";
    public override IReadOnlyList<string> Rules => ["DK-ACK-05"];
    public override Phase Phase => Phase.Burst;

    public override async Task RunAsync(ScenarioContext context)
    {
        // The ACK times are the agent's under exactly this load: a late-ACKing agent may still be holding earlier phases'
        // deliveries (each ends within the ACK budget), and those would queue ahead of the burst's.
        await context.Run.PendingDeliveriesAsync();
        var subscriptions = Enumerable.Range(0, context.Settings.BurstSize).Select(_ => context.NewSubscription()).ToList();
        var attempts = await Task.WhenAll(subscriptions.Select(async s => (await context.DeliverAsync(s, countForAck: false)).Attempt));
        var late = attempts.Where(a => !a.Is2xx() || a.DurationMs > context.Settings.AckBudget.TotalMilliseconds).ToList();
        var expected = $"All {attempts.Length} concurrent deliveries get 2xx within {context.Settings.AckBudget.TotalSeconds:0} s";
        var observed = $"{attempts.Length - late.Count} of {attempts.Length} got 2xx in time; slowest {attempts.Max(a => a.DurationMs):0} ms, median {attempts.Select(a => a.DurationMs).Order().ElementAt(attempts.Length / 2):0} ms.";
        var seqs = attempts.Select(a => a.ExchangeSeq);
        if (late.Count == 0)
            context.Pass("DK-ACK-05", expected, observed, seqs);
        else
            context.Fail("DK-ACK-05", expected, observed + " Late or failed: " + string.Join("; ", late.Take(5).Select(a => a.Describe())),
                "Deliveries are handled one at a time (a global lock or synchronous work before the answer): answer first, work in the background.", late.Select(a => a.ExchangeSeq));
    }
}
