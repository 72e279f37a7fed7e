using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Scenarios;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>Turns findings into verdicts (the rule's level decides fail vs warn) and evidence, redacting every secret.</summary>
public static class ResultsAssembler
{
    private const int MaxTranscriptEntries = 40;

    public static RunResults Assemble(CertificationRequest request, IReadOnlyList<RuleDefinition> rules, RunContext run, IReadOnlyList<string> notes, IReadOnlyList<Scenario> scenarios,
        bool interrupted = false)
    {
        var redactor = new Redactor(run.AllSecrets().Append(run.Simulator.Options.Secret));
        var exchanges = run.Simulator.Transcript.Snapshot().ToDictionary(e => e.Seq);
        var reruns = new RerunCommands(request.Settings, Profiles.ProfileRegistry.Get(request.ProfileInfo.Id), [.. scenarios.Select(s => s.Name)],
            e => e.SubscriptionId is { } id ? run.ScenarioOf(id) : null, exchanges);
        var results = rules.Select(rule => Judge(rule, run.Findings.For(rule.Id), request.Settings, exchanges, run.StartedAt, redactor, reruns)).ToList();
        var timelines = scenarios.Select(s => Timeline(s, run, exchanges.Values, redactor)).ToList();
        return Finish(request, rules, results, timelines, [.. notes.Select(redactor.Apply)], run.StartedAt, (long)run.Elapsed.Elapsed.TotalMilliseconds, agentStarted: true, interrupted);
    }

    /// <summary>
    /// Verdicts for any profile: each selected rule judged from its findings, evidence drawn from the transcript, every
    /// secret redacted. Profiles other than AgentDukaan's build their runs on this.
    /// </summary>
    /// <param name="timelines">One per scenario that ran: they also say which scenarios a whole-run verdict came from.</param>
    /// <param name="scenarioOf">The scenario an exchange belongs to, for the rerun command of a rule judged over the whole run.</param>
    public static RunResults FromFindings(CertificationRequest request, IReadOnlyList<RuleDefinition> rules, FindingSink findings, IReadOnlyList<Exchange> transcript,
        IReadOnlyList<ScenarioTimeline> timelines, IReadOnlyList<string> notes, IReadOnlyList<string> secrets, DateTimeOffset startedAt, long durationMs, bool interrupted = false,
        Func<Exchange, string?>? scenarioOf = null)
    {
        // A finding for an ID of no profile is a typo in an engine; judged only by the rules it names, it would leave
        // the rule meant silently not-exercised, so it stops the run as a harness bug instead.
        var profile = request.ProfileInfo.Id;
        var known = Profiles.ProfileRegistry.Get(profile).Rules;
        if (findings.All.FirstOrDefault(f => !known.Contains(f.RuleId)) is { } stray)
            throw new InvalidOperationException($"The {profile} engine reported a finding for rule '{stray.RuleId}', which its catalog does not have.");
        var redactor = new Redactor(secrets);
        var exchanges = transcript.ToDictionary(e => e.Seq);
        var reruns = new RerunCommands(request.Settings, Profiles.ProfileRegistry.Get(profile), [.. timelines.Select(t => t.Name)], scenarioOf, exchanges);
        var results = rules.Select(rule => Judge(rule, findings.For(rule.Id), request.Settings, exchanges, startedAt, redactor, reruns)).ToList();
        return Finish(request, rules, results, timelines, [.. notes.Select(redactor.Apply)], startedAt, durationMs, agentStarted: true, interrupted);
    }

    /// <summary>A timeline mark for an exchange, in the lanes every report draws.</summary>
    public static TimelineEvent TimelineMark(Exchange e, DateTimeOffset runStart, Redactor redactor, string lane)
    {
        var path = Uri.TryCreate(e.Url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : e.Url;
        var label = $"{e.Method} {path} {(e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error ?? "")}".Trim();
        return new TimelineEvent(Math.Round((e.StartedAt - runStart).TotalMilliseconds, 1), Math.Round(e.DurationMs, 1), lane, e.Kind, redactor.Apply(label), e.Status);
    }

    /// <summary>Interrupted before any scenario ran: every rule is not-exercised and the outcome says why.</summary>
    public static RunResults Interrupted(CertificationRequest request, IReadOnlyList<RuleDefinition> rules, string why, IReadOnlyList<string> secrets)
    {
        var redactor = new Redactor(secrets);
        var results = rules.Select(rule => Judge(rule, [NotApplicableFinding(rule, request.Settings) ?? new Finding(rule.Id, FindingOutcome.NotExercised, rule.Statement, why, null, [], "startup")],
            request.Settings, new Dictionary<long, Exchange>(), DateTimeOffset.UtcNow, redactor, NothingRan(request))).ToList();
        return Finish(request, rules, results, [], [why], DateTimeOffset.UtcNow, 0, agentStarted: true, interrupted: true);
    }

    public static RunResults AgentNeverStarted(CertificationRequest request, IReadOnlyList<RuleDefinition> rules, AgentStartException failure, IReadOnlyList<string> secrets)
    {
        var redactor = new Redactor(secrets);
        var message = redactor.Apply(failure.Message);
        var results = rules.Select(rule =>
        {
            var verdict = rule.Id == "DK-OPS-01" && failure.PortNeverOpened ? FindingOutcome.Violated : FindingOutcome.NotExercised;
            var finding = NotApplicableFinding(rule, request.Settings)
                ?? new Finding(rule.Id, verdict, rule.Statement, rule.Id == "DK-OPS-01" ? message : $"The agent never came up, so nothing could be checked. {message}", null, [], "startup");
            return Judge(rule, [finding], request.Settings, new Dictionary<long, Exchange>(), DateTimeOffset.UtcNow, redactor, NothingRan(request));
        }).ToList();
        return Finish(request, rules, results, [], [message], DateTimeOffset.UtcNow, 0, agentStarted: false);
    }

    /// <summary>Reruns of a run that played no scenario: each rule alone.</summary>
    private static RerunCommands NothingRan(CertificationRequest request) =>
        new(request.Settings, Profiles.ProfileRegistry.Get(request.ProfileInfo.Id), [], null, new Dictionary<long, Exchange>());

    /// <summary>A rule the target does not declare stays not-applicable even when nothing ran: the agent's failure to start is not why.</summary>
    private static Finding? NotApplicableFinding(RuleDefinition rule, RunSettings settings) =>
        rule.Area == Areas.Chat && settings.Listing.Chat is null
            ? new Finding(rule.Id, FindingOutcome.NotApplicable, rule.Statement, Scenarios.Chat.ChatScenario.NoChat, null, [], "startup")
            : null;

    private static RunResults Finish(CertificationRequest request, IReadOnlyList<RuleDefinition> rules, List<RuleResult> results, IReadOnlyList<ScenarioTimeline> timelines,
        List<string> notes, DateTimeOffset startedAt, long durationMs, bool agentStarted, bool interrupted = false)
    {
        var failed = results.Any(r => r.Verdict == Verdict.Fail);
        var harnessError = !agentStarted || results.Any(r => r.Verdict == Verdict.HarnessError);
        var mustUnexercised = results.Where(r => r.Level == RuleLevel.Must && r.Verdict == Verdict.NotExercised && request.NotApplicable?.Contains(r.Id) != true)
            .Select(r => r.Id).ToList();
        if (agentStarted && !interrupted && mustUnexercised.Count > 0)
            notes.Add(request.Target.Kind == "platform"
                // The platform profile refuses --trigger-url: what keeps its rules unexercised is the control adapter or the listing.
                ? $"{mustUnexercised.Count} MUST rule(s) were not exercised ({string.Join(", ", mustUnexercised)}), so this run cannot certify the platform: each rule's evidence says what could not be set up (usually the control adapter or the test listing, docs/platform-adapter.md); fix that, or narrow --rules."
                : $"{mustUnexercised.Count} MUST rule(s) were not exercised ({string.Join(", ", mustUnexercised)}), so this run cannot certify the agent: give --trigger-url (and --agent-cmd or --agent-log), or narrow --rules.");
        // 130 = 128 + SIGINT, the shell's convention; the CLI makes it 143 when SIGTERM was the signal.
        var (outcome, exit) = interrupted ? (Outcome.Interrupted, 130)
            : harnessError ? (Outcome.HarnessError, 2)
            : failed || mustUnexercised.Count > 0 ? (Outcome.NotCertified, 1)
            : (Outcome.Certified, 0);
        var profile = request.ProfileInfo;
        return new RunResults(RunResults.CurrentSchemaVersion, HarnessInfo.Version, profile.ContractVersion, profile.Id, request.Target,
            startedAt, durationMs, request.Settings.Seed, request.Settings.Strict, request.RulePatterns, outcome, exit, Summary.Of(results), results, timelines, notes,
            profile.Title, profile.SeedReferences);
    }

    private static RuleResult Judge(RuleDefinition rule, IReadOnlyList<Finding> reported, RunSettings settings, IReadOnlyDictionary<long, Exchange> exchanges,
        DateTimeOffset runStart, Redactor redactor, RerunCommands reruns)
    {
        var findings = reported.Select(f => Witnessed(rule, f)).ToList();
        var decisive = Decisive(findings);
        var verdict = decisive.Outcome switch
        {
            FindingOutcome.Satisfied => Verdict.Pass,
            FindingOutcome.HarnessError => Verdict.HarnessError,
            FindingOutcome.NotExercised => Verdict.NotExercised,
            FindingOutcome.NotApplicable => Verdict.NotApplicable,
            _ => rule.Level switch
            {
                RuleLevel.Must => Verdict.Fail,
                RuleLevel.Should when settings.Strict => Verdict.Fail,
                _ => Verdict.Warn,
            },
        };
        var relevant = findings.Where(f => f.Outcome == decisive.Outcome).ToList();
        var transcript = relevant.SelectMany(f => f.ExchangeSeqs).Distinct().Order()
            .Where(exchanges.ContainsKey).Take(MaxTranscriptEntries)
            .Select(seq => Entry(exchanges[seq], runStart, redactor)).ToList();
        var observed = string.Join("\n", relevant.Select(f => relevant.Count > 1 ? $"[{f.Scenario}] {f.Observed}" : f.Observed).Distinct());
        var scanned = relevant.SelectMany(f => f.Scanned).Distinct().ToList();
        var evidence = new Evidence(
            redactor.Apply(decisive.Expected),
            redactor.Apply(observed),
            relevant.Select(f => f.Diagnosis).FirstOrDefault(d => d is not null) is { } diagnosis ? redactor.Apply(diagnosis) : null,
            transcript,
            reruns.For(rule, relevant),
            [.. findings.Select(f => f.Scenario).Distinct()],
            scanned.Count == 0 ? null : scanned);
        return new RuleResult(rule.Id, rule.Level, rule.Area, rule.Title, rule.Statement, rule.SeedReference, verdict, evidence);
    }

    /// <summary>
    /// Decision 32, kept here because every profile's findings pass through: a pass that cites neither an exchange nor a
    /// scan that covered something is a bug of the engine that judged it, never a verdict on the target.
    /// </summary>
    internal static Finding Witnessed(RuleDefinition rule, Finding finding) =>
        finding.Outcome != FindingOutcome.Satisfied || finding.HasWitness ? finding
            : finding with
            {
                Outcome = FindingOutcome.HarnessError,
                Observed = $"{rule.Id} was judged pass without citing what exercised it (decision 32: a pass needs a witness, the exchanges or a scan " +
                           $"with a non-zero count). This is a bug of the harness, not the target's; please report it. The finding said: {finding.Observed}",
            };

    /// <summary>
    /// A violation anywhere decides; then a harness error; then a pass; then not-applicable (the target declares nothing
    /// the rule is about); nothing seen at all is not-exercised.
    /// </summary>
    private static Finding Decisive(IReadOnlyList<Finding> findings) =>
        findings.FirstOrDefault(f => f.Outcome == FindingOutcome.Violated)
        ?? findings.FirstOrDefault(f => f.Outcome == FindingOutcome.HarnessError)
        ?? findings.FirstOrDefault(f => f.Outcome == FindingOutcome.Satisfied)
        ?? findings.FirstOrDefault(f => f.Outcome == FindingOutcome.NotApplicable)
        ?? findings.FirstOrDefault()
        ?? new Finding("", FindingOutcome.NotExercised, "", "No scenario of this run could observe this rule.", null, [], "");

    public static TranscriptEntry Entry(Exchange e, DateTimeOffset runStart, Redactor redactor) => new(
        e.Seq, e.StartedAt, (e.StartedAt - runStart).TotalMilliseconds,
        e.Kind == ExchangeKinds.Provider ? "agent→provider" : e.Direction == Direction.PlatformToAgent ? "platform→agent" : "agent→platform",
        e.Kind, e.SubscriptionId, e.Method, redactor.Apply(e.Url), e.Status, Math.Round(e.DurationMs, 1),
        redactor.Apply(e.RequestHeaders), redactor.Apply(e.RequestBody), redactor.Apply(e.ResponseHeaders), redactor.Apply(e.ResponseBody), e.Error,
        NoteOf(e));

    private static string? NoteOf(Exchange e)
    {
        var parts = new List<string>();
        if (e.Tag(TagKeys.ErrorCode) is { } code) parts.Add(code);
        if (e.Tag(TagKeys.Diagnosis) is { } diagnosis) parts.Add(diagnosis);
        if (e.Tag(TagKeys.ProviderKey) is { } key) parts.Add($"key: {key}");
        if (e.Tag(TagKeys.DeliveryAttempt) is { } attempt && attempt != "1") parts.Add($"attempt {attempt}");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static ScenarioTimeline Timeline(Scenario scenario, RunContext run, IEnumerable<Exchange> exchanges, Redactor redactor)
    {
        var subscriptions = run.SubscriptionsOf(scenario.Name).ToHashSet(StringComparer.Ordinal);
        double Offset(DateTimeOffset at) => Math.Round((at - run.StartedAt).TotalMilliseconds, 1);
        var events = exchanges.Where(e => e.SubscriptionId is { } id && subscriptions.Contains(id))
            .Select(e =>
            {
                var lane = e.Kind == ExchangeKinds.Provider ? "agent→provider" : e.Direction == Direction.PlatformToAgent ? "platform→agent" : "agent→platform";
                var path = Uri.TryCreate(e.Url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : e.Url;
                var label = $"{e.Method} {ShortPath(path)} {(e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error ?? "")}".Trim();
                return new TimelineEvent(Offset(e.StartedAt), Math.Round(e.DurationMs, 1), lane, e.Kind, redactor.Apply(label), e.Status);
            })
            .Concat(run.Events.Where(h => h.Scenario == scenario.Name)
                .Select(h => new TimelineEvent(Offset(h.At), Math.Round(h.DurationMs, 1), "harness", h.Kind, redactor.Apply(h.Label), h.Status)))
            .OrderBy(e => e.AtMs).ToList();
        var start = events.Count > 0 ? events.Min(e => e.AtMs) : 0;
        var end = events.Count > 0 ? events.Max(e => e.AtMs + e.DurationMs) : 0;
        return new ScenarioTimeline(scenario.Name, scenario.Description, start, end, events, Chats(run, subscriptions, redactor));
    }

    /// <summary>The conversations of a scenario's buyers, as they saw them; null when none had a bubble (no chat, or no chat scenario).</summary>
    private static IReadOnlyList<ChatTranscript>? Chats(RunContext run, IReadOnlySet<string> subscriptions, Redactor redactor)
    {
        var chats = new List<ChatTranscript>();
        foreach (var id in subscriptions.Order(StringComparer.Ordinal))
        {
            if (run.Simulator.Store.Find(id) is not { } subscription || subscription.Chat.Bubbles is not { Count: > 0 } bubbles) continue;
            string? Clean(string? text) => text is null ? null : redactor.Apply(text);
            System.Text.Json.JsonElement? CleanJson(System.Text.Json.JsonElement? json)
            {
                if (json is not { } j) return null;
                try
                {
                    using var parsed = System.Text.Json.JsonDocument.Parse(redactor.Apply(j.GetRawText()));
                    return parsed.RootElement.Clone();
                }
                catch (System.Text.Json.JsonException)
                {
                    // A mask that broke the JSON: the blocks are dropped rather than shown with a secret in them.
                    return null;
                }
            }
            chats.Add(new ChatTranscript(id, subscription.Chat.Muted, Clean(subscription.Chat.State?.GetRawText()), [.. bubbles.Select(b => new ChatBubbleView(
                Math.Round((b.At - run.StartedAt).TotalMilliseconds, 1),
                b.Kind switch { Simulator.Chat.BubbleKind.BuyerMessage => "buyer", Simulator.Chat.BubbleKind.Push => "push", _ => "agent" },
                Clean(b.Text), CleanJson(b.Blocks), b.ReplyTo, b.Edits, [.. b.EarlierTexts.Select(t => redactor.Apply(t))], b.Hidden, b.Category, b.FileName))]));
        }
        return chats.Count == 0 ? null : chats;
    }

    private static string ShortPath(string path) =>
        path.StartsWith("/api/subscriptions/", StringComparison.Ordinal) ? "/" + path.Split('/').Last() : path;
}
