using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Dukaan.Simulator;

/// <summary>
/// Recorded headers, names matched case-insensitively, in one array of name/value pairs. A transcript keeps a hundred
/// thousand exchanges with two header sets each: a dictionary per set cost three objects and twice the bytes, and a
/// linear search over a dozen headers is as fast as hashing.
/// </summary>
public sealed class HeaderMap : IReadOnlyDictionary<string, string>
{
    public static readonly HeaderMap Empty = new([]);

    // name0, value0, name1, value1, …
    private readonly string[] _pairs;

    private HeaderMap(string[] pairs) => _pairs = pairs;

    /// <summary>A copy of <paramref name="headers"/>, each multi-valued header joined with commas as <see cref="Microsoft.Extensions.Primitives.StringValues.ToString"/> does.</summary>
    public static HeaderMap Of(IHeaderDictionary headers)
    {
        if (headers.Count == 0) return Empty;
        var pairs = new string[headers.Count * 2];
        var i = 0;
        foreach (var (name, values) in headers)
        {
            if (i == pairs.Length) break;
            pairs[i++] = name;
            pairs[i++] = values.ToString();
        }
        return new HeaderMap(i == pairs.Length ? pairs : pairs[..i]);
    }

    public int Count => _pairs.Length / 2;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No header '{key}'.");

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _pairs.Length; i += 2) yield return _pairs[i];
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (var i = 1; i < _pairs.Length; i += 2) yield return _pairs[i];
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _pairs[i + 1] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _pairs.Length; i += 2) yield return new(_pairs[i], _pairs[i + 1]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < _pairs.Length; i += 2)
            if (string.Equals(_pairs[i], key, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
