using System.Text;

namespace Dukaan.Contract;

/// <summary><c>X-AgentDukaan-Sig</c> on a delivery: HMAC over the exact bytes sent, never over re-serialized JSON.</summary>
public static class BodySignature
{
    public static string Sign(string secret, ReadOnlySpan<byte> rawBody) => Hmac.HexSha256(secret, rawBody);

    public static bool Verify(string secret, ReadOnlySpan<byte> rawBody, string? presented) =>
        Hmac.FixedTimeEqualsHex(Sign(secret, rawBody), presented);
}

/// <summary>
/// <c>sha256=&lt;hex&gt;</c> over the exact bytes: how Wakeel (<c>X-Wakeel-Signature</c>, seed 001) and AgentDoor
/// (<c>X-AgentDoor-Signature</c>, seed 003) sign a webhook body — the same HMAC as <see cref="BodySignature"/> with a
/// scheme prefix, so one receiver library can tell the algorithm.
/// </summary>
public static class PrefixedBodySignature
{
    public const string Prefix = "sha256=";

    public static string Sign(string secret, ReadOnlySpan<byte> rawBody) => Prefix + Hmac.HexSha256(secret, rawBody);
}

/// <summary>
/// The reusable short-lived token of /config, /run, /heartbeat and chat state GET: HMAC of <c>${subscriptionId}.${ts}</c>.
/// </summary>
public static class RunToken
{
    public static string Payload(string subscriptionId, long ts) => $"{subscriptionId}.{ts}";

    public static string Sign(string secret, string subscriptionId, long ts) => Hmac.HexSha256(secret, Payload(subscriptionId, ts));

    public static bool Verify(string secret, string subscriptionId, long ts, string? presented) =>
        Hmac.FixedTimeEqualsHex(Sign(secret, subscriptionId, ts), presented);
}

/// <summary>
/// request-config binds the field ids and the message so a captured run token cannot prompt the buyer:
/// <c>config_request.${id}.${ts}.${sortedFields}.${message ?? ''}</c>.
/// </summary>
public static class ConfigRequestSignature
{
    public const string Domain = "config_request";

    /// <summary>
    /// Ordinal (UTF-16 code unit) order, as JavaScript's default sort gives; culture-aware order would put "a" before "B"
    /// and disagree with every Node agent (docs/rules.md decision 5).
    /// </summary>
    public static string SortedFields(IEnumerable<string> fields)
    {
        var sorted = fields.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return string.Join(',', sorted);
    }

    public static string Payload(string subscriptionId, long ts, IEnumerable<string> fields, string? message) =>
        $"{Domain}.{subscriptionId}.{ts}.{SortedFields(fields)}.{message ?? ""}";

    public static string Sign(string secret, string subscriptionId, long ts, IEnumerable<string> fields, string? message) =>
        Hmac.HexSha256(secret, Payload(subscriptionId, ts, fields, message));

    public static bool Verify(string secret, string subscriptionId, long ts, IEnumerable<string> fields, string? message, string? presented) =>
        Hmac.FixedTimeEqualsHex(Sign(secret, subscriptionId, ts, fields, message), presented);
}

/// <summary>
/// The body-bound chat domains: <c>{domain}.${id}.${ts}.${sha256hex(raw)}</c>. <see cref="ChatReply"/> is an assumption
/// (docs/rules.md decision 6): the sources say only that the reply scheme is "unchanged".
/// </summary>
public sealed record BodyBoundDomain(string Name)
{
    public static readonly BodyBoundDomain ChatPush = new("chat_push");
    public static readonly BodyBoundDomain ChatState = new("chat_state");
    public static readonly BodyBoundDomain ChatReply = new("chat_reply");

    public string Payload(string subscriptionId, long ts, ReadOnlySpan<byte> rawBody) =>
        $"{Name}.{subscriptionId}.{ts}.{Hmac.Sha256Hex(rawBody)}";

    public string Sign(string secret, string subscriptionId, long ts, ReadOnlySpan<byte> rawBody) =>
        Hmac.HexSha256(secret, Payload(subscriptionId, ts, rawBody));

    public bool Verify(string secret, string subscriptionId, long ts, ReadOnlySpan<byte> rawBody, string? presented) =>
        Hmac.FixedTimeEqualsHex(Sign(secret, subscriptionId, ts, rawBody), presented);

    public string Sign(string secret, string subscriptionId, long ts, string rawBody) =>
        Sign(secret, subscriptionId, ts, Encoding.UTF8.GetBytes(rawBody));
}
