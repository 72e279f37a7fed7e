using System.Text.Json;

namespace Dukaan.Cli.Init;

public enum StackKind { Node, Python, DotNet, Unknown }

/// <summary>
/// The seller's stack as far as the files tell: how the agent starts, how its dependencies install in CI, and what the
/// guess rests on (shown to the seller, so a wrong guess is easy to spot and fix).
/// </summary>
public sealed record ProjectStack(StackKind Kind, string AgentCommand, string Evidence)
{
    /// <summary>The CI step that installs dependencies, or null when there is nothing to install (stdlib Python).</summary>
    public string? InstallCommand { get; init; }

    /// <summary>When the install step cannot be guessed: what the seller should put in the workflow.</summary>
    public string? InstallTodo { get; init; }

    /// <summary>Seconds the agent may take to open its port; `dotnet run` builds first.</summary>
    public int StartupTimeout { get; init; } = 30;

    public string Name => Kind switch { StackKind.Node => "Node", StackKind.Python => "Python", StackKind.DotNet => ".NET", _ => "unknown" };
}

/// <summary>Looks at a project folder (package.json, requirements.txt, pyproject.toml, *.py, *.csproj) and guesses its stack.</summary>
public static class StackDetector
{
    public const string UnknownCommand = Configuration.ConfigShape.PlaceholderPrefix + ": the command that starts your agent, e.g. node server.js";

    private static readonly string[] NodeEntries = ["server.js", "index.js", "app.js", "main.js"];
    private static readonly string[] PythonEntries = ["app.py", "main.py", "agent.py", "server.py"];
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "node_modules", ".git", ".github", ".venv", "venv", "TestResults" };

    public static ProjectStack Detect(string dir)
    {
        if (File.Exists(Path.Combine(dir, "package.json"))) return Node(dir);
        if (File.Exists(Path.Combine(dir, "requirements.txt")) || File.Exists(Path.Combine(dir, "pyproject.toml")) || Files(dir, "*.py").Any()) return Python(dir);
        if (CsProjects(dir).FirstOrDefault() is { } csproj) return DotNet(dir, csproj);
        return new(StackKind.Unknown, UnknownCommand, "no package.json, requirements.txt, pyproject.toml, *.py or *.csproj found");
    }

    private static ProjectStack Node(string dir)
    {
        var (start, main) = ReadPackageJson(Path.Combine(dir, "package.json"));
        var install = File.Exists(Path.Combine(dir, "package-lock.json")) || File.Exists(Path.Combine(dir, "npm-shrinkwrap.json")) ? "npm ci" : "npm install";
        if (start is not null) return new(StackKind.Node, "npm start", $"package.json \"start\" script: {start}") { InstallCommand = install };
        var entry = new[] { main }.Concat(NodeEntries).OfType<string>().FirstOrDefault(f => File.Exists(Path.Combine(dir, f)));
        return entry is not null
            ? new(StackKind.Node, $"node {Shell.QuoteFileName(entry)}", $"package.json without a \"start\" script; {entry} is the entry point") { InstallCommand = install }
            : new(StackKind.Node, "node server.js", "package.json without a \"start\" script, and no server.js, index.js or app.js: check agent.cmd") { InstallCommand = install };
    }

    private static (string? Start, string? Main) ReadPackageJson(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var start = root.TryGetProperty("scripts", out var scripts) && scripts.ValueKind == JsonValueKind.Object ? Text(scripts, "start") : null;
            return (start, Text(root, "main"));
        }
        // A broken package.json is the seller's to fix; init still writes a starter with the usual entry point.
        catch (JsonException) { return (null, null); }
    }

    private static ProjectStack Python(string dir)
    {
        var scripts = Files(dir, "*.py").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var entry = PythonEntries.FirstOrDefault(f => File.Exists(Path.Combine(dir, f))) ?? (scripts.Count == 1 ? scripts[0] : null);
        var evidence = File.Exists(Path.Combine(dir, "requirements.txt")) ? "requirements.txt" : File.Exists(Path.Combine(dir, "pyproject.toml")) ? "pyproject.toml" : "*.py files";
        evidence += entry is not null ? $"; {entry} is the entry point" : scripts.Count > 1
            ? $"; several scripts ({string.Join(", ", scripts.Take(4))}), none named app.py/main.py/agent.py/server.py: check agent.cmd"
            : "; no app.py/main.py/agent.py/server.py: check agent.cmd";
        var stack = new ProjectStack(StackKind.Python, $"python3 {Shell.QuoteFileName(entry ?? scripts.FirstOrDefault() ?? "app.py")}", evidence);
        if (File.Exists(Path.Combine(dir, "requirements.txt"))) return stack with { InstallCommand = "python -m pip install -r requirements.txt" };
        if (File.Exists(Path.Combine(dir, "pyproject.toml"))) return stack with { InstallTodo = "install the dependencies pyproject.toml names, e.g. python -m pip install ." };
        return stack;
    }

    private static ProjectStack DotNet(string dir, string csproj)
    {
        var relative = Path.GetRelativePath(dir, csproj).Replace('\\', '/');
        return new(StackKind.DotNet, $"dotnet run --project {Shell.QuoteFileName(relative)}", $"{relative}") { InstallCommand = $"dotnet build {Shell.QuoteFileName(relative)}", StartupTimeout = 120 };
    }

    /// <summary>Project files at the top, else in subfolders (src/Agent/Agent.csproj); test projects last, since they are not the agent.</summary>
    private static IEnumerable<string> CsProjects(string dir)
    {
        var top = Files(dir, "*.csproj").ToList();
        var candidates = top.Count > 0 ? top : Below(dir, depth: 3).SelectMany(d => Files(d, "*.csproj")).ToList();
        return candidates.OrderBy(p => Path.GetFileName(p).Contains("Test", StringComparison.OrdinalIgnoreCase)).ThenBy(p => p.Count(c => c == Path.DirectorySeparatorChar)).ThenBy(p => p, StringComparer.Ordinal);
    }

    private static IEnumerable<string> Below(string dir, int depth)
    {
        if (depth == 0) yield break;
        foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !SkippedFolders.Contains(Path.GetFileName(d))).Order(StringComparer.Ordinal))
        {
            yield return sub;
            foreach (var deeper in Below(sub, depth - 1)) yield return deeper;
        }
    }

    private static IEnumerable<string> Files(string dir, string pattern) => Directory.EnumerateFiles(dir, pattern, SearchOption.TopDirectoryOnly);
}
