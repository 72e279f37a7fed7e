using Dukaan.Conformance;
using Dukaan.Reporting.Fleet;

namespace Dukaan.Reporting.Tests.Fleet;

/// <summary>One agent of a synthetic fleet: its results (null for an agent that failed before its run) and certify's exit.</summary>
internal sealed record FleetMember(string Name, RunResults? Results, int? Exit = null, string? Error = null, string Profile = "agentdukaan")
{
    public int ExitCode => Exit ?? Results?.ExitCode ?? 2;
}

/// <summary>
/// Fleet folders as certify-fleet writes them, built on disk from synthetic results: agents/&lt;name&gt;/ with the
/// single-run reports (so rule anchors exist) and a fleet.json per shard, split round robin as certify-fleet splits.
/// </summary>
internal static class FleetFixtures
{
    public const string Digest = "3f1c9a0e5b7d2c4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6";

    public static readonly DateTimeOffset Started = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Six agents: three certified (one with a warning), two failing different rules, one that never ran.</summary>
    public static IReadOnlyList<FleetMember> Mixed() =>
    [
        new("shop-alpha", VerdictRuns.Passing()),
        new("shop-beta", VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail), ("DK-ACK-02", Verdict.Warn))),
        new("shop-gamma", VerdictRuns.Passing(("DK-ACK-02", Verdict.Warn))),
        new("shop-delta", null, 2, "agent command not found: ./start.sh (exit 127); fix \"command\" in the fleet file"),
        new("shop-epsilon", VerdictRuns.Passing(("DK-CFG-02", Verdict.Fail), ("DK-SEC-01", Verdict.Fail))),
        new("shop-zeta", VerdictRuns.Passing()),
    ];

    public static FleetAgentEntry Entry(FleetMember member) =>
        new(member.Name, member.Profile, $"agents/{member.Name}", member.ExitCode, member.Error);

    public static FleetManifest Manifest(IReadOnlyList<FleetMember> roster, IReadOnlyList<FleetMember> agents, params FleetShard[] shards) =>
        new(FleetManifest.CurrentSchemaVersion, "0.1.0", "nightly", "fleets/nightly.yaml", Digest,
            [.. roster.Select(m => m.Name)], shards.Length == 0 ? [new FleetShard(1, 1)] : shards, Started, 600_000, [.. agents.Select(Entry)]);

    public static FleetRun InMemory(IReadOnlyList<FleetMember> members, params FleetShard[] shards) =>
        new(Manifest(members, members, shards), members.Select(m => new FleetAgent(Entry(m), m.Results, m.Error)));

    /// <summary>A whole run (shard 1/1) written into <paramref name="dir"/>.</summary>
    public static string WriteWhole(string dir, IReadOnlyList<FleetMember> members) => WriteShard(dir, members, 1, 1);

    /// <summary>Shard <paramref name="index"/>/<paramref name="count"/> of <paramref name="members"/>: the agents at roster positions i with i % count == index - 1.</summary>
    public static string WriteShard(string dir, IReadOnlyList<FleetMember> members, int index, int count, string digest = Digest, TimeSpan? startOffset = null)
    {
        Directory.CreateDirectory(dir);
        var mine = members.Where((_, i) => i % count == index - 1).ToList();
        foreach (var member in mine.Where(m => m.Results is not null))
            ReportSet.Write(member.Results! with { ExitCode = member.ExitCode }, Path.Combine(dir, "agents", member.Name), []);
        var manifest = Manifest(members, mine, new FleetShard(index, count)) with
        {
            FleetDigest = digest,
            StartedAt = Started + (startOffset ?? TimeSpan.FromMinutes(index)),
            DurationMs = 60_000 * index,
        };
        FleetManifestFile.Write(manifest, dir);
        return dir;
    }

    /// <summary>A fleet of <paramref name="count"/> agents where every <paramref name="failEvery"/>th fails and the rest pass.</summary>
    public static IReadOnlyList<FleetMember> Big(int count, int failEvery)
    {
        var passing = VerdictRuns.Passing() with { Scenarios = [], Notes = [] };
        var failing = VerdictRuns.Passing(("DK-SIG-05", Verdict.Fail), ("DK-ACK-02", Verdict.Warn)) with { Scenarios = [], Notes = [] };
        return [.. Enumerable.Range(0, count).Select(i => new FleetMember($"agent-{i:000}", i % failEvery == 0 ? failing : passing))];
    }
}
