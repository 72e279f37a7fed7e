namespace Dukaan.Conformance.Agents;

/// <summary>
/// Remembers the files in a directory before the agent starts, so the secrets scan looks only at what the agent
/// created or changed — a seller's project directory can hold anything beforehand.
/// </summary>
public sealed class FileSnapshot
{
    private static readonly string[] SkippedDirectories = ["node_modules", ".git", "bin", "obj"];
    private readonly Dictionary<string, (long Length, DateTime Modified)> _before;

    private FileSnapshot(string root, Dictionary<string, (long, DateTime)> before)
    {
        Root = root;
        _before = before;
    }

    public string Root { get; }

    public static FileSnapshot Take(string root) => new(root, Enumerate(root).ToDictionary(f => f.FullName, f => (f.Length, f.LastWriteTimeUtc)));

    public IEnumerable<string> ChangedFiles()
    {
        foreach (var file in Enumerate(Root))
        {
            if (!_before.TryGetValue(file.FullName, out var was) || was != (file.Length, file.LastWriteTimeUtc))
                yield return file.FullName;
        }
    }

    private static IEnumerable<FileInfo> Enumerate(string root)
    {
        if (!Directory.Exists(root)) yield break;
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            FileSystemInfo[] entries;
            try { entries = dir.GetFileSystemInfos(); }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException) { continue; }
            foreach (var entry in entries)
            {
                if (entry.LinkTarget is not null) continue;
                if (entry is DirectoryInfo sub)
                {
                    if (!SkippedDirectories.Contains(sub.Name, StringComparer.Ordinal)) pending.Push(sub);
                }
                else if (entry is FileInfo file) yield return file;
            }
        }
    }
}
