using System.Text;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Faults;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Simulator.Chat;

/// <summary>
/// The body-bound chat signatures (reply, push, state PUT): checks the headers and, on a mismatch, names the known
/// mistake — the run token, another chat domain, a body re-serialized after signing — instead of a bare 401.
/// </summary>
public static class ChatAuth
{
    private static readonly BodyBoundDomain[] Domains = [BodyBoundDomain.ChatReply, BodyBoundDomain.ChatPush, BodyBoundDomain.ChatState];

    /// <param name="alsoAccepted">Other domains accepted too: only the <c>push-any-domain</c> break passes any.</param>
    public static IResult? Check(HttpContext http, PlatformSimulator simulator, string id, ExchangeContext exchange, BodyBoundDomain domain,
        IReadOnlyList<BodyBoundDomain>? alsoAccepted = null)
    {
        var signature = http.Request.Headers[Headers.Signature].ToString();
        if (string.IsNullOrEmpty(signature))
            return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.MissingSignature,
                $"Missing {Headers.Signature}: send hex HMAC-SHA256 of `{domain.Name}.${{subscriptionId}}.${{ts}}.${{sha256hex(raw body)}}`.");
        if (RequestAuth.CheckTimestamp(http, simulator, exchange, out var ts, SimulatorBreaks.ChatNoTsWindow) is { } stale) return stale;
        var secret = simulator.Options.Secret;
        // chat-hash-reserialized: the bug of a handler that hashes the body it parsed and serialized again, not the bytes received.
        var hashed = simulator.Options.Has(SimulatorBreaks.ChatHashReserialized) ? Compact(exchange.RawBody) ?? exchange.RawBody : exchange.RawBody;
        if (domain.Verify(secret, id, ts, hashed, signature)) return null;
        if (alsoAccepted?.Any(d => d.Verify(secret, id, ts, hashed, signature)) == true) return null;
        if (domain == BodyBoundDomain.ChatPush && simulator.Options.Has(SimulatorBreaks.PushAcceptsRunToken) && RunToken.Verify(secret, id, ts, signature)) return null;
        var (code, explanation) = Diagnose(secret, id, ts, exchange.RawBody, signature, domain);
        return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
            $"{Headers.Signature} does not match HMAC-SHA256 of \"{domain.Payload(id, ts, exchange.RawBody)}\". {explanation}", code);
    }

    public static (string Code, string Explanation) Diagnose(string secret, string id, long ts, byte[] raw, string presented, BodyBoundDomain domain)
    {
        var p = presented.Trim().ToLowerInvariant();
        var sha = Hmac.Sha256Hex(raw);
        var candidates = new List<(string Code, string Explanation, string Candidate)>
        {
            ("run-token", $"It is the run token `${{id}}.${{ts}}`, which {domain.Name} never accepts: the body must be bound into the signature.", RunToken.Sign(secret, id, ts)),
            ("body-hmac", "It is an HMAC of the raw body alone (the delivery scheme), without the domain, id and timestamp.", Hmac.HexSha256(secret, raw)),
            ("ts-in-seconds", "It is signed over the timestamp in seconds while the header carries milliseconds.", domain.Sign(secret, id, ts / 1000, raw)),
            ("missing-domain", $"It lacks the leading `{domain.Name}.` domain.", Hmac.HexSha256(secret, $"{id}.{ts}.{sha}")),
            ("sha256-of-object", "It hashes the text \"[object Object]\": sha256hex was given the object instead of the bytes sent.", Hmac.HexSha256(secret, $"{domain.Name}.{id}.{ts}.{Hmac.Sha256Hex(Encoding.UTF8.GetBytes("[object Object]"))}")),
        };
        foreach (var other in Domains.Where(d => d != domain))
            candidates.Add(($"{other.Name}-domain", $"It is signed for `{other.Name}`, another endpoint's domain; this one is `{domain.Name}`.", other.Sign(secret, id, ts, raw)));
        if (Compact(raw) is { } compact && !compact.AsSpan().SequenceEqual(raw))
            candidates.Add(("body-reserialized", "It matches the body serialized compactly, not the bytes posted: the body was re-serialized (e.g. pretty-printed) after signing. Sign the exact bytes you send.",
                domain.Sign(secret, id, ts, compact)));
        foreach (var (code, explanation, candidate) in candidates)
            if (Hmac.FixedTimeEqualsHex(candidate, p)) return (code, explanation);
        return ("wrong-secret-or-string", $"It matches no known mistake: check the secret and that the string is exactly `{domain.Name}.${{subscriptionId}}.${{ts}}.${{sha256hex(raw body)}}` over the bytes posted.");
    }

    private static byte[]? Compact(byte[] raw)
    {
        try
        {
            using var document = JsonDocument.Parse(raw);
            return JsonSerializer.SerializeToUtf8Bytes(document.RootElement, ContractJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
