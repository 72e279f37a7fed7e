using Dukaan.Conformance.Tests.Support;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// Decision 30 through the real CLI: a delivery answered 5xx because the /config fetch it needed failed is the retry request
/// of 002 §1. The harness, playing the platform, sends the same bytes again; the 5xx is not an ACK failure, the answers
/// after it are judged like any other, and DK-CFG-04 cites the whole recovery.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class RedeliveryTests
{
    private static async Task<(CertifyRun Run, List<Exchange> Exchanges, Exchange Failed, List<Exchange> Attempts)> CertifyConfigFailureAsync(string breakName)
    {
        var run = await CertifyRun.StartAsync(
            FixtureAgents.CertifyArgs("csharp", breakName, "--rules", "DK-CFG-04,DK-ACK-01", "--startup-timeout", "10", "--observation-window", "5"),
            TimeSpan.FromMinutes(2));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        var exchanges = TranscriptLog.Read(Path.Combine(run.OutDir, "transcript.jsonl")).ToList();
        var failed = exchanges.Single(e => e.Kind == ExchangeKinds.Config && e.Tag(TagKeys.ErrorCode) == ErrorCodes.ConfigUnavailable);
        var attempts = exchanges.Where(e => e.Kind == ExchangeKinds.Delivery && e.SubscriptionId == failed.SubscriptionId).OrderBy(e => e.Seq).ToList();
        return (run, exchanges, failed, attempts);
    }

    private static IReadOnlyList<long> Cited(CertifyRun run, string ruleId) =>
        [.. run.Results!.Rules.Single(r => r.Id == ruleId).Evidence.Transcript.Select(t => t.Seq)];

    [Test]
    public async Task A_503_after_the_failed_fetch_is_redelivered_byte_for_byte_and_the_recovery_is_cited()
    {
        var (run, exchanges, failed, attempts) = await CertifyConfigFailureAsync("fetch-before-ack");
        Assert.That(attempts.Select(a => a.Status), Is.EqualTo(new int?[] { 503, 200 }), run.Describe());
        var (first, redelivery) = (attempts[0], attempts[1]);
        var recovered = exchanges.Single(e => e.Kind == ExchangeKinds.Config && e.SubscriptionId == failed.SubscriptionId && e.Status == 200);
        Assert.Multiple(() =>
        {
            Assert.That(attempts.Select(a => a.Tag(TagKeys.DeliveryAttempt)), Is.EqualTo(new[] { "1", "2" }));
            Assert.That(System.Text.Encoding.UTF8.GetBytes(redelivery.RequestBody), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(first.RequestBody)), "the same bytes");
            Assert.That(redelivery.RequestHeaders[Headers.Signature], Is.EqualTo(first.RequestHeaders[Headers.Signature]), "the same signature");
            // The failed fetch was made while the first attempt waited; the good one while the redelivery did.
            Assert.That(failed.Seq, Is.GreaterThan(first.Seq).And.LessThan(redelivery.Seq));
            Assert.That(recovered.Seq, Is.GreaterThan(redelivery.Seq));

            Assert.That(run.VerdictOf("DK-CFG-04"), Is.EqualTo(Verdict.Pass), run.Describe());
            Assert.That(Cited(run, "DK-CFG-04"), Is.SupersetOf(new[] { failed.Seq, first.Seq, redelivery.Seq, recovered.Seq }), run.Describe());
            Assert.That(run.Results!.Rules.Single(r => r.Id == "DK-CFG-04").Evidence.Observed, Does.Contain("redelivery").And.Contain("decision 30"), run.Describe());

            Assert.That(run.VerdictOf("DK-ACK-01"), Is.EqualTo(Verdict.Pass), run.Describe());
            Assert.That(run.Results.Rules.Single(r => r.Id == "DK-ACK-01").Evidence.Observed, Does.Contain("Not counted: 1").And.Contain($"#{failed.Seq}"), run.Describe());
            Assert.That(Cited(run, "DK-ACK-01"), Is.SupersetOf(new[] { first.Seq, failed.Seq }), run.Describe());
        });
    }

    [Test]
    public async Task A_redelivery_answered_503_when_the_config_could_be_fetched_is_an_ack_failure()
    {
        var (run, _, _, attempts) = await CertifyConfigFailureAsync("503-every-delivery");
        Assert.Multiple(() =>
        {
            // 1 attempt + 3 retries, all the same bytes, all 503: the platform's schedule runs out.
            Assert.That(attempts.Select(a => a.Status), Is.EqualTo(Enumerable.Repeat<int?>(503, 4)), run.Describe());
            Assert.That(attempts.Select(a => a.RequestBody).Distinct().Count(), Is.EqualTo(1));
            Assert.That(run.VerdictOf("DK-ACK-01"), Is.EqualTo(Verdict.Fail), run.Describe());
            // Only the retries are certain to count: the first 503 may race the agent's background fetch, and is excused if it lost.
            Assert.That(Cited(run, "DK-ACK-01"), Is.SupersetOf(attempts.Skip(1).Select(a => a.Seq)), run.Describe());
        });
    }
}
