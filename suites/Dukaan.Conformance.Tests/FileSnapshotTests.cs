using Dukaan.Conformance.Agents;

namespace Dukaan.Conformance.Tests;

public sealed class FileSnapshotTests
{
    [Test]
    public void Reports_only_files_created_or_changed_after_the_snapshot_and_skips_dependency_folders()
    {
        var dir = Directory.CreateTempSubdirectory("snap-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "untouched.txt"), "before");
            File.WriteAllText(Path.Combine(dir, "changed.txt"), "before");
            var snapshot = FileSnapshot.Take(dir);
            File.AppendAllText(Path.Combine(dir, "changed.txt"), " and after");
            File.WriteAllText(Path.Combine(dir, "new.json"), "{}");
            Directory.CreateDirectory(Path.Combine(dir, "node_modules"));
            File.WriteAllText(Path.Combine(dir, "node_modules", "dep.js"), "x");
            Assert.That(snapshot.ChangedFiles().Select(Path.GetFileName), Is.EquivalentTo(new[] { "changed.txt", "new.json" }));
        }
        finally { Directory.Delete(dir, true); }
    }
}
