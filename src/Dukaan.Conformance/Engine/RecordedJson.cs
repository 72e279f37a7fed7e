using System.Text.Json;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// Reads members of a JSON body the transcript recorded as text. A body that is not JSON, or not an object, simply has
/// no members: what an agent sent is evidence, never a reason for the harness to throw.
/// </summary>
public static class RecordedJson
{
    public static JsonElement? Member(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(string body, string name) => Member(body, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    public static bool IsTrue(string body, string name) => Member(body, name) is { ValueKind: JsonValueKind.True };

    /// <summary>Equal as JSON (member order and spacing aside); two bodies that are not JSON compare as text.</summary>
    public static bool SameJson(string a, string b)
    {
        try
        {
            using var x = JsonDocument.Parse(a);
            using var y = JsonDocument.Parse(b);
            return JsonElement.DeepEquals(x.RootElement, y.RootElement);
        }
        catch (JsonException)
        {
            return a == b;
        }
    }
}
