using Dukaan.Contract;

namespace Dukaan.Contract.Tests;

public sealed class TimestampWindowTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_718_600_000_000);
    private static readonly TimestampWindow Window = TimestampWindow.Default;

    [TestCase("1718600000000", TimestampVerdict.Ok)]
    [TestCase("1718599700000", TimestampVerdict.Ok)] // exactly 300 000 ms old
    [TestCase("1718600300000", TimestampVerdict.Ok)] // exactly 300 000 ms ahead
    [TestCase("1718599699999", TimestampVerdict.TooOld)]
    [TestCase("1718600300001", TimestampVerdict.TooFarInFuture)]
    [TestCase("1718600000", TimestampVerdict.LooksLikeSeconds)]
    [TestCase("", TimestampVerdict.Missing)]
    [TestCase(null, TimestampVerdict.Missing)]
    [TestCase("abc", TimestampVerdict.NotANumber)]
    [TestCase("1.7e12", TimestampVerdict.NotANumber)]
    [TestCase("-5", TimestampVerdict.NotANumber)]
    [TestCase("99999999999999999999999", TimestampVerdict.NotANumber)]
    public void Classifies_timestamps(string? header, TimestampVerdict expected) =>
        Assert.That(Window.Check(header, Now, out _), Is.EqualTo(expected));
}
