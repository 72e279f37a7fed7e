using Dukaan.Cli;

// The command tree lives in CliApp.Create(), so tests can run it in process; add new commands there.
return await CliApp.InvokeAsync(args);
