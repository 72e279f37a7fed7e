using System.Text.Json;
using Dukaan.Contract;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// PL-DLV-02's comparison of a buyer_configured body with the subscription the adapter created: every field of 002 §1
/// must describe that subscription, so an agent acting on it serves the right buyer and fetches the right /config.
/// </summary>
internal static class DeliveryBody
{
    /// <summary>The fields of the adapter's subscription view the comparison needs (docs/platform-adapter.md).</summary>
    public static readonly string[] ViewFields = ["buyerId", "listingId", "tier", "config", "sensitive"];

    private static readonly string[] TierFields = ["name", "priceINR", "runLimitPerMonth"];
    private static readonly TimeSpan Window = TimestampWindow.Default.Tolerance;

    /// <summary>What in <paramref name="body"/> does not describe subscription <paramref name="id"/> as <paramref name="view"/> has it.</summary>
    /// <param name="now">The harness's clock when the body is judged, moments after it arrived.</param>
    public static List<string> Problems(JsonElement body, string id, JsonElement view, DateTimeOffset now)
    {
        var problems = new List<string>();
        if (body.ValueKind != JsonValueKind.Object) return [$"the body is a JSON {body.ValueKind.ToString().ToLowerInvariant()}, not an object"];
        Same(problems, body, "event", EventTypes.BuyerConfigured, "the event");
        Same(problems, body, "subscriptionId", id, "the subscription's id");
        foreach (var field in (string[])["buyerId", "listingId"])
            if (view.TryGetProperty(field, out var expected) && expected.ValueKind == JsonValueKind.String)
                Same(problems, body, field, expected.GetString()!, $"the subscription's {field}");
        Tier(problems, body, view);
        Config(problems, body, view);
        SensitiveFields(problems, body, view);
        CredentialsUrl(problems, body, id, view);
        Timestamp(problems, body, now);
        return problems;
    }

    /// <summary>The view fields the adapter left out, so the body could not be compared with them.</summary>
    public static IReadOnlyList<string> MissingFromView(JsonElement view) =>
        [.. ViewFields.Where(f => !view.TryGetProperty(f, out var v) || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)];

    private static void Same(List<string> problems, JsonElement body, string field, string expected, string what)
    {
        if (!body.TryGetProperty(field, out var actual)) problems.Add($"the body has no \"{field}\" ({what} is {Quote(expected)})");
        else if (actual.ValueKind != JsonValueKind.String || actual.GetString() != expected)
            problems.Add($"\"{field}\" is {actual.GetRawText()}, not {what} {Quote(expected)}");
    }

    private static void Tier(List<string> problems, JsonElement body, JsonElement view)
    {
        if (!body.TryGetProperty("tier", out var tier) || tier.ValueKind != JsonValueKind.Object)
        {
            problems.Add("the body has no \"tier\" object {name, priceINR, runLimitPerMonth}");
            return;
        }
        var expected = view.TryGetProperty("tier", out var t) && t.ValueKind == JsonValueKind.Object ? t : (JsonElement?)null;
        foreach (var field in TierFields)
        {
            if (!tier.TryGetProperty(field, out var actual)) problems.Add($"\"tier\" has no \"{field}\"");
            else if (expected?.TryGetProperty(field, out var want) == true && !JsonElement.DeepEquals(actual, want))
                problems.Add($"\"tier.{field}\" is {actual.GetRawText()}, not the subscription's {want.GetRawText()}");
        }
    }

    private static void Config(List<string> problems, JsonElement body, JsonElement view)
    {
        if (!body.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
        {
            problems.Add("the body has no \"config\" object of non-sensitive settings");
            return;
        }
        var sensitive = SubscriptionView.Sensitive(view);
        foreach (var p in config.EnumerateObject().Where(p => sensitive.ContainsKey(p.Name)))
            problems.Add($"\"config\" carries the sensitive field '{p.Name}' (sensitive fields are named in \"sensitiveFields\" and fetched from /config)");
        if (!view.TryGetProperty("config", out var expected) || expected.ValueKind != JsonValueKind.Object) return;
        foreach (var want in expected.EnumerateObject())
        {
            if (!config.TryGetProperty(want.Name, out var actual)) problems.Add($"\"config\" lacks the subscription's setting '{want.Name}'");
            else if (!JsonElement.DeepEquals(actual, want.Value)) problems.Add($"\"config.{want.Name}\" is {Clip(actual.GetRawText())}, not the subscription's {Clip(want.Value.GetRawText())}");
        }
        foreach (var extra in config.EnumerateObject().Where(p => !expected.TryGetProperty(p.Name, out _) && !sensitive.ContainsKey(p.Name)))
            problems.Add($"\"config\" has a setting '{extra.Name}' the subscription does not have");
    }

    private static void SensitiveFields(List<string> problems, JsonElement body, JsonElement view)
    {
        if (!body.TryGetProperty("sensitiveFields", out var sf) || sf.ValueKind != JsonValueKind.Array || sf.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            problems.Add("the body has no \"sensitiveFields\" array of field ids");
            return;
        }
        if (!view.TryGetProperty("sensitive", out var s) || s.ValueKind != JsonValueKind.Object) return;
        var declared = sf.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        var expected = s.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        if (!declared.SequenceEqual(expected))
            problems.Add($"\"sensitiveFields\" is [{string.Join(", ", declared)}], not the subscription's sensitive fields [{string.Join(", ", expected)}]");
    }

    private static void CredentialsUrl(List<string> problems, JsonElement body, string id, JsonElement view)
    {
        if (!body.TryGetProperty("credentialsUrl", out var cu) || cu.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(cu.GetString(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add("the body has no absolute http(s) \"credentialsUrl\"");
            return;
        }
        // The host may be the platform's public name (a staging platform behind a tunnel): the path is what must name the subscription.
        var path = Uri.UnescapeDataString(url.AbsolutePath);
        var expected = $"/api/subscriptions/{id}/config";
        if (path.EndsWith(expected, StringComparison.Ordinal)) return;
        var other = (string[])["buyerId", "listingId"];
        var named = other.FirstOrDefault(f => view.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String && path.Contains(v.GetString()!, StringComparison.Ordinal));
        problems.Add($"\"credentialsUrl\" is {url}, whose path is not …{expected}" + (named is null ? "" : $": it names the {named}, not the subscription"));
    }

    private static void Timestamp(List<string> problems, JsonElement body, DateTimeOffset now)
    {
        if (!body.TryGetProperty("ts", out var ts) || !ts.TryGetInt64(out var ms))
        {
            problems.Add("the body has no integer \"ts\" (epoch milliseconds)");
            return;
        }
        var verdict = TimestampWindow.Default.Check(PlatformCaller.Text(ms), now, out _);
        if (verdict == TimestampVerdict.LooksLikeSeconds) problems.Add($"\"ts\" {ms} is in epoch seconds, not milliseconds");
        else if (verdict != TimestampVerdict.Ok) problems.Add($"\"ts\" {ms} is more than {Window.TotalMinutes:0} minutes from the harness's clock ({now.ToUnixTimeMilliseconds()})");
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
