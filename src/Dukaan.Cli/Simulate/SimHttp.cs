using System.Text.Json;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Cli.Simulate;

/// <summary>
/// Small helpers for the profile simulators' hand-routed control API. Every answer is JSON; bad input is a 4xx with a
/// message saying what to send instead, never a 5xx, because a person is typing these requests with curl.
/// </summary>
internal static class SimHttp
{
    private const int MaxBodyBytes = 64 * 1024;

    public static Task WriteAsync(HttpContext http, int status, object value)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(value, ControlApi.Json) + "\n", http.RequestAborted);
    }

    public static Task ErrorAsync(HttpContext http, int status, string message) => WriteAsync(http, status, new { error = message });

    /// <summary>The body as a JSON object; an empty body is an empty object (every field is optional somewhere).</summary>
    /// <returns>The object, or null with <paramref name="problem"/> set when the body is not a JSON object.</returns>
    public static async Task<(JsonElement? Body, string? Problem)> ReadObjectAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        try
        {
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            return (null, $"the body could not be read: {ex.Message}");
        }
        if (buffer.Length > MaxBodyBytes) return (null, "the body is too large");
        if (buffer.Length == 0) return (JsonDocument.Parse("{}").RootElement.Clone(), null);
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray());
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? (doc.RootElement.Clone(), null)
                : (null, "the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not JSON ({ex.Message})");
        }
    }

    /// <summary>An optional string field: absent or null is null; any other non-string is a problem.</summary>
    public static bool TryString(JsonElement body, string name, out string? value, out string? problem)
    {
        (value, problem) = (null, null);
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return true;
        if (v.ValueKind == JsonValueKind.String) { value = v.GetString(); return true; }
        problem = $"\"{name}\" must be a string";
        return false;
    }

    /// <summary>An optional boolean field; absent is false.</summary>
    public static bool TryBool(JsonElement body, string name, out bool value, out string? problem)
    {
        (value, problem) = (false, null);
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return true;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) { value = v.GetBoolean(); return true; }
        problem = $"\"{name}\" must be true or false";
        return false;
    }

    /// <summary>An http(s) URL, as the agent's webhook must be.</summary>
    public static Uri? HttpUrl(string? raw) =>
        raw is not null && Uri.TryCreate(raw, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;

    /// <summary>The /_sim path split into segments, without the "_sim" itself.</summary>
    public static string[] Segments(HttpContext http) =>
        (http.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Uri.UnescapeDataString).ToArray();
}
