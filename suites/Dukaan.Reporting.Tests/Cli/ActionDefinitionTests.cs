using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dukaan.Reporting.Tests.Cli;

/// <summary>
/// action.yml without a YAML library: the few line-level facts a broken action would get wrong, its install script run
/// by bash (as GitHub runs it) with dotnet replaced by a function that records its calls, and its certify script with
/// the installed dukaan-conformance replaced by a function that prints the arguments it got.
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
        }, toolExit: 1);
        Assert.That(args, Is.EqualTo(new[]
        {
            "certify", "--out", "o", "--agent-url", "http://127.0.0.1:3000", "--sim-port", "47000", "--secret", "s3cr3t-value",
        }));
        Assert.That(log, Does.StartWith("::add-mask::s3cr3t-value\n"));
        Assert.That(output, Is.EqualTo("exit-code=1\n"));
        Assert.That(exit, Is.EqualTo(1), "the step fails with certify, and the upload step still runs (if: always())");
    }

    [Test]
    public async Task The_install_script_packs_the_action_once_and_puts_the_installed_tool_on_the_path()
    {
        var dir = Directory.CreateTempSubdirectory("dukaan-action-install-").FullName;
        try
        {
            var runner = Path.Combine(dir, "runner");
            Directory.CreateDirectory(runner);
            var calls = Path.Combine(dir, "calls");
            var githubPath = Path.Combine(dir, "github-path");
            File.WriteAllText(calls, "");
            File.WriteAllText(githubPath, "");

            await RunInstallScriptAsync(dir, runner, calls, githubPath, "/actions/dukaan");
            Assert.That(File.ReadAllLines(calls), Is.EqualTo(new[]
            {
                $"pack /actions/dukaan/src/Dukaan.Cli -c Release -o {runner}/dukaan-pkg --nologo",
                $"tool install DukaanConformance --tool-path {runner}/dukaan-tool --source {runner}/dukaan-pkg --version 1.2.3-beta.4",
            }), "the version installed is the one just packed, from that folder alone");
            Assert.That(File.ReadAllText(githubPath), Is.EqualTo($"{runner}/dukaan-tool\n"), "later steps (certify) find dukaan-conformance on PATH");

            await RunInstallScriptAsync(dir, runner, calls, githubPath, "/actions/dukaan");
            Assert.That(File.ReadAllLines(calls), Has.Length.EqualTo(2), "a second use in the same job keeps the installed tool");

            await RunInstallScriptAsync(dir, runner, calls, githubPath, "/actions/dukaan-v2");
            Assert.That(File.ReadAllLines(calls).Skip(2).First(), Does.StartWith("pack /actions/dukaan-v2/src/Dukaan.Cli "), "another version of the action packs its own");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The install script, with dotnet a function that logs its calls and makes what pack and tool install would.</summary>
    private static async Task RunInstallScriptAsync(string dir, string runner, string calls, string githubPath, string actionPath)
    {
        var script = RunBlocks().Single(b => b.Contains("dotnet tool install", StringComparison.Ordinal));
        var stub = $$"""
            dotnet() {
              printf '%s\n' "$*" >> '{{calls}}'
              local prev="" out="" tool=""
              for a in "$@"; do
                [ "$prev" = "-o" ] && out="$a"
                [ "$prev" = "--tool-path" ] && tool="$a"
                prev="$a"
              done
              if [ -n "$out" ]; then mkdir -p "$out"; touch "$out/DukaanConformance.1.2.3-beta.4.nupkg"; fi
              if [ -n "$tool" ]; then mkdir -p "$tool"; touch "$tool/dukaan-conformance"; chmod +x "$tool/dukaan-conformance"; fi
            }

            """;
        var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", stub + script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
        };
        start.Environment["RUNNER_TEMP"] = runner;
        start.Environment["GITHUB_ACTION_PATH"] = actionPath;
        start.Environment["GITHUB_PATH"] = githubPath;
        using var bash = Process.Start(start)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(bash.ExitCode, Is.EqualTo(0), await stdout + await stderr);
        Assert.That(await stderr, Is.Empty, "the script itself ran cleanly");
    }

    private static IEnumerable<string> RunBlocks() =>
        RunBlock().Matches(Yaml.Value).Select(m => m.Groups["body"].Value);

    /// <summary>Which environment variable each input reaches the script through (<c>IN_AGENT_CMD: ${{ inputs.agent-cmd }}</c>).</summary>
    private static Dictionary<string, string> EnvironmentOfInputs() =>
        EnvLine().Matches(Yaml.Value).ToDictionary(m => m.Groups["input"].Value, m => m.Groups["var"].Value);

    private static async Task<string[]> RunCertifyScriptAsync(Dictionary<string, string> inputs) => (await RunCertifyScriptFullAsync(inputs, 0)).Args;

    private static async Task<(string[] Args, string Log, string Output, int Exit)> RunCertifyScriptFullAsync(Dictionary<string, string> inputs, int toolExit)
    {
        var script = RunBlocks().Single(b => b.Contains("certify", StringComparison.Ordinal));
        var dir = Directory.CreateTempSubdirectory("dukaan-action-").FullName;
        try
        {
            var outputFile = Path.Combine(dir, "github-output");
            var argsFile = Path.Combine(dir, "args");
            File.WriteAllText(outputFile, "");
            // GitHub runs `bash --noprofile --norc -eo pipefail {0}`; the installed tool becomes a function recording one argument per line.
            var stub = $"dukaan-conformance() {{ printf '%s\\n' \"$@\" > '{argsFile}'; return {toolExit}; }}\n";
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
