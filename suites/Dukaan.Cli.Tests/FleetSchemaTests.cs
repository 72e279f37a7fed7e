using System.Text.Json;
using Dukaan.Cli.Configuration;
using Dukaan.Cli.Fleet;

namespace Dukaan.Cli.Tests;

/// <summary>schemas/fleet.schema.json and the loader's shape describe the same file: an editor never accepts what certify-fleet refuses.</summary>
public sealed class FleetSchemaTests
{
    private static JsonDocument Schema() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "schemas", "fleet.schema.json")));

    /// <summary>Every property of the schema, depth first, as JSON path → its schema node; an array's items as path[].</summary>
    private static IEnumerable<(string Path, JsonElement Node)> FromSchema(JsonElement node, string at)
    {
        if (node.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
            foreach (var child in FromSchema(items, $"{at}[]")) yield return child;
        if (!node.TryGetProperty("properties", out var props)) yield break;
        foreach (var p in props.EnumerateObject())
        {
            yield return ($"{at}.{p.Name}", p.Value);
            foreach (var child in FromSchema(p.Value, $"{at}.{p.Name}")) yield return child;
        }
    }

    private static IEnumerable<(string Path, KeyShape Shape)> FromShape(IReadOnlyDictionary<string, KeyShape> shape, string at) =>
        shape.SelectMany(k => new[] { ($"{at}.{k.Key}", k.Value) }.Concat(k.Value.Children is { } c
            ? FromShape(c, k.Value.Kind == ValueKind.ObjectArray ? $"{at}.{k.Key}[]" : $"{at}.{k.Key}") : []));

    [Test]
    public void The_schema_and_the_loader_know_exactly_the_same_keys()
    {
        using var schema = Schema();
        Assert.That(FromSchema(schema.RootElement, "$").Select(p => p.Path), Is.EquivalentTo(FromShape(FleetShape.Root, "$").Select(k => k.Path)));
    }

    [Test]
    public void Each_key_has_the_same_type_description_and_range_in_both()
    {
        using var schema = Schema();
        var nodes = FromSchema(schema.RootElement, "$").ToDictionary(p => p.Path, p => p.Node);
        static double? Number(JsonElement node, string name) => node.TryGetProperty(name, out var v) ? v.GetDouble() : null;
        Assert.Multiple(() =>
        {
            foreach (var (path, shape) in FromShape(FleetShape.Root, "$"))
            {
                if (!nodes.TryGetValue(path, out var node)) continue; // the key test names it
                var type = shape.Kind switch
                {
                    ValueKind.String => "string", ValueKind.Boolean => "boolean", ValueKind.Integer => "integer", ValueKind.Number => "number",
                    ValueKind.StringArray or ValueKind.ObjectArray => "array", _ => "object",
                };
                Assert.That(node.GetProperty("type").GetString(), Is.EqualTo(type), path);
                Assert.That(node.GetProperty("description").GetString(), Is.EqualTo(shape.Description), path);
                Assert.That((Number(node, "minimum"), Number(node, "exclusiveMinimum"), Number(node, "maximum")),
                    Is.EqualTo((shape.Minimum, shape.ExclusiveMinimum, shape.Maximum)), path);
            }
        });
    }

    [Test]
    public void Every_object_refuses_unknown_keys_but_allows_comments_like_the_loader()
    {
        using var schema = Schema();
        var agent = schema.RootElement.GetProperty("properties").GetProperty("agents").GetProperty("items");
        var objects = new[] { ("$", schema.RootElement), ("$.agents[]", agent) }
            .Concat(FromSchema(schema.RootElement, "$").Where(p => p.Node.TryGetProperty("properties", out _)));
        Assert.Multiple(() =>
        {
            Assert.That(objects.Count(), Is.EqualTo(3), "$, defaults, an agent");
            foreach (var (path, node) in objects)
            {
                Assert.That(node.GetProperty("additionalProperties").ValueKind, Is.EqualTo(JsonValueKind.False), path);
                Assert.That(node.GetProperty("patternProperties").GetProperty("^\\$comment").GetProperty("type").GetString(), Is.EqualTo("string"), path);
            }
        });
    }

    [Test]
    public void The_schema_asks_for_what_the_loader_asks_for()
    {
        using var schema = Schema();
        var root = schema.RootElement;
        var agent = root.GetProperty("properties").GetProperty("agents").GetProperty("items");
        static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("$schema").GetString(), Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
            Assert.That(Strings(root.GetProperty("required")), Is.EqualTo(new[] { "agents" }));
            Assert.That(root.GetProperty("properties").GetProperty("agents").GetProperty("minItems").GetInt32(), Is.EqualTo(1));
            Assert.That(Strings(agent.GetProperty("required")), Is.EqualTo(new[] { "name" }));
            Assert.That(agent.GetProperty("properties").GetProperty("name").GetProperty("pattern").GetString(), Is.EqualTo(FleetShape.NamePattern));
            Assert.That(agent.GetProperty("properties").GetProperty("secretEnv").GetProperty("pattern").GetString(), Is.EqualTo(FleetShape.EnvNamePattern));
            Assert.That(Strings(agent.GetProperty("properties").GetProperty("profile").GetProperty("enum")),
                Is.EquivalentTo(Dukaan.Conformance.Profiles.ProfileRegistry.All.Select(p => p.Info.Id)));
            Assert.That(agent.GetProperty("allOf").EnumerateArray().Select(n => Strings(n.GetProperty("not").GetProperty("required")).ToList()),
                Is.EquivalentTo(new[] { new List<string?> { "cmd", "url" }, new List<string?> { "url", "workdir" } }));
            Assert.That(Strings(agent.GetProperty("dependentRequired").GetProperty("url")), Is.EqualTo(new[] { "secretEnv" }));
        });
    }

    [Test]
    public void The_fixture_fleet_points_at_the_schema()
    {
        var path = Path.Combine(Repo.Root, "fixtures", "fleets", "fixtures.json");
        using var fleet = JsonDocument.Parse(File.ReadAllText(path));
        var reference = fleet.RootElement.GetProperty("$schema").GetString()!;
        Assert.That(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference)), Is.EqualTo(Path.Combine(Repo.Root, "schemas", "fleet.schema.json")));
    }
}
