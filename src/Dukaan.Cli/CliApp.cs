using System.CommandLine;

namespace Dukaan.Cli;

/// <summary>
/// The whole command line in one place, so tests run exactly what `dukaan-conformance` runs, in process, with their
/// own output writers. Program.cs only calls <see cref="InvokeAsync"/>; new commands are added in <see cref="Create"/>.
/// </summary>
public static class CliApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("DukaanConformance: certify an AgentDukaan hosted agent against the contract, or simulate the platform for development.")
        {
            CertifyCommand.Create(),
            CertifyFleetCommand.Create(),
            ListRulesCommand.Create(),
            SimulateCommand.Create(),
            ReportCommands.Report(),
            ReportCommands.Compare(),
            FleetReportCommand.Create(),
            InitCommand.Create(),
        };
        foreach (var command in SimControlCommands.Create()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse is a configuration error (exit 2), not a help page.</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        // Signals are handled by TerminationSignals (first one cancels, second one kills), not by a timeout that would
        // end the process before certify has stopped its agent and written its reports.
        configuration.ProcessTerminationTimeout = null;
        var parsed = Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) configuration.Error.WriteLine($"error: {error.Message}");
            configuration.Error.WriteLine("Run with --help to see the options.");
            return ExitCodes.HarnessOrConfigError;
        }
        return await parsed.InvokeAsync(configuration, cancellationToken);
    }
}
