using System.Text;
using System.Text.Json.Nodes;

namespace Dukaan.Conformance.Profiles.AgentDoor;

/// <summary>
/// Seed 003's event types and example data, copied here so the project carries its own contract. The examples' 2024
/// timestamps are replaced by fresh ones: a compliant receiver acknowledges but ignores an event older than 5 minutes.
/// </summary>
public static class SeedEvents
{
    /// <summary>Type → example `data`. The seed gives no schema for suspended and spending_cap_exceeded; the latter shares the cap schema.</summary>
    public static readonly IReadOnlyList<(string Type, string Data)> All =
    [
        ("agent.registered", """{"agent_id":"ag_abc123","public_key":"6LmP4Zq...","scopes_granted":["data.read","data.write"],"x402_wallet":"0x1234...","metadata":{"framework":"langchain","version":"0.1.0"}}"""),
        ("agent.authenticated", """{"agent_id":"ag_abc123","method":"api_key","ip":"203.0.113.42"}"""),
        ("agent.payment_failed", """{"agent_id":"ag_abc123","amount":"0.01","currency":"USDC","reason":"Insufficient balance"}"""),
        ("agent.rate_limited", """{"agent_id":"ag_abc123","limit":1000,"window":"1h","retry_after_seconds":300}"""),
        ("agent.flagged", """{"agent_id":"ag_abc123","reason":"Low reputation score","reputation_score":18}"""),
        ("agent.suspended", """{"agent_id":"ag_abc123"}"""),
        ("agent.spending_cap_warning", """{"agent_id":"ag_abc123","current_spend":8.5,"cap_amount":10,"cap_period":"daily","cap_type":"hard"}"""),
        ("agent.spending_cap_exceeded", """{"agent_id":"ag_abc123","current_spend":10.5,"cap_amount":10,"cap_period":"daily","cap_type":"hard"}"""),
    ];

    public const string UnknownType = "agent.hibernated";

    public static string DataOf(string type) => All.First(e => e.Type == type).Data;

    /// <summary>The emitter's bytes: JSON.stringify of {id, type, timestamp, data}, compact, keys in that order.</summary>
    public static byte[] Canonical(string id, string type, DateTimeOffset timestamp, string data, Action<JsonObject>? extra = null)
    {
        var payload = new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["timestamp"] = Deliverer.Iso(timestamp),
            ["data"] = JsonNode.Parse(data),
        };
        extra?.Invoke(payload);
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }

    /// <summary>
    /// Valid JSON no serializer would write: indentation, keys out of order, \u escapes next to raw UTF-8, an integer
    /// above 2^53 and a trailing newline. Re-serializing it changes the bytes, so only a raw-body HMAC verifies it.
    /// </summary>
    public static byte[] NonCanonical(string id, DateTimeOffset timestamp) => Encoding.UTF8.GetBytes(
        "{\n" +
        "    \"data\" : {\n" +
        "        \"metadata\": { \"version\": \"0.1.0\", \"framework\": \"lang\\u0063hain\", \"caf\\u00e9\": \"d\u00e9j\u00e0 vu\" },\n" +
        "        \"agent_id\": \"ag_abc123\",\n" +
        "        \"public_key\": \"6LmP4Zq\\/...\",\n" +
        "        \"scopes_granted\": [ \"data.read\",\"data.write\" ],\n" +
        "        \"nonce\": 9007199254740993\n" +
        "    },\n" +
        $"    \"timestamp\": \"{Deliverer.Iso(timestamp)}\",\n" +
        "    \"type\": \"agent.registered\",\n" +
        $"    \"id\": \"{id}\"\n" +
        "}\n");
}
