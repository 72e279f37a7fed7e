using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Dukaan.Simulator.Tests;

/// <summary>The delivery engine against scripted receivers: retries, backoff, timeouts, refused connections, odd answers.</summary>
public sealed class DeliveryEngineTests
{
    private const string HookPath = "/hooks/agentdukaan";
    private static readonly TimeSpan AttemptTimeout = DeliveryPolicy.Default.AttemptTimeout;

    private WireMockServer _receiver = null!;
    private InProcessSimulator _sim = null!;
    private CancellationTokenSource _cts = null!;

    private Uri HookUrl => new($"http://127.0.0.1:{_receiver.Port}{HookPath}");

    [SetUp]
    public async Task SetUpAsync()
    {
        _cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _receiver = WireMockServer.Start();
        _sim = await InProcessSimulator.StartAsync();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _sim.DisposeAsync();
        // WireMock's stop waits for responses still sleeping in WithDelay (11 s for the slow receiver); let it finish in
        // the background rather than spend real time on a receiver the test is done with.
        var receiver = _receiver;
        var stopped = Task.Run(() => { receiver.Stop(); receiver.Dispose(); });
        await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(1)));
        _cts.Dispose();
    }

    private void Answer(int status) =>
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(status).WithBody("{}"));

    private Task<DeliveryResult> DeliverAsync(Subscription sub, bool fireTimeouts = false, Uri? url = null) =>
        _sim.Clock.DriveAsync(_sim.Simulator.DeliverAsync(sub, null, _cts.Token, url ?? HookUrl), AttemptTimeout, fireTimeouts, _cts.Token);

    /// <summary>WireMock logs an entry after it has answered; wait for it rather than race it.</summary>
    private async Task<IReadOnlyList<ILogEntry>> ReceivedAsync(int count)
    {
        while (_receiver.LogEntries.Count() < count) await Task.Delay(10, _cts.Token);
        return [.. _receiver.LogEntries.OrderBy(e => e.RequestMessage!.DateTime)];
    }

    private static string Header(ILogEntry entry, string name) =>
        entry.RequestMessage!.Headers!.Single(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value.Single();

    private static double[] Gaps(DeliveryResult result) =>
        [.. result.Attempts.Zip(result.Attempts.Skip(1), (a, b) => (b.StartedAt - a.StartedAt).TotalMilliseconds)];

    [Test]
    public async Task A_2xx_answer_is_one_attempt_and_delivered_with_the_contract_headers()
    {
        Answer(200);
        var sub = _sim.Create();

        var result = await DeliverAsync(sub);

        Assert.That(result.Delivered, Is.True);
        Assert.That(result.Attempts, Has.Count.EqualTo(1));
        Assert.That(result.Attempts[0].Status, Is.EqualTo(200));
        Assert.That(result.Attempts[0].DelayBeforeMs, Is.Zero);
        var received = await ReceivedAsync(1);
        Assert.That(received, Has.Count.EqualTo(1));
        var entry = received[0];
        Assert.That(entry.RequestMessage!.Method, Is.EqualTo("POST"));
        Assert.That(Header(entry, "Content-Type"), Does.StartWith("application/json"));
        Assert.That(Header(entry, Headers.Event), Is.EqualTo(EventTypes.BuyerConfigured));
        var bytes = entry.RequestMessage!.BodyAsBytes;
        Assert.That(bytes, Is.Not.Null.And.Not.Empty);
        Assert.That(Header(entry, Headers.Signature), Is.EqualTo(TestSigning.HexHmac(InProcessSimulator.Secret, bytes!)),
            "the signature is the HMAC of exactly the bytes on the wire");
        Assert.That(sub.Deliveries, Has.Count.EqualTo(1));
        Assert.That(sub.Audit.Last().Action, Is.EqualTo("delivery.delivered"));
    }

    [Test]
    public async Task The_delivered_body_names_sensitive_fields_but_carries_no_sensitive_value()
    {
        Answer(204);
        var sub = _sim.Simulator.CreateSubscription(new CreateSubscriptionRequest(SensitiveFields: ["openai_api_key", "whatsapp_token"]));

        await DeliverAsync(sub);

        var body = Encoding.UTF8.GetString((await ReceivedAsync(1))[0].RequestMessage!.BodyAsBytes!);
        foreach (var secret in sub.SensitiveConfig.Values)
            Assert.That(body, Does.Not.Contain(secret));
        Assert.That(body, Does.Not.Contain("dkcanary"));
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("event").GetString(), Is.EqualTo(EventTypes.BuyerConfigured));
        Assert.That(root.GetProperty("subscriptionId").GetString(), Is.EqualTo(sub.Id));
        Assert.That(root.GetProperty("sensitiveFields").EnumerateArray().Select(f => f.GetString()), Is.EquivalentTo(new[] { "openai_api_key", "whatsapp_token" }));
        Assert.That(root.GetProperty("config").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(sub.NonSensitiveConfig.Keys));
        Assert.That(root.GetProperty("credentialsUrl").GetString(), Does.EndWith(ApiPaths.Config(sub.Id)));
        Assert.That(root.GetProperty("ts").GetInt64(), Is.EqualTo(_sim.NowMs));
    }

    [Test]
    public async Task A_500_then_200_is_two_attempts_with_a_1_s_backoff_and_identical_bytes()
    {
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(500));
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("flaky").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200));
        var sub = _sim.Create();

        var result = await DeliverAsync(sub);

        Assert.That(result.Delivered, Is.True);
        Assert.That(result.Attempts.Select(a => a.Status), Is.EqualTo(new int?[] { 500, 200 }));
        Assert.That(result.Attempts.Select(a => a.DelayBeforeMs), Is.EqualTo(new[] { 0d, 1000d }));
        Assert.That(Gaps(result), Is.EqualTo(new[] { 1000d }), "the engine really waited 1 s on its clock before retrying");
        var received = await ReceivedAsync(2);
        Assert.That(received[1].RequestMessage!.BodyAsBytes, Is.EqualTo(received[0].RequestMessage!.BodyAsBytes), "a retry resends the same bytes");
        Assert.That(Header(received[1], Headers.Signature), Is.EqualTo(Header(received[0], Headers.Signature)));
    }

    [Test]
    public async Task Always_500_is_four_attempts_with_1_2_4_s_backoff_and_not_delivered()
    {
        Answer(500);
        var sub = _sim.Create();

        var result = await DeliverAsync(sub);

        Assert.That(result.Delivered, Is.False);
        Assert.That(result.Attempts.Select(a => a.Number), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(result.Attempts.Select(a => a.Status), Is.All.EqualTo(500));
        Assert.That(result.Attempts.Select(a => a.DelayBeforeMs), Is.EqualTo(new[] { 0d, 1000d, 2000d, 4000d }));
        Assert.That(Gaps(result), Is.EqualTo(new[] { 1000d, 2000d, 4000d }));
        Assert.That(await ReceivedAsync(4), Has.Count.EqualTo(4));
        Assert.That(sub.Audit.Last().Action, Is.EqualTo("delivery.failed"));
        var recorded = _sim.Simulator.Transcript.ForSubscription(sub.Id).Where(e => e.Kind == ExchangeKinds.Delivery).ToList();
        Assert.That(recorded.Select(e => e.Tag(TagKeys.DeliveryAttempt)), Is.EqualTo(new[] { "1", "2", "3", "4" }));
        Assert.That(recorded.Select(e => e.Status), Is.All.EqualTo(500));
        Assert.That(recorded.Select(e => e.Direction), Is.All.EqualTo(Direction.PlatformToAgent));
    }

    [TestCase(503, 4)]
    [TestCase(409, 1)]
    public async Task A_policy_that_retries_only_5xx_retries_a_503_and_takes_a_4xx_as_the_answer(int status, int attempts)
    {
        Answer(status);
        var sub = _sim.Create();
        var policy = DeliveryPolicy.Default with { RetryOn = RetryOn.ServerError };
        var told = new List<DeliveryAttempt>();

        var sending = _sim.Simulator.SendAsync(sub, _sim.Simulator.SignedDelivery(sub, HookUrl), policy, _cts.Token, onAttempt: told.Add);
        var result = await _sim.Clock.DriveAsync(sending, AttemptTimeout, false, _cts.Token);

        Assert.That(result.Attempts.Select(a => a.Status), Is.EqualTo(Enumerable.Repeat<int?>(status, attempts)));
        Assert.That(told, Is.EqualTo(result.Attempts), "each attempt is told as it is answered");
    }

    [Test]
    public async Task A_policy_that_retries_only_5xx_does_not_retry_a_timeout()
    {
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(11)));
        var sub = _sim.Create();
        var policy = DeliveryPolicy.Default with { RetryOn = RetryOn.ServerError };

        var sending = _sim.Simulator.SendAsync(sub, _sim.Simulator.SignedDelivery(sub, HookUrl), policy, _cts.Token);
        var result = await _sim.Clock.DriveAsync(sending, AttemptTimeout, true, _cts.Token);

        Assert.That(result.Attempts, Has.Count.EqualTo(1));
        Assert.That(result.Attempts[0].Error, Does.StartWith("timeout"));
    }

    [Test]
    public async Task A_receiver_slower_than_10_s_times_out_on_every_attempt()
    {
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(11)));
        var sub = _sim.Create();
        var stopwatch = Stopwatch.StartNew();

        var result = await DeliverAsync(sub, fireTimeouts: true);

        Assert.That(result.Delivered, Is.False);
        Assert.That(result.Attempts, Has.Count.EqualTo(4));
        Assert.That(result.Attempts.Select(a => a.Status), Is.All.Null);
        Assert.That(result.Attempts.Select(a => a.Error), Is.All.StartWith("timeout: no response within 10 s"));
        Assert.That(result.Attempts.Select(a => a.DelayBeforeMs), Is.EqualTo(new[] { 0d, 1000d, 2000d, 4000d }));
        Assert.That(Gaps(result), Is.EqualTo(new[] { 11_000d, 12_000d, 14_000d }), "10 s timeout, then the backoff, all on the simulator clock");
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the fake clock, not real time, drove the 44 s of waiting");
    }

    [Test]
    public async Task A_refused_connection_is_four_attempts_with_connection_errors()
    {
        var closedPort = FreePort();
        var sub = _sim.Create();

        var result = await DeliverAsync(sub, url: new Uri($"http://127.0.0.1:{closedPort}{HookPath}"));

        Assert.That(result.Delivered, Is.False);
        Assert.That(result.Attempts, Has.Count.EqualTo(4));
        Assert.That(result.Attempts.Select(a => a.Status), Is.All.Null);
        Assert.That(result.Attempts.Select(a => a.Error), Is.All.StartWith("connection failed"));
        Assert.That(result.Attempts.Select(a => a.DelayBeforeMs), Is.EqualTo(new[] { 0d, 1000d, 2000d, 4000d }));
        Assert.That(Gaps(result), Is.EqualTo(new[] { 1000d, 2000d, 4000d }));
    }

    [Test]
    public async Task A_huge_response_body_is_read_only_up_to_64_KiB()
    {
        _receiver.Given(Request.Create().WithPath(HookPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(new string('x', 8 * 1024 * 1024)));
        var sub = _sim.Create();

        var result = await DeliverAsync(sub).WaitAsync(TimeSpan.FromSeconds(20), _cts.Token);

        Assert.That(result.Delivered, Is.True);
        var recorded = _sim.Simulator.Transcript.ForSubscription(sub.Id).Single(e => e.Kind == ExchangeKinds.Delivery);
        Assert.That(recorded.ResponseBody, Does.EndWith("…[response truncated at 64 KiB]"));
        Assert.That(recorded.ResponseBody.Length, Is.LessThan(65 * 1024));
    }

    [Test]
    public async Task A_response_body_that_never_ends_does_not_hang_the_delivery()
    {
        await using var receiver = new RawReceiver(async (stream, ct) =>
        {
            await RawReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n", ct);
            var chunk = new string('y', 16 * 1024);
            for (var i = 0; i < 5; i++) await RawReceiver.WriteAsync(stream, $"{chunk.Length:x}\r\n{chunk}\r\n", ct);
            await Task.Delay(Timeout.Infinite, ct); // never sends the terminating chunk
        });
        var sub = _sim.Create();

        // No timeouts are fired: if the engine read to the end, this would hang until the real-time guard.
        var result = await DeliverAsync(sub, url: receiver.Url).WaitAsync(TimeSpan.FromSeconds(10), _cts.Token);

        Assert.That(result.Delivered, Is.True);
        Assert.That(result.Attempts[0].Status, Is.EqualTo(200));
        Assert.That(_sim.Simulator.Transcript.ForSubscription(sub.Id).Single(e => e.Kind == ExchangeKinds.Delivery).ResponseBody,
            Does.EndWith("…[response truncated at 64 KiB]"));
    }

    [Test]
    public async Task A_connection_closed_mid_body_still_counts_the_status_line()
    {
        await using var receiver = new RawReceiver((stream, ct) =>
            RawReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little", ct));
        var sub = _sim.Create();

        var result = await DeliverAsync(sub, url: receiver.Url).WaitAsync(TimeSpan.FromSeconds(10), _cts.Token);

        Assert.That(result.Attempts, Has.Count.EqualTo(1));
        Assert.That(result.Attempts[0].Status, Is.EqualTo(200), "the ACK is the status line; a truncated body does not undo it");
        Assert.That(result.Delivered, Is.True);
    }

    [Test]
    public async Task A_body_that_stalls_past_the_timeout_keeps_the_ack_time_of_the_status_line()
    {
        await using var receiver = new RawReceiver(async (stream, ct) =>
        {
            await RawReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok", ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var sub = _sim.Create();

        var result = await _sim.Clock.DriveAsync(_sim.Simulator.DeliverAsync(sub, null, _cts.Token, receiver.Url), AttemptTimeout,
            fireTimeouts: true, _cts.Token, minRealWaitBeforeTimeout: TimeSpan.FromSeconds(1));

        Assert.That(result.Delivered, Is.True);
        Assert.That(result.Attempts, Has.Count.EqualTo(1));
        Assert.That(result.Attempts[0].Error, Is.Null);
        Assert.That(result.Attempts[0].DurationMs, Is.LessThan(1000), "the duration is the time to the status line, not to the timeout");
        Assert.That(_sim.Simulator.Transcript.ForSubscription(sub.Id).Single(e => e.Kind == ExchangeKinds.Delivery).ResponseBody,
            Does.EndWith("[body read stopped at the attempt timeout]"));
    }

    [Test]
    public async Task An_answer_that_is_not_http_is_a_failed_attempt_and_retried()
    {
        await using var receiver = new RawReceiver((stream, ct) => RawReceiver.WriteAsync(stream, "SSH-2.0-OpenSSH_9.2\r\n\r\n", ct));
        var sub = _sim.Create();

        var result = await DeliverAsync(sub, url: receiver.Url);

        Assert.That(result.Delivered, Is.False);
        Assert.That(result.Attempts, Has.Count.EqualTo(4));
        Assert.That(result.Attempts.Select(a => a.Error), Is.All.StartWith("connection failed"));
        Assert.That(receiver.Connections, Is.EqualTo(4));
    }

    [Test]
    public async Task Control_api_deliver_without_retry_makes_one_attempt()
    {
        Answer(503);
        var sub = _sim.Create();

        var response = await _sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/deliver",
            InProcessSimulator.Json(JsonSerializer.Serialize(new { webhookUrl = HookUrl.ToString(), retry = false })), _cts.Token);

        var root = await Wire.JsonAsync(response);
        Assert.That(root.GetProperty("delivered").GetBoolean(), Is.False);
        Assert.That(root.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()), Is.EqualTo(new[] { 503 }));
        Assert.That(await ReceivedAsync(1), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Control_api_deliver_with_retry_goes_to_the_subscriptions_webhook()
    {
        Answer(202);
        var sub = _sim.Create(webhookUrl: HookUrl);

        var response = await _sim.Clock.DriveAsync(_sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/deliver", null, _cts.Token),
            AttemptTimeout, fireTimeouts: false, _cts.Token);

        var root = await Wire.JsonAsync(response);
        Assert.That(root.GetProperty("delivered").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("url").GetString(), Is.EqualTo(HookUrl.ToString()));
        Assert.That(sub.Deliveries, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Rotate_delivers_a_new_buyer_configured_without_the_new_key()
    {
        Answer(200);
        var sub = _sim.Create(webhookUrl: HookUrl);
        var old = sub.CurrentProviderKey;

        var response = await _sim.Clock.DriveAsync(_sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/rotate", null, _cts.Token),
            AttemptTimeout, fireTimeouts: false, _cts.Token);

        var root = await Wire.JsonAsync(response);
        var newKey = root.GetProperty("value").GetString()!;
        Assert.That(newKey, Is.Not.EqualTo(old));
        Assert.That(root.GetProperty("delivery").GetProperty("delivered").GetBoolean(), Is.True);
        var body = Encoding.UTF8.GetString((await ReceivedAsync(1))[0].RequestMessage!.BodyAsBytes!);
        Assert.That(body, Does.Not.Contain(newKey).And.Not.Contain(old!));
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
