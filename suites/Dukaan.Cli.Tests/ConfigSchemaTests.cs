using System.Text.Json;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Tests;

/// <summary>The shipped JSON Schema and the loader's shape describe the same file: an editor never accepts what certify refuses.</summary>
public sealed class ConfigSchemaTests
{
    private static JsonDocument Schema() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "schemas", "dukaan-conformance.schema.json")));

    /// <summary>Every property of the schema, depth first, as JSON path → its schema node.</summary>
    private static IEnumerable<(string Path, JsonElement Node)> FromSchema(JsonElement node, string at)
    {
        if (!node.TryGetProperty("properties", out var props)) yield break;
        foreach (var p in props.EnumerateObject())
        {
            yield return ($"{at}.{p.Name}", p.Value);
            foreach (var child in FromSchema(p.Value, $"{at}.{p.Name}")) yield return child;
        }
    }

    private static IEnumerable<(string Path, KeyShape Shape)> FromShape(IReadOnlyDictionary<string, KeyShape> shape, string at) =>
        shape.SelectMany(k => new[] { ($"{at}.{k.Key}", k.Value) }.Concat(k.Value.Children is { } c ? FromShape(c, $"{at}.{k.Key}") : []));

    [Test]
    public void The_schema_and_the_loader_know_exactly_the_same_keys()
    {
        using var schema = Schema();
        Assert.That(FromSchema(schema.RootElement, "$").Select(p => p.Path), Is.EquivalentTo(FromShape(ConfigShape.Root, "$").Select(k => k.Path)));
    }

    [Test]
    public void Each_key_has_the_same_type_description_and_range_in_both()
    {
        using var schema = Schema();
        var nodes = FromSchema(schema.RootElement, "$").ToDictionary(p => p.Path, p => p.Node);
        static double? Number(JsonElement node, string name) => node.TryGetProperty(name, out var v) ? v.GetDouble() : null;
        Assert.Multiple(() =>
        {
            foreach (var (path, shape) in FromShape(ConfigShape.Root, "$"))
            {
                if (!nodes.TryGetValue(path, out var node)) continue; // the key test names it
                var type = shape.Kind switch
                {
                    ValueKind.String => "string", ValueKind.Boolean => "boolean", ValueKind.Integer => "integer", ValueKind.Number => "number",
                    ValueKind.StringArray => "array", _ => "object",
                };
                Assert.That(node.GetProperty("type").GetString(), Is.EqualTo(type), path);
                Assert.That(node.GetProperty("description").GetString(), Is.EqualTo(shape.Description), path);
                Assert.That((Number(node, "minimum"), Number(node, "exclusiveMinimum"), Number(node, "maximum")),
                    Is.EqualTo((shape.Minimum, shape.ExclusiveMinimum, shape.Maximum)), path);
                if (shape.Kind == ValueKind.StringArray)
                    Assert.That(node.GetProperty("items").GetProperty("type").GetString(), Is.EqualTo("string"), path);
                if (shape.Kind == ValueKind.StringMap)
                    Assert.That(node.GetProperty("additionalProperties").GetProperty("type").GetString(), Is.EqualTo("string"), path);
            }
        });
    }

    [Test]
    public void Every_object_refuses_unknown_keys_but_allows_comments_like_the_loader()
    {
        using var schema = Schema();
        var objects = new[] { ("$", schema.RootElement) }.Concat(FromSchema(schema.RootElement, "$").Where(p => p.Node.TryGetProperty("properties", out _)));
        Assert.Multiple(() =>
        {
            Assert.That(objects.Count(), Is.EqualTo(6), "$, agent, listing, listing.tier, listing.capabilities, listing.capabilities.proactive");
            foreach (var (path, node) in objects)
            {
                Assert.That(node.GetProperty("additionalProperties").ValueKind, Is.EqualTo(JsonValueKind.False), path);
                Assert.That(node.GetProperty("patternProperties").GetProperty("^\\$comment").GetProperty("type").GetString(), Is.EqualTo("string"), path);
            }
        });
    }

    [Test]
    public void The_schema_offers_exactly_the_block_types_and_push_categories_the_loader_accepts()
    {
        using var schema = Schema();
        var capabilities = schema.RootElement.GetProperty("properties").GetProperty("listing").GetProperty("properties").GetProperty("capabilities");
        static IEnumerable<string?> Enum(JsonElement array) => array.GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Multiple(() =>
        {
            Assert.That(Enum(capabilities.GetProperty("properties").GetProperty("blocks")), Is.EqualTo(Dukaan.Contract.ChatBlockKit.RendererBlocks));
            Assert.That(Enum(capabilities.GetProperty("properties").GetProperty("blocks")), Does.Not.Contain(Dukaan.Contract.ChatBlockKit.Chart));
            Assert.That(Enum(capabilities.GetProperty("properties").GetProperty("proactive").GetProperty("properties").GetProperty("categories")),
                Is.EqualTo(Dukaan.Contract.ProactiveManifest.AllCategories));
            Assert.That(capabilities.GetProperty("required").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "blocks" }), "like the loader, which refuses capabilities without blocks");
        });
    }

    [Test]
    public void The_schema_is_draft_2020_12_and_the_example_points_at_it()
    {
        using var schema = Schema();
        Assert.That(schema.RootElement.GetProperty("$schema").GetString(), Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
        var examplePath = Path.Combine(Repo.Root, "fixtures", "config", "dukaan-conformance.example.json");
        using var example = JsonDocument.Parse(File.ReadAllText(examplePath));
        var reference = example.RootElement.GetProperty("$schema").GetString()!;
        Assert.That(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(examplePath)!, reference)),
            Is.EqualTo(Path.Combine(Repo.Root, "schemas", "dukaan-conformance.schema.json")));
    }

    [Test]
    public void The_example_shows_every_key_or_explains_it_in_a_comment()
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, "fixtures", "config", "dukaan-conformance.example.json"));
        var missing = FromShape(ConfigShape.Root, "$").Select(k => k.Path.Split('.')[^1]).Where(name => !text.Contains($"\"{name}\"", StringComparison.Ordinal)
            && !text.Contains($"\\\"{name}\\\"", StringComparison.Ordinal));
        Assert.That(missing, Is.Empty);
    }
}
