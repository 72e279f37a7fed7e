using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Tests;

public sealed class InitCommandTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-init-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private async Task<int> InitAsync(params string[] extra) => await InitCommand.Create().Parse(["--dir", _dir, .. extra]).InvokeAsync();

    [TestCase("package.json", "{\"scripts\":{\"start\":\"node server.js\"}}", "Node", "npm start", "npm ci")]
    [TestCase("package.json", "{}", "Node", "node server.js", "setup-node")]
    [TestCase("requirements.txt", "flask\n", "Python", "python3 app.py", "pip install -r requirements.txt")]
    [TestCase("agent.py", "print(1)\n", "Python", "python3 agent.py", "setup-python")]
    [TestCase("Agent.csproj", "<Project />", ".NET", "dotnet run --project Agent.csproj", "setup-dotnet")]
    public async Task Detects_the_stack_and_writes_a_config_that_loads_and_a_workflow(string file, string content, string stack, string command, string workflowStep)
    {
        File.WriteAllText(Path.Combine(_dir, file), content);
        if (stack == "Python" && file == "requirements.txt") File.WriteAllText(Path.Combine(_dir, "app.py"), "");
        Assert.That(InitCommand.Detect(_dir).Name, Is.EqualTo(stack));
        Assert.That(await InitAsync(), Is.EqualTo(0));
        var config = ConfigFileLoader.Load(Path.Combine(_dir, ConfigFile.FileName));
        Assert.That(config.Agent!.Cmd, Is.EqualTo(command));
        Assert.That(config.TriggerUrl, Does.Contain("{port}"));
        var workflow = File.ReadAllText(Path.Combine(_dir, InitCommand.WorkflowPath));
        Assert.That(workflow, Does.Contain(workflowStep).And.Contain("certify --config dukaan-conformance.json").And.Contain("if: always()"));
        Assert.That(workflow.Split('\n').Where(l => l.Length > 0), Has.All.Not.Contains("\t"), "YAML indents with spaces");
    }

    [Test]
    public async Task Never_overwrites_without_force()
    {
        var config = Path.Combine(_dir, ConfigFile.FileName);
        File.WriteAllText(config, "{ \"seed\": 42 }");
        Directory.CreateDirectory(Path.Combine(_dir, ".github", "workflows"));
        File.WriteAllText(Path.Combine(_dir, InitCommand.WorkflowPath), "mine");
        Assert.That(await InitAsync(), Is.EqualTo(2), "nothing written");
        Assert.That(File.ReadAllText(config), Is.EqualTo("{ \"seed\": 42 }"));
        Assert.That(await InitAsync("--force"), Is.EqualTo(0));
        Assert.That(File.ReadAllText(config), Does.Contain("\"triggerUrl\""));
    }

    [Test]
    public async Task A_missing_directory_is_an_error() =>
        Assert.That(await InitCommand.Create().Parse(["--dir", Path.Combine(_dir, "nope")]).InvokeAsync(), Is.EqualTo(2));
}
