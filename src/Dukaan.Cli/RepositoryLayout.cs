namespace Dukaan.Cli;

/// <summary>
/// Where the bundled reference agent comes from: the copy an installed (published) harness carries beside its binary,
/// or the checkout the CLI runs from, whose source it builds.
/// </summary>
public static class RepositoryLayout
{
    public const string ReferenceAgentProject = "fixtures/agents/csharp/ReferenceAgent.csproj";

    /// <summary>The folder `dotnet publish` / `dotnet pack` of the CLI puts the prebuilt reference agent in (Dukaan.Cli.csproj).</summary>
    public const string CarriedAgentFolder = "reference-agent";

    public const string ReferenceAgentDll = "reference-agent.dll";

    public static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, ReferenceAgentProject))) return dir.FullName;
        }
        return null;
    }

    /// <summary>
    /// The reference agent a published harness (the .NET tool) carries, or null when running from a build of the
    /// checkout. It wins over a checkout around the current directory: it is the agent this very harness was shipped with.
    /// </summary>
    public static string? CarriedReferenceAgent(string? baseDirectory = null)
    {
        var dll = Path.Combine(baseDirectory ?? AppContext.BaseDirectory, CarriedAgentFolder, ReferenceAgentDll);
        return File.Exists(dll) ? dll : null;
    }
}
