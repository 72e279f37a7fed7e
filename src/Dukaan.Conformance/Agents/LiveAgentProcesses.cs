using System.Diagnostics;

namespace Dukaan.Conformance.Agents;

/// <summary>
/// Every agent process the harness has started and not yet stopped, so that a harness that is being torn down (a
/// second Ctrl+C, process exit) kills them too: an agent must never outlive the run that started it.
/// </summary>
public static class LiveAgentProcesses
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Live = [];

    internal static void Add(Process process) { lock (Gate) Live.Add(process); }

    internal static void Remove(Process process) { lock (Gate) Live.Remove(process); }

    public static int Count { get { lock (Gate) return Live.Count; } }

    /// <summary>Kills every live agent with its process tree; synchronous, for signal handlers and exit hooks.</summary>
    public static void KillAll()
    {
        Process[] live;
        lock (Gate) live = [.. Live];
        foreach (var process in live)
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception) { /* already gone */ }
        }
    }
}
