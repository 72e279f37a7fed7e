using System.CommandLine;

namespace Dukaan.Cli.Tests;

/// <summary>`simulate` through the real command line, writing to the invocation's writers.</summary>
public sealed class SimulateCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> SimulateAsync(CancellationToken cancellationToken, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.InvokeAsync(["simulate", .. args], new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task It_prints_how_to_reach_it_and_stops_when_cancelled()
    {
        // The banner is written before the command waits, so a short run shows all of it.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (exit, output, err) = await SimulateAsync(stop.Token, "--port", "0", "--quiet");
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(err, Is.Empty);
        Assert.That(output, Does.Contain("AgentDukaan simulator listening on http://127.0.0.1:"));
        Assert.That(output, Does.Contain("webhook secret      whsec_dukaan_sim_dev"), "the simulator's default secret");
        Assert.That(output, Does.EndWith("stopping the simulator\n"));
    }

    [TestCase("--port", "70000", "error: --port must be between 0 and 65535.\n")]
    [TestCase("--agent-url", "nope", "error: --agent-url 'nope' is not an http(s) URL such as http://127.0.0.1:3000/hooks/agentdukaan.\n")]
    public async Task Bad_flags_go_to_the_error_writer(string flag, string value, string expected)
    {
        var (exit, output, err) = await SimulateAsync(CancellationToken.None, flag, value);
        Assert.That(exit, Is.EqualTo(ExitCodes.HarnessOrConfigError));
        Assert.That(output, Is.Empty);
        Assert.That(err, Is.EqualTo(expected));
    }
}
