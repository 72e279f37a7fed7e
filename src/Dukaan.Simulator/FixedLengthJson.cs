using System.Net.Http.Headers;
using System.Text.Json;

namespace Dukaan.Simulator;

/// <summary>
/// JSON request bodies the harness sends, always with Content-Length. <c>JsonContent</c> streams its body with
/// <c>Transfer-Encoding: chunked</c>, which an agent that reads <c>Content-Length</c> (Python's <c>http.server</c>, the
/// common way) sees as an empty body: every request the harness sends must be readable by such an agent.
/// </summary>
public static class FixedLengthJson
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static ByteArrayContent Create<T>(T value, JsonSerializerOptions? options = null) =>
        FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, options ?? Web));

    public static ByteArrayContent FromBytes(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        content.Headers.ContentLength = json.Length;
        return content;
    }
}
