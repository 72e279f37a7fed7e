namespace Dukaan.Conformance.Agents;

/// <summary>
/// The folders a spawned agent may write to besides its working directory, all fresh and inside one run folder:
/// TMPDIR, HOME, and the XDG base directories inside HOME where they usually are. Caches and config files written
/// "under the home directory" land here, where the secrets scan reads every one of them, not in the real HOME.
/// </summary>
public sealed class AgentHome
{
    /// <summary>The XDG base directories, each where the specification puts it by default, relative to HOME.</summary>
    public static readonly IReadOnlyList<(string Variable, string Relative)> Xdg =
    [
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", Path.Combine(".local", "share")),
        ("XDG_STATE_HOME", Path.Combine(".local", "state")),
    ];

    /// <summary>
    /// Toolchains that find themselves through HOME (pyenv shims, cargo, a NuGet package folder, pip --user packages):
    /// with a fresh HOME an agent started through them would not start, or would download every package again. Each
    /// variable the harness's own environment does not set is pointed at the real folder when it exists. They hold
    /// tools and packages, not the agent's data, and are not scanned.
    /// </summary>
    private static readonly IReadOnlyList<(string Variable, string Relative)> Toolchains =
    [
        ("PYENV_ROOT", ".pyenv"),
        ("PYTHONUSERBASE", ".local"),
        ("NVM_DIR", ".nvm"),
        ("CARGO_HOME", ".cargo"),
        ("RUSTUP_HOME", ".rustup"),
        ("GOPATH", "go"),
        ("NUGET_PACKAGES", Path.Combine(".nuget", "packages")),
    ];

    private AgentHome(string root)
    {
        Root = root;
        TmpDir = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
        HomeDir = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        foreach (var (_, relative) in Xdg) Directory.CreateDirectory(Path.Combine(HomeDir, relative));
    }

    /// <summary>The run folder holding all of them; deleted with the agent.</summary>
    public string Root { get; }

    public string TmpDir { get; }

    public string HomeDir { get; }

    public static AgentHome Create() => new(Directory.CreateTempSubdirectory("dukaan-agent-").FullName);

    /// <summary>TMPDIR, HOME, the XDG variables, and the toolchain folders of the real HOME the agent may need to start.</summary>
    /// <param name="realHome">The harness's own HOME, where the toolchains are.</param>
    /// <param name="isSet">Whether the agent's environment already names a variable (the harness's, or the seller's --agent-env): that one is kept.</param>
    public IReadOnlyDictionary<string, string> Environment(string? realHome, Func<string, bool> isSet)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TMPDIR"] = TmpDir,
            ["HOME"] = HomeDir,
        };
        foreach (var (variable, relative) in Xdg) environment[variable] = Path.Combine(HomeDir, relative);
        if (!string.IsNullOrEmpty(realHome))
            foreach (var (variable, relative) in Toolchains)
                if (!isSet(variable) && Path.Combine(realHome, relative) is var path && Directory.Exists(path))
                    environment[variable] = path;
        return environment;
    }

    /// <summary>Where the scan looks besides the working directory, as the report names them.</summary>
    public IReadOnlyList<string> Places =>
    [
        $"TMPDIR ({TmpDir})",
        $"HOME ({HomeDir}), with {string.Join(", ", Xdg.Select(x => x.Variable))} inside it",
    ];

    /// <summary>
    /// Every file in TMPDIR and HOME: both were empty when the agent started, so all of it is the agent's. An unreadable
    /// folder must not end the run, and a link (perhaps back to the folder itself) must not lead the walk elsewhere or
    /// in circles. Hidden files stay in: caches like to be dotfiles.
    /// </summary>
    public IEnumerable<string> Files() =>
        Directory.EnumerateFiles(TmpDir, "*", Walk).Concat(Directory.EnumerateFiles(HomeDir, "*", Walk));

    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    public void Delete()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* a leftover temp dir is harmless */ }
    }
}
