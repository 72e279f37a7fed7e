using System.Diagnostics;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Profiles.AgentDoorSender;

/// <summary>
/// One AgentDoor sender run: start the scripted receiver, start the sender with its URL and secret, play every
/// selected scenario's events side by side (backoff is real time, so running them in turn would add up), then judge
/// every rule from the traces and assemble results.
/// </summary>
public static class AgentDoorSenderEngine
{
    public static IReadOnlyDictionary<string, string> WholeRunChecks { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AD-S-01"] = "the headers of every attempt the receiver got in the run, retries included",
        ["AD-S-02"] = "the signature of every attempt, against the HMAC of the exact body bytes received",
        ["AD-S-03"] = "every body against the event emitted (type, data) and its own headers; ids across all events of the run",
        ["AD-S-07"] = "every retry delay of the run (retry n after a failure, from the failure's end to the retry's arrival) against min(1000·2^(n−1), 10000) ms",
        ["AD-S-08"] = "the same delays: their ratios to nominal",
        ["AD-S-09"] = "every retried event of the run: each retry's X-AgentDoor-Event-Id, body bytes and X-AgentDoor-Signature against its first attempt",
    };

    public static async Task<CertificationRun> RunAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var rules = AgentDoorSenderRules.Catalog.Select(request.RulePatterns);
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var settings = request.Settings;
        var secret = settings.WebhookSecret ?? "whsec_ads_" + SeedStream.Hex(settings.Seed, "webhook-secret", 0, 16);
        var secrets = new[] { secret };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunDeadline);

        // Declared before the receiver so it is closed after the receiver has stopped recording.
        using var transcript = RunTranscript.Create(settings);
        await using var receiver = await ScriptedReceiver.StartAsync(transcript, clock, Backoff.HangBound, settings.SimulatorPort, deadline.Token).ConfigureAwait(false);
        progress?.Report($"receiver listening on {receiver.Url}");
        var coordinates = new PeerCoordinates(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AGENTDOOR_WEBHOOK_URL"] = receiver.Url.ToString(),
            ["AGENTDOOR_WEBHOOK_SECRET"] = secret,
        });

        IAgentUnderTest agent;
        try
        {
            agent = await request.StartAgent(coordinates, deadline.Token).ConfigureAwait(false);
        }
        catch (AgentStartException ex)
        {
            progress?.Report("the sender did not start");
            return new(ResultsAssembler.AgentNeverStarted(request, rules, ex, secrets), secrets);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ResultsAssembler.AgentNeverStarted(request, rules, new AgentStartException($"The sender did not start within the run deadline ({settings.RunDeadline.TotalSeconds:0} s)."), secrets), secrets);
        }
        catch (OperationCanceledException)
        {
            return new(ResultsAssembler.Interrupted(request, rules, "The run was interrupted (Ctrl+C or SIGTERM) while the sender was starting; nothing was judged.", secrets), secrets);
        }

        deadline.CancelAfter(settings.RunDeadline);
        await using (agent)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var elapsed = Stopwatch.StartNew();
            var notes = new List<string>();
            var findings = new FindingSink();
            // The emit URL: --trigger-url when given, else the sender's port and the profile's path (/emit).
            var emitUrl = agent.TriggerUrl ?? agent.WebhookUrl;
            using var emitter = new Emitter(emitUrl, transcript);
            using var emitsEnd = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            var runner = new EventRunner(receiver, emitter, settings.ObservationWindow, emitsEnd.Token);
            var scenarios = SenderScenarios.Docs.Where(s => s.Rules.Any(selected.Contains) || request.AlsoRuns(s.Name)).ToList();
            // A crashed sender ends every wait at once: nothing it was expected to do can happen any more.
            using var waits = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, agent.Gone);
            var events = scenarios.SelectMany(s => SenderScenarios.EventsOf(s.Name, settings.Seed)).ToList();
            progress?.Report($"emitting {events.Count} events through {emitUrl}");
            using var probing = CancellationTokenSource.CreateLinkedTokenSource(waits.Token);
            var probe = new LoadProbe(clock);
            var probeRun = probe.RunAsync(probing.Token);
            var followed = await Task.WhenAll(events.Select(e => FollowAsync(runner, receiver, e, agent, settings, cancellationToken, waits.Token))).ConfigureAwait(false);
            await probing.CancelAsync().ConfigureAwait(false);
            await probeRun.ConfigureAwait(false);
            var traces = followed.Select(t => t with { LoadMs = probe.WorstLatenessMs }).ToArray();
            if (probe.WorstLatenessMs >= 100)
                notes.Add($"The machine was loaded: the harness's own 100 ms timers fired up to {probe.WorstLatenessMs:0} ms late, so AD-S-07's upper bounds were raised by that much (decision 20).");
            progress?.Report($"{traces.Sum(t => t.Attempts.Count)} attempts followed in {elapsed.Elapsed.TotalSeconds:0.0} s");
            await emitsEnd.CancelAsync().ConfigureAwait(false);
            await runner.DrainAsync().ConfigureAwait(false);
            try
            {
                new SenderJudge(traces, secret, findings, selected).All();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug of the harness must never read as the sender's fault, nor crash the CLI without results.
                foreach (var rule in rules.Where(r => !findings.HasAny(r.Id)))
                    findings.Add(new(rule.Id, FindingOutcome.HarnessError, rule.Statement,
                        $"The harness failed while judging: {ex.GetType().Name}: {ex.Message}. This is not the sender's fault; please report it.", null, [], "harness"));
            }
            if (traces.All(t => t.Attempts.Count == 0) && traces.FirstOrDefault(t => t.Cut is not null) is { } none)
                notes.Add($"No attempt ever reached the receiver at {receiver.Url}; the first event: {none.Cut}. The sender must POST each emitted event to AGENTDOOR_WEBHOOK_URL.");
            if (cancellationToken.IsCancellationRequested)
                notes.Add($"The run was interrupted (Ctrl+C or SIGTERM) at {elapsed.Elapsed.TotalSeconds:0.0} s; rules not judged by then are not-exercised.");
            else if (deadline.IsCancellationRequested)
                notes.Add($"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached; rules not judged by then are not-exercised.");
            if (agent.Gone.IsCancellationRequested && agent.GoneReason is { } gone) notes.Add($"The sender exited during the run. {gone}");
            notes.AddRange(agent.Notes);
            if (RunTranscript.Note(transcript, "sender") is { } evicted) notes.Add(evicted);
            var redactor = new Redactor(secrets);
            var exchanges = transcript.Snapshot();
            var timelines = scenarios.Select(s => SenderTimeline.Of(s, traces, exchanges, startedAt, redactor)).ToList();
            // The attempts judged over the whole run belong to the scenario of their event, which a rerun must play again.
            var scenarioOfSeq = traces.SelectMany(t => t.Attempts.Select(a => (a.Seq, t.Event.Scenario))).ToDictionary(p => p.Seq, p => p.Scenario);
            var results = ResultsAssembler.FromFindings(request, rules, findings, exchanges, timelines, notes, secrets, startedAt, (long)elapsed.Elapsed.TotalMilliseconds,
                interrupted: cancellationToken.IsCancellationRequested, scenarioOf: e => scenarioOfSeq.GetValueOrDefault(e.Seq));
            return new(results, secrets);
        }
    }

    /// <summary>One event to its end, or to the moment the run stops waiting: then its trace says why, and its rules are not-exercised.</summary>
    private static async Task<EventTrace> FollowAsync(EventRunner runner, ScriptedReceiver receiver, EmittedEvent e, IAgentUnderTest agent, RunSettings settings,
        CancellationToken interrupted, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(e, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var why = interrupted.IsCancellationRequested ? "the run was interrupted"
                : agent.Gone.IsCancellationRequested ? $"the sender exited. {agent.GoneReason}"
                : $"the run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached";
            return new EventTrace(e, null, receiver.AttemptsOf(e.Marker), null, why);
        }
    }
}
