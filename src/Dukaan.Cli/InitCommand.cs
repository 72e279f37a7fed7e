using Dukaan.Conformance.Profiles;
using System.CommandLine;
using Dukaan.Cli.Configuration;
using Dukaan.Cli.Init;

namespace Dukaan.Cli;

/// <summary>`init`: a starter dukaan-conformance.json and GitHub workflow for the seller's project, from its detected stack.</summary>
public static class InitCommand
{
    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = "Project directory (default: the current directory)." };
        var force = new Option<bool>("--force") { Description = "Overwrite files that already exist." };
        var profile = new Option<string?>("--profile") { Description = $"The contract your agent implements: {string.Join(", ", ProfileRegistry.All.Select(p => p.Info.Id))} (default {ProfileRegistry.DefaultId})." };
        var command = new Command("init", $"Detect the stack (Node, Python, .NET) and write a starter {ConfigFile.FileName} and {StarterFiles.WorkflowPath}. Existing files are kept unless --force.")
        {
            dir, force, profile,
        };
        command.SetAction(parse =>
        {
            IProfile chosen;
            try { chosen = ProfileRegistry.Get(parse.GetValue(profile)); }
            catch (UnknownProfileException ex)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.HarnessOrConfigError;
            }
            return Run(parse.GetValue(dir), parse.GetValue(force), chosen, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    private static int Run(string? dirOption, bool force, IProfile profile, TextWriter output, TextWriter error)
    {
        var root = Path.GetFullPath(dirOption ?? Directory.GetCurrentDirectory());
        if (!Directory.Exists(root))
        {
            error.WriteLine($"error: --dir '{root}' does not exist. Give the folder of your agent's project.");
            return ExitCodes.HarnessOrConfigError;
        }

        var stack = StackDetector.Detect(root);
        output.WriteLine($"stack: {stack.Name} ({stack.Evidence})");
        output.WriteLine($"agent command: {stack.AgentCommand}");

        var files = new (string Relative, string Content)[]
        {
            (ConfigFile.FileName, profile.Info.Id == ProfileRegistry.DefaultId ? StarterFiles.Config(stack) : StarterFiles.Config(stack, profile.Info)),
            (StarterFiles.WorkflowPath, StarterFiles.Workflow(stack)),
        };
        var written = 0;
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(root, relative);
            if (File.Exists(path) && !force)
            {
                error.WriteLine($"{relative} already exists; left as it is. Edit it, or run `dukaan-conformance init{(dirOption is null ? "" : $" --dir {Shell.Quote(dirOption)}")} --force` to replace it with the starter (your changes to it are lost).");
                continue;
            }
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: cannot write {relative}: {ex.Message}");
                continue;
            }
            output.WriteLine($"wrote {relative}");
            written++;
        }
        if (written == 0)
        {
            error.WriteLine("error: nothing was written; every file init writes is already there (see above).");
            return ExitCodes.HarnessOrConfigError;
        }

        var configArgument = root == Path.GetFullPath(Directory.GetCurrentDirectory()) ? "" : $" --config {Shell.Quote(Path.Combine(Path.GetRelativePath(Directory.GetCurrentDirectory(), root), ConfigFile.FileName))}";
        output.WriteLine("next:");
        if (stack.Kind == StackKind.Unknown)
            output.WriteLine($"  - set agent.cmd in {ConfigFile.FileName} to the command that starts your agent (and its toolchain steps in {StarterFiles.WorkflowPath})");
        output.WriteLine($"  - in test mode, serve POST /_test/trigger (see \"triggerUrl\" in {ConfigFile.FileName}), or remove triggerUrl");
        output.WriteLine($"  - run: dukaan-conformance certify{configArgument}");
        return ExitCodes.Success;
    }
}
