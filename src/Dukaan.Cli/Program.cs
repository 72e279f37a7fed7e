using System.CommandLine;
using Dukaan.Cli;

var root = new RootCommand("DukaanConformance: certify an AgentDukaan hosted agent against the contract, or simulate the platform for development.")
{
    CertifyCommand.Create(),
    ListRulesCommand.Create(),
    SimulateCommand.Create(),
    ReportCommands.Report(),
    ReportCommands.Compare(),
    InitCommand.Create(),
};
foreach (var command in SimControlCommands.Create()) root.Subcommands.Add(command);
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run with --help to see the options.");
    return ExitCodes.HarnessOrConfigError;
}
return await parsed.InvokeAsync();
