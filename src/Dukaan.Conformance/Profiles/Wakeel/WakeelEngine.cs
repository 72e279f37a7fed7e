using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>
/// One Wakeel certification: start the simulated Wakeel and CRM, start the agent, run every scenario side by side,
/// judge the whole-run rules, and assemble results. Every wait is bounded by the run deadline and ends when the agent dies.
/// </summary>
public static class WakeelEngine
{
    public static async Task<CertificationRun> RunAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var rules = WakeelRules.Catalog.Select(request.RulePatterns);
        var settings = request.Settings;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunDeadline);

        var secret = settings.WebhookSecret ?? "wkcb_" + Dukaan.Simulator.SeedStream.Hex(settings.Seed, "webhook-secret", 0, 16);
        // Declared first so it is closed last, after the peer has stopped recording.
        using var transcript = RunTranscript.Create(settings);
        await using var peer = new WakeelPeer(secret, transcript);
        await peer.StartAsync(settings.SimulatorPort, deadline.Token).ConfigureAwait(false);
        var baseUrl = peer.BaseUrl.ToString().TrimEnd('/');
        var coordinates = new PeerCoordinates(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["WAKEEL_API_URL"] = baseUrl,
            ["WAKEEL_CALLBACK_SECRET"] = secret,
            ["CRM_BASE_URL"] = baseUrl + WakeelPeer.CrmPrefix,
        });
        progress?.Report($"simulated Wakeel and CRM listening on {baseUrl}");

        IAgentUnderTest agent;
        try
        {
            agent = await request.StartAgent(coordinates, deadline.Token).ConfigureAwait(false);
        }
        catch (AgentStartException ex)
        {
            progress?.Report("the agent did not start");
            return new(ResultsAssembler.AgentNeverStarted(request, rules, ex, [secret]), [secret]);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ResultsAssembler.AgentNeverStarted(request, rules, new AgentStartException($"The agent did not start within the run deadline ({settings.RunDeadline.TotalSeconds:0} s)."), [secret]), [secret]);
        }
        catch (OperationCanceledException)
        {
            progress?.Report("interrupted while the agent was starting");
            return new(ResultsAssembler.Interrupted(request, rules, "The run was interrupted (Ctrl+C or SIGTERM) while the agent was starting; nothing was judged.", [secret]), [secret]);
        }

        // The deadline bounds the scenarios; the agent's start had its own bound (the startup timeout).
        deadline.CancelAfter(settings.RunDeadline);
        await using (agent)
        {
            using var deliveries = new WakeelDeliveries(agent.WebhookUrl, peer.Transcript);
            var run = new WakeelRun(peer, deliveries, agent, settings);
            var notes = new List<string>();
            // A crashed agent ends every wait at once: nothing it was expected to do can happen any more.
            using var scenarioToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, agent.Gone);
            await Task.WhenAll(WakeelScenarios.All.Select(s => RunScenarioAsync(run, s, progress, cancellationToken, scenarioToken.Token))).ConfigureAwait(false);
            await SettleAsync(peer, scenarioToken.Token).ConfigureAwait(false);
            WakeelChecks.Evaluate(run, notes);
            notes.AddRange(agent.Notes);
            if (RunTranscript.Note(transcript, "agent") is { } evicted) notes.Add(evicted);
            if (cancellationToken.IsCancellationRequested)
                notes.Add($"The run was interrupted (Ctrl+C or SIGTERM) at {run.Elapsed.Elapsed.TotalSeconds:0.0} s; rules not judged by then are not-exercised.");
            else if (deadline.IsCancellationRequested && !agent.Gone.IsCancellationRequested)
                notes.Add($"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached; checks still waiting then are not-exercised.");

            var secrets = run.Secrets;
            var exchanges = transcript.Snapshot();
            var redactor = new Redactor(secrets);
            var timelines = WakeelScenarios.All.Select(s => Timeline(s, run, exchanges, redactor)).ToList();
            var results = ResultsAssembler.FromFindings(request, rules, run.Findings, exchanges, timelines, notes, secrets, run.StartedAt,
                (long)run.Elapsed.Elapsed.TotalMilliseconds, interrupted: cancellationToken.IsCancellationRequested);
            return new(results, secrets);
        }
    }

    private static async Task RunScenarioAsync(WakeelRun run, WakeelScenario scenario, IProgress<string>? progress, CancellationToken interrupted, CancellationToken cancellationToken)
    {
        var started = run.Elapsed.Elapsed;
        try
        {
            await scenario.RunAsync(run, scenario.Name, cancellationToken).ConfigureAwait(false);
            progress?.Report($"{scenario.Name} done in {(run.Elapsed.Elapsed - started).TotalSeconds:0.0} s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var why = interrupted.IsCancellationRequested ? $"The run was interrupted (Ctrl+C or SIGTERM) before scenario '{scenario.Name}' could judge this."
                : run.Agent.Gone.IsCancellationRequested ? $"The agent exited before scenario '{scenario.Name}' could judge this. {run.Agent.GoneReason}"
                : $"The run deadline ({run.Settings.RunDeadline.TotalSeconds:0} s) was reached while scenario '{scenario.Name}' was still waiting for the agent.";
            foreach (var rule in scenario.Rules.Where(r => !run.Findings.HasAny(r)))
                run.Report(rule, FindingOutcome.NotExercised, why, scenario.Name);
            progress?.Report($"{scenario.Name} stopped early");
        }
        catch (Exception ex)
        {
            foreach (var rule in scenario.Rules)
                run.Report(rule, FindingOutcome.HarnessError,
                    $"Scenario '{scenario.Name}' failed inside the harness: {ex.GetType().Name}: {ex.Message}. This is not the agent's fault; please report it.", scenario.Name);
            progress?.Report($"{scenario.Name} hit a harness error: {ex.Message}");
        }
    }

    /// <summary>
    /// Activity callbacks follow the status callback; the whole-run checks wait until the wire has been quiet briefly
    /// (300 ms, at most two seconds) so the last of them is judged.
    /// </summary>
    private static async Task SettleAsync(WakeelPeer peer, CancellationToken cancellationToken)
    {
        var limit = Stopwatch.StartNew();
        var last = peer.Transcript.LastSeq;
        var since = Stopwatch.StartNew();
        try
        {
            while (since.Elapsed < TimeSpan.FromMilliseconds(300) && limit.Elapsed < TimeSpan.FromSeconds(2))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                var now = peer.Transcript.LastSeq;
                if (now != last) (last, since) = (now, Stopwatch.StartNew());
            }
        }
        catch (OperationCanceledException) { /* the run is ending anyway */ }
    }

    private static ScenarioTimeline Timeline(WakeelScenario scenario, WakeelRun run, IReadOnlyList<Dukaan.Simulator.Exchange> transcript, Redactor redactor)
    {
        var contracts = run.ContractsOf(scenario.Name).ToHashSet(StringComparer.Ordinal);
        var events = transcript.Where(e => e.SubscriptionId is { } id && contracts.Contains(id))
            .Select(e => ResultsAssembler.TimelineMark(e, run.StartedAt, redactor, e.Direction == Dukaan.Simulator.Direction.PlatformToAgent ? "platform→agent" : "agent→platform"))
            .OrderBy(e => e.AtMs).ToList();
        var start = events.Count > 0 ? events.Min(e => e.AtMs) : 0;
        var end = events.Count > 0 ? events.Max(e => e.AtMs + e.DurationMs) : 0;
        return new ScenarioTimeline(scenario.Name, scenario.Description, start, end, events);
    }
}
