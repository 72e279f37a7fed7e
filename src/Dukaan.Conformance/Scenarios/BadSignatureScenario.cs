using System.Text;
using Dukaan.Conformance.Engine;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>
/// Tampered, unsigned, wrong-secret and malformed deliveries, each kind for its own subscription so "no action" can be
/// attributed; then valid deliveries for the same subscriptions to check the agent is still up.
/// </summary>
public sealed class BadSignatureScenario : Scenario
{
    public override string Name => "bad-signatures";
    public override string Description =>
        "Tampered, unsigned, wrong-secret and malformed signatures (truncated, empty, non-hex, `sha256=`-prefixed, 8 KiB, 64 characters holding " +
        "one raw non-ASCII byte, two `X-AgentDukaan-Sig` lines neither of which is valid) must get 4xx and no action. Two lines of which one " +
        "is the correct signature are ambiguous, not forged (the sender holds the secret whichever line a framework reads), so 2xx and 4xx " +
        "both pass and only a 5xx, a timeout or a dropped connection fails. Uppercase hex of the correct HMAC is sent and its answer " +
        "recorded, not judged (the sources say \"hex\" without a case). A valid delivery afterwards must still get 2xx.";
    public override IReadOnlyList<string> Rules => ["DK-SIG-02", "DK-SIG-03", "DK-SIG-04", "DK-SIG-05", "DK-SIG-06"];

    /// <summary>What an answer to a probe must be.</summary>
    private enum Judged
    {
        /// <summary>4xx, and no /config fetch for its subscription afterwards.</summary>
        Refused,
        /// <summary>Ambiguous input: refusing and accepting are both defensible, crashing or hanging is not (2xx or 4xx).</summary>
        NoCrash,
        /// <summary>Shown in the evidence, never judged.</summary>
        RecordedOnly,
    }

    /// <param name="IfCrashed">The likely mistake when this probe gets a 5xx, for the diagnosis.</param>
    private sealed record Probe(string RuleId, string Label, Subscription Subscription, OutgoingDelivery Delivery, Judged Judged = Judged.Refused, string? IfCrashed = null);

    private sealed record Answer(Probe Probe, DeliveryAttempt Attempt)
    {
        public string Text => $"{Probe.Label}{(Probe.Judged == Judged.RecordedOnly ? " (recorded, not judged)" : "")}: {Attempt.Describe()}";

        public string? Problem => Probe.Judged switch
        {
            Judged.Refused when !Attempt.Is4xx() => $"{Probe.Label}: answered {Attempt.Describe()}" + (Attempt.Status >= 500 ? " (a crash is not a rejection)" : ""),
            Judged.NoCrash when !Attempt.Is2xx() && !Attempt.Is4xx() => $"{Probe.Label}: answered {Attempt.Describe()} (2xx or 4xx were both fine; this is neither)",
            _ => null,
        };
    }

    public override async Task RunAsync(ScenarioContext context)
    {
        var secret = context.Simulator.Options.Secret;
        var tampered = context.NewSubscription();
        var unsigned = context.NewSubscription();
        var wrongSecret = context.NewSubscription();
        var malformed = context.NewSubscription();
        // Probes the agent may accept: their own buyer, so an accepted one cannot look like "acted on a malformed one".
        var ambiguous = context.NewSubscription();

        var probes = new List<Probe>();
        {
            var body = context.BuyerConfiguredBody(tampered);
            var signature = BodySignature.Sign(secret, body);
            probes.Add(new("DK-SIG-02", "body altered after signing", tampered, WithSignature(context, tampered, Tamper(body), signature)));
        }
        probes.Add(new("DK-SIG-03", "no X-AgentDukaan-Sig header", unsigned, WithSignature(context, unsigned, context.BuyerConfiguredBody(unsigned), null)));
        {
            var body = context.BuyerConfiguredBody(wrongSecret);
            probes.Add(new("DK-SIG-04", "signed with another secret", wrongSecret, WithSignature(context, wrongSecret, body, OtherSecret(secret, body))));
        }
        probes.AddRange(MalformedProbes(context, malformed, secret));

        // Probes the agent may accept cost a whole ACK budget each when it acknowledges late: sent side by side, in the
        // background, while the others go one by one (their order matters to an agent that wedges after a refusal).
        var mayBeAccepted = Task.WhenAll(AmbiguousProbes(context, ambiguous, secret)
            .Select(async probe => new Answer(probe, await context.SendAsync(probe.Subscription, probe.Delivery))));
        var answers = new List<Answer>();
        foreach (var probe in probes) answers.Add(new(probe, await context.SendAsync(probe.Subscription, probe.Delivery)));
        var lastBad = answers.Max(a => a.Attempt.ExchangeSeq);
        await context.QuietAsync();
        // What the agent did about the probes it had to refuse, taken before the valid deliveries below give it a reason to fetch.
        var acted = ActedOn(context, answers);

        // DK-SIG-06: the same subscriptions, now validly signed (not the ambiguous one: it may have been accepted already).
        // Independent subscriptions: sent together, while the ambiguous probes may still wait for a late ACK, so an agent
        // that acknowledges late costs one ACK budget for all of them.
        var stillUp = Task.WhenAll(new[] { tampered, unsigned, wrongSecret, malformed }
            .Select(async s => (s, (await context.DeliverAsync(s, countForAck: false)).Attempt)));
        answers.AddRange(await mayBeAccepted);
        foreach (var group in answers.GroupBy(a => a.Probe.RuleId)) Judge(context, group.Key, [.. group], acted);

        var after = await stillUp;
        const string expectedUp = "2xx for valid deliveries sent after the bad ones";
        var down = after.Where(a => !a.Item2.Is2xx()).ToList();
        var allSeqs = after.Select(a => a.Item2.ExchangeSeq).Prepend(lastBad);
        if (down.Count == 0)
            context.Pass("DK-SIG-06", expectedUp, string.Join("; ", after.Select(a => $"{a.Item1.Id}: {a.Item2.Describe()}")), allSeqs);
        else
            context.Fail("DK-SIG-06", expectedUp, string.Join("; ", down.Select(a => $"{a.Item1.Id}: {a.Item2.Describe()}")),
                "The agent stopped accepting valid deliveries after refusing bad ones (crashed, wedged or blocklisted the subscription).", allSeqs);
    }

    /// <summary>Each must be refused. One subscription for all, so any /config fetch for it means one was acted on.</summary>
    private static IEnumerable<Probe> MalformedProbes(ScenarioContext context, Subscription subscription, string secret)
    {
        var body = context.BuyerConfiguredBody(subscription);
        var good = BodySignature.Sign(secret, body);
        Probe Refused(string label, OutgoingDelivery delivery, string? ifCrashed = null) => new("DK-SIG-05", label, subscription, delivery, Judged.Refused, ifCrashed);

        yield return Refused("truncated signature (63 hex chars)", WithSignature(context, subscription, body, good[..63]));
        yield return Refused("empty signature", WithSignature(context, subscription, body, ""));
        yield return Refused("non-hex signature", WithSignature(context, subscription, body, new string('z', 64)));
        yield return Refused("sha256=-prefixed signature", WithSignature(context, subscription, body, "sha256=" + good));
        // The right length in characters, not in bytes: the engine sends \u00e9 as the one raw byte 0xE9 (Latin-1).
        yield return Refused("64 characters with one raw non-ASCII byte (0xE9)", WithSignature(context, subscription, body, good[..31] + "\u00e9" + good[32..]),
            "The signature check throws on a non-ASCII byte: it compared string lengths, then buffers of different byte lengths " +
            "(Node's crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b)) throws on exactly this). Check the value is 64 hex digits first, or compare byte lengths, and answer 401.");
        // Starts with the right HMAC, so a verifier that compares only a prefix accepts it.
        yield return Refused("8 KiB signature (the correct HMAC repeated)", WithSignature(context, subscription, body, string.Concat(Enumerable.Repeat(good, 8192 / good.Length))));
        yield return Refused("two X-AgentDukaan-Sig lines (neither valid)", WithSignature(context, subscription, body, OtherSecret(secret, body), FlipLastDigit(good)), DuplicateCrash);
    }

    /// <summary>
    /// Never 5xx, but accepting is allowed: a header sent twice with the correct signature on one line proves the sender
    /// holds the secret, whichever line a framework picks (first, last, or both joined and refused).
    /// </summary>
    private static IEnumerable<Probe> AmbiguousProbes(ScenarioContext context, Subscription subscription, string secret)
    {
        var body = context.BuyerConfiguredBody(subscription);
        var good = BodySignature.Sign(secret, body);
        var wrong = OtherSecret(secret, body);
        yield return new("DK-SIG-05", "two X-AgentDukaan-Sig lines (the correct one first)", subscription, WithSignature(context, subscription, body, good, wrong), Judged.NoCrash, DuplicateCrash);
        yield return new("DK-SIG-05", "two X-AgentDukaan-Sig lines (the correct one second)", subscription, WithSignature(context, subscription, body, wrong, good), Judged.NoCrash, DuplicateCrash);
        // The sources say "hex" without a case: accepting and refusing are both readings of the contract.
        yield return new("DK-SIG-05", "uppercase hex of the correct HMAC", subscription, WithSignature(context, subscription, body, good.ToUpperInvariant()), Judged.RecordedOnly);
    }

    private const string DuplicateCrash =
        "The handler throws on a header sent twice (e.g. it reads it as exactly one value with Single()): take the value " +
        "as the framework joins it, or refuse more than one line, with 401.";

    /// <summary>/config fetches for the buyer of each probe that had to be refused, made after the first such probe.</summary>
    private static Dictionary<Subscription, List<Exchange>> ActedOn(ScenarioContext context, IEnumerable<Answer> answers) =>
        answers.Where(a => a.Probe.Judged == Judged.Refused).GroupBy(a => a.Probe.Subscription).ToDictionary(
            g => g.Key,
            g => context.Exchanges(e => e.From(ExchangeKinds.Config, g.Key.Id) && e.Seq > g.Min(a => a.Attempt.ExchangeSeq)).ToList());

    private static void Judge(ScenarioContext context, string ruleId, IReadOnlyList<Answer> answers, Dictionary<Subscription, List<Exchange>> actedOn)
    {
        var problems = answers.Select(a => a.Problem).OfType<string>().ToList();
        var seqs = answers.Select(a => a.Attempt.ExchangeSeq).ToList();
        foreach (var subscription in answers.Where(a => a.Probe.Judged == Judged.Refused).Select(a => a.Probe.Subscription).Distinct())
        {
            if (actedOn.GetValueOrDefault(subscription) is not { Count: > 0 } acted) continue;
            problems.Add($"acted on it: fetched /config for {subscription.Id} ({string.Join("; ", acted.Select(e => e.Describe()))})");
            seqs.AddRange(acted.Select(e => e.Seq));
        }
        var expected = Expected(answers);
        var all = string.Join("; ", answers.Select(a => a.Text));
        if (problems.Count == 0)
        {
            var quiet = answers.All(a => a.Probe.Judged == Judged.Refused)
                ? "no /config fetch followed."
                : $"no /config fetch for {string.Join(", ", answers.Where(a => a.Probe.Judged == Judged.Refused).Select(a => a.Probe.Subscription.Id).Distinct())}, the buyer of the probes that must be refused.";
            context.Pass(ruleId, expected, $"{all}; {quiet}", seqs);
        }
        else
            context.Fail(ruleId, expected, $"{string.Join("; ", problems)}. Every answer: {all}", Diagnose(ruleId, answers), seqs);
    }

    private static string Expected(IReadOnlyList<Answer> answers)
    {
        string Labels(Judged judged) => string.Join(", ", answers.Where(a => a.Probe.Judged == judged).Select(a => a.Probe.Label));
        var parts = new List<string> { $"4xx (401 or 403 preferred) and no /config fetch for: {Labels(Judged.Refused)}" };
        if (Labels(Judged.NoCrash) is { Length: > 0 } noCrash) parts.Add($"2xx or 4xx, never 5xx, for: {noCrash}");
        if (Labels(Judged.RecordedOnly) is { Length: > 0 } recorded) parts.Add($"recorded, not judged: {recorded}");
        return string.Join("; ", parts);
    }

    private static string? Diagnose(string ruleId, IReadOnlyList<Answer> answers)
    {
        var crashed = answers.Where(a => a.Probe.Judged != Judged.RecordedOnly && a.Attempt.Status >= 500).ToList();
        if (crashed.Count > 0)
            return string.Join(" ", crashed.Select(a => a.Probe.IfCrashed ?? "The signature check throws on malformed input; compare lengths first (or catch), and answer 401.").Distinct());
        if (answers.Any(a => a.Probe.Judged == Judged.Refused && a.Attempt.Is2xx()))
            return ruleId switch
            {
                "DK-SIG-03" => "The agent accepts deliveries that carry no signature at all: treat a missing X-AgentDukaan-Sig as a failed check.",
                "DK-SIG-02" => "The agent does not bind the signature to the body it received: HMAC the raw bytes and compare with the header.",
                _ when answers.Any(a => a.Probe.Label.StartsWith("8 KiB", StringComparison.Ordinal) && a.Attempt.Is2xx())
                    => "The agent accepts a signature that only starts with the right HMAC: compare the whole value, which must be exactly 64 hex digits.",
                _ => "The agent accepts signatures it should refuse: compare the full hex HMAC in constant time.",
            };
        return null;
    }

    private static string OtherSecret(string secret, byte[] body) => BodySignature.Sign(secret + "-not-the-listing-secret", body);

    /// <summary>Still 64 hex digits, no longer the HMAC: only a comparison of the whole value notices.</summary>
    private static string FlipLastDigit(string hex) => hex[..^1] + (hex[^1] == '0' ? '1' : '0');

    /// <summary>Changes one byte inside the trailing ts digits: the JSON stays valid, only the signature breaks.</summary>
    private static byte[] Tamper(byte[] body)
    {
        var copy = (byte[])body.Clone();
        var text = Encoding.UTF8.GetString(copy);
        var index = text.LastIndexOf("\"ts\":", StringComparison.Ordinal) + 6;
        copy[index] = (byte)(copy[index] == (byte)'9' ? '1' : copy[index] + 1);
        return copy;
    }

    /// <summary>
    /// A buyer_configured as the platform sends it, except for its signature header: replaced, dropped for null, or
    /// followed by more X-AgentDukaan-Sig lines (each its own line on the wire).
    /// </summary>
    private static OutgoingDelivery WithSignature(ScenarioContext context, Subscription subscription, byte[] body, string? signature, params string[] moreLines)
    {
        var signed = context.Signed(subscription, EventTypes.BuyerConfigured, body);
        var headers = new Dictionary<string, string>(signed.Headers);
        if (signature is null) headers.Remove(Headers.Signature);
        else headers[Headers.Signature] = signature;
        return signed with { Headers = headers, ExtraHeaderLines = [.. moreLines.Select(v => KeyValuePair.Create(Headers.Signature, v))] };
    }
}
