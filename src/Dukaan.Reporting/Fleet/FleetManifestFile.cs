using System.Text.Json;

namespace Dukaan.Reporting.Fleet;

/// <summary>A fleet.json or fleet folder that cannot be used; the message is one line saying what is wrong and how to fix it.</summary>
public sealed class FleetFormatException(string message) : Exception(message);

/// <summary>
/// Reads and writes fleet.json in results.json's style (camelCase, indented, relaxed escaping). Every way a file can
/// be wrong ends in a <see cref="FleetFormatException"/>: a merge or a report over hundreds of agents must say which
/// file is broken, not throw a stack trace at the end of an hour of certifying.
/// </summary>
public static class FleetManifestFile
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>As <see cref="Options"/>, but a missing member or a null where the record has none is an error, not a null inside.</summary>
    private static readonly JsonSerializerOptions Complete = new(Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>True for a folder holding a fleet.json, or a path to a fleet.json itself.</summary>
    public static bool IsFleet(string path) =>
        !string.IsNullOrWhiteSpace(path) && (Directory.Exists(path)
            ? File.Exists(Path.Combine(path, FleetManifest.FileName))
            : File.Exists(path) && string.Equals(Path.GetFileName(path), FleetManifest.FileName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The fleet folder a path names: the folder itself, or the folder of a fleet.json.</summary>
    public static string FolderOf(string path) =>
        Path.TrimEndingDirectorySeparator(Directory.Exists(path) ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path))!);

    public static string Serialize(FleetManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.Serialize(manifest, Options);
    }

    /// <summary>Writes <c>dir/fleet.json</c> beside-and-rename, so a crash never leaves half a manifest; returns its path.</summary>
    public static string Write(FleetManifest manifest, string dir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        var json = Serialize(manifest);
        Directory.CreateDirectory(dir);
        return ReportSet.WriteFile(dir, FleetManifest.FileName, json);
    }

    /// <param name="path">A fleet folder (certify-fleet's --out) or the fleet.json in it.</param>
    public static FleetManifest Load(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new FleetFormatException("The fleet folder path is empty; give the folder `certify-fleet --out` wrote.");
        var file = Directory.Exists(path) ? Path.Combine(path, FleetManifest.FileName) : path;
        if (!File.Exists(file))
            throw new FleetFormatException(Directory.Exists(path)
                ? $"{path} has no {FleetManifest.FileName}: it is not a fleet folder; give a folder written by `dukaan-conformance certify-fleet --out`."
                : $"{path} does not exist; give a fleet folder written by `dukaan-conformance certify-fleet --out`.");
        string json;
        try
        {
            json = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetFormatException($"{file} cannot be read: {ex.Message}");
        }
        return Parse(json, file);
    }

    /// <param name="source">Names the file in messages.</param>
    public static FleetManifest Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        FleetManifest? manifest;
        try
        {
            using (var doc = JsonDocument.Parse(json))
            {
                // The version first: a newer writer's file should say "upgrade", not "field X is missing".
                if (doc.RootElement.ValueKind == JsonValueKind.Object && !doc.RootElement.TryGetProperty("schemaVersion", out _)
                    && doc.RootElement.TryGetProperty("agents", out _))
                    throw new FleetFormatException($"{source} is a fleet file (what certify-fleet reads), not the fleet.json certify-fleet writes into its --out folder; give that folder.");
                if (doc.RootElement.ValueKind != JsonValueKind.Object
                    || !doc.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
                    throw new FleetFormatException($"{source} has no numeric \"schemaVersion\": it is not a DukaanConformance fleet.json (certify-fleet writes one into its --out folder).");
                if (!version.TryGetInt32(out var v) || v != FleetManifest.CurrentSchemaVersion)
                    throw new FleetFormatException($"{source} has schemaVersion {version.GetRawText()}; this harness reads version {FleetManifest.CurrentSchemaVersion}. Re-render it with the harness version that wrote it.");
            }
            manifest = JsonSerializer.Deserialize<FleetManifest>(json, Complete);
        }
        catch (JsonException ex)
        {
            throw new FleetFormatException($"{source} is not a complete fleet.json (at {ex.Path ?? "$"}): {ResultsFile.FirstSentence(ex.Message)} Re-run certify-fleet, or restore an unedited copy.");
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new FleetFormatException($"{source} is not a fleet.json this harness can read: {ex.Message}");
        }
        if (manifest is null) throw new FleetFormatException($"{source} holds null, not a fleet object.");
        Validate(manifest, source);
        return manifest;
    }

    /// <summary>What the JSON shape cannot say: names unique, shards consistent, folders inside the fleet folder.</summary>
    private static void Validate(FleetManifest m, string source)
    {
        void Fail(string what) => throw new FleetFormatException($"{source} {what}");

        if (string.IsNullOrWhiteSpace(m.FleetDigest)) Fail("has an empty \"fleetDigest\"; shards could not be matched. Re-run certify-fleet.");
        if (m.DurationMs < 0) Fail($"has a negative \"durationMs\" ({m.DurationMs}). Re-run certify-fleet, or restore an unedited copy.");
        if (m.Roster.Count == 0) Fail("has an empty \"roster\": a fleet lists at least one agent. Re-run certify-fleet.");
        var roster = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in m.Roster)
        {
            if (string.IsNullOrWhiteSpace(name)) Fail("has a blank agent name in \"roster\". Fix the fleet file and re-run certify-fleet.");
            if (!roster.Add(name)) Fail($"lists agent \"{name}\" twice in \"roster\"; agent names must be unique. Fix the fleet file and re-run certify-fleet.");
        }

        if (m.Shards.Count == 0) Fail("has an empty \"shards\": a fleet folder holds at least one shard (1/1 for a whole run). Re-run certify-fleet.");
        var count = m.Shards[0].Count;
        var indexes = new HashSet<int>();
        foreach (var shard in m.Shards)
        {
            if (shard.Count < 1 || shard.Index < 1 || shard.Index > shard.Count)
                Fail($"has shard {shard.Label}, which is not a shard (I/N needs 1 ≤ I ≤ N). Re-run certify-fleet.");
            if (shard.Count != count) Fail($"mixes shard counts ({m.Shards[0].Label} and {shard.Label}); one fleet folder holds shards of one split. Merge with fleet-report instead of editing fleet.json.");
            if (!indexes.Add(shard.Index)) Fail($"lists shard {shard.Label} twice. Re-run certify-fleet, or restore an unedited copy.");
        }

        var agents = new HashSet<string>(StringComparer.Ordinal);
        var folders = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var agent in m.Agents)
        {
            if (!agents.Add(agent.Name)) Fail($"lists agent \"{agent.Name}\" twice in \"agents\". Re-run certify-fleet, or restore an unedited copy.");
            if (!roster.Contains(agent.Name)) Fail($"has agent \"{agent.Name}\", which is not in its \"roster\". Re-run certify-fleet, or restore an unedited copy.");
            if (string.IsNullOrWhiteSpace(agent.Profile)) Fail($"has no profile for agent \"{agent.Name}\". Re-run certify-fleet.");
            if (!IsInside(agent.Folder))
                Fail($"gives agent \"{agent.Name}\" the folder \"{agent.Folder}\", which is not a relative folder inside the fleet folder (expected agents/<name>). Re-run certify-fleet.");
            if (!folders.Add(agent.Folder.Replace('\\', '/').TrimEnd('/')))
                Fail($"gives agent \"{agent.Name}\" the folder \"{agent.Folder}\", which another agent also uses. Re-run certify-fleet.");
        }
    }

    /// <summary>A report folder is read and copied: it must not lead out of the fleet folder (../, /etc).</summary>
    private static bool IsInside(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || Path.IsPathRooted(folder)) return false;
        var parts = folder.Split('/', '\\');
        return parts.Where(p => p.Length > 0).All(p => p is not ("." or "..")) && parts.Any(p => p.Length > 0);
    }
}
