using System.Net;
using System.Text.Json;

namespace Dukaan.Simulator.Tests.Infrastructure;

/// <summary>Reads simulator answers strictly: status, media type and the exact error body shape of docs/rules.md decision 8.</summary>
public static class Wire
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), () => $"body: {text}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), () => $"body: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>The <c>data</c> of a <c>{ "success": true, "data": … }</c> envelope.</summary>
    public static async Task<JsonElement> DataAsync(HttpResponseMessage response)
    {
        var root = await JsonAsync(response);
        Assert.That(root.GetProperty("success").GetBoolean(), Is.True);
        return root.GetProperty("data");
    }

    /// <summary>Asserts <c>{ "success": false, "error": { "code", "message" } }</c> with the given status and code; returns the message.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var root = await JsonAsync(response, status);
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "success", "error" }));
        Assert.That(root.GetProperty("success").ValueKind, Is.EqualTo(JsonValueKind.False));
        var error = root.GetProperty("error");
        Assert.That(error.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "code", "message" }));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
        var message = error.GetProperty("message").GetString();
        Assert.That(message, Is.Not.Null.And.Not.Empty);
        return message!;
    }
}
