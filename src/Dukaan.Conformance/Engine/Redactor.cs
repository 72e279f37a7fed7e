namespace Dukaan.Conformance.Engine;

/// <summary>
/// Replaces every secret of the run, in every encoding the scanner knows, by "••••" and its last 4 characters,
/// so a report can be attached to a ticket without leaking a buyer's key.
/// </summary>
public sealed class Redactor
{
    private readonly IReadOnlyList<(string Value, string Mask)> _replacements;

    public Redactor(IEnumerable<string> secrets)
    {
        _replacements = [.. SecretScanner.Canaries(secrets)
            .SelectMany(s => SecretScanner.Forms(s).Select(f => (f.Value, Mask(f.Value))))
            .DistinctBy(r => r.Value)
            .OrderByDescending(r => r.Value.Length)];
    }

    public static string Mask(string value) => "••••" + (value.Length > 4 ? value[^4..] : "");

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        foreach (var (value, mask) in _replacements)
            if (text.Contains(value, StringComparison.Ordinal)) text = text.Replace(value, mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Whether <paramref name="text"/> holds a secret in any known form: text that does not can be copied as it is.</summary>
    public bool Touches(string text)
    {
        foreach (var (value, _) in _replacements)
            if (text.Contains(value, StringComparison.Ordinal)) return true;
        return false;
    }

    public IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, h => Apply(h.Value), StringComparer.OrdinalIgnoreCase);
}
