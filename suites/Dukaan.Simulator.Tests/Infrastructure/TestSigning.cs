using System.Security.Cryptography;
using System.Text;

namespace Dukaan.Simulator.Tests.Infrastructure;

/// <summary>
/// Signs with HMACSHA256 directly, not with Dukaan.Contract, so a mistake shared by the contract code and the simulator
/// cannot make both sides agree.
/// </summary>
public static class TestSigning
{
    public static string HexHmac(string secret, string payload) => HexHmac(secret, Encoding.UTF8.GetBytes(payload));

    public static string HexHmac(string secret, byte[] data)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexStringLower(hmac.ComputeHash(data));
    }

    public static string ConfigRequest(string secret, string id, long ts, string sortedFields, string message) =>
        HexHmac(secret, $"config_request.{id}.{ts}.{sortedFields}.{message}");
}
