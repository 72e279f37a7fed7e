using Dukaan.Contract;
using Dukaan.Simulator.Faults;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Simulator;

/// <summary>
/// Checks the headers of an agent's signed call and, on failure, names the known mistake it matches,
/// so a seller reads "signed `${ts}.${id}`" instead of a bare 401.
/// </summary>
public static class RequestAuth
{
    public const string SecondsNotMillis = "ts-in-seconds";
    public const string RunTokenOnRequestConfig = "run-token-used-for-request-config";

    /// <param name="acceptStaleBreak">The break that, on this endpoint, skips the window: each endpoint's handler checks it on its own.</param>
    public static IResult? CheckTimestamp(HttpContext http, PlatformSimulator simulator, ExchangeContext exchange, out long ts, string acceptStaleBreak)
    {
        var header = http.Request.Headers[Headers.Timestamp].ToString();
        var window = TimestampWindow.Default;
        // One reading: the clock quoted in the refusal is the one the timestamp was judged against.
        var now = simulator.Clock.GetUtcNow();
        var verdict = window.Check(header, now, out ts);
        if (verdict is TimestampVerdict.TooOld or TimestampVerdict.TooFarInFuture && simulator.Options.Has(acceptStaleBreak)) verdict = TimestampVerdict.Ok;
        if (verdict is TimestampVerdict.LooksLikeSeconds && simulator.Options.Has(SimulatorBreaks.AcceptSeconds)) verdict = TimestampVerdict.Ok;
        return verdict switch
        {
            TimestampVerdict.Ok => null,
            TimestampVerdict.Missing => exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.MissingTimestamp,
                $"Missing {Headers.Timestamp}: send the current time in epoch milliseconds."),
            TimestampVerdict.NotANumber => exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidTimestamp,
                $"{Headers.Timestamp} '{Short(header)}' is not a non-negative integer of epoch milliseconds."),
            TimestampVerdict.LooksLikeSeconds => exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.StaleTimestamp,
                $"{Headers.Timestamp} {ts} looks like epoch seconds; it must be epoch milliseconds (Date.now(), not Date.now()/1000).", SecondsNotMillis),
            _ => exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.StaleTimestamp,
                $"{Headers.Timestamp} {ts} is more than {(long)window.Tolerance.TotalMilliseconds} ms from the platform clock ({now.ToUnixTimeMilliseconds()}); check for clock drift.",
                verdict == TimestampVerdict.TooOld ? "ts-too-old" : "ts-in-future"),
        };
    }

    /// <summary>The run token of /config, /run and /heartbeat.</summary>
    public static IResult? CheckRunToken(HttpContext http, PlatformSimulator simulator, string subscriptionId, ExchangeContext exchange)
    {
        var signature = http.Request.Headers[Headers.Signature].ToString();
        if (string.IsNullOrEmpty(signature))
            return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.MissingSignature,
                $"Missing {Headers.Signature}: send hex HMAC-SHA256 of `${{subscriptionId}}.${{ts}}`.");
        if (CheckTimestamp(http, simulator, exchange, out var ts, SimulatorBreaks.AcceptStaleTs) is { } stale) return stale;
        if (RunToken.Verify(simulator.Options.Secret, subscriptionId, ts, signature))
        {
            // reject-valid-token: a platform whose window is much narrower than the contract's 5 minutes.
            if (simulator.Options.Has(SimulatorBreaks.RejectValidToken) && Math.Abs(simulator.Clock.GetUtcNow().ToUnixTimeMilliseconds() - ts) > 60_000)
                return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.StaleTimestamp, $"{Headers.Timestamp} {ts} is more than 60000 ms from the platform clock.");
            return null;
        }
        var diagnosis = DiagnoseRunToken(simulator.Options.Secret, subscriptionId, ts, signature, exchange.RawBody);
        return exchange.Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
            $"{Headers.Signature} does not match HMAC-SHA256 of \"{RunToken.Payload(subscriptionId, ts)}\". {diagnosis.Explanation}", diagnosis.Code);
    }

    public sealed record Diagnosis(string Code, string Explanation);

    public static Diagnosis DiagnoseRunToken(string secret, string id, long ts, string presented, byte[] body)
    {
        var p = presented.Trim().ToLowerInvariant();
        if (p.StartsWith("sha256=", StringComparison.Ordinal)) return new("prefixed-signature", "The value carries a 'sha256=' prefix; AgentDukaan expects bare hex.");
        (string Code, string Explanation, string Candidate)[] candidates =
        [
            ("missing-dot", "It matches `${id}${ts}` without the dot.", Hmac.HexSha256(secret, $"{id}{ts}")),
            ("reversed-order", "It matches `${ts}.${id}`: the order is reversed.", Hmac.HexSha256(secret, $"{ts}.{id}")),
            ("id-only", "It matches the subscription id alone, without the timestamp.", Hmac.HexSha256(secret, id)),
            ("body-hmac", "It matches an HMAC of the request body, which is the delivery scheme, not the run token.", Hmac.HexSha256(secret, body)),
            ("unkeyed-sha256", "It is a plain SHA-256 of the payload, not an HMAC with the webhook secret.", Hmac.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(RunToken.Payload(id, ts)))),
            ("ts-in-seconds", "It is signed over the timestamp in seconds while the header carries milliseconds.", Hmac.HexSha256(secret, RunToken.Payload(id, ts / 1000))),
        ];
        foreach (var (code, explanation, candidate) in candidates)
            if (Hmac.FixedTimeEqualsHex(candidate, p)) return new(code, explanation);
        return new("wrong-secret-or-string", "It matches no known mistake: check that AGENTDUKAAN_WEBHOOK_SECRET is the listing's secret and the string is exactly `${subscriptionId}.${ts}`.");
    }

    public static Diagnosis DiagnoseRequestConfig(string secret, string id, long ts, IReadOnlyList<string> fields, string? message, string presented)
    {
        var p = presented.Trim().ToLowerInvariant();
        if (Hmac.FixedTimeEqualsHex(RunToken.Sign(secret, id, ts), p))
            return new(RunTokenOnRequestConfig, "It is the run token `${id}.${ts}`, which request-config never accepts: sign `config_request.${id}.${ts}.${sortedFields}.${message ?? ''}`.");
        var cultureSorted = fields.Order(StringComparer.InvariantCultureIgnoreCase).ToArray();
        (string Code, string Explanation, string Candidate)[] candidates =
        [
            ("fields-not-sorted", "It matches the fields in the order sent, unsorted; sort them (ordinal, like JavaScript's sort()).",
                Hmac.HexSha256(secret, $"{ConfigRequestSignature.Domain}.{id}.{ts}.{string.Join(',', fields)}.{message ?? ""}")),
            ("culture-sorted-fields", "It matches the fields sorted culture-aware; use ordinal order (\"B\" before \"a\").",
                Hmac.HexSha256(secret, $"{ConfigRequestSignature.Domain}.{id}.{ts}.{string.Join(',', cultureSorted)}.{message ?? ""}")),
            ("message-undefined", "It signs the text 'undefined' for a missing message; use the empty string.",
                Hmac.HexSha256(secret, $"{ConfigRequestSignature.Domain}.{id}.{ts}.{ConfigRequestSignature.SortedFields(fields)}.undefined")),
            ("missing-domain", "It lacks the leading `config_request.` domain.",
                Hmac.HexSha256(secret, $"{id}.{ts}.{ConfigRequestSignature.SortedFields(fields)}.{message ?? ""}")),
        ];
        foreach (var (code, explanation, candidate) in candidates)
            if (Hmac.FixedTimeEqualsHex(candidate, p)) return new(code, explanation);
        return new("body-does-not-match-signature", "It does not match the fields and message in the body: sign the same ids and message you send, with the listing's secret.");
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
