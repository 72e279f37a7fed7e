using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dukaan.Simulator;

/// <summary>
/// Independent random streams derived from a run's seed, one per (scope, n): a scenario's n-th buyer draws from its own
/// stream, so it is the same buyer whatever other scenarios run beside it or before it, and in whatever order their
/// draws interleave. One shared sequence made the buyers of a scenario depend on which rules were selected.
/// </summary>
public static class SeedStream
{
    /// <summary>The seed of the stream for the <paramref name="n"/>-th draw of <paramref name="scope"/> under <paramref name="seed"/>.</summary>
    public static int Derive(int seed, string scope, int n)
    {
        // A hash, not arithmetic on the seed: neighbouring seeds, scopes and counts must give unrelated streams.
        var key = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}\n{scope}\n{n}"));
        return BitConverter.ToInt32(SHA256.HashData(key), 0);
    }

    /// <summary>A generator for that stream.</summary>
    public static Random Random(int seed, string scope, int n) => new(Derive(seed, scope, n));

    /// <summary><paramref name="bytes"/> random bytes of that stream, as lowercase hex.</summary>
    public static string Hex(int seed, string scope, int n, int bytes)
    {
        var buffer = new byte[bytes];
        Random(seed, scope, n).NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }
}
