using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dukaan.Reporting.Tests.Cli;

/// <summary>
/// action.yml without a YAML library: the few line-level facts a broken action would get wrong, and its certify
/// script run by bash (as GitHub runs it) with dotnet replaced by a function that prints the arguments it got.
/// </summary>
public sealed partial class ActionDefinitionTests
{
    private static readonly Lazy<string> Yaml = new(() => File.ReadAllText(Path.Combine(RepositoryRoot(), "action.yml")));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DukaanConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (DukaanConformance.sln) not found above the test assembly");
    }

    /// <summary>The two-space-indented keys under <c>inputs:</c>, up to the next top-level key.</summary>
    private static HashSet<string> DeclaredInputs()
    {
        var block = Regex.Match(Yaml.Value, @"^inputs:\n(.*?)^\S", RegexOptions.Multiline | RegexOptions.Singleline).Groups[1].Value;
        return [.. Regex.Matches(block, @"^  ([a-z][a-z-]*):\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];
    }

    [Test]
    public void Is_a_composite_action_whose_steps_use_exactly_the_declared_inputs()
    {
        var declared = DeclaredInputs();
        var used = Regex.Matches(Yaml.Value, @"inputs\.([a-z][a-z-]*)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.That(Yaml.Value, Does.Contain("\nruns:\n  using: composite\n"));
        Assert.That(declared, Is.SupersetOf(new[] { "agent-cmd", "agent-workdir", "agent-url", "trigger-url", "rules", "strict", "baseline", "out", "dotnet-version" }));
        Assert.That(used.Except(declared), Is.Empty, "inputs used but not declared");
        Assert.That(declared.Except(used), Is.Empty, "inputs declared but never used");
    }

    [Test]
    public void Defaults_and_steps_are_the_documented_ones()
    {
        Assert.That(Yaml.Value, Does.Contain("  out:\n    description: Report folder, uploaded as an artifact.\n    required: false\n    default: reports/conformance\n"));
        Assert.That(Yaml.Value, Does.Contain("    default: 10.0.x\n"));
        Assert.That(Yaml.Value, Does.Contain("    - uses: actions/setup-dotnet@v4\n"));
        Assert.That(Yaml.Value, Does.Contain("      if: always()\n      uses: actions/upload-artifact@v4\n"), "the report is uploaded even when certification fails");
        Assert.That(Yaml.Value, Does.Contain("        path: ${{ inputs.out }}\n"));
        Assert.That(Yaml.Value.Split('\n'), Has.None.Contains("\t"), "YAML indents with spaces");
    }

    [Test]
    public void Run_scripts_never_splice_expressions_so_inputs_cannot_inject_shell()
    {
        foreach (var script in RunBlocks())
            Assert.That(script, Does.Not.Contain("${{"), "expressions belong in env:, the script reads $IN_…");
    }

    [Test]
    public async Task The_script_passes_only_the_inputs_that_are_set_each_as_one_argument()
    {
        var args = await RunCertifyScriptAsync(new()
        {
            ["agent-cmd"] = "node \"my server.js\" --name 'it''s' $(touch pwned) `touch pwned2`",
            ["trigger-url"] = "http://127.0.0.1:{port}/_test/trigger",
            ["strict"] = "true",
            ["baseline"] = "ci/dukaan baseline.json",
            ["out"] = "reports/conformance",
        });
        Assert.That(args, Is.EqualTo(new[]
        {
            "run", "--project", "/actions/dukaan/src/Dukaan.Cli", "-c", "Release", "--",
            "certify", "--out", "reports/conformance",
            "--agent-cmd", "node \"my server.js\" --name 'it''s' $(touch pwned) `touch pwned2`",
            "--trigger-url", "http://127.0.0.1:{port}/_test/trigger",
            "--strict",
            "--baseline", "ci/dukaan baseline.json",
        }));
    }

    [Test]
    public async Task The_script_masks_the_secret_and_reports_certifys_exit_code()
    {
        var (args, log, output, exit) = await RunCertifyScriptFullAsync(new()
        {
            ["agent-url"] = "http://127.0.0.1:3000", ["sim-port"] = "47000", ["secret"] = "s3cr3t-value", ["strict"] = "false", ["out"] = "o",
        }, dotnetExit: 1);
        Assert.That(args, Is.EqualTo(new[]
        {
            "run", "--project", "/actions/dukaan/src/Dukaan.Cli", "-c", "Release", "--",
            "certify", "--out", "o", "--agent-url", "http://127.0.0.1:3000", "--sim-port", "47000", "--secret", "s3cr3t-value",
        }));
        Assert.That(log, Does.StartWith("::add-mask::s3cr3t-value\n"));
        Assert.That(output, Is.EqualTo("exit-code=1\n"));
        Assert.That(exit, Is.EqualTo(1), "the step fails with certify, and the upload step still runs (if: always())");
    }

    private static IEnumerable<string> RunBlocks() =>
        RunBlock().Matches(Yaml.Value).Select(m => m.Groups["body"].Value);

    /// <summary>Which environment variable each input reaches the script through (<c>IN_AGENT_CMD: ${{ inputs.agent-cmd }}</c>).</summary>
    private static Dictionary<string, string> EnvironmentOfInputs() =>
        EnvLine().Matches(Yaml.Value).ToDictionary(m => m.Groups["input"].Value, m => m.Groups["var"].Value);

    private static async Task<string[]> RunCertifyScriptAsync(Dictionary<string, string> inputs) => (await RunCertifyScriptFullAsync(inputs, 0)).Args;

    private static async Task<(string[] Args, string Log, string Output, int Exit)> RunCertifyScriptFullAsync(Dictionary<string, string> inputs, int dotnetExit)
    {
        var script = RunBlocks().Single(b => b.Contains("certify", StringComparison.Ordinal));
        var dir = Directory.CreateTempSubdirectory("dukaan-action-").FullName;
        try
        {
            var outputFile = Path.Combine(dir, "github-output");
            var argsFile = Path.Combine(dir, "args");
            File.WriteAllText(outputFile, "");
            // GitHub runs `bash --noprofile --norc -eo pipefail {0}`; dotnet becomes a function recording one argument per line.
            var stub = $"dotnet() {{ printf '%s\\n' \"$@\" > '{argsFile}'; return {dotnetExit}; }}\n";
            var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", stub + script])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
            };
            start.Environment["GITHUB_ACTION_PATH"] = "/actions/dukaan";
            start.Environment["GITHUB_OUTPUT"] = outputFile;
            foreach (var (input, variable) in EnvironmentOfInputs())
                start.Environment[variable] = inputs.GetValueOrDefault(input, "");
            using var bash = Process.Start(start)!;
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(await stderr, Is.Empty, "the script itself ran cleanly");
            Assert.That(Directory.GetFiles(dir, "pwned*"), Is.Empty, "nothing in an input was executed");
            var args = File.ReadAllText(argsFile).TrimEnd('\n').Split('\n');
            return (args, await stdout, File.ReadAllText(outputFile), bash.ExitCode);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [GeneratedRegex(@"^      run: \|\n(?<body>(?:        .*\n|\n)+)", RegexOptions.Multiline)]
    private static partial Regex RunBlock();

    [GeneratedRegex(@"^        (?<var>IN_[A-Z_]+): \$\{\{ inputs\.(?<input>[a-z-]+) \}\}\s*$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();
}
