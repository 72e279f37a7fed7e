using System.Collections.Concurrent;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// Every sensitive value the run learned about the platform's buyers: the adapter's <c>sensitive</c> maps and the
/// values /config answered for those fields. The run only knows its webhook secret up front; the buyers' keys arrive
/// over HTTP, so without this list the reports would carry them in clear (issue 19).
/// </summary>
public sealed class LearnedSecrets
{
    private readonly ConcurrentDictionary<string, byte> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _fields = new(StringComparer.Ordinal);
    // /config may answer before the adapter names a field sensitive (or name fields a masking adapter hid): kept until the end.
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _configs = new();

    /// <summary>Learns from one answer: the control adapter's views, /config's config, a webhook body's sensitiveFields.</summary>
    public void Learn(string kind, string body)
    {
        if (body.Length == 0 || (kind != ControlAdapter.Kind && kind != ExchangeKinds.Config)) return;
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }
        if (kind == ExchangeKinds.Config)
        {
            if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
                _configs.Enqueue(config.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                    .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal));
            return;
        }
        Walk(json);
    }

    /// <summary>Field names a delivery declared sensitive, so /config's values of them are redacted even when the adapter masked its own.</summary>
    public void LearnFields(IEnumerable<string> fields)
    {
        foreach (var f in fields) _fields.TryAdd(f, 0);
    }

    private void Walk(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in json.EnumerateObject())
                {
                    if (p.Name == "sensitive" && p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var s in p.Value.EnumerateObject())
                        {
                            _fields.TryAdd(s.Name, 0);
                            if (s.Value.ValueKind == JsonValueKind.String) _values.TryAdd(s.Value.GetString()!, 0);
                        }
                    else if (p.Name == "sensitiveFields" && p.Value.ValueKind == JsonValueKind.Array)
                        LearnFields(p.Value.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!));
                    else Walk(p.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var e in json.EnumerateArray()) Walk(e);
                break;
        }
    }

    /// <summary>Every value learned so far, for the one redactor of the reports.</summary>
    public IReadOnlyList<string> All()
    {
        var all = new HashSet<string>(_values.Keys, StringComparer.Ordinal);
        foreach (var config in _configs)
            foreach (var (field, value) in config)
                if (_fields.ContainsKey(field)) all.Add(value);
        return [.. all];
    }
}
