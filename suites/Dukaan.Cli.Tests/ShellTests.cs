namespace Dukaan.Cli.Tests;

/// <summary>The quoting of rerun commands and init's next steps: what a seller pastes into a shell.</summary>
public sealed class ShellTests
{
    [TestCase("node server.js", "'node server.js'")]
    [TestCase("http://127.0.0.1:3000", "http://127.0.0.1:3000")]
    [TestCase("http://127.0.0.1:{port}/_test/trigger", "'http://127.0.0.1:{port}/_test/trigger'")]
    [TestCase("KEY=$HOME", "'KEY=$HOME'")]
    [TestCase("it's", "'it'\\''s'")]
    [TestCase("say \"hi\"", "'say \"hi\"'")]
    [TestCase("../agent/dukaan-conformance.json", "../agent/dukaan-conformance.json")]
    public void Quote_leaves_plain_values_readable(string value, string expected) =>
        Assert.That(Shell.Quote(value), Is.EqualTo(expected));

    [TestCase("server.js", "server.js")]
    [TestCase("src/Agent/Agent.csproj", "src/Agent/Agent.csproj")]
    [TestCase("my app.py", "'my app.py'")]
    [TestCase("a&b.js", "'a&b.js'")]
    [TestCase("run(1).py", "'run(1).py'")]
    public void QuoteFileName_quotes_every_metacharacter(string name, string expected) =>
        Assert.That(Shell.QuoteFileName(name), Is.EqualTo(expected));

    [TestCase("/repo/bin/reference-agent.dll", "'/repo/bin/reference-agent.dll'")]
    [TestCase("/o'brien/agent.dll", "'/o'\\''brien/agent.dll'")]
    public void Always_quotes(string value, string expected) =>
        Assert.That(Shell.Always(value), Is.EqualTo(expected));
}
