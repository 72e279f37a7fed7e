namespace Dukaan.Cli;

/// <summary>Finds the repository the CLI runs from, so the bundled reference agent can be certified with no arguments.</summary>
public static class RepositoryLayout
{
    public const string ReferenceAgentProject = "fixtures/agents/csharp/ReferenceAgent.csproj";

    public static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, ReferenceAgentProject))) return dir.FullName;
        }
        return null;
    }
}
