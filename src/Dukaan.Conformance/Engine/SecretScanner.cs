using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dukaan.Conformance.Engine;

public sealed record SecretHit(string Secret, string Form, string Where);

/// <summary>What a scan of files found, and how many files it actually read (empty files, links and sockets hold nothing and are not counted).</summary>
public sealed record FileScan(IReadOnlyList<SecretHit> Hits, int FilesRead, long BytesRead);

/// <summary>
/// Finds canary values in text, files and requests, including the encodings a careless logger or platform produces:
/// base64 and base64url (at any offset inside a larger encoded document), URL- and form-encoding, hex, JSON escapes,
/// and UTF-16 in binary files.
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
        yield return ("plain", secret);
        // A secret inside a larger base64'd document (a whole config, a JSON blob) starts at any byte offset, and base64
        // encodes it differently at each of the three offsets modulo 3: look for all three.
        for (var offset = 0; offset < 3; offset++)
        {
            var core = Base64Core(bytes, offset);
            var suffix = offset == 0 ? "" : $" at byte offset +{offset}";
            yield return ("base64" + suffix, core);
            yield return ("base64url" + suffix, core.Replace('+', '-').Replace('/', '_'));
        }
        yield return ("url-encoded", Uri.EscapeDataString(secret));
        yield return ("url-encoded, lowercase", LowercaseEscapes(Uri.EscapeDataString(secret)));
        yield return ("form-encoded", WebUtility.UrlEncode(secret));
        yield return ("hex", Convert.ToHexStringLower(bytes));
        yield return ("HEX", Convert.ToHexString(bytes));
        // JSON writers differ in what they escape: JavaScript's JSON.stringify only quotes and controls, .NET's default
        // also +, <, >, &, ' and every non-ASCII character.
        yield return ("JSON-escaped", JsonSerializer.Serialize(secret)[1..^1]);
        yield return ("JSON-escaped, minimal", JsonSerializer.Serialize(secret, MinimalJson)[1..^1]);
    }

    private static readonly JsonSerializerOptions MinimalJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The base64 characters that encode only the secret's own bits when it starts <paramref name="offset"/> bytes into the
    /// encoded data: the characters shared with the bytes before and after it depend on those bytes and are left out.
    /// </summary>
    internal static string Base64Core(byte[] secret, int offset)
    {
        var shifted = new byte[offset + secret.Length];
        secret.CopyTo(shifted, offset);
        var encoded = Convert.ToBase64String(shifted);
        var first = (8 * offset + 5) / 6;
        var end = 8 * (offset + secret.Length) / 6;
        return encoded[first..end];
    }

    private static string LowercaseEscapes(string escaped)
    {
        var chars = escaped.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        return new string(chars);
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

    /// <summary>Every file scanned; the counts say what the scan covered, so a pass can cite them (decision 32).</summary>
    public FileScan InFiles(IEnumerable<string> paths, ICollection<string> notes)
    {
        var hits = new List<SecretHit>();
        var read = 0;
        long bytes = 0;
        foreach (var path in paths)
        {
            hits.AddRange(InFile(path, notes, out var length));
            if (length <= 0) continue;
            read++;
            bytes += length;
        }
        return new FileScan(hits, read, bytes);
    }

    public IEnumerable<SecretHit> InFile(string path, ICollection<string> notes) => InFile(path, notes, out _);

    /// <param name="bytesRead">How many bytes were read and searched: 0 for a file that was skipped or empty.</param>
    private List<SecretHit> InFile(string path, ICollection<string> notes, out long bytesRead)
    {
        bytesRead = 0;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            // FIFOs and sockets (the .NET runtime leaves diagnostic ones in TMPDIR) report length 0 and block on open;
            // an empty file holds no secret either.
            if (!info.Exists || info.Length == 0 || info.LinkTarget is not null || IsSpecial(info)) return [];
            if (info.Length > MaxFileBytes)
            {
                notes.Add($"{path} is larger than 64 MiB and was not scanned for secrets.");
                return [];
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{path} could not be read for the secrets scan: {ex.Message}");
            return [];
        }
        // Latin-1 maps every byte to one char, so ASCII canaries are found inside binary files such as SQLite pages.
        var asText = Encoding.Latin1.GetString(bytes);
        // UTF-16 (either byte order) puts an ASCII canary's characters on every other byte: split even and odd bytes.
        var even = new byte[(bytes.Length + 1) / 2];
        var odd = new byte[bytes.Length / 2];
        for (var i = 0; i < bytes.Length; i++) (i % 2 == 0 ? even : odd)[i / 2] = bytes[i];
        var utf16 = Encoding.Latin1.GetString(even) + "\n" + Encoding.Latin1.GetString(odd);
        var hits = InText(asText, path).ToList();
        var wide = InText(utf16, path + " (UTF-16)").Where(h => hits.All(x => x.Secret != h.Secret)).Select(h => h with { Form = h.Form + ", UTF-16" }).ToList();
        hits.AddRange(wide);
        bytesRead = bytes.Length;
        return hits;
    }
}
