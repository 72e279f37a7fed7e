using System.Net;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

public sealed class RunAndHeartbeatTests
{
    [Test]
    public async Task Run_is_allowed_with_a_decreasing_remaining_count_until_the_limit()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 3);

        var remaining = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var data = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id));
            Assert.That(data.GetProperty("allowed").GetBoolean(), Is.True);
            remaining.Add(data.GetProperty("remaining").GetInt32());
        }
        Assert.That(remaining, Is.EqualTo(new[] { 2, 1, 0 }));

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id),
            HttpStatusCode.TooManyRequests, ErrorCodes.RunLimitExceeded);
        Assert.That(sub.RunsUsed, Is.EqualTo(3), "a refused run is not counted");
    }

    [Test]
    public async Task Run_limit_of_zero_refuses_the_first_run()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 0);

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id),
            HttpStatusCode.TooManyRequests, ErrorCodes.RunLimitExceeded);
        Assert.That(sub.FirstRunAt, Is.Null);
    }

    [Test]
    public async Task Run_stamps_first_and_last_run_times_from_the_simulator_clock()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 10);
        Assert.That(sub.FirstRunAt, Is.Null);

        var first = sim.Clock.GetUtcNow();
        await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id));
        sim.Clock.Advance(TimeSpan.FromSeconds(90));
        var second = sim.Clock.GetUtcNow();
        await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id));

        Assert.That(sub.FirstRunAt, Is.EqualTo(first));
        Assert.That(sub.LastRunAt, Is.EqualTo(second));

        // The control API shows the same stamps.
        var view = await Wire.JsonAsync(await sim.Client.GetAsync($"/_sim/subscriptions/{sub.Id}"));
        Assert.That(view.GetProperty("firstRunAt").GetDateTimeOffset(), Is.EqualTo(first));
        Assert.That(view.GetProperty("lastRunAt").GetDateTimeOffset(), Is.EqualTo(second));
        Assert.That(view.GetProperty("runsUsed").GetInt32(), Is.EqualTo(2));
        Assert.That(view.GetProperty("remaining").GetInt32(), Is.EqualTo(8));
    }

    [TestCase(SubscriptionStatus.Cancelled)]
    [TestCase(SubscriptionStatus.Paused)]
    [TestCase(SubscriptionStatus.PastDue)]
    public async Task Run_on_an_inactive_subscription_is_403_and_consumes_nothing(SubscriptionStatus status)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 5);
        sim.Simulator.SetStatus(sub, status);

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id),
            HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
        Assert.That(sub.RunsUsed, Is.Zero);
        Assert.That(sub.FirstRunAt, Is.Null);
    }

    [Test]
    public async Task Run_with_a_bad_signature_is_401_and_consumes_nothing()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 5);

        await Wire.ErrorAsync(await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id, secret: "nope")),
            HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(sub.RunsUsed, Is.Zero);
    }

    [Test]
    public async Task Run_signed_for_another_subscription_is_401()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var mine = sim.Create(runLimit: 5);
        var other = sim.Create(runLimit: 5);
        var ts = sim.NowMs;
        var request = new HttpRequestMessage(HttpMethod.Post, ApiPaths.Run(mine.Id));
        request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, TestSigning.HexHmac(InProcessSimulator.Secret, $"{other.Id}.{ts}"));

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        Assert.That(mine.RunsUsed + other.RunsUsed, Is.Zero);
    }

    [Test]
    public async Task Run_with_a_stale_timestamp_is_401()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 5);

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id, sim.NowMs - 600_000),
            HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
        Assert.That(sub.RunsUsed, Is.Zero);
    }

    [Test]
    public async Task Run_on_an_unknown_subscription_is_404()
    {
        await using var sim = await InProcessSimulator.StartAsync();

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run("sub_ghost"), "sub_ghost"),
            HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }

    [Test]
    public async Task Run_limit_raised_and_period_reset_through_the_control_api_allows_runs_again()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 1);
        await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id));
        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id), HttpStatusCode.TooManyRequests, ErrorCodes.RunLimitExceeded);

        var view = await Wire.JsonAsync(await sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/limit",
            InProcessSimulator.Json("""{ "runLimitPerMonth": 2, "resetPeriod": true }""")));
        Assert.That(view.GetProperty("runsUsed").GetInt32(), Is.Zero);

        var data = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id));
        Assert.That(data.GetProperty("remaining").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Heartbeat_is_recorded_and_consumes_no_run()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        // Limit 0: if a heartbeat went through the run counter it would be refused with 429.
        var sub = sim.Create(runLimit: 0);

        for (var i = 0; i < 2; i++)
        {
            var data = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat(sub.Id), sub.Id));
            Assert.That(data.GetProperty("recorded").GetBoolean(), Is.True);
        }

        Assert.That(sub.Heartbeats, Is.EqualTo(2));
        Assert.That(sub.RunsUsed, Is.Zero);
        Assert.That(sub.LastRunAt, Is.Null);
    }

    [TestCase(SubscriptionStatus.Cancelled)]
    [TestCase(SubscriptionStatus.Paused)]
    [TestCase(SubscriptionStatus.PastDue)]
    public async Task Heartbeat_on_an_inactive_subscription_is_403(SubscriptionStatus status)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        sim.Simulator.SetStatus(sub, status);

        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat(sub.Id), sub.Id),
            HttpStatusCode.Forbidden, ErrorCodes.SubscriptionNotActive);
        Assert.That(sub.Heartbeats, Is.Zero);
    }

    [Test]
    public async Task Heartbeat_with_a_bad_signature_is_401_and_unknown_subscription_404()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await sim.Client.SendAsync(sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Heartbeat(sub.Id), sub.Id, secret: "x")),
            HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature);
        await Wire.ErrorAsync(await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat("sub_ghost"), "sub_ghost"),
            HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
        Assert.That(sub.Heartbeats, Is.Zero);
    }
}
