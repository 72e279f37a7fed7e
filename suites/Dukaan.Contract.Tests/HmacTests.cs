using System.Text;
using Dukaan.Contract;

namespace Dukaan.Contract.Tests;

/// <summary>The comparison every Verify ends in: hex case is ignored, anything else that differs is a mismatch.</summary>
public sealed class HmacTests
{
    private const string Good = "f08b2403d2a56d8ecb74ad9f4b11af1f5b03d63af9aaebbb59b72de7df5c0c81";

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(Good, Good, true).SetName("identical");
        yield return new TestCaseData(Good, Good.ToUpperInvariant(), true).SetName("presented in upper case");
        yield return new TestCaseData(Good.ToUpperInvariant(), Good, true).SetName("expected in upper case");
        yield return new TestCaseData(Good, string.Concat(Good.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c)), true).SetName("mixed case");
        yield return new TestCaseData(Good, null, false).SetName("null");
        yield return new TestCaseData(Good, "", false).SetName("empty");
        yield return new TestCaseData(Good, Good[..63], false).SetName("one char short");
        yield return new TestCaseData(Good, Good + "0", false).SetName("one char long");
        yield return new TestCaseData(Good, "0" + Good[1..], false).SetName("first char differs");
        yield return new TestCaseData(Good, Good[..63] + "0", false).SetName("last char differs");
        yield return new TestCaseData(Good, " " + Good[1..], false).SetName("space in place of a digit");
        yield return new TestCaseData(Good, "é" + Good[1..], false).SetName("non-ASCII in place of a digit");
        yield return new TestCaseData(Good, "\U0001F600" + Good[2..], false).SetName("surrogate pair in place of two digits");
        yield return new TestCaseData(Good, "\U0001F600" + Good[1..], false).SetName("surrogate pair added");
        yield return new TestCaseData(Good, "\u212A" + Good[1..], false).SetName("Kelvin sign lower-cases to k, not hex");
        yield return new TestCaseData("", "", true).SetName("both empty");
        var longHex = string.Concat(Enumerable.Repeat(Good, 20));
        yield return new TestCaseData(longHex, longHex.ToUpperInvariant(), true).SetName("long values equal");
        yield return new TestCaseData(longHex, longHex[..^1] + "0", false).SetName("long values differ at the end");
    }

    [TestCaseSource(nameof(Cases))]
    public void FixedTimeEqualsHex_ignores_hex_case_only(string expected, string? presented, bool equal) =>
        Assert.That(Hmac.FixedTimeEqualsHex(expected, presented), Is.EqualTo(equal));

    [Test]
    public void HexSha256_is_lowercase_hex_of_the_hmac()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"buyer_configured\",\"subscriptionId\":\"sub_123\"}");
        Assert.That(Hmac.HexSha256("whsec_test", body), Is.EqualTo(Good));
    }
}
