namespace Dukaan.Cli.Tests;

/// <summary>The repository the tests run from, for the files it ships (the example config, the schema).</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DukaanConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (DukaanConformance.sln) not found above " + AppContext.BaseDirectory);
    }
}
