using System.Text.Json.Serialization;

namespace Dukaan.Reporting.Fleet;

/// <summary>
/// fleet.json, the index of a fleet folder: one shard's run (<c>certify-fleet --shard I/N</c>), a whole run, or a merge of
/// shards (<c>fleet-report DIR…</c>). Each agent's own report lives in <see cref="FleetAgentEntry.Folder"/>, holding the
/// results.json certify writes; the fleet reports (index.html, fleet.md, junit.xml) are rendered from those.
/// </summary>
/// <param name="FleetName">The fleet file's "name", or its file name without extension.</param>
/// <param name="FleetFile">The fleet file as it was given (for the rerun command).</param>
/// <param name="FleetDigest">sha256 (hex) of the fleet file's bytes: shards of different fleets (or of an edited file) refuse to merge.</param>
/// <param name="Roster">Every agent name of the whole fleet in file order, so a merge can name the agents of a missing shard.</param>
/// <param name="Shards">The shards this folder holds: one for a shard run or a whole run (1/1), several after a merge.</param>
/// <param name="Agents">The agents certified here, in roster order.</param>
public sealed record FleetManifest(
    int SchemaVersion,
    string HarnessVersion,
    string FleetName,
    string FleetFile,
    string FleetDigest,
    IReadOnlyList<string> Roster,
    IReadOnlyList<FleetShard> Shards,
    DateTimeOffset StartedAt,
    long DurationMs,
    IReadOnlyList<FleetAgentEntry> Agents)
{
    public const int CurrentSchemaVersion = 1;
    public const string FileName = "fleet.json";
}

/// <summary>Shard <paramref name="Index"/> of <paramref name="Count"/>, 1-based as typed (<c>--shard 2/3</c>).</summary>
public sealed record FleetShard(int Index, int Count)
{
    [JsonIgnore]
    public string Label => $"{Index}/{Count}";
}

/// <param name="Name">The agent's name in the fleet file (unique; also its folder name).</param>
/// <param name="Profile">The profile it was certified against.</param>
/// <param name="Folder">Its report folder, relative to the fleet folder, forward slashes: <c>agents/&lt;name&gt;</c>.</param>
/// <param name="ExitCode">certify's exit code for this agent: 0 certified, 1 a rule failed, 2 harness or configuration error, 3 nothing selected, 130/143 interrupted.</param>
/// <param name="Error">Why there is no results.json (a configuration or harness error before the run), or null.</param>
/// <param name="RerunCommand">The command line that certifies this agent alone, as certify-fleet would run it; null when the writer did not record one (the reports then show <c>certify-fleet FILE --agents NAME</c>).</param>
public sealed record FleetAgentEntry(string Name, string Profile, string Folder, int ExitCode, string? Error, string? RerunCommand = null);
