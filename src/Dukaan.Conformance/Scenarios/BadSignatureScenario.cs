using System.Text;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>
/// Tampered, unsigned, wrong-secret and malformed deliveries, each for its own subscription so "no action" can be
/// attributed; then valid deliveries for the same subscriptions to check the agent is still up.
/// </summary>
public sealed class BadSignatureScenario : Scenario
{
    public override string Name => "bad-signatures";
    public override string Description => "Tampered, unsigned, wrong-secret and malformed signatures must get 4xx and no action; a valid delivery afterwards must still get 2xx.";
    public override IReadOnlyList<string> Rules => ["DK-SIG-02", "DK-SIG-03", "DK-SIG-04", "DK-SIG-05", "DK-SIG-06"];

    private sealed record Probe(string RuleId, string Label, Subscription Subscription, OutgoingDelivery Delivery);

    public override async Task RunAsync(ScenarioContext context)
    {
        var secret = context.Simulator.Options.Secret;
        var tampered = context.NewSubscription();
        var unsigned = context.NewSubscription();
        var wrongSecret = context.NewSubscription();
        var malformed = context.NewSubscription();

        var probes = new List<Probe>();
        {
            var body = context.BuyerConfiguredBody(tampered);
            var signature = BodySignature.Sign(secret, body);
            probes.Add(new("DK-SIG-02", "body altered after signing", tampered, WithSignature(context, tampered, Tamper(body), signature)));
        }
        probes.Add(new("DK-SIG-03", "no X-AgentDukaan-Sig header", unsigned, WithSignature(context, unsigned, context.BuyerConfiguredBody(unsigned), null)));
        {
            var body = context.BuyerConfiguredBody(wrongSecret);
            probes.Add(new("DK-SIG-04", "signed with another secret", wrongSecret, WithSignature(context, wrongSecret, body, BodySignature.Sign(secret + "-not-the-listing-secret", body))));
        }
        {
            var body = context.BuyerConfiguredBody(malformed);
            var good = BodySignature.Sign(secret, body);
            probes.Add(new("DK-SIG-05", "truncated signature (63 hex chars)", malformed, WithSignature(context, malformed, body, good[..63])));
            probes.Add(new("DK-SIG-05", "empty signature", malformed, WithSignature(context, malformed, body, "")));
            probes.Add(new("DK-SIG-05", "non-hex signature", malformed, WithSignature(context, malformed, body, new string('z', 64))));
            probes.Add(new("DK-SIG-05", "sha256=-prefixed signature", malformed, WithSignature(context, malformed, body, "sha256=" + good)));
        }

        var answers = new List<(Probe Probe, DeliveryAttempt Attempt)>();
        foreach (var probe in probes) answers.Add((probe, await context.SendAsync(probe.Subscription, probe.Delivery)));
        var lastBad = answers.Max(a => a.Attempt.ExchangeSeq);
        await context.QuietAsync();

        foreach (var group in answers.GroupBy(a => a.Probe.RuleId))
        {
            var problems = new List<string>();
            var seqs = new List<long>();
            foreach (var (probe, attempt) in group)
            {
                seqs.Add(attempt.ExchangeSeq);
                if (!attempt.Is4xx())
                    problems.Add($"{probe.Label}: answered {attempt.Describe()}" + (attempt.Status >= 500 ? " (a crash is not a rejection)" : ""));
            }
            var subscription = group.First().Probe.Subscription;
            var acted = context.Exchanges(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > group.Min(a => a.Attempt.ExchangeSeq)).ToList();
            if (acted.Count > 0)
            {
                problems.Add($"acted on it: fetched /config for {subscription.Id} ({string.Join("; ", acted.Select(e => e.Describe()))})");
                seqs.AddRange(acted.Select(e => e.Seq));
            }
            var expected = $"4xx (401 or 403 preferred) and no /config fetch for: {string.Join(", ", group.Select(a => a.Probe.Label))}";
            if (problems.Count == 0)
                context.Pass(group.Key, expected, string.Join("; ", group.Select(a => $"{a.Probe.Label}: {a.Attempt.Describe()}")) + "; no /config fetch followed.", seqs);
            else
                context.Fail(group.Key, expected, string.Join("; ", problems), Diagnose(group.Key, group.Select(a => a.Attempt)), seqs);
        }

        // DK-SIG-06: the same subscriptions, now validly signed.
        // Independent subscriptions: sent together, so a slow agent costs one ACK budget here, not four.
        var after = await Task.WhenAll(new[] { tampered, unsigned, wrongSecret, malformed }
            .Select(async s => (s, (await context.DeliverAsync(s, countForAck: false)).Attempt)));
        const string expectedUp = "2xx for valid deliveries sent after the bad ones";
        var down = after.Where(a => !a.Item2.Is2xx()).ToList();
        var allSeqs = after.Select(a => a.Item2.ExchangeSeq).Prepend(lastBad);
        if (down.Count == 0)
            context.Pass("DK-SIG-06", expectedUp, string.Join("; ", after.Select(a => $"{a.Item1.Id}: {a.Item2.Describe()}")), allSeqs);
        else
            context.Fail("DK-SIG-06", expectedUp, string.Join("; ", down.Select(a => $"{a.Item1.Id}: {a.Item2.Describe()}")),
                "The agent stopped accepting valid deliveries after refusing bad ones (crashed, wedged or blocklisted the subscription).", allSeqs);
    }

    private static string? Diagnose(string ruleId, IEnumerable<DeliveryAttempt> attempts)
    {
        var list = attempts.ToList();
        if (list.Any(a => a.Status >= 500)) return "The signature check throws on malformed input; compare lengths first (or catch), and answer 401.";
        if (list.Any(a => a.Is2xx()))
            return ruleId switch
            {
                "DK-SIG-03" => "The agent accepts deliveries that carry no signature at all: treat a missing X-AgentDukaan-Sig as a failed check.",
                "DK-SIG-02" => "The agent does not bind the signature to the body it received: HMAC the raw bytes and compare with the header.",
                _ => "The agent accepts signatures it should refuse: compare the full hex HMAC in constant time.",
            };
        return null;
    }

    /// <summary>Changes one byte inside the trailing ts digits: the JSON stays valid, only the signature breaks.</summary>
    private static byte[] Tamper(byte[] body)
    {
        var copy = (byte[])body.Clone();
        var text = Encoding.UTF8.GetString(copy);
        var index = text.LastIndexOf("\"ts\":", StringComparison.Ordinal) + 6;
        copy[index] = (byte)(copy[index] == (byte)'9' ? '1' : copy[index] + 1);
        return copy;
    }

    /// <summary>A buyer_configured as the platform sends it, except for its signature header: replaced, or dropped for null.</summary>
    private static OutgoingDelivery WithSignature(ScenarioContext context, Subscription subscription, byte[] body, string? signature)
    {
        var signed = context.Signed(subscription, EventTypes.BuyerConfigured, body);
        var headers = new Dictionary<string, string>(signed.Headers);
        if (signature is null) headers.Remove(Headers.Signature);
        else headers[Headers.Signature] = signature;
        return signed with { Headers = headers };
    }
}
