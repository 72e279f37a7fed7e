using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Dukaan.Conformance.Engine;

namespace Dukaan.Cli.Tests;

/// <summary>
/// The real install: the CLI packed as the DukaanConformance .NET tool, installed with `dotnet tool install` into a
/// temporary tool path from the local package folder alone, and run as `dukaan-conformance` from a folder outside the
/// checkout, where no repository can be found above the working directory or the binary.
/// </summary>
/// <remarks>
/// Packing reuses the build the tests run on (`dotnet pack --no-build` in this assembly's configuration) and writes
/// its publish folder and nuspec under a temp folder: suites/test.sh builds once and runs the other test projects from
/// the same bin folders at the same time, so a pack that rebuilt the CLI would rewrite files they are loading. The
/// reference agent the package carries is published from its Release build (Dukaan.Cli.csproj), which test.sh has
/// already made, so that step only copies too. NUGET_PACKAGES points into the temp folder: the package's version does
/// not change between builds, and a copy cached in ~/.nuget/packages would be installed instead of the fresh one.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class ToolInstallTests
{
    private static readonly TimeSpan PackLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);

    private string _temp = "";
    private string _packages = "";
    private string _command = "";
    private string _outside = "";

    [OneTimeSetUp]
    public async Task PackAndInstall()
    {
        _temp = Directory.CreateTempSubdirectory("dukaan-tool-install-").FullName;
        _packages = Path.Combine(_temp, "pkg");
        _outside = Path.Combine(_temp, "outside");
        Directory.CreateDirectory(_outside);
        var configuration = typeof(ToolInstallTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var pack = await RunAsync("dotnet",
            ["pack", Path.Combine(Repo.Root, "src", "Dukaan.Cli", "Dukaan.Cli.csproj"), "--no-build", "-c", configuration, "-o", _packages,
             $"-p:PublishDir={Path.Combine(_temp, "publish")}/", $"-p:NuspecOutputPath={Path.Combine(_temp, "nuspec")}/", "--nologo", "-v", "q"],
            Repo.Root, PackLimit);
        Assert.That(pack.Exit, Is.EqualTo(0), $"dotnet pack failed:\n{pack.Output}");
        // --source, not --add-source: only the local folder, so no registry copy of the same id can be picked instead.
        var toolPath = Path.Combine(_temp, "tool");
        var install = await RunAsync("dotnet",
            ["tool", "install", "DukaanConformance", "--tool-path", toolPath, "--source", _packages, "--version", HarnessInfo.Version],
            _outside, PackLimit);
        Assert.That(install.Exit, Is.EqualTo(0), $"dotnet tool install failed:\n{install.Output}");
        _command = Path.Combine(toolPath, "dukaan-conformance");
        Assert.That(File.Exists(_command), $"the tool path has no dukaan-conformance command:\n{install.Output}");
    }

    [OneTimeTearDown]
    public void RemoveTemp()
    {
        if (_temp.Length > 0 && Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true);
    }

    [Test]
    public void The_package_is_a_dotnet_tool_of_the_harness_version_that_carries_the_reference_agent()
    {
        var nupkg = Path.Combine(_packages, $"DukaanConformance.{HarnessInfo.Version}.nupkg");
        Assert.That(File.Exists(nupkg), $"expected {Path.GetFileName(nupkg)} in {_packages}: {string.Join(", ", Directory.GetFiles(_packages).Select(Path.GetFileName))}");
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.That(entries, Does.Contain("tools/net10.0/any/dukaan-conformance.dll"));
        Assert.That(entries, Does.Contain("tools/net10.0/any/reference-agent/reference-agent.dll"));
        Assert.That(entries, Does.Contain("tools/net10.0/any/reference-agent/reference-agent.runtimeconfig.json"));
        Assert.That(entries, Has.None.EqualTo("tools/net10.0/any/reference-agent/reference-agent"), "no Linux apphost in a package for every platform");
        using var nuspec = new StreamReader(zip.GetEntry("DukaanConformance.nuspec")!.Open());
        var text = nuspec.ReadToEnd();
        Assert.That(text, Does.Contain("<packageType name=\"DotnetTool\" />"));
        Assert.That(text, Does.Contain($"<version>{HarnessInfo.Version}</version>"));
        Assert.That(text, Does.Contain("<license type=\"expression\">MIT</license>"));
    }

    [Test]
    public async Task The_installed_command_reports_the_package_version()
    {
        var run = await RunAsync(_command, ["--version"], _outside, RunLimit);
        Assert.That(run.Exit, Is.EqualTo(0), run.Output);
        // The informational version may carry +<commit>; the number itself is the package's.
        Assert.That(run.Output.Trim().Split('+')[0], Is.EqualTo(HarnessInfo.Version));
    }

    [Test]
    public async Task The_installed_command_lists_the_rules()
    {
        var run = await RunAsync(_command, ["list-rules", "--profile", "wakeel"], _outside, RunLimit);
        Assert.That(run.Exit, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("WK-"));
        Assert.That(run.Output, Does.Not.Contain("DK-SIG-01"));
    }

    [Test]
    public async Task The_installed_command_certifies_an_agent_from_outside_the_checkout()
    {
        var workDir = Path.Combine(_temp, "agent-work");
        Directory.CreateDirectory(workDir);
        var agent = $"python3 {Shell.Always(Path.Combine(Repo.Root, "fixtures", "agents", "python", "agent.py"))}";
        var cwd = FreshFolder("certify-agent-cmd");
        var run = await RunAsync(_command, ["certify", "--agent-cmd", agent, "--agent-workdir", workDir, "--rules", "DK-SIG-*"], cwd, RunLimit);
        Assert.That(run.Exit, Is.EqualTo(0), run.Output);
        using var results = ReadDefaultReport(cwd);
        var root = results.RootElement;
        Assert.That(root.GetProperty("harnessVersion").GetString(), Is.EqualTo(HarnessInfo.Version));
        Assert.That(root.GetProperty("target").GetProperty("command").GetString(), Is.EqualTo(agent));
        Assert.That(root.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()), Has.All.StartWith("DK-SIG-").And.Not.Empty);
    }

    [Test]
    public async Task With_no_target_the_installed_command_certifies_the_reference_agent_it_carries()
    {
        var cwd = FreshFolder("certify-bundled");
        var run = await RunAsync(_command, ["certify", "--rules", "DK-SIG-*,DK-CFG-01"], cwd, RunLimit);
        Assert.That(run.Exit, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Not.Contain("building the bundled reference agent"), "the carried agent is prebuilt");
        using var results = ReadDefaultReport(cwd);
        var target = results.RootElement.GetProperty("target");
        Assert.That(target.GetProperty("description").GetString(), Is.EqualTo("bundled C# reference agent"));
        Assert.That(target.GetProperty("command").GetString(), Does.Contain(Path.Combine("reference-agent", "reference-agent.dll")).And.Contain(Path.Combine(_temp, "tool")),
            "the agent run is the one inside the installed tool, not a checkout's");
    }

    private string FreshFolder(string name)
    {
        var dir = Path.Combine(_outside, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Outside a checkout, certify with no --out writes reports/&lt;timestamp&gt;/ under the working directory.</summary>
    private static JsonDocument ReadDefaultReport(string cwd)
    {
        var reports = Path.Combine(cwd, "reports");
        Assert.That(Directory.Exists(reports), $"no reports/ folder in {cwd}");
        var run = Directory.GetDirectories(reports).Single();
        Assert.That(File.Exists(Path.Combine(run, "index.html")), $"no index.html in {run}");
        Assert.That(File.Exists(Path.Combine(run, "junit.xml")), $"no junit.xml in {run}");
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json")));
    }

    private async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["NUGET_PACKAGES"] = Path.Combine(_temp, "nuget-packages");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("GITHUB_ACTIONS");
        info.Environment.Remove("GITHUB_STEP_SUMMARY");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{file} {string.Join(' ', info.ArgumentList)}` did not finish within {limit.TotalSeconds:0} s:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
