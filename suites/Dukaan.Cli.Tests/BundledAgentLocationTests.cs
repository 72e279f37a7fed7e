using System.Diagnostics;
using System.Reflection;

namespace Dukaan.Cli.Tests;

/// <summary>Where `certify` with no target finds the reference agent: carried beside the binary, else a checkout, else a clear error.</summary>
public sealed class BundledAgentLocationTests
{
    [Test]
    public void The_carried_agent_is_reference_agent_dll_in_the_folder_beside_the_binary()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-carried-").FullName;
        try
        {
            Assert.That(RepositoryLayout.CarriedReferenceAgent(dir), Is.Null, "a build of the checkout carries none");
            Directory.CreateDirectory(Path.Combine(dir, "reference-agent"));
            var dll = Path.Combine(dir, "reference-agent", "reference-agent.dll");
            File.WriteAllBytes(dll, []);
            Assert.That(RepositoryLayout.CarriedReferenceAgent(dir), Is.EqualTo(dll));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public async Task With_no_target_no_checkout_and_no_carried_agent_certify_says_what_to_give()
    {
        // A copy of the CLI's build output outside the checkout: no repository above it or the working directory.
        var configuration = typeof(BundledAgentLocationTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var build = Path.Combine(Repo.Root, "src", "Dukaan.Cli", "bin", configuration, "net10.0");
        var dir = Directory.CreateTempSubdirectory("dukaan-loose-cli-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(build)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            var info = new ProcessStartInfo("dotnet", [Path.Combine(dir, "dukaan-conformance.dll"), "certify"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
            };
            info.Environment["NO_COLOR"] = "1";
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            var error = await stderr;
            Assert.That(process.ExitCode, Is.EqualTo(2), await stdout + error);
            Assert.That(error, Does.Contain("No target: give --agent-cmd or --agent-url."));
            Assert.That(error, Does.Contain("needs a checkout of the repository (run inside it"));
            Assert.That(error, Does.Not.Contain("   at "), "one line, no stack trace");
            Assert.That(Directory.Exists(Path.Combine(dir, "reports")), Is.False, "nothing is written for a usage error");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
