using Dukaan.Cli;

// The command tree lives in CliApp.Create(), so tests can run it in process; add new commands there.
using var signals = TerminationSignals.Install();
return await CliApp.InvokeAsync(args, cancellationToken: signals.Token);
