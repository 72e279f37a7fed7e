using System.Diagnostics;
using System.Globalization;

namespace Dukaan.Conformance.Agents;

public sealed record SpawnSpec(
    string Command,
    string WorkDir,
    IReadOnlyDictionary<string, string> Environment,
    string WebhookPath,
    string? TriggerUrlTemplate,
    TimeSpan StartupTimeout);

/// <summary>
/// An agent process the harness starts, watches and can restart: fresh TMPDIR, HOME and XDG directories, the
/// contract's environment, output captured across restarts, killed with its whole process tree at the end.
/// </summary>
public sealed class SpawnedAgent : IAgentUnderTest
{
    private readonly SpawnSpec _spec;
    private readonly OutputCapture _output = new();
    private readonly Lock _notesGate = new();
    private readonly List<string> _notes = [];
    private readonly FileSnapshot _workDirSnapshot;
    private readonly AgentHome _home;
    private readonly CancellationTokenSource _gone = new();
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private Process? _process;
    private int _generation;
    private string? _goneReason;

    // The highest start the harness has stopped. Only ever raised, so an exit continuation that runs late (after a
    // restart has begun, or after disposal) still knows the harness caused that exit.
    private int _stoppedGeneration;

    private SpawnedAgent(SpawnSpec spec, int port, AgentHome home)
    {
        _spec = spec;
        Port = port;
        _home = home;
        _workDirSnapshot = FileSnapshot.Take(spec.WorkDir);
        WebhookUrl = new Uri($"http://127.0.0.1:{port}{spec.WebhookPath}");
        TriggerUrl = spec.TriggerUrlTemplate is null ? null : new Uri(spec.TriggerUrlTemplate.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    public int Port { get; }
    public Uri WebhookUrl { get; }
    public Uri? TriggerUrl { get; }
    public HttpClient Http { get; private set; } = NewClient();
    public bool CanCaptureOutput => true;
    public bool CanRestart => true;
    public bool CanScanFiles => true;
    public bool? ListensOnGivenPort { get; private set; }
    public CancellationToken Gone => _gone.Token;
    public string? GoneReason => Volatile.Read(ref _goneReason);
    public IReadOnlyList<string> Notes
    {
        get
        {
            List<string> notes;
            lock (_notesGate) notes = [.. _notes];
            if (_output.DroppedBytes > 0) notes.Add($"The agent wrote more than 32 MiB of output; {_output.DroppedBytes} bytes past that were not kept (nor scanned).");
            return notes;
        }
    }

    public static async Task<SpawnedAgent> StartAsync(SpawnSpec spec, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(spec.WorkDir))
            throw new AgentStartException($"--agent-workdir '{spec.WorkDir}' does not exist. Point it at the directory the agent command should run in.");
        var agent = new SpawnedAgent(spec, FreePort.Pick(), AgentHome.Create());
        try
        {
            await agent.LaunchAsync(cancellationToken).ConfigureAwait(false);
            agent.ListensOnGivenPort = true;
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string CapturedOutput() => _output.Text();

    public IReadOnlyList<string> FilesToScan() => [.. _workDirSnapshot.ChangedFiles(), .. _home.Files()];

    public IReadOnlyList<string> FileScanPlaces => [$"the working directory ({_spec.WorkDir}, files created or changed)", .. _home.Places];

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);
        // The shell exits before its child does; until the old process has let go of the port, a port check would
        // "find" the dying agent. Pooled connections to it are dead too, so the next requests use a new client.
        var released = Stopwatch.StartNew();
        while (released.Elapsed < TimeSpan.FromSeconds(10) && await FreePort.AnswersAsync(Port, cancellationToken).ConfigureAwait(false))
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        var old = Http;
        Http = NewClient();
        old.Dispose();
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// No proxy (the agent is local), no client timeout (the harness bounds every request itself), and no connection
    /// reuse: see <see cref="Dukaan.Simulator.DeliveryEngine.CreateHttpClient"/> for why an HTTP/1.0 agent needs that.
    /// </summary>
    internal static HttpClient NewClient() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout.InfiniteTimeSpan };

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        _generation++;
        var generation = _generation;
        var info = new ProcessStartInfo("/bin/sh", ["-c", _spec.Command])
        {
            WorkingDirectory = _spec.WorkDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _spec.Environment) info.Environment[key] = value;
        info.Environment["PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        // After the seller's variables: a HOME of their choosing would put the agent's files where the scan does not look.
        var fresh = _home.Environment(System.Environment.GetEnvironmentVariable("HOME"), key => info.Environment.TryGetValue(key, out var set) && !string.IsNullOrEmpty(set));
        foreach (var (key, value) in fresh) info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new AgentStartException($"Could not start `{_spec.Command}`.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new AgentStartException($"Could not start `{_spec.Command}`: {ex.Message}.");
        }
        _process = process;
        LiveAgentProcesses.Add(process);
        process.StandardInput.Close();
        _ = _output.PumpAsync(process.StandardOutput.BaseStream, CancellationToken.None);
        _ = _output.PumpAsync(process.StandardError.BaseStream, CancellationToken.None);
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => OnExit(process, generation), TaskScheduler.Default);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < _spec.StartupTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new AgentStartException($"The agent exited with code {process.ExitCode} before opening port {Port}. Last output:\n{Tail(_output.Text())}");
            if (await FreePort.AnswersAsync(Port, cancellationToken).ConfigureAwait(false)) return;
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        ListensOnGivenPort = false;
        throw new AgentStartException(
            $"The agent did not open 127.0.0.1:{Port} (the port given in $PORT) within {_spec.StartupTimeout.TotalSeconds:0} s. " +
            $"Check that it listens on process.env.PORT / $PORT on 127.0.0.1, or raise --startup-timeout. Last output:\n{Tail(_output.Text())}",
            portNeverOpened: true);
    }

    /// <summary>
    /// An exit the harness did not cause is a crash: say so with the code and the last lines, and end every wait. The
    /// output pumps may still hold the last lines for a moment after the exit, so they get a brief chance to drain.
    /// </summary>
    private void OnExit(Process process, int generation)
    {
        if (generation <= Volatile.Read(ref _stoppedGeneration)) return;
        int code;
        try { code = process.ExitCode; }
        catch (InvalidOperationException) { return; }
        Thread.Sleep(100);
        if (generation <= Volatile.Read(ref _stoppedGeneration)) return;
        var lines = LastLines(_output.Text(), 10);
        var reason = $"The agent process (start #{generation}) exited on its own with code {code} at {_sinceStart.Elapsed.TotalSeconds:0.0} s." +
                     (lines.Length > 0 ? $" Last output:\n{lines}" : " It wrote no output.");
        Volatile.Write(ref _goneReason, reason);
        AddNote(reason);
        try { _gone.Cancel(); }
        catch (ObjectDisposedException) { /* the run already ended */ }
    }

    private static string LastLines(string text, int count)
    {
        var lines = text.TrimEnd().Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - count)));
        return tail.Length <= 2000 ? tail : "…" + tail[^2000..];
    }

    private void AddNote(string note)
    {
        lock (_notesGate) _notes.Add(note);
    }

    private async Task StopAsync()
    {
        if (_process is not { } process) return;
        Volatile.Write(ref _stoppedGeneration, _generation);
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            AddNote($"Stopping the agent process did not complete cleanly: {ex.Message}");
        }
        finally
        {
            LiveAgentProcesses.Remove(process);
            process.Dispose();
            _process = null;
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Http.Dispose();
        _home.Delete();
    }
}
