using System.CommandLine;
using System.Text.Json;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli;

/// <summary>The seller's stack as far as files can tell; it decides the starter command and workflow steps.</summary>
public sealed record DetectedStack(string Name, string AgentCommand, string SetupSteps);

/// <summary>`init`: a starter dukaan-conformance.json and GitHub workflow for the project in the current directory.</summary>
public static class InitCommand
{
    public const string WorkflowPath = ".github/workflows/agentdukaan-conformance.yml";

    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = "Project directory (default: the current directory)." };
        var force = new Option<bool>("--force") { Description = "Overwrite files that already exist." };
        var command = new Command("init", $"Detect the stack (Node, Python, .NET), write a starter {ConfigFile.FileName} and {WorkflowPath}.") { dir, force };
        command.SetAction(parse =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir) ?? Directory.GetCurrentDirectory());
            if (!Directory.Exists(root))
            {
                Console.Error.WriteLine($"error: --dir '{root}' does not exist.");
                return ExitCodes.HarnessOrConfigError;
            }
            var stack = Detect(root);
            var files = new (string Path, string Content)[]
            {
                (Path.Combine(root, ConfigFile.FileName), StarterConfig(stack)),
                (Path.Combine(root, WorkflowPath), Workflow(stack)),
            };
            var written = 0;
            foreach (var (path, content) in files)
            {
                if (File.Exists(path) && !parse.GetValue(force))
                {
                    Console.Error.WriteLine($"{Path.GetRelativePath(root, path)} already exists; left as it is (use --force to overwrite).");
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
                Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
                written++;
            }
            Console.WriteLine($"stack: {stack.Name} (agent command: {stack.AgentCommand})");
            Console.WriteLine($"next: expose POST /_test/trigger in test mode (see {ConfigFile.FileName}), then run");
            Console.WriteLine($"  dukaan-conformance certify --config {ConfigFile.FileName}");
            return written > 0 ? 0 : ExitCodes.HarnessOrConfigError;
        });
        return command;
    }

    public static DetectedStack Detect(string root)
    {
        bool Has(string pattern) => Directory.EnumerateFiles(root, pattern, SearchOption.TopDirectoryOnly).Any();
        if (File.Exists(Path.Combine(root, "package.json")))
        {
            var start = StartScript(Path.Combine(root, "package.json"));
            var main = new[] { "server.js", "index.js", "app.js" }.FirstOrDefault(f => File.Exists(Path.Combine(root, f))) ?? "server.js";
            return new("Node", start is null ? $"node {main}" : "npm start",
                "      - uses: actions/setup-node@v4\n        with: { node-version: 20 }\n      - run: npm ci\n");
        }
        if (File.Exists(Path.Combine(root, "requirements.txt")) || File.Exists(Path.Combine(root, "pyproject.toml")) || Has("*.py"))
        {
            var main = new[] { "app.py", "main.py", "agent.py", "server.py" }.FirstOrDefault(f => File.Exists(Path.Combine(root, f)))
                ?? Directory.EnumerateFiles(root, "*.py").Select(Path.GetFileName).FirstOrDefault() ?? "app.py";
            var install = File.Exists(Path.Combine(root, "requirements.txt")) ? "      - run: pip install -r requirements.txt\n" : "";
            return new("Python", $"python3 {main}", "      - uses: actions/setup-python@v5\n        with: { python-version: '3.11' }\n" + install);
        }
        if (Directory.EnumerateFiles(root, "*.csproj").FirstOrDefault() is { } csproj)
            return new(".NET", $"dotnet run --project {Path.GetFileName(csproj)}", "");
        return new("unknown", "TODO: the command that starts your agent", "");
    }

    private static string? StartScript(string packageJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(packageJson));
            return doc.RootElement.TryGetProperty("scripts", out var scripts) && scripts.TryGetProperty("start", out var start) ? start.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    public static string StarterConfig(DetectedStack stack) => $$"""
        {
          "$schema": "https://raw.githubusercontent.com/dukaanconformance/DukaanConformance/main/schemas/dukaan-conformance.schema.json",
          "$comment": "Settings for `dukaan-conformance certify` ({{stack.Name}} project). Flags on the command line override anything here.",
          "agent": {
            "$comment": "The harness starts this with PORT, AGENTDUKAAN_API_URL, AGENTDUKAAN_WEBHOOK_SECRET, OPENAI_BASE_URL and a fresh TMPDIR. Listen on 127.0.0.1:$PORT.",
            "cmd": {{JsonSerializer.Serialize(stack.AgentCommand)}},
            "workdir": "."
          },
          "webhookPath": "/hooks/agentdukaan",
          "$comment:trigger": "In test mode, expose a route that does one billable run for {\"subscriptionId\"}: use that buyer's openai_api_key at $OPENAI_BASE_URL/chat/completions and report it with POST /run. Without it, the run/limit/cancellation rules cannot be exercised.",
          "triggerUrl": "http://127.0.0.1:{port}/_test/trigger",
          "listing": {
            "$comment": "Your setup wizard's fields. Every sensitive field gets a unique canary value the harness searches for in logs, files and requests.",
            "fields": ["business_name", "language"],
            "sensitiveFields": ["openai_api_key"],
            "providerKeyField": "openai_api_key"
          },
          "strict": false,
          "out": "reports/conformance"
        }

        """;

    public static string Workflow(DetectedStack stack) => $"""
        # Written by `dukaan-conformance init`: certifies the agent on every push and pull request.
        name: AgentDukaan conformance
        on: [push, pull_request]
        jobs:
          certify:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-dotnet@v4
                with: {"{"} dotnet-version: 10.0.x {"}"}
        {stack.SetupSteps}      - uses: actions/checkout@v4
                with: {"{"} repository: dukaanconformance/DukaanConformance, path: .dukaan-conformance {"}"}
              - run: dotnet run --project .dukaan-conformance/src/Dukaan.Cli -c Release -- certify --config {ConfigFile.FileName}
              - uses: actions/upload-artifact@v4
                if: always()
                with: {"{"} name: agentdukaan-conformance, path: reports/conformance {"}"}

        """;
}
