using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Scenarios;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// One certification run: start the simulator, start the agent, run the scenarios phase by phase, judge the
/// whole-run rules, stop the agent, and assemble results. Every wait is bounded by the run deadline.
/// </summary>
public static class CertificationEngine
{
    public static IReadOnlyList<Scenario> AllScenarios() =>
    [
        new HappyPathScenario(), new NonCanonicalBodyScenario(), new BadSignatureScenario(), new UnknownFieldsScenario(),
        new KeyRotationScenario(), new ConfigFailureScenario(), new RequestConfigScenario(), new BurstScenario(),
        new RunLimitScenario(), new CancellationScenario(), new RestartScenario(),
        new Scenarios.Chat.ChatConversationScenario(), new Scenarios.Chat.ChatPushScenario(), new Scenarios.Chat.ChatFileScenario(), new Scenarios.Chat.ChatRelayScenario(),
    ];

    /// <param name="progress">Receives one line per phase and scenario, for the terminal.</param>
    public static async Task<CertificationRun> RunAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var rules = AgentDukaanRules.Catalog.Select(request.RulePatterns);
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var settings = request.Settings;
        var notes = new List<string>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunDeadline);

        var secret = settings.WebhookSecret ?? "whsec_" + new Random(settings.Seed).NextInt64(long.MaxValue).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var options = new SimulatorOptions { Port = settings.SimulatorPort, Secret = secret, Seed = settings.Seed, Chat = settings.Listing.Chat,
            TranscriptCapacity = settings.TranscriptCapacity, TranscriptFile = settings.TranscriptFile };
        await using var simulatorHost = request.StartPlatform is { } startPlatform
            ? await startPlatform(options, deadline.Token)
            : await SimulatorHost.StartAsync(options, deadline.Token);
        var simulator = simulatorHost.Simulator;
        var coordinates = new PlatformCoordinates(simulator.BaseUrl, simulator.ProviderBaseUrl, secret);
        progress?.Report($"simulator listening on {simulator.BaseUrl}");

        IAgentUnderTest agent;
        try
        {
            agent = await request.StartAgent(coordinates, deadline.Token);
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
            var run = new RunContext(simulator, agent, settings, selected);
            var scenarios = AllScenarios().Where(s => s.Rules.Any(selected.Contains) || request.AlsoRuns(s.Name)).ToList();
            // A crashed or hung agent ends every wait at once: nothing it was expected to do can happen any more.
            using var scenarioToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, agent.Gone, run.Unresponsive);
            var stop = new StopReasons(cancellationToken, agent, run, settings);
            foreach (var phase in scenarios.GroupBy(s => s.Phase).OrderBy(g => g.Key))
            {
                // Isolation scenarios observe cross-buyer effects, so they must not overlap each other: an agent that stops
                // every buyer it knows on one 429 (or 403) would stop the other scenario's buyers too and fail its rules as well.
                if (phase.Key == Phase.Isolation)
                    foreach (var scenario in phase) await RunScenarioAsync(run, scenario, progress, stop, scenarioToken.Token);
                else
                    await Task.WhenAll(phase.Select(s => RunScenarioAsync(run, s, progress, stop, scenarioToken.Token)));
            }
            await run.PendingDeliveriesAsync();
            await SettleAsync(run, scenarioToken.Token);
            GlobalChecks.Evaluate(run, notes);
            Scenarios.Chat.ChatChecks.Evaluate(run);
            if (settings.Listing.Chat is not null && selected.Any(id => id.StartsWith("DK-CHAT-", StringComparison.Ordinal)))
                notes.Add("Chat: the sources leave two things open, so the harness assumes them (docs/rules.md decisions 6 and 9): relays are signed like buyer_configured " +
                    "(X-AgentDukaan-Event: chat_message, on the webhook path) and replies are signed over `chat_reply.${id}.${ts}.${sha256hex(raw)}`.");
            JudgeRefusedTriggers(run, notes);
            notes.AddRange(agent.Notes);
            if (RunTranscript.Note(simulator.Transcript, "agent") is { } evicted) notes.Add(evicted);
            if (run.ObservationWindowWasCapped)
                notes.Add($"The agent let a whole observation window ({settings.ObservationWindow.TotalSeconds:0} s) pass without doing what was expected; later waits in this run were capped at {RunContext.CappedObservationWindow.TotalSeconds:0} s so it could not make the run long. Fix the first failure and rerun.");
            if (cancellationToken.IsCancellationRequested)
                notes.Add($"The run was interrupted (Ctrl+C or SIGTERM) at {run.Elapsed.Elapsed.TotalSeconds:0.0} s; rules not judged by then are not-exercised.");
            else if (run.UnresponsiveReason is { } hung)
                notes.Add(hung);
            else if (deadline.IsCancellationRequested && !agent.Gone.IsCancellationRequested)
                notes.Add($"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached; checks still waiting then are not-exercised.");
            return new(ResultsAssembler.Assemble(request, rules, run, notes, scenarios, interrupted: cancellationToken.IsCancellationRequested), [.. run.AllSecrets(), secret]);
        }
    }

    /// <summary>
    /// An agent that queues work may still be reporting the last run when the scenarios end; the whole-run checks
    /// (every provider call matched by a /run) wait until the wire has been quiet briefly, at most two seconds.
    /// </summary>
    private static async Task SettleAsync(RunContext run, CancellationToken cancellationToken)
    {
        var quietFor = TimeSpan.FromMilliseconds(300);
        var limit = Stopwatch.StartNew();
        var last = run.Simulator.Transcript.LastSeq;
        var since = Stopwatch.StartNew();
        try
        {
            while (since.Elapsed < quietFor && limit.Elapsed < TimeSpan.FromSeconds(2))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                var now = run.Simulator.Transcript.LastSeq;
                if (now != last) (last, since) = (now, Stopwatch.StartNew());
            }
        }
        catch (OperationCanceledException) { /* the run is ending anyway */ }
    }

    /// <summary>
    /// Rules left waiting on a refused trigger (no 2xx, and no work on the wire after it: a trigger that worked and answered
    /// 409 or 422 with the outcome is not refused, decision 32): if every trigger was refused, the harness never could ask
    /// for work, so they are not-exercised and the trigger is named; otherwise the agent refused work it should have done.
    /// </summary>
    private static void JudgeRefusedTriggers(RunContext run, ICollection<string> notes)
    {
        if (run.Triggers.AllRefused)
        {
            var diagnosis = run.Triggers.RefusalDiagnosis(run.Agent.TriggerUrl);
            notes.Add(diagnosis + " Rules that need billable work are not-exercised.");
            run.Findings.Rewrite(f => f.IfOtherTriggersWorked is null ? f : f with { Diagnosis = diagnosis });
        }
        else
            run.Findings.Rewrite(f => f.IfOtherTriggersWorked ?? f);
    }

    private static async Task RunScenarioAsync(RunContext run, Scenario scenario, IProgress<string>? progress, StopReasons stop, CancellationToken cancellationToken)
    {
        var started = run.Elapsed.Elapsed;
        var context = new ScenarioContext(run, scenario.Name, cancellationToken);
        if (scenario.NotApplicableBecause(run.Settings) is { } reason)
        {
            foreach (var rule in scenario.Rules) context.NotApplicable(rule, AgentDukaanRules.Catalog.Get(rule).Statement, reason);
            progress?.Report($"{scenario.Name}: not applicable");
            return;
        }
        try
        {
            await scenario.RunAsync(context);
            progress?.Report($"{scenario.Name} done in {(run.Elapsed.Elapsed - started).TotalSeconds:0.0} s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var why = stop.Why(scenario.Name);
            foreach (var rule in scenario.Rules.Where(r => !run.Findings.HasAny(r)))
                context.NotExercised(rule, AgentDukaanRules.Catalog.Get(rule).Statement, why);
            progress?.Report($"{scenario.Name} stopped: {stop.Short}");
        }
        catch (Exception ex)
        {
            foreach (var rule in scenario.Rules)
                context.Report(rule, FindingOutcome.HarnessError, AgentDukaanRules.Catalog.Get(rule).Statement,
                    $"Scenario '{scenario.Name}' failed inside the harness: {ex.GetType().Name}: {ex.Message}. This is not the agent's fault; please report it.");
            progress?.Report($"{scenario.Name} hit a harness error: {ex.Message}");
        }
    }
}

/// <summary>Why the scenarios stopped early, most specific first: the user interrupted, the agent died, or the deadline came.</summary>
internal sealed class StopReasons(CancellationToken interrupted, IAgentUnderTest agent, RunContext run, RunSettings settings)
{
    public string Short => interrupted.IsCancellationRequested ? "interrupted"
        : agent.Gone.IsCancellationRequested ? "the agent exited"
        : run.Unresponsive.IsCancellationRequested ? "the agent appears hung"
        : "run deadline reached";

    public string Why(string scenario) =>
        interrupted.IsCancellationRequested ? $"The run was interrupted (Ctrl+C or SIGTERM) before scenario '{scenario}' could judge this."
        : agent.Gone.IsCancellationRequested ? $"The agent exited before scenario '{scenario}' could judge this. {agent.GoneReason}"
        : run.Unresponsive.IsCancellationRequested ? $"Scenario '{scenario}' was stopped before it could judge this. {run.UnresponsiveReason}"
        : $"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached while scenario '{scenario}' was still waiting for the agent.";
}
