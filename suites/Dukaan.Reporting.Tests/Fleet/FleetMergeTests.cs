using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>Shard folders built on disk from synthetic results, merged as fleet-report merges them.</summary>
public sealed class FleetMergeTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-fleet-merge-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string In(params string[] parts) => Path.Combine([_dir, .. parts]);

    /// <summary>Mixed plus two more agents, so each of three shards holds several.</summary>
    private static IReadOnlyList<FleetMember> Members() =>
    [
        .. FleetFixtures.Mixed(),
        new("shop-eta", VerdictRuns.Passing((FixtureIds.Run02, Dukaan.Conformance.Verdict.Fail))),
        new("shop-theta", VerdictRuns.Passing()),
    ];

    private string[] Shards(int count = 3) =>
        [.. Enumerable.Range(1, count).Select(i => FleetFixtures.WriteShard(In($"shard-{i}"), Members(), i, count))];

    [Test]
    public void Merging_three_shards_gives_what_a_whole_run_gives()
    {
        var whole = FleetRun.Load(FleetFixtures.WriteWhole(In("whole"), Members()));
        var merged = FleetMerge.Run(Shards(), In("merged"));

        Assert.That(merged.InPlace, Is.False);
        var run = merged.Run;
        Assert.That(run.Agents.Select(a => a.Name), Is.EqualTo(whole.Agents.Select(a => a.Name)), "same agents, in roster order");
        Assert.That(run.Agents.Select(a => (a.Name, a.Status, a.ExitCode)), Is.EqualTo(whole.Agents.Select(a => (a.Name, a.Status, a.ExitCode))));
        foreach (var (m, w) in run.Agents.Zip(whole.Agents))
            Assert.That(run.RuleIds.Select(m.VerdictOf), Is.EqualTo(whole.RuleIds.Select(w.VerdictOf)), m.Name);
        Assert.That(run.ExitCode, Is.EqualTo(whole.ExitCode).And.EqualTo(1));
        Assert.That(run.NotRun, Is.Empty);
        Assert.That(run.Manifest.Shards.Select(s => s.Label), Is.EqualTo(new[] { "1/3", "2/3", "3/3" }));
        Assert.That(run.Manifest.Roster, Is.EqualTo(whole.Manifest.Roster));
        // Shards started 1, 2, 3 minutes after the fleet's start and ran 1, 2, 3 minutes: 1 min → 6 min.
        Assert.That(run.Manifest.StartedAt, Is.EqualTo(FleetFixtures.Started.AddMinutes(1)));
        Assert.That(run.Manifest.DurationMs, Is.EqualTo(5 * 60_000));

        Assert.That(merged.Reports.All.Select(Path.GetFileName), Is.EqualTo(new[] { "index.html", "fleet.md", "junit.xml" }));
        Assert.That(merged.ManifestPath, Is.EqualTo(In("merged", "fleet.json")));
        foreach (var agent in run.Agents.Where(a => a.Results is not null))
        {
            Assert.That(File.Exists(In("merged", "agents", agent.Name, "results.json")), Is.True, agent.Name);
            Assert.That(File.Exists(In("merged", "agents", agent.Name, "index.html")), Is.True, "the merged folder is self-contained: links resolve");
        }
        Assert.That(Directory.GetDirectories(In("merged", "agents"), "*.partial"), Is.Empty);
        Assert.That(Body(FleetMarkdownWriter.Render(run)), Is.EqualTo(Body(FleetMarkdownWriter.Render(whole))), "the same report apart from shards and timing");
    }

    /// <summary>fleet.md without its shards/timing line and the shard in rerun commands: all a merge and a whole run may differ in.</summary>
    private static string Body(string markdown) => System.Text.RegularExpressions.Regex.Replace(
        string.Join('\n', markdown.Split('\n').Where(l => !l.StartsWith("Shards ", StringComparison.Ordinal))), " --shard [0-9]+/[0-9]+", "");

    [Test]
    public void A_missing_shard_names_its_agents_and_makes_the_fleet_exit_2()
    {
        var shards = Shards();
        var run = FleetMerge.Run([shards[0], shards[2]], In("merged")).Run;
        Assert.That(run.MissingShardLines(), Is.EqualTo(new[] { "shard 2/3 missing: agents shop-beta, shop-epsilon, shop-theta not certified" }));
        Assert.That(run.Agents.Select(a => a.Name), Is.EqualTo(new[] { "shop-alpha", "shop-gamma", "shop-delta", "shop-zeta", "shop-eta" }));
        Assert.That(run.ExitCodeFor(allowPartial: false), Is.EqualTo(1), "shop-eta failed: a failure outranks the missing shard");

        var passing = Members().Select(m => m with { Results = VerdictRuns.Passing(), Exit = 0, Error = null }).ToList();
        var a = FleetFixtures.WriteShard(In("p1"), passing, 1, 3);
        var c = FleetFixtures.WriteShard(In("p3"), passing, 3, 3);
        var partial = FleetMerge.Run([a, c], In("partial")).Run;
        Assert.That(partial.ExitCodeFor(allowPartial: false), Is.EqualTo(2));
        Assert.That(partial.ExitCodeFor(allowPartial: true), Is.EqualTo(0));
        Assert.That(File.ReadAllText(In("partial", "index.html")), Does.Contain("shard 2/3 missing: agents shop-beta, shop-epsilon, shop-theta not certified"));
    }

    [Test]
    public void Shards_of_different_fleet_files_are_refused_naming_both_files()
    {
        var one = FleetFixtures.WriteShard(In("a"), Members(), 1, 2);
        var two = FleetFixtures.WriteShard(In("b"), Members(), 2, 2, digest: "ffff" + FleetFixtures.Digest[4..]);
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run([one, two], In("out")))!;
        Assert.That(ex.Message, Does.StartWith($"{In("a", "fleet.json")} and {In("b", "fleet.json")} have different fleet digests"));
        Assert.That(ex.Message, Does.Contain("the shards come from different fleet files"));
        Assert.That(Directory.Exists(In("out")), Is.False, "nothing written");
    }

    [Test]
    public void Shards_of_different_splits_are_refused()
    {
        var one = FleetFixtures.WriteShard(In("a"), Members(), 1, 2);
        var two = FleetFixtures.WriteShard(In("b"), Members(), 2, 3);
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run([one, two], In("out")))!;
        Assert.That(ex.Message, Does.Contain("was split into 2 shards and").And.Contain("into 3: merge the shards of one split"));
    }

    [Test]
    public void A_shard_given_twice_is_refused()
    {
        var one = FleetFixtures.WriteShard(In("a"), Members(), 1, 2);
        var copy = FleetFixtures.WriteShard(In("a-again"), Members(), 1, 2);
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run([one, copy], In("out")))!;
        Assert.That(ex.Message, Is.EqualTo($"shard 1/2 is in both {one} and {copy}; give each shard once."));
        ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run([one, one + "/"], In("out")))!;
        Assert.That(ex.Message, Does.Contain("is given twice; give each shard folder once."));
    }

    [Test]
    public void An_agent_in_two_shards_is_refused()
    {
        var one = FleetFixtures.WriteShard(In("a"), Members(), 1, 2);
        var other = FleetFixtures.WriteShard(In("b"), Members(), 2, 2);
        // A hand-made shard 2/2 that also claims shop-alpha.
        var manifest = FleetManifestFile.Load(other);
        FleetManifestFile.Write(manifest with { Agents = [FleetFixtures.Entry(Members()[0]), .. manifest.Agents] }, other);
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run([one, other], In("out")))!;
        Assert.That(ex.Message, Does.StartWith($"agent \"shop-alpha\" is in both {one} and {other}"));
    }

    [TestCase("shard-1", TestName = "--out equal to an input")]
    [TestCase("shard-1/merged", TestName = "--out inside an input")]
    [TestCase(".", TestName = "--out holding the inputs")]
    public void An_out_folder_overlapping_an_input_is_refused(string outDir)
    {
        var shards = Shards();
        var before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Length;
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run(shards, In(outDir)))!;
        Assert.That(ex.Message, Does.StartWith($"--out {In(outDir)} overlaps the input").And.EndWith("Give a folder outside every input folder."));
        Assert.That(Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories), Has.Length.EqualTo(before), "nothing written");
    }

    [Test]
    public void Several_inputs_need_an_out_folder()
    {
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run(Shards(), null))!;
        Assert.That(ex.Message, Is.EqualTo("merging 3 fleet folders needs --out OUT: a new folder for the merged fleet, outside the shard folders."));
    }

    [Test]
    public void An_out_folder_with_someone_else_s_files_is_refused()
    {
        Directory.CreateDirectory(In("busy"));
        File.WriteAllText(In("busy", "notes.txt"), "mine");
        var ex = Assert.Throws<FleetFormatException>(() => FleetMerge.Run(Shards(), In("busy")))!;
        Assert.That(ex.Message, Does.Contain("already holds files and no fleet.json"));
        Assert.That(File.ReadAllText(In("busy", "notes.txt")), Is.EqualTo("mine"));
    }

    [Test]
    public void Merging_again_into_an_earlier_merge_replaces_it_without_leftover_agents()
    {
        var shards = Shards();
        FleetMerge.Run(shards, In("merged"));
        Assert.That(Directory.Exists(In("merged", "agents", "shop-beta")), Is.True);
        var run = FleetMerge.Run([shards[0], shards[2]], In("merged")).Run;
        Assert.That(Directory.Exists(In("merged", "agents", "shop-beta")), Is.False, "shard 2's agents are gone with shard 2");
        Assert.That(run.NotRun.Select(n => n.Name), Is.EqualTo(new[] { "shop-beta", "shop-epsilon", "shop-theta" }));
    }

    [Test]
    public void A_single_whole_run_is_re_rendered_in_place_with_its_fleet_json_untouched()
    {
        var whole = FleetFixtures.WriteWhole(In("whole"), Members());
        var before = File.ReadAllBytes(In("whole", "fleet.json"));
        var result = FleetMerge.Run([whole], null);
        Assert.That(result.InPlace, Is.True);
        Assert.That(result.OutDir, Is.EqualTo(whole));
        Assert.That(File.ReadAllBytes(In("whole", "fleet.json")), Is.EqualTo(before));
        Assert.That(File.Exists(In("whole", "index.html")), Is.True);
        Assert.That(FleetMerge.Run([whole], whole).InPlace, Is.True, "--out naming the input itself is the same re-render");
    }

    [Test]
    public void Agent_folders_are_copied_without_following_links()
    {
        var shards = Shards(1);
        var secret = In("outside-secret.txt");
        File.WriteAllText(secret, "do not copy");
        File.CreateSymbolicLink(In("shard-1", "agents", "shop-alpha", "leak.txt"), secret);
        FleetMerge.Run(shards, In("merged"));
        Assert.That(File.Exists(In("merged", "agents", "shop-alpha", "leak.txt")), Is.False);
        Assert.That(File.Exists(In("merged", "agents", "shop-alpha", "results.json")), Is.True);
    }
}

internal static class FixtureIds
{
    public const string Run02 = "DK-RUN-02";
}
