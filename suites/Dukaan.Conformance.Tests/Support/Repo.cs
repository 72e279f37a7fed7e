using System.Diagnostics;

namespace Dukaan.Conformance.Tests.Support;

/// <summary>Paths of the checkout the tests run from, and the built artefacts the end-to-end tests start.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string CliDll => Path.Combine(Root, "src", "Dukaan.Cli", "bin", "Debug", "net10.0", "dukaan-conformance.dll");

    public static string CSharpAgentDll => Path.Combine(Root, "fixtures", "agents", "csharp", "bin", "harness", "reference-agent.dll");

    public static string CSharpSenderDll => Path.Combine(Root, "fixtures", "senders", "agentdoor", "csharp", "bin", "harness", "agentdoor-sender.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DukaanConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("DukaanConformance.sln not found above the test directory.");
    }

    private static readonly SemaphoreSlim BuildGate = new(1, 1);

    /// <summary>
    /// The end-to-end tests start the CLI and the C# agent as real processes; suites/test.sh builds both, and this
    /// builds them when a developer runs one test project alone.
    /// </summary>
    public static async Task EnsureBuiltAsync()
    {
        await BuildGate.WaitAsync();
        try
        {
            if (!File.Exists(CSharpAgentDll))
                await RunAsync("dotnet", ["build", Path.Combine(Root, "fixtures/agents/csharp/ReferenceAgent.csproj"), "-c", "Release", "-o", Path.GetDirectoryName(CSharpAgentDll)!, "--nologo", "-v", "q"]);
            if (!File.Exists(CSharpSenderDll))
                await RunAsync("dotnet", ["build", Path.Combine(Root, "fixtures/senders/agentdoor/csharp/AgentDoorSender.csproj"), "-c", "Release", "-o", Path.GetDirectoryName(CSharpSenderDll)!, "--nologo", "-v", "q"]);
            if (!File.Exists(CliDll))
                await RunAsync("dotnet", ["build", Path.Combine(Root, "src/Dukaan.Cli/Dukaan.Cli.csproj"), "--nologo", "-v", "q"]);
        }
        finally { BuildGate.Release(); }
    }

    private static async Task RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) Assert.Fail($"`{file} {string.Join(' ', args)}` failed:\n{await output}{await error}");
    }
}
