using System.CommandLine;
using Dukaan.Cli.Configuration;
using Dukaan.Cli.Init;

namespace Dukaan.Cli.Tests;

public sealed class InitCommandTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-init-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, ConfigFile.FileName);

    private string WorkflowPath => Path.Combine(_dir, StarterFiles.WorkflowPath);

    private void Given(params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(_dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
    }

    private async Task<(int Exit, string Out, string Err)> InitAsync(params string[] extra)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["init", "--dir", _dir, .. extra], new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static IEnumerable<TestCaseData> Stacks()
    {
        yield return new TestCaseData(new[] { ("package.json", """{ "scripts": { "start": "node src/main.js" } }"""), ("package-lock.json", "{}") },
            StackKind.Node, "npm start", new[] { "actions/setup-node@v4", "- run: npm ci" }).SetName("Node with a start script and a lockfile");
        yield return new TestCaseData(new[] { ("package.json", "{}"), ("index.js", "") },
            StackKind.Node, "node index.js", new[] { "actions/setup-node@v4", "- run: npm install" }).SetName("Node without a start script or lockfile");
        yield return new TestCaseData(new[] { ("package.json", "{ not json"), ("server.js", "") },
            StackKind.Node, "node server.js", new[] { "actions/setup-node@v4" }).SetName("Node with a broken package.json");
        yield return new TestCaseData(new[] { ("requirements.txt", "flask\n"), ("app.py", ""), ("util.py", "") },
            StackKind.Python, "python3 app.py", new[] { "actions/setup-python@v5", "- run: python -m pip install -r requirements.txt" }).SetName("Python with requirements.txt");
        yield return new TestCaseData(new[] { ("agent.py", "print(1)\n"), ("helpers.py", "") },
            StackKind.Python, "python3 agent.py", new[] { "actions/setup-python@v5" }).SetName("Python, standard library only");
        yield return new TestCaseData(new[] { ("pyproject.toml", "[project]\n"), ("bot.py", "") },
            StackKind.Python, "python3 bot.py", new[] { "actions/setup-python@v5", "# TODO: install the dependencies pyproject.toml names" }).SetName("Python with pyproject.toml");
        yield return new TestCaseData(new[] { ("Agent.csproj", "<Project />") },
            StackKind.DotNet, "dotnet run --project Agent.csproj", new[] { "- run: dotnet build Agent.csproj" }).SetName(".NET project at the top");
        yield return new TestCaseData(new[] { ("src/Shop.Agent/Shop.Agent.csproj", "<Project />"), ("tests/Shop.Agent.Tests/Shop.Agent.Tests.csproj", "<Project />") },
            StackKind.DotNet, "dotnet run --project src/Shop.Agent/Shop.Agent.csproj", new[] { "- run: dotnet build src/Shop.Agent/Shop.Agent.csproj" }).SetName(".NET project in a subfolder, next to its tests");
    }

    [TestCaseSource(nameof(Stacks))]
    public async Task Detects_the_stack_and_writes_a_config_that_loads_and_a_matching_workflow((string, string)[] files, StackKind kind, string command, string[] workflowSteps)
    {
        Given(files);
        Assert.That(StackDetector.Detect(_dir).Kind, Is.EqualTo(kind));

        var (exit, output, error) = await InitAsync();
        Assert.That(exit, Is.EqualTo(0), error);
        var config = ConfigFileLoader.Load(ConfigPath);
        Assert.That(config.Agent!.Cmd, Is.EqualTo(command));
        Assert.That(config.Agent.Workdir, Is.EqualTo(_dir));
        Assert.That(config.TriggerUrl, Is.EqualTo("http://127.0.0.1:{port}/_test/trigger"));
        Assert.That(config.StartupTimeout, Is.EqualTo(kind == StackKind.DotNet ? 120 : 30), "dotnet run builds before the port opens");
        Assert.That(File.ReadAllText(ConfigPath), Does.Contain("\"$schema\": \"https://").And.Contains("You must expose this route yourself, in test mode only"));
        Assert.That(File.ReadAllText(ConfigPath), Does.Not.Contain("\\u00"), "people read this file: quotes and <> stay as typed");

        var workflow = File.ReadAllText(WorkflowPath);
        Assert.That(workflow, Does.Contain("uses: actions/checkout@v4").And.Contain("dotnet-version: 10.0.x"));
        Assert.That(workflow, Does.Contain("-- certify --config \"$GITHUB_WORKSPACE/dukaan-conformance.json\""));
        Assert.That(workflow, Does.Contain("if: always()\n        uses: actions/upload-artifact@v4"));
        Assert.That(workflow, Does.Contain($"path: {Path.GetRelativePath(_dir, config.Out!)}\n"), "uploads the folder the config writes to");
        foreach (var step in workflowSteps) Assert.That(workflow, Does.Contain(step));
        Assert.That(workflow, Does.Not.Contain("setup-node").Or.Not.Contain("setup-python"), "one toolchain");
        Assert.That(workflow.Split('\n'), Has.None.Contains("\t"), "YAML indents with spaces");

        Assert.That(output, Does.Contain($"wrote {ConfigFile.FileName}").And.Contain($"wrote {StarterFiles.WorkflowPath}"));
        Assert.That(output, Does.Contain($"agent command: {command}"));
        Assert.That(output, Does.Contain($"run: dukaan-conformance certify --config "), "--dir is not the current directory");
    }

    [Test]
    public async Task An_unknown_stack_gets_a_placeholder_that_certify_refuses_until_it_is_replaced()
    {
        Given(("README.md", "# my agent"));
        var (exit, output, _) = await InitAsync();
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(output, Does.Contain("stack: unknown").And.Contain("set agent.cmd in dukaan-conformance.json"));
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileLoader.Load(ConfigPath))!;
        Assert.That(ex.Problems, Is.EqualTo(new[] { "$.agent.cmd is still the placeholder `init` wrote; put the command that starts your agent there, e.g. \"node server.js\"" }));
        Assert.That(File.ReadAllText(WorkflowPath), Does.Contain("# TODO: set up your agent's toolchain"));

        File.WriteAllText(ConfigPath, File.ReadAllText(ConfigPath).Replace(StackDetector.UnknownCommand, "./run-agent.sh", StringComparison.Ordinal));
        Assert.That(ConfigFileLoader.Load(ConfigPath).Agent!.Cmd, Is.EqualTo("./run-agent.sh"));
    }

    [Test]
    public async Task An_existing_file_is_kept_and_named_and_the_other_is_still_written()
    {
        Given(("package.json", "{}"), (ConfigFile.FileName, """{ "seed": 42 }"""));
        var (exit, output, error) = await InitAsync();
        Assert.That(exit, Is.EqualTo(0), "the workflow was written");
        Assert.That(File.ReadAllText(ConfigPath), Is.EqualTo("""{ "seed": 42 }"""));
        Assert.That(error, Does.Contain("dukaan-conformance.json already exists; left as it is").And.Contain("--force"));
        Assert.That(output, Does.Contain($"wrote {StarterFiles.WorkflowPath}").And.Not.Contain($"wrote {ConfigFile.FileName}"));
        Assert.That(File.Exists(WorkflowPath));
    }

    [Test]
    public async Task When_every_file_exists_nothing_is_written_and_the_exit_code_is_2()
    {
        Given(("package.json", "{}"), (ConfigFile.FileName, """{ "seed": 42 }"""), (StarterFiles.WorkflowPath, "mine"));
        var (exit, _, error) = await InitAsync();
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That((File.ReadAllText(ConfigPath), File.ReadAllText(WorkflowPath)), Is.EqualTo(("""{ "seed": 42 }""", "mine")));
        Assert.That(error, Does.Contain($"{StarterFiles.WorkflowPath} already exists").And.Contain("error: nothing was written"));
    }

    [Test]
    public async Task Force_overwrites_both_files()
    {
        Given(("package.json", "{}"), (ConfigFile.FileName, """{ "seed": 42 }"""), (StarterFiles.WorkflowPath, "mine"));
        var (exit, output, _) = await InitAsync("--force");
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(ConfigFileLoader.Load(ConfigPath).Agent!.Cmd, Is.EqualTo("node server.js"));
        Assert.That(File.ReadAllText(WorkflowPath), Does.StartWith("# Written by `dukaan-conformance init`"));
        Assert.That(output, Does.Contain($"wrote {ConfigFile.FileName}").And.Contain($"wrote {StarterFiles.WorkflowPath}"));
    }

    [Test]
    public async Task A_missing_directory_is_an_error()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["init", "--dir", Path.Combine(_dir, "nope")], new InvocationConfiguration { Output = output, Error = error });
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(error.ToString(), Does.Contain("does not exist"));
    }
}
