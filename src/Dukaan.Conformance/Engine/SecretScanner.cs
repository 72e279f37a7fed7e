using System.Buffers;
using System.Text;

namespace Dukaan.Conformance.Engine;

public sealed record SecretHit(string Secret, string Form, string Where);

/// <summary>
/// Finds canary values in text, files and requests, including the encodings a careless logger produces:
/// base64, base64url, URL-encoding, hex, and UTF-16 in binary files.
/// </summary>
public sealed class SecretScanner(IEnumerable<string> secrets)
{
    private const long MaxFileBytes = 64L << 20;

    // Each secret with its encodings, computed once: the scanner runs over every request and file of the run.
    private readonly IReadOnlyList<(string Secret, (string Form, string Value)[] Forms)> _secrets =
        [.. Canaries(secrets).Select(s => (s, Forms(s).DistinctBy(f => f.Value).ToArray()))];

    // Every form of every secret in one multi-string search: a flooding agent leaves 100 000 requests to scan, and
    // almost none holds a secret, so one vectorized pass per text replaces a Contains per form.
    private SearchValues<string>? _any;

    private SearchValues<string> Any => _any ??= SearchValues.Create([.. _secrets.SelectMany(s => s.Forms.Select(f => f.Value)).Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);

    /// <summary>
    /// The values worth looking for, and masking: anything shorter than 8 characters turns up in ordinary text, so
    /// finding it proves no leak and masking it would mangle reports. The redactor uses the same set.
    /// </summary>
    public static IReadOnlyList<string> Canaries(IEnumerable<string> secrets) => [.. secrets.Where(s => s.Length >= 8).Distinct(StringComparer.Ordinal)];

    public static IEnumerable<(string Form, string Value)> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var base64 = Convert.ToBase64String(bytes);
        yield return ("plain", secret);
        yield return ("base64", base64.TrimEnd('='));
        yield return ("base64url", base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        yield return ("url-encoded", Uri.EscapeDataString(secret));
        yield return ("hex", Convert.ToHexStringLower(bytes));
        yield return ("HEX", Convert.ToHexString(bytes));
    }

    private static bool IsSpecial(FileInfo info) =>
        !OperatingSystem.IsWindows() && (info.Attributes & (FileAttributes.Device | FileAttributes.System)) != 0;

    public IEnumerable<SecretHit> InText(string text, string where)
    {
        if (_secrets.Count == 0 || text.AsSpan().IndexOfAny(Any) < 0) yield break;
        foreach (var (secret, forms) in _secrets)
            foreach (var (form, value) in forms)
                if (text.Contains(value, StringComparison.Ordinal))
                {
                    yield return new SecretHit(secret, form, where);
                    break;
                }
    }

    public IEnumerable<SecretHit> InFile(string path, ICollection<string> notes)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            // FIFOs and sockets (the .NET runtime leaves diagnostic ones in TMPDIR) report length 0 and block on open;
            // an empty file holds no secret either.
            if (!info.Exists || info.Length == 0 || info.LinkTarget is not null || IsSpecial(info)) yield break;
            if (info.Length > MaxFileBytes)
            {
                notes.Add($"{path} is larger than 64 MiB and was not scanned for secrets.");
                yield break;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{path} could not be read for the secrets scan: {ex.Message}");
            yield break;
        }
        // Latin-1 maps every byte to one char, so ASCII canaries are found inside binary files such as SQLite pages.
        var asText = Encoding.Latin1.GetString(bytes);
        // UTF-16 (either byte order) puts an ASCII canary's characters on every other byte: split even and odd bytes.
        var even = new byte[(bytes.Length + 1) / 2];
        var odd = new byte[bytes.Length / 2];
        for (var i = 0; i < bytes.Length; i++) (i % 2 == 0 ? even : odd)[i / 2] = bytes[i];
        var utf16 = Encoding.Latin1.GetString(even) + "\n" + Encoding.Latin1.GetString(odd);
        var hits = InText(asText, path).ToList();
        foreach (var hit in hits) yield return hit;
        foreach (var hit in InText(utf16, path + " (UTF-16)").Where(h => hits.All(x => x.Secret != h.Secret)))
            yield return hit with { Form = hit.Form + ", UTF-16" };
    }
}
