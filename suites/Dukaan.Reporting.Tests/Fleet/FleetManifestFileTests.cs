using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>fleet.json round trips, and every way it can be wrong is one line naming the file, what and how to fix it.</summary>
public sealed class FleetManifestFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-fleet-manifest-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private static FleetManifest Sample() =>
        FleetFixtures.Manifest(FleetFixtures.Mixed(), FleetFixtures.Mixed().Where((_, i) => i % 2 == 1).ToList(), new FleetShard(2, 2)) with
        {
            Agents = [.. FleetFixtures.Mixed().Where((_, i) => i % 2 == 1).Select(FleetFixtures.Entry)],
        };

    [Test]
    public void A_manifest_round_trips_through_the_file_unchanged()
    {
        var manifest = Sample();
        var path = FleetManifestFile.Write(manifest, _dir);
        Assert.That(path, Is.EqualTo(Path.Combine(_dir, "fleet.json")));
        Assert.That(Directory.GetFiles(_dir, "*.tmp"), Is.Empty, "written beside and renamed");
        var back = FleetManifestFile.Load(_dir);
        Assert.That(back with { Roster = [], Shards = [], Agents = [] }, Is.EqualTo(manifest with { Roster = [], Shards = [], Agents = [] }));
        Assert.That(back.Roster, Is.EqualTo(manifest.Roster));
        Assert.That(back.Shards, Is.EqualTo(manifest.Shards));
        Assert.That(back.Agents, Is.EqualTo(manifest.Agents));
        Assert.That(FleetManifestFile.Load(path).FleetDigest, Is.EqualTo(FleetFixtures.Digest), "the fleet.json path works as well as its folder");
    }

    [Test]
    public void The_file_is_camel_case_json_like_results_json()
    {
        var json = FleetManifestFile.Serialize(Sample());
        Assert.That(json, Does.Contain("\"schemaVersion\": 1").And.Contain("\"fleetDigest\"").And.Contain("\"exitCode\": 2").And.Contain("\"shards\": ["));
        Assert.That(json, Does.Contain("\"index\": 2").And.Not.Contain("\"label\""), "the shard's label is derived, not stored");
    }

    [Test]
    public void An_entry_written_without_a_rerun_command_reads_as_null()
    {
        // certify-fleet may not record one: the member is optional, so older writers' files still load.
        var json = FleetManifestFile.Serialize(Sample()).Replace("\"rerunCommand\": null,", "", StringComparison.Ordinal).Replace(",\n      \"rerunCommand\": null", "", StringComparison.Ordinal);
        Assert.That(json, Does.Not.Contain("rerunCommand"));
        Assert.That(FleetManifestFile.Parse(json, "fleet.json").Agents.Select(a => a.RerunCommand), Is.All.Null);
    }

    private static string Edit(Func<FleetManifest, FleetManifest> edit) => FleetManifestFile.Serialize(edit(Sample()));

    public static IEnumerable<TestCaseData> Malformed()
    {
        yield return new TestCaseData("not json {", "is not a complete fleet.json (at $)").SetName("not JSON");
        yield return new TestCaseData("[1, 2]", "has no numeric \"schemaVersion\"").SetName("an array");
        yield return new TestCaseData("{\"hello\": 1}", "has no numeric \"schemaVersion\": it is not a DukaanConformance fleet.json").SetName("another tool's JSON");
        yield return new TestCaseData("{\"name\": \"shops\", \"agents\": [{\"name\": \"a\", \"cmd\": \"node server.js\"}]}",
            "is a fleet file (what certify-fleet reads), not the fleet.json certify-fleet writes into its --out folder; give that folder.").SetName("the input fleet file");
        yield return new TestCaseData("{\"schemaVersion\": 7}", "has schemaVersion 7; this harness reads version 1. Re-render it with the harness version that wrote it.").SetName("a newer schema");
        yield return new TestCaseData("{\"schemaVersion\": 1e40}", "has schemaVersion 1e40; this harness reads version 1").SetName("a huge version");
        yield return new TestCaseData("{\"schemaVersion\": 1}", "is not a complete fleet.json (at $)").SetName("members missing");
        yield return new TestCaseData(Edit(m => m with { FleetDigest = "" }), "has an empty \"fleetDigest\"").SetName("no digest");
        yield return new TestCaseData(Edit(m => m with { Roster = [] }), "has an empty \"roster\"").SetName("empty roster");
        yield return new TestCaseData(Edit(m => m with { Roster = [.. m.Roster, m.Roster[0]] }), "lists agent \"shop-alpha\" twice in \"roster\"").SetName("duplicate roster name");
        yield return new TestCaseData(Edit(m => m with { Shards = [] }), "has an empty \"shards\"").SetName("no shards");
        yield return new TestCaseData(Edit(m => m with { Shards = [new FleetShard(3, 2)] }), "has shard 3/2, which is not a shard").SetName("shard index above count");
        yield return new TestCaseData(Edit(m => m with { Shards = [new FleetShard(1, 2), new FleetShard(1, 3)] }), "mixes shard counts (1/2 and 1/3)").SetName("mixed shard counts");
        yield return new TestCaseData(Edit(m => m with { Shards = [new FleetShard(1, 2), new FleetShard(1, 2)] }), "lists shard 1/2 twice").SetName("shard twice");
        yield return new TestCaseData(Edit(m => m with { Agents = [.. m.Agents, m.Agents[0]] }), "lists agent \"shop-beta\" twice in \"agents\"").SetName("agent twice");
        yield return new TestCaseData(Edit(m => m with { Agents = [m.Agents[0] with { Name = "stranger" }] }), "has agent \"stranger\", which is not in its \"roster\"").SetName("agent not in roster");
        yield return new TestCaseData(Edit(m => m with { Agents = [m.Agents[0] with { Folder = "../../etc" }] }), "the folder \"../../etc\", which is not a relative folder inside the fleet folder").SetName("folder escapes");
        yield return new TestCaseData(Edit(m => m with { Agents = [m.Agents[0] with { Folder = "/etc" }] }), "the folder \"/etc\", which is not a relative folder").SetName("absolute folder");
        yield return new TestCaseData(Edit(m => m with { Agents = [m.Agents[0], m.Agents[1] with { Folder = m.Agents[0].Folder }] }), "which another agent also uses").SetName("shared folder");
        yield return new TestCaseData(Edit(m => m with { DurationMs = -5 }), "has a negative \"durationMs\"").SetName("negative duration");
        yield return new TestCaseData(Edit(m => m).Replace("\"profile\": \"agentdukaan\"", "\"profile\": null", StringComparison.Ordinal), "is not a complete fleet.json (at $.agents").SetName("null profile");
    }

    [TestCaseSource(nameof(Malformed))]
    public void A_malformed_fleet_json_is_one_line_naming_the_file(string json, string message)
    {
        var path = Path.Combine(_dir, "fleet.json");
        File.WriteAllText(path, json);
        var ex = Assert.Throws<FleetFormatException>(() => FleetManifestFile.Load(_dir))!;
        Assert.That(ex.Message, Does.StartWith(path).And.Contain(message));
        Assert.That(ex.Message, Does.Not.Contain("\n"), "one line");
    }

    [Test]
    public void A_folder_without_fleet_json_says_what_a_fleet_folder_is()
    {
        var ex = Assert.Throws<FleetFormatException>(() => FleetManifestFile.Load(_dir))!;
        Assert.That(ex.Message, Is.EqualTo($"{_dir} has no fleet.json: it is not a fleet folder; give a folder written by `dukaan-conformance certify-fleet --out`."));
        ex = Assert.Throws<FleetFormatException>(() => FleetManifestFile.Load(Path.Combine(_dir, "nope")))!;
        Assert.That(ex.Message, Does.EndWith("does not exist; give a fleet folder written by `dukaan-conformance certify-fleet --out`."));
    }

    [Test]
    public void IsFleet_knows_a_fleet_folder_from_a_run_folder()
    {
        FleetManifestFile.Write(Sample(), Path.Combine(_dir, "fleet"));
        VerdictRuns.Passing().Save(_dir, "run");
        Assert.That(FleetManifestFile.IsFleet(Path.Combine(_dir, "fleet")), Is.True);
        Assert.That(FleetManifestFile.IsFleet(Path.Combine(_dir, "fleet", "fleet.json")), Is.True);
        Assert.That(FleetManifestFile.IsFleet(Path.Combine(_dir, "run")), Is.False);
        Assert.That(FleetManifestFile.IsFleet(Path.Combine(_dir, "run", "results.json")), Is.False);
        Assert.That(FleetManifestFile.IsFleet(Path.Combine(_dir, "missing")), Is.False);
    }
}
