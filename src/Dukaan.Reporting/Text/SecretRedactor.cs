using System.Text.Json;
using System.Text.Json.Nodes;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// Last line of defence against secrets in reports. The engine redacts before results reach reporting; this catches
/// what slipped through. It works twice: on the model (so a secret is masked before HTML/XML/JSON escaping changes
/// its spelling) and on each emitted file's text (so a secret produced by rendering, e.g. JSON pretty-printing that
/// decodes <c>\u002d</c>, is still caught).
/// </summary>
public sealed class SecretRedactor
{
    /// <summary>Below this length, showing the last four characters would reveal too much of the secret.</summary>
    public const int MinLengthToShowTail = 12;

    private const string Dots = "••••";

    // Values of these properties come from closed enums; rewriting them could only corrupt the model.
    private static readonly HashSet<string> EnumProperties = new(StringComparer.Ordinal) { "level", "verdict", "outcome" };

    private readonly (string Secret, string Mask)[] _replacements;

    public SecretRedactor(IEnumerable<string?>? secrets)
    {
        var forms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in secrets ?? [])
        {
            if (string.IsNullOrEmpty(secret)) continue;
            var mask = Mask(secret);
            forms.TryAdd(secret, mask);
            // Secrets often travel in URLs (query strings) in their percent-encoded spelling.
            var urlForm = Uri.EscapeDataString(secret);
            forms.TryAdd(urlForm, mask);
        }
        // Longest first, so a secret that contains another secret is masked whole rather than left half-visible.
        _replacements = [.. forms.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value))];
    }

    public static SecretRedactor None { get; } = new([]);

    public bool IsEmpty => _replacements.Length == 0;

    /// <summary>"••••" plus the last four characters, which is enough to tell secrets apart without revealing them.</summary>
    public static string Mask(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinLengthToShowTail) return Dots;
        // The mask is spliced into already-rendered HTML, XML and JSON, so its tail must not carry markup or quotes.
        var tail = secret[^4..].Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '•');
        return Dots + string.Concat(tail);
    }

    public string Redact(string text)
    {
        if (IsEmpty || string.IsNullOrEmpty(text)) return text;
        foreach (var (secret, mask) in _replacements)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, mask, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>
    /// A copy of the results with every string value redacted. Goes through the JSON tree so fields added to the model
    /// later are covered without touching this class.
    /// </summary>
    public RunResults Redact(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (IsEmpty) return results;
        var node = JsonNode.Parse(ResultsJson.Serialize(results)) ?? throw new InvalidOperationException("results serialized to null");
        RedactNode(node, propertyName: null);
        return node.Deserialize<RunResults>(ResultsJson.Options) ?? throw new InvalidOperationException("redacted results deserialized to null");
    }

    private void RedactNode(JsonNode node, string? propertyName)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is null) continue;
                    if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        if (!EnumProperties.Contains(name)) obj[name] = Redact(value.GetValue<string>());
                    }
                    else
                    {
                        RedactNode(child, name);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                        array[i] = Redact(value.GetValue<string>());
                    else if (array[i] is { } child)
                        RedactNode(child, propertyName);
                }
                break;
        }
    }
}
