using Dukaan.Conformance.Engine;
using Microsoft.Extensions.Hosting;

namespace Dukaan.Conformance.Testing;

/// <summary>
/// Certifies an ASP.NET Core agent in memory: the platform simulator and the agent each run on a TestServer, with no
/// port and no process, so one unit test covers every rule that does not need a real process.
/// </summary>
public static class InProcessCertification
{
    /// <summary>
    /// Rules that need the agent as a process (its output, its files, a restart, the port in $PORT). In-process they
    /// are not-exercised by nature, which does not count against certification; the CLI with --agent-cmd covers them.
    /// </summary>
    public static IReadOnlySet<string> ProcessOnlyRules { get; } = new SortedSet<string>(StringComparer.Ordinal)
    {
        "DK-SEC-01", "DK-SEC-02", "DK-SEC-04", "DK-SEC-05", "DK-OPS-01",
    };

    /// <param name="agentFactory">
    /// Builds (does not start) the agent from the simulated platform's coordinates, hosted on a TestServer:
    /// <c>platform =&gt; MyAgent.Build(settingsFrom(platform), b =&gt; b.WebHost.UseTestServer(), platform.OutboundHandler)</c>.
    /// The run starts and stops it.
    /// </param>
    /// <exception cref="ArgumentException">The options are unusable, or <see cref="InProcessOptions.Rules"/> matches no rule.</exception>
    /// <exception cref="InvalidOperationException">The factory's app is not on a TestServer.</exception>
    public static async Task<InProcessRun> RunAsync(Func<InProcessPlatform, IHost> agentFactory, InProcessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentFactory);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        try
        {
            Rules.AgentDukaanRules.Catalog.Select(options.Rules);
        }
        catch (Rules.RuleSelectionException ex)
        {
            throw new ArgumentException($"InProcessOptions.Rules: {ex.Message}", nameof(options), ex);
        }

        var scenarios = RerunCommands.Parse(options.Scenarios, Profiles.AgentDukaan.AgentDukaanProfile.Metadata.Id, out var scenarioProblem);
        if (scenarioProblem is not null) throw new ArgumentException($"InProcessOptions.Scenarios: {scenarioProblem}", nameof(options));

        var session = new InProcessSession(agentFactory, options);
        var request = new CertificationRequest(
            new TargetInfo("in-process", "ASP.NET Core agent on a TestServer", null, null, null, options.WebhookPath, options.TriggerPath),
            session.StartAgentAsync,
            options.Settings with { Seed = options.Seed, RerunPrefix = "in-process: set InProcessOptions" },
            options.Rules,
            session.StartPlatformAsync,
            ProcessOnlyRules,
            Scenarios: scenarios);
        var run = await CertificationEngine.RunAsync(request, options.Progress, cancellationToken).ConfigureAwait(false);
        return new InProcessRun(WithModeNote(run.Results), ProcessOnlyRules);
    }

    /// <summary>Says in the results themselves which rules this mode left out and how to cover them, so no report reads as complete.</summary>
    private static RunResults WithModeNote(RunResults results)
    {
        var left = results.Rules.Where(r => r.Verdict == Verdict.NotExercised && ProcessOnlyRules.Contains(r.Id)).Select(r => r.Id).ToList();
        if (left.Count == 0) return results;
        var note = $"In-process mode: {string.Join(", ", left)} need a real process and were not exercised; run `dukaan-conformance certify --agent-cmd …` to cover them.";
        return results with { Notes = [note, .. results.Notes] };
    }
}
