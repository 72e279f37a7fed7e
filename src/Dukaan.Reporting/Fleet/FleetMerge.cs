namespace Dukaan.Reporting.Fleet;

/// <summary>What a merge (or a re-render) produced.</summary>
/// <param name="InPlace">True when a single fleet folder was re-rendered where it is, nothing copied.</param>
public sealed record FleetMergeResult(FleetRun Run, string OutDir, string ManifestPath, WrittenFleetReports Reports, bool InPlace);

/// <summary>
/// Merges the folders of <c>certify-fleet --shard I/N</c> runs into one self-contained fleet folder: the agents'
/// report folders copied in, one fleet.json over all of them, the fleet reports rendered. Refuses shards of different
/// fleet files or splits, a shard or an agent given twice, and an output folder overlapping an input, each with a
/// one-line <see cref="FleetFormatException"/>. Shards that were not given are not an error here: the merged
/// folder names their agents as not run, and the caller decides what that costs (exit 2 unless --allow-partial).
/// </summary>
public static class FleetMerge
{
    private static readonly StringComparison PathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <param name="inputs">Fleet folders (or their fleet.json files): shards of one run, or one whole run.</param>
    /// <param name="outDir">The merged fleet folder; null re-renders a single input where it is.</param>
    public static FleetMergeResult Run(IReadOnlyList<string> inputs, string? outDir)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new FleetFormatException("fleet-report needs at least one fleet folder (the --out folder of certify-fleet), e.g. fleet-report shard-1 shard-2 shard-3 --out fleet.");
        var shards = inputs.Select(path => new Input(path, FleetManifestFile.FolderOf(path), FleetManifestFile.Load(path))).ToList();
        CheckCompatible(shards);

        var (target, inPlace) = Target(shards, outDir);
        var manifest = inPlace ? shards[0].Manifest : Merged(shards);
        string manifestPath;
        if (inPlace)
        {
            // A whole run re-rendered: its fleet.json is the record of that run and stays byte for byte.
            manifestPath = Path.Combine(target, FleetManifest.FileName);
        }
        else
        {
            PrepareTarget(target);
            foreach (var shard in shards)
                foreach (var agent in shard.Manifest.Agents)
                    CopyAgent(Path.Combine(shard.Folder, agent.Folder), Path.Combine(target, agent.Folder));
            manifestPath = FleetManifestFile.Write(manifest, target);
        }
        var run = FleetRun.Load(target);
        return new FleetMergeResult(run, target, manifestPath, FleetReportWriter.Write(run, target), inPlace);
    }

    /// <summary>The merged manifest: shards and agents of all inputs, the run spanning from the first start to the last end.</summary>
    public static FleetManifest Merged(IReadOnlyList<FleetManifest> manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        if (manifests.Count == 0) throw new ArgumentException("Nothing to merge.", nameof(manifests));
        var first = manifests[0];
        var position = first.Roster.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var start = manifests.Min(m => m.StartedAt);
        var end = manifests.Max(m => m.StartedAt.AddMilliseconds(m.DurationMs));
        return first with
        {
            // Shards run by different harness builds are merged, but the report must not pretend they were one.
            HarnessVersion = string.Join(", ", manifests.Select(m => m.HarnessVersion).Distinct(StringComparer.Ordinal)),
            Shards = [.. manifests.SelectMany(m => m.Shards).OrderBy(s => s.Index)],
            StartedAt = start,
            DurationMs = Math.Max(0, (long)(end - start).TotalMilliseconds),
            Agents = [.. manifests.SelectMany(m => m.Agents).OrderBy(a => position.GetValueOrDefault(a.Name, int.MaxValue))],
        };
    }

    private sealed record Input(string Path, string Folder, FleetManifest Manifest)
    {
        public string File => System.IO.Path.Combine(Folder, FleetManifest.FileName);
    }

    private static FleetManifest Merged(IReadOnlyList<Input> shards) => Merged([.. shards.Select(s => s.Manifest)]);

    private static void CheckCompatible(IReadOnlyList<Input> inputs)
    {
        var folders = new Dictionary<string, Input>(PathComparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        var shards = new Dictionary<int, Input>();
        var agents = new Dictionary<string, Input>(StringComparer.Ordinal);
        var first = inputs[0];
        foreach (var input in inputs)
        {
            if (!folders.TryAdd(input.Folder, input))
                throw new FleetFormatException($"{input.Path} is given twice; give each shard folder once.");
            if (!string.Equals(input.Manifest.FleetDigest, first.Manifest.FleetDigest, StringComparison.OrdinalIgnoreCase))
                throw new FleetFormatException($"{first.File} and {input.File} have different fleet digests ({Short(first.Manifest.FleetDigest)} vs {Short(input.Manifest.FleetDigest)}): the shards come from different fleet files (or the file changed between shard runs). Merge shards of one run of one fleet file.");
            var count = input.Manifest.Shards[0].Count;
            var firstCount = first.Manifest.Shards[0].Count;
            if (count != firstCount)
                throw new FleetFormatException($"{first.File} was split into {firstCount} shards and {input.File} into {count}: merge the shards of one split (every run with the same --shard I/N count).");
            foreach (var shard in input.Manifest.Shards)
            {
                if (shards.TryGetValue(shard.Index, out var other))
                    throw new FleetFormatException($"shard {shard.Label} is in both {other.Path} and {input.Path}; give each shard once.");
                shards.Add(shard.Index, input);
            }
            foreach (var agent in input.Manifest.Agents)
            {
                if (agents.TryGetValue(agent.Name, out var other))
                    throw new FleetFormatException($"agent \"{agent.Name}\" is in both {other.Path} and {input.Path}; an agent is certified by one shard only, so one of these folders is not from this split. Give each shard once.");
                agents.Add(agent.Name, input);
            }
        }
    }

    private static (string Target, bool InPlace) Target(IReadOnlyList<Input> inputs, string? outDir)
    {
        if (outDir is null)
        {
            if (inputs.Count == 1) return (inputs[0].Folder, true);
            throw new FleetFormatException($"merging {inputs.Count} fleet folders needs --out OUT: a new folder for the merged fleet, outside the shard folders.");
        }
        if (string.IsNullOrWhiteSpace(outDir)) throw new FleetFormatException("--out is empty; give a folder for the merged fleet.");
        var target = Path.GetFullPath(outDir);
        if (inputs.Count == 1 && SamePath(target, inputs[0].Folder)) return (target, true);
        foreach (var input in inputs)
        {
            if (SamePath(target, input.Folder) || Inside(target, input.Folder) || Inside(input.Folder, target))
                throw new FleetFormatException($"--out {outDir} overlaps the input {input.Path}: the merge copies agents out of the inputs into --out. Give a folder outside every input folder.");
        }
        return (target, false);
    }

    /// <summary>
    /// A new or empty folder is used as is; an earlier merge (it has a fleet.json) is replaced, its agent folders
    /// removed first so no agent of the old merge lingers; anything else is someone's files and is refused.
    /// </summary>
    private static void PrepareTarget(string target)
    {
        if (!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any())
        {
            Directory.CreateDirectory(target);
            return;
        }
        if (!File.Exists(Path.Combine(target, FleetManifest.FileName)))
            throw new FleetFormatException($"--out {target} already holds files and no {FleetManifest.FileName}; give a new or empty folder (or an earlier fleet-report output to replace).");
        var previous = FleetManifestFile.Load(target);
        foreach (var agent in previous.Agents)
        {
            var folder = Path.Combine(target, agent.Folder);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Copies beside and renames, so an interrupted merge never leaves a half-copied agent looking whole.</summary>
    private static void CopyAgent(string source, string destination)
    {
        // An agent that failed before its run may have no folder: the manifest's error says why, nothing to copy.
        if (!Directory.Exists(source)) return;
        var partial = destination + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        CopyTree(new DirectoryInfo(source), partial);
        if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        Directory.Move(partial, destination);
    }

    private static void CopyTree(DirectoryInfo source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            // Links are not followed: a shard folder is an artifact from elsewhere, and a link in it could point at any file here.
            if (entry.LinkTarget is not null) continue;
            var to = Path.Combine(destination, entry.Name);
            if (entry is DirectoryInfo dir) CopyTree(dir, to);
            else if (entry is FileInfo file) file.CopyTo(to, overwrite: true);
        }
    }

    private static bool SamePath(string a, string b) => string.Equals(Trim(a), Trim(b), PathComparison);

    /// <summary>True when <paramref name="inner"/> is below <paramref name="outer"/>.</summary>
    private static bool Inside(string inner, string outer) => Trim(inner).StartsWith(Trim(outer) + Path.DirectorySeparatorChar, PathComparison);

    private static string Trim(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static string Short(string digest) => digest.Length <= 12 ? digest : digest[..12] + "…";
}
