using System.Security.Cryptography;
using System.Text;

namespace Dukaan.Contract;

/// <summary>The primitives every AgentDukaan scheme is built from: lowercase-hex HMAC-SHA256 and SHA-256.</summary>
public static class Hmac
{
    public static string HexSha256(string secret, ReadOnlySpan<byte> data) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));

    public static string HexSha256(string secret, string payload) =>
        HexSha256(secret, Encoding.UTF8.GetBytes(payload));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// Compares a presented hex signature with the expected one in time independent of where they differ,
    /// so a receiver cannot be probed byte by byte. Hex case is ignored because the sources only say "hex".
    /// </summary>
    public static bool FixedTimeEqualsHex(string expectedHex, string? presented)
    {
        if (presented is null) return false;
        var expected = Encoding.ASCII.GetBytes(expectedHex.ToLowerInvariant());
        var actual = Encoding.ASCII.GetBytes(presented.ToLowerInvariant());
        // FixedTimeEquals returns early on a length mismatch; that leaks only the length, which is public (64).
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
