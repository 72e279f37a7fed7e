using System.Diagnostics;
using Dukaan.Simulator.Faults;

namespace Dukaan.Simulator.Tests;

/// <summary>The platform profile's compressed clock: timers N× sooner, wall time real.</summary>
public sealed class CompressedClockTests
{
    [Test]
    public async Task A_delay_fires_factor_times_sooner()
    {
        var clock = new CompressedClock(10);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2), clock);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)).And.LessThan(TimeSpan.FromMilliseconds(1500)));
    }

    [Test]
    public async Task A_cancellation_timeout_and_CancelAfter_are_scaled_too()
    {
        var clock = new CompressedClock(20);
        var watch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4), clock);
        await Task.Delay(Timeout.InfiniteTimeSpan, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)).And.LessThan(TimeSpan.FromMilliseconds(1500)));

        watch.Restart();
        using var later = new CancellationTokenSource(Timeout.InfiniteTimeSpan, clock);
        later.CancelAfter(TimeSpan.FromSeconds(4));
        await Task.Delay(Timeout.InfiniteTimeSpan, later.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)).And.LessThan(TimeSpan.FromMilliseconds(1500)));
    }

    [Test]
    public void The_wall_clock_stays_real_so_the_timestamp_window_is_unaffected()
    {
        var clock = new CompressedClock(10);
        Assert.That(clock.GetUtcNow(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMilliseconds(200)));
        var start = clock.GetTimestamp();
        Thread.Sleep(50);
        Assert.That(clock.GetElapsedTime(start), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45)).And.LessThan(TimeSpan.FromMilliseconds(400)));
    }

    [Test]
    public void Scale_and_unscale_convert_between_platform_and_real_time()
    {
        var clock = new CompressedClock(5);
        Assert.Multiple(() =>
        {
            Assert.That(clock.Scale(TimeSpan.FromSeconds(10)), Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(clock.Unscale(TimeSpan.FromSeconds(2)), Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(clock.Scale(Timeout.InfiniteTimeSpan), Is.EqualTo(Timeout.InfiniteTimeSpan));
            Assert.That(clock.Scale(TimeSpan.Zero), Is.EqualTo(TimeSpan.Zero));
        });
    }

    [TestCase(0.5)]
    [TestCase(0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void A_factor_below_one_or_not_finite_is_refused(double factor) =>
        Assert.That(() => new CompressedClock(factor), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("finite number ≥ 1"));

    [Test]
    public async Task The_delivery_engine_times_out_on_the_compressed_clock()
    {
        // A 10 s attempt timeout on a 20× clock gives up after about half a second of real time.
        var clock = new CompressedClock(20);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var http = DeliveryEngine.CreateHttpClient();
        var engine = new DeliveryEngine(http, clock, new Transcript());
        var delivery = OutgoingDelivery.Signed("sub_1", "buyer_configured", new Uri($"http://127.0.0.1:{port}/hooks"), "{}"u8.ToArray(), "whsec_test");
        var watch = Stopwatch.StartNew();
        var result = await engine.SendAsync(delivery, DeliveryPolicy.SingleAttempt, CancellationToken.None);
        Assert.That(result.Attempts.Single().Error, Does.StartWith("timeout"));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450)).And.LessThan(TimeSpan.FromSeconds(4)));
    }
}
