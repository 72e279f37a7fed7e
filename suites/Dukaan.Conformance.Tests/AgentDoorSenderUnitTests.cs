using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Profiles.AgentDoorSender;
using Dukaan.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Dukaan.Conformance.Tests;

/// <summary>The sender profile's parts on their own: the scripted receiver on a real socket with a fake clock, the delay bounds, and the judge on made-up attempts.</summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class AgentDoorSenderUnitTests
{
    private const string Secret = "whsec_unit_test_secret";

    private static byte[] Body(string marker, string id = "evt_1_1") =>
        Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","type":"agent.flagged","timestamp":"2026-01-02T03:04:05.678Z","data":{"agent_id":"{{{marker}}}"}}""");

    private static async Task<Stream> PostRawAsync(Uri url, byte[] body)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, url.Port);
        var stream = client.GetStream();
        var head = $"POST {url.AbsolutePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());
        return stream;
    }

    private static async Task<ScriptedReceiver> StartAsync(TimeProvider clock) =>
        await ScriptedReceiver.StartAsync(new Transcript(), clock, Backoff.HangBound, 0, CancellationToken.None);

    // ---- the receiver -------------------------------------------------------------------------------------------

    [Test]
    public async Task A_script_answers_each_attempt_in_turn_and_then_its_default()
    {
        await using var receiver = await StartAsync(TimeProvider.System);
        receiver.Script("ag_a", new AttemptScript([Reply.With(500), Reply.With(429)], Reply.Ok));
        using var http = new HttpClient();
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
            statuses.Add((int)(await http.PostAsync(receiver.Url, new ByteArrayContent(Body("ag_a")))).StatusCode);
        var unknown = await http.PostAsync(receiver.Url, new ByteArrayContent(Body("ag_not_scripted")));
        var elsewhere = await http.PostAsync(new Uri(receiver.Url, "/other"), new ByteArrayContent(Body("ag_a")));
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.EqualTo(new[] { 500, 429, 200, 200 }));
            Assert.That((int)unknown.StatusCode, Is.EqualTo(200), "an event the harness did not script is acknowledged");
            Assert.That((int)elsewhere.StatusCode, Is.EqualTo(404));
            Assert.That(receiver.AttemptsOf("ag_a").Select(a => (a.Index, a.End)), Is.EqualTo(Enumerable.Range(0, 4).Select(i => (i, AttemptEnd.Answered))));
            Assert.That(receiver.Snapshot(), Has.Count.EqualTo(5), "a request to another path is not an attempt");
        });
    }

    [Test]
    public async Task A_reset_is_a_real_tcp_reset_not_an_orderly_close()
    {
        await using var receiver = await StartAsync(TimeProvider.System);
        receiver.Script("ag_r", AttemptScript.OnceThenOk(Reply.Reset));
        await using var stream = await PostRawAsync(receiver.Url, Body("ag_r"));
        var buffer = new byte[512];
        // An orderly close (FIN) would read 0 bytes; an RST fails the read with ECONNRESET.
        var error = Assert.ThrowsAsync<IOException>(async () => { while (await stream.ReadAsync(buffer) > 0) { } });
        Assert.Multiple(() =>
        {
            Assert.That((error!.InnerException as SocketException)?.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset), error.ToString());
            Assert.That(receiver.AttemptsOf("ag_r").Single().End, Is.EqualTo(AttemptEnd.Reset));
        });
    }

    [Test]
    public async Task An_unanswered_attempt_is_closed_by_the_harness_exactly_at_the_hang_bound()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var receiver = await StartAsync(clock);
        receiver.Script("ag_h", AttemptScript.OnceThenOk(Reply.Hang));
        await using var stream = await PostRawAsync(receiver.Url, Body("ag_h"));
        Assert.That(await receiver.WaitAsync(all => all.Count == 1, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(300); // the handler reaches its hang
        clock.Advance(Backoff.HangBound - TimeSpan.FromMilliseconds(1));
        await Task.Delay(200);
        Assert.That(receiver.AttemptsOf("ag_h").Single().End, Is.EqualTo(AttemptEnd.Open), "not closed before the bound");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var ended = await receiver.WaitAsync(all => all.Single().Ended, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var attempt = receiver.AttemptsOf("ag_h").Single();
        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.True);
            Assert.That(attempt.End, Is.EqualTo(AttemptEnd.ClosedByHarness));
            Assert.That(attempt.EndedMs - attempt.ArrivedMs, Is.EqualTo(Backoff.HangBound.TotalMilliseconds));
        });
    }

    [Test]
    public async Task A_sender_that_gives_up_is_seen_as_abandoning_at_that_moment()
    {
        var clock = new FakeTimeProvider();
        await using var receiver = await StartAsync(clock);
        receiver.Script("ag_g", AttemptScript.OnceThenOk(Reply.Hang));
        var stream = await PostRawAsync(receiver.Url, Body("ag_g"));
        Assert.That(await receiver.WaitAsync(all => all.Count == 1, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(300);
        clock.Advance(TimeSpan.FromMilliseconds(9_500));
        await stream.DisposeAsync(); // the sender's timeout fires: it closes the connection
        Assert.That(await receiver.WaitAsync(all => all.Single().Ended, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        var attempt = receiver.AttemptsOf("ag_g").Single();
        Assert.Multiple(() =>
        {
            Assert.That(attempt.End, Is.EqualTo(AttemptEnd.AbandonedBySender));
            Assert.That(attempt.EndedMs - attempt.ArrivedMs, Is.EqualTo(9_500));
        });
    }

    // ---- the delay judgement (AD-S-07, AD-S-08) ------------------------------------------------------------------

    [TestCase(1, 1000), TestCase(2, 2000), TestCase(3, 4000), TestCase(4, 8000), TestCase(5, 10000), TestCase(9, 10000)]
    public void The_nominal_delay_doubles_from_one_second_and_caps_at_ten(int retry, double nominal) =>
        Assert.That(Backoff.Nominal(retry), Is.EqualTo(nominal));

    [TestCase(1, 499, false), TestCase(1, 500, true), TestCase(1, 2000, true), TestCase(1, 2001, false)]
    [TestCase(3, 1999, false), TestCase(3, 6500, true), TestCase(3, 6501, false)]
    [TestCase(4, 11000, true), TestCase(4, 11001, false), TestCase(6, 11000, true), TestCase(6, 4999, false)]
    public void A_delay_is_within_half_and_one_and_a_half_nominal_plus_the_wire_and_never_above_eleven_seconds(int retry, double delayMs, bool within) =>
        Assert.That(Backoff.WithinBounds(retry, delayMs), Is.EqualTo(within));

    [Test]
    public void A_loaded_machine_raises_the_upper_bound_by_the_harness_timers_lateness_but_never_past_eleven_seconds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Backoff.WithinBounds(1, 2300, loadMs: 300), Is.True);
            Assert.That(Backoff.WithinBounds(1, 2301, loadMs: 300), Is.False);
            Assert.That(Backoff.WithinBounds(1, 499, loadMs: 300), Is.False, "lateness never excuses a short delay");
            Assert.That(Backoff.WithinBounds(4, 11001, loadMs: 5000), Is.False);
        });
    }

    [Test]
    public async Task The_load_probe_measures_how_late_timers_fire()
    {
        var clock = new FakeTimeProvider();
        var probe = new LoadProbe(clock);
        using var stop = new CancellationTokenSource();
        var run = probe.RunAsync(stop.Token);
        await Task.Delay(100);
        clock.Advance(TimeSpan.FromMilliseconds(350)); // the 100 ms tick fires 250 ms late
        await Task.Delay(100);
        await stop.CancelAsync();
        await run;
        Assert.That(probe.WorstLatenessMs, Is.EqualTo(250));
    }

    private static RetryGap[] Gaps(params double[] delays) => [.. delays.Select((d, i) => new RetryGap("e", i + 1, d, i))];

    [Test]
    public void Jitter_is_variation_around_nominal_not_timer_lateness()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Backoff.ShowsJitter(Gaps(1004, 2011, 4030)), Is.False, "late by a few ms: no jitter");
            Assert.That(Backoff.ShowsJitter(Gaps(1700, 2300, 4020)), Is.False, "timers late under load: no jitter");
            Assert.That(Backoff.ShowsJitter(Gaps(1150, 1900, 4020)), Is.True, "5 % early: no timer does that");
            Assert.That(Backoff.ShowsJitter([new RetryGap("e", 1, 900, 1, SharpStart: false)]), Is.False, "after an unanswered attempt the start is not known exactly");
            Assert.That(Backoff.ShowsJitter(Gaps(100, 100, 100)), Is.False, "no backoff: nothing near nominal to vary around");
        });
    }

    // ---- the judge on made-up attempts ---------------------------------------------------------------------------

    private static readonly JsonObject Data = new() { ["agent_id"] = "ag_x" };

    private static Attempt Made(int index, double arrived, double ended, AttemptEnd end = AttemptEnd.Answered, int status = 500, string id = "evt_1_1", string? signature = null)
    {
        var body = Body("ag_x", id);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json", ["User-Agent"] = "t", ["X-AgentDoor-Event"] = "agent.flagged", ["X-AgentDoor-Event-Id"] = id,
            ["X-AgentDoor-Timestamp"] = "2026-01-02T03:04:05.678Z", ["X-AgentDoor-Signature"] = signature ?? Dukaan.Contract.PrefixedBodySignature.Sign(Secret, body),
        };
        return new Attempt(index + 1, "ag_x", index, arrived, DateTimeOffset.UnixEpoch.AddMilliseconds(arrived), ScriptedReceiver.WebhookPath, headers, body,
            end == AttemptEnd.Answered ? Reply.With(status) : Reply.Hang, end, ended);
    }

    private static EventTrace Trace(string scenario, double? quiet, params Attempt[] attempts) =>
        new(new EmittedEvent(scenario, scenario, "ag_x", "agent.flagged", Data, AttemptScript.Always(Reply.With(500)), 5), null, attempts, quiet, null);

    private static Finding Judge(string rule, params EventTrace[] traces)
    {
        var findings = new FindingSink();
        new SenderJudge(traces, Secret, findings, new HashSet<string>([rule])).All();
        return findings.For(rule).OrderBy(f => f.Outcome == FindingOutcome.Violated ? 0 : 1).First();
    }

    [Test]
    public void Three_attempts_in_all_fail_the_retry_limit_naming_the_off_by_one()
    {
        var finding = Judge("AD-S-06", Trace(SenderScenarios.RetryLimit, 11_000, Made(0, 0, 5), Made(1, 1005, 1010), Made(2, 3010, 3015)));
        Assert.Multiple(() =>
        {
            Assert.That(finding.Outcome, Is.EqualTo(FindingOutcome.Violated));
            Assert.That(finding.Diagnosis, Does.Contain("Off by one").And.Contain("decision 13"));
            Assert.That(finding.Observed, Does.Contain("2.00 s later (nominal 2 s)"));
        });
    }

    [Test]
    public void Four_attempts_then_quiet_pass_and_a_fifth_fails_the_retry_limit()
    {
        Attempt[] four = [Made(0, 0, 5), Made(1, 1005, 1010), Made(2, 3010, 3015), Made(3, 7015, 7020)];
        Assert.Multiple(() =>
        {
            Assert.That(Judge("AD-S-06", Trace(SenderScenarios.RetryLimit, 11_000, four)).Outcome, Is.EqualTo(FindingOutcome.Satisfied));
            Assert.That(Judge("AD-S-06", Trace(SenderScenarios.RetryLimit, 5_000, four)).Outcome, Is.EqualTo(FindingOutcome.NotExercised), "not watched long enough");
            Assert.That(Judge("AD-S-06", Trace(SenderScenarios.RetryLimit, null, [.. four, Made(4, 15020, 15025)])).Outcome, Is.EqualTo(FindingOutcome.Violated));
        });
    }

    [Test]
    public void The_timeout_rule_wants_the_sender_to_give_up_by_eleven_seconds_not_before_five_and_retry()
    {
        EventTrace Timed(double held, AttemptEnd end, bool retried) =>
            Trace(SenderScenarios.Timeout, retried ? null : 11_000, [Made(0, 0, held, end), .. retried ? new[] { Made(1, held + 1000, held + 1005, status: 200) } : []]);
        Assert.Multiple(() =>
        {
            Assert.That(Judge("AD-S-10", Timed(10_000, AttemptEnd.AbandonedBySender, true)).Outcome, Is.EqualTo(FindingOutcome.Satisfied));
            Assert.That(Judge("AD-S-10", Timed(11_000, AttemptEnd.ClosedByHarness, true)).Outcome, Is.EqualTo(FindingOutcome.Violated));
            Assert.That(Judge("AD-S-10", Timed(3_000, AttemptEnd.AbandonedBySender, true)).Outcome, Is.EqualTo(FindingOutcome.Violated));
            Assert.That(Judge("AD-S-10", Timed(10_000, AttemptEnd.AbandonedBySender, false)).Observed, Does.Contain("never retried"));
        });
    }

    [Test]
    public void A_retry_after_a_client_error_fails_and_quiet_passes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Judge("AD-S-05", Trace(SenderScenarios.NoRetryAfter4xx, 11_000, Made(0, 0, 5, status: 400))).Outcome, Is.EqualTo(FindingOutcome.Satisfied));
            Assert.That(Judge("AD-S-05", Trace(SenderScenarios.NoRetryAfter4xx, null, Made(0, 0, 5, status: 400), Made(1, 1000, 1005, status: 200))).Outcome,
                Is.EqualTo(FindingOutcome.Violated));
        });
    }

    [Test]
    public void Signatures_are_checked_over_the_exact_bytes_and_the_diagnosis_says_what_went_wrong()
    {
        var bare = Dukaan.Contract.PrefixedBodySignature.Sign(Secret, Body("ag_x"))["sha256=".Length..];
        var pretty = Made(0, 0, 5, status: 200);
        var indented = Encoding.UTF8.GetBytes(JsonNode.Parse(pretty.Body)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var reserialized = pretty with { Body = indented };
        Assert.Multiple(() =>
        {
            Assert.That(SenderJudge.SignatureProblems(Made(0, 0, 5), Secret), Is.Empty);
            Assert.That(SenderJudge.SignatureProblems(Made(0, 0, 5, signature: bare), Secret).Single(), Does.StartWith("no sha256= prefix: the header is the bare hex"));
            Assert.That(SenderJudge.SignatureProblems(reserialized, Secret).Single(), Does.Contain("re-serialized"));
            Assert.That(SenderJudge.SignatureProblems(Made(0, 0, 5, signature: Dukaan.Contract.PrefixedBodySignature.Sign("other", Body("ag_x"))), Secret).Single(),
                Is.EqualTo("the signature is not the HMAC of the bytes sent"));
        });
    }

    [Test]
    public void A_retry_with_a_new_id_is_not_the_same_event()
    {
        var finding = Judge("AD-S-09", Trace(SenderScenarios.RetryAfter500, null, Made(0, 0, 5), Made(1, 1000, 1005, status: 200, id: "evt_1_2")));
        Assert.Multiple(() =>
        {
            Assert.That(finding.Outcome, Is.EqualTo(FindingOutcome.Violated));
            Assert.That(finding.Observed, Does.Contain("event id evt_1_2 instead of evt_1_1").And.Contain("other payload bytes").And.Contain("another signature"));
        });
    }

    [TestCase("2026-01-02T03:04:05Z", true), TestCase("2026-01-02T03:04:05.678Z", true), TestCase("2026-01-02T03:04:05+05:30", true)]
    [TestCase("2026-01-02 03:04:05", false), TestCase("1767323045", false), TestCase("Fri, 02 Jan 2026 03:04:05 GMT", false)]
    public void Timestamps_must_be_iso_8601(string text, bool iso) => Assert.That(SenderJudge.IsIso8601(text), Is.EqualTo(iso));
}
