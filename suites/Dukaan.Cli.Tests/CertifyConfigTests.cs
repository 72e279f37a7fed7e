using System.CommandLine;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Tests;

/// <summary>
/// certify with a config file, through the real command line: bad files stop the run with exit 2 before any agent starts.
/// Every case here fails in validation, so no agent or simulator is started. Not parallel: the cases change the
/// current directory and TMPDIR.
/// </summary>
[NonParallelizable]
public sealed class CertifyConfigTests
{
    private string _dir = "";
    private string _previousDirectory = "";

    [SetUp]
    public void MakeDir()
    {
        _dir = Directory.CreateTempSubdirectory("dukaan-certify-config-").FullName;
        _previousDirectory = Directory.GetCurrentDirectory();
    }

    [TearDown]
    public void RemoveDir()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, ConfigFile.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Exit, string Err)> CertifyAsync(params string[] args)
    {
        var stderr = new StringWriter();
        var exit = await CliApp.InvokeAsync(["certify", .. args], new InvocationConfiguration { Output = new StringWriter(), Error = stderr });
        return (exit, stderr.ToString());
    }

    [Test]
    public async Task Every_problem_in_the_file_is_printed_and_the_run_exits_2()
    {
        var path = Write("""{ "agent": { "cmdd": "node a.js" }, "strict": "yes" }""");
        var (exit, err) = await CertifyAsync("--config", path);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.Contain($"error: {path}: $.agent.cmdd is not a known key (did you mean \"cmd\"?)\n"));
        Assert.That(err, Does.Contain($"error: {path}: $.strict must be true or false, got \"yes\"\n"));
        Assert.That(err, Does.Contain("Fix these 2 problems in"));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task The_config_file_in_the_current_directory_is_read_without_being_named()
    {
        Write("""{ "seed": "seven" }""");
        Directory.SetCurrentDirectory(_dir);
        var (exit, err) = await CertifyAsync();
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.Contain("error: dukaan-conformance.json: $.seed must be a whole number, got \"seven\""), "shown relative to the current directory");
    }

    [Test]
    public async Task A_config_named_with_the_flag_must_exist()
    {
        var (exit, err) = await CertifyAsync("--config", Path.Combine(_dir, "missing.json"));
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.Contain("missing.json: the file does not exist"));
    }

    [Test]
    public async Task A_setting_from_the_file_that_fails_later_is_named_by_its_key()
    {
        var path = Write("""{ "agent": { "cmd": "true", "workdir": "no-such-folder" } }""");
        var (exit, err) = await CertifyAsync("--config", path);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Does.Contain($"error: $.agent.workdir in {path} '{Path.Combine(_dir, "no-such-folder")}' does not exist."));
    }

    [Test]
    public async Task A_flag_overrides_the_file_before_validation()
    {
        // The file's workdir does not exist; the flag's does, so the run gets past it and stops at the flag's bad value.
        var path = Write("""{ "agent": { "cmd": "true", "workdir": "no-such-folder" }, "quietWindow": 2 }""");
        var (exit, err) = await CertifyAsync("--config", path, "--agent-workdir", _dir, "--quiet-window", "99");
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Is.EqualTo("error: --quiet-window must be between 0 and 60 seconds.\n"), "the flag's message is unchanged");
    }

    [TestCase("--quiet-window", "0", "error: --quiet-window must be between 0 and 60 seconds.\n")]
    [TestCase("--quiet-window", "60.5", "error: --quiet-window must be between 0 and 60 seconds.\n")]
    [TestCase("--startup-timeout", "601", "error: --startup-timeout must be between 0 and 600 seconds.\n")]
    [TestCase("--observation-window", "-1", "error: --observation-window must be between 0 and 600 seconds.\n")]
    [TestCase("--run-deadline", "4.9", "error: --run-deadline must be between 5 and 3600 seconds.\n")]
    [TestCase("--run-deadline", "3601", "error: --run-deadline must be between 5 and 3600 seconds.\n")]
    public async Task A_timing_flag_out_of_the_config_files_range_is_refused(string flag, string value, string expected)
    {
        var (exit, err) = await CertifyAsync("--agent-cmd", "true", flag, value);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(err, Is.EqualTo(expected));
    }

    [TestCase("--trigger-url", "nope", "error: --trigger-url 'nope' is not an absolute URL such as http://127.0.0.1:{port}/_test/trigger.\n")]
    [TestCase("--sim-port", "70000", "error: --sim-port must be between 0 and 65535.\n")]
    [TestCase("--secret", "short", "error: --secret must be at least 8 characters.\n")]
    [TestCase("--transcript-capacity", "10", "error: --transcript-capacity must be between 100 and 10000000 exchanges (got 10); each takes about 1 KB of memory.\n")]
    [TestCase("--scenarios", "happy-path,nope", "error: --scenarios: 'nope' is not a scenario of the agentdukaan profile; its scenarios are happy-path, non-canonical-body, " +
        "bad-signatures, unknown-fields, key-rotation, config-failure, request-config, concurrent-deliveries, run-limit, cancellation, restart, chat-conversation, " +
        "chat-push, chat-attachment, chat-relays (or all).\n")]
    public async Task A_bad_flag_stops_the_run_before_the_bundled_agent_is_prepared(string flag, string value, string expected)
    {
        // Preparing the bundled agent makes a temp folder (and may build it); TMPDIR shows whether that happened.
        var temp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
        var previousTemp = Environment.GetEnvironmentVariable("TMPDIR");
        Directory.SetCurrentDirectory(_dir);
        Environment.SetEnvironmentVariable("TMPDIR", temp);
        try
        {
            var (exit, err) = await CertifyAsync(flag, value);
            Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
            Assert.That(err, Is.EqualTo(expected));
            Assert.That(Directory.EnumerateFileSystemEntries(temp), Is.Empty, "the bundled agent was not prepared");
        }
        finally { Environment.SetEnvironmentVariable("TMPDIR", previousTemp); }
    }
}
