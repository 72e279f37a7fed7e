using System.Text.Json;
using Dukaan.Conformance.Rules;

namespace Dukaan.Reporting.Tests.Baselines;

/// <summary>schemas/dukaan-baseline.schema.json gives editors completion; it must say what Baseline.Load enforces.</summary>
public sealed class BaselineSchemaTests
{
    private static JsonElement Entry()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "schemas", "dukaan-baseline.schema.json");
            if (File.Exists(path))
                return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("properties").GetProperty("accepted").GetProperty("items").Clone();
        }
        throw new InvalidOperationException("schemas/dukaan-baseline.schema.json not found above the test assembly");
    }

    [Test]
    public void Lists_every_catalog_rule_requires_a_reason_and_refuses_the_placeholder()
    {
        var entry = Entry();
        var ids = entry.GetProperty("properties").GetProperty("rule").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.That(ids, Is.EqualTo(AgentDukaanRules.Catalog.All.Select(r => r.Id)), "a new rule must be added to the schema too");
        Assert.That(entry.GetProperty("required").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { "rule", "reason" }));
        Assert.That(entry.GetProperty("additionalProperties").GetBoolean(), Is.False);
        Assert.That(entry.GetProperty("properties").GetProperty("reason").GetProperty("not").GetProperty("const").GetString(), Is.EqualTo(Baseline.ReasonPlaceholder));
    }
}
