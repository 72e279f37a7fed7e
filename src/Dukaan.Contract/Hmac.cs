using System.Buffers;
using System.Runtime.InteropServices;
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
        // FixedTimeEquals returns early on a length mismatch too; that leaks only the length, which is public (64).
        if (presented.Length != expectedHex.Length) return false;
        // Lower-cased copies on the stack: verification runs on every signed call, and a signature is 64 chars.
        const int StackChars = 128;
        var length = expectedHex.Length;
        char[]? rented = null;
        var buffer = length <= StackChars / 2 ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(length * 2));
        try
        {
            var expected = buffer[..length];
            var actual = buffer.Slice(length, length);
            expectedHex.AsSpan().ToLowerInvariant(expected);
            presented.AsSpan().ToLowerInvariant(actual);
            return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(actual));
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }
}
