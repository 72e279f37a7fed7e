using System.Diagnostics;
using Dukaan.Contract;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator;
using Dukaan.Simulator.Faults;

namespace Dukaan.Conformance.Profiles.AgentDukaanPlatform;

/// <summary>
/// One platform run: find the platform (the bundled simulator on a compressed clock, or --platform-url), start the
/// scriptable receiver, run every scenario side by side through the control adapter and the agent-side endpoints, and
/// judge. The same code certifies the bundled simulator and a staging platform: both are reached only over HTTP.
/// </summary>
public static class PlatformEngine
{
    /// <summary>
    /// The bundled simulator's delays run this many times faster than real time. 5 rather than 10 keeps 400 ms of real
    /// margin between the receiver's 8 s answer and the 10 s timeout, so a loaded machine does not blur PL-DLV-03.
    /// </summary>
    public const double BundledTimeScale = 5;

    /// <summary>The listing the bundled simulator is started with when the settings name none: chat with push opted in.</summary>
    public static readonly ChatManifest DefaultChat = new(["text", "buttons"], [], new ProactiveManifest(true, ProactiveManifest.DefaultMaxPerDay, ["alert", "report"]));

    public static IReadOnlyList<PlatformScenario> All { get; } =
    [
        new DeliveryShapeScenario(), new DeliveryRetryScenario(), new DeliveryTimeoutScenario(), new DeliveryBackoffScenario(), new DeliveryFailuresScenario(),
        new RunTokenScenario(), new InactiveSubscriptionScenario(), new RunLimitScenario(), new HeartbeatScenario(),
        new ConfigScenario(), new RequestConfigScenario(), new PushRulesScenario(), new ChatDomainsScenario(), new MalformedRequestsScenario(),
    ];

    public static async Task<CertificationRun> RunAsync(CertificationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var rules = PlatformRules.Catalog.Select(request.RulePatterns);
        var selected = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var settings = request.Settings;
        var external = settings.PlatformUrl;
        // The bundled simulator gets a fresh canary secret; an external platform's secret is the listing's, given with --secret.
        var secret = settings.WebhookSecret ?? "whsec_pl_" + SeedStream.Hex(settings.Seed, "webhook-secret", 0, 16);
        IReadOnlyList<string> secrets = [secret];
        var scale = external is null ? BundledTimeScale : settings.PlatformTimeScale;
        TimeProvider clock = scale == 1 ? TimeProvider.System : new CompressedClock(scale);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunDeadline);

        var startedAt = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        SimulatorHost? bundled = null;
        if (external is null)
        {
            bundled = await SimulatorHost.StartAsync(new SimulatorOptions
            {
                Secret = secret, Seed = settings.Seed, Port = settings.SimulatorPort, Clock = clock, Chat = settings.Listing.Chat ?? DefaultChat,
            }, deadline.Token);
            progress?.Report($"bundled simulator on {bundled.BaseUrl} (compressed clock, {scale:0.##}×)");
        }
        await using var _ = bundled;
        var baseUrl = external ?? bundled!.BaseUrl;
        // The platform under test is the party that can flood: its deliveries to the receiver are the evictable ones.
        using var transcript = RunTranscript.Create(settings, Direction.PlatformToAgent);
        var tags = new ScenarioTags();
        using var caller = new PlatformCaller(baseUrl, secret, transcript, tags);
        if (await UnreachableAsync(caller, deadline.Token) is { } why)
            return new(ResultsAssembler.AgentNeverStarted(request, rules, new AgentStartException(why), secrets), secrets);

        await using var receiver = await WebhookReceiver.StartAsync(transcript, tags, clock, deadline.Token);
        var findings = new FindingSink();
        var run = new PlatformRun(caller, new ControlAdapter(caller), receiver, scale, clock, findings, selected);
        var scenarios = All.Where(s => s.Rules.Any(selected.Contains) || request.AlsoRuns(s.Name)).ToList();
        var notes = new List<string>
        {
            external is null
                ? $"Platform: the bundled simulator, started in process on {baseUrl} on a compressed clock: its delays (attempt timeout, retry backoff) and the receiver's scripted delays ran {scale:0.##}× faster than real time, while the wall clock stayed real (the 5-minute timestamp window is unaffected). Timings in the evidence are converted back to platform time (measured × {scale:0.##})."
                : scale == 1
                    ? $"Platform: {baseUrl}, driven through its control adapter (docs/platform-adapter.md); timings measured in real time."
                    : $"Platform: {baseUrl}, driven through its control adapter (docs/platform-adapter.md), declared (--time-scale) to run its delays {scale:0.##}× faster than real time; the receiver's scripted delays ran at the same factor and timings are converted back to platform time (measured × {scale:0.##}).",
        };
        try
        {
            await WarmUpAsync(run, deadline.Token);
            // Three phases. The untimed scenarios first: they warm the platform's paths (connections, a JIT's first compile)
            // so that start-up latency is not charged to a timed budget. Then the 200-call burst alone, then the timed
            // deliveries, so neither the burst's load nor the warm-up blurs their measurements.
            foreach (var phase in scenarios.GroupBy(PhaseOf).OrderBy(g => g.Key))
                await Task.WhenAll(phase.Select(s => RunScenarioAsync(s, run, progress, deadline.Token)));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            notes.Add(cancellationToken.IsCancellationRequested
                ? $"The run was interrupted (Ctrl+C or SIGTERM) at {wall.Elapsed.TotalSeconds:0.0} s; rules not judged by then are not-exercised."
                : $"The run deadline ({settings.RunDeadline.TotalSeconds:0} s) was reached; rules not judged by then are not-exercised.");
        }
        notes.Add($"The platform run took {wall.Elapsed.TotalSeconds:0.0} s of wall time.");
        if (RunTranscript.Note(transcript, "platform") is { } evicted) notes.Add(evicted);
        progress?.Report($"{scenarios.Count} scenarios in {wall.Elapsed.TotalSeconds:0.0} s");
        // The buyers' values arrived over HTTP during the run; every report (results, transcript, HTML…) masks them too.
        secrets = [secret, .. caller.Learned.All()];
        var redactor = new Redactor(secrets);
        var exchanges = transcript.Snapshot();
        var timelines = scenarios.Select(s => Timeline(s, tags, exchanges, startedAt, redactor)).ToList();
        var results = ResultsAssembler.FromFindings(request, rules, findings, exchanges, timelines, notes, secrets, startedAt, (long)wall.Elapsed.TotalMilliseconds,
            interrupted: cancellationToken.IsCancellationRequested, scenarioOf: e => tags.Of(e.Seq));
        return new(results, secrets);
    }

    /// <summary>
    /// One delivery nobody judges, before anything else: a platform's first delivery pays for its first connection and, on
    /// .NET or the JVM, its first compile, and on a compressed clock that cost is multiplied into the 10 s budget.
    /// </summary>
    private static async Task WarmUpAsync(PlatformRun run, CancellationToken cancellationToken)
    {
        try
        {
            var (url, slot) = run.Receiver.Slot("warm-up", Reply.Ok);
            var id = await run.Control.CreateSubscriptionAsync("warm-up", url, cancellationToken);
            await run.Control.DeliverAsync("warm-up", id, retry: false, cancellationToken);
            // One attempt asked for (retry: false) and answered 200 at once: anything more came from the adapter, which must
            // send nothing on create (docs/platform-adapter.md). The delivery scenarios could not tell such requests from the
            // attempts they ask for, and would fail PL-DLV-04/05 for the adapter's doing. A queued delivery may come late.
            var grace = TimeSpan.FromTicks(Math.Max(run.RealTime(CreateQuiet).Ticks, MinCreateQuiet.Ticks));
            await slot.WaitForAsync(2, grace, cancellationToken);
            if (slot.Hits.Count > 1)
            {
                run.AdapterDeliversOnCreateSeqs = [.. slot.Hits.Select(h => h.Seq)];
                run.AdapterDeliversOnCreate = $"a subscription created through the adapter (POST /_sim/subscriptions) and delivered once (/deliver with retry: false, answered 200 at once) " +
                    $"sent {slot.Hits.Count} requests to its webhookUrl: the adapter's create delivers too (or /deliver ignored retry: false), so the delivery probes could not tell its requests from the attempts they ask for";
            }
        }
        catch (AdapterException)
        {
            // The scenarios meet the same failure and say what it leaves unjudged.
        }
    }

    /// <summary>How long the warm-up watches for a request it did not ask for: platform time, and at least <see cref="MinCreateQuiet"/> of real time.</summary>
    private static readonly TimeSpan CreateQuiet = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan MinCreateQuiet = TimeSpan.FromSeconds(1);

    private static int PhaseOf(PlatformScenario scenario) => scenario switch
    {
        RunLimitScenario => 1,
        DeliveryRetryScenario or DeliveryTimeoutScenario or DeliveryBackoffScenario or DeliveryFailuresScenario => 2,
        _ => 0,
    };

    /// <summary>The platform must answer its control adapter's root; otherwise nothing can be judged and the run says why.</summary>
    private static async Task<string?> UnreachableAsync(PlatformCaller caller, CancellationToken cancellationToken)
    {
        var probe = await caller.SendAsync("startup", ControlAdapter.Kind, null, HttpMethod.Get, "_sim/", null, null, cancellationToken);
        return probe.Status is >= 200 and < 300 ? null
            : $"The platform at {caller.BaseUrl} does not answer its control adapter (GET /_sim/ → {probe.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? probe.Error}). " +
              "Start it with the adapter enabled (docs/platform-adapter.md), e.g. `dukaan-conformance simulate --chat --port N --secret S`, and pass --platform-url http://127.0.0.1:N --secret S.";
    }

    private static async Task RunScenarioAsync(PlatformScenario scenario, PlatformRun run, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (run.AdapterDeliversOnCreate is { } why && scenario.Rules.Any(r => r.StartsWith("PL-DLV-", StringComparison.Ordinal)))
        {
            // Decision 29: the adapter is plumbing, so what it spoils is not-exercised with the adapter named, never failed.
            foreach (var rule in scenario.Rules.Where(run.IsSelected))
                run.Report(scenario.Name, rule, FindingOutcome.NotExercised, $"The control adapter cannot set this up: {why}. Make the adapter's create send nothing (docs/platform-adapter.md).", run.AdapterDeliversOnCreateSeqs);
            progress?.Report($"{scenario.Name}: not run, the adapter delivers on create");
            return;
        }
        try
        {
            await scenario.RunAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (AdapterException ex)
        {
            // The adapter is test plumbing: its failure leaves the rules unjudged, it never fails the platform.
            foreach (var rule in scenario.Rules.Where(r => run.IsSelected(r) && !run.Findings.HasAny(r)))
                run.Report(scenario.Name, rule, FindingOutcome.NotExercised, $"The control adapter failed, so this could not be set up: {ex.Message}", ex.Seq == 0 ? [] : [ex.Seq]);
            progress?.Report($"{scenario.Name}: adapter failed: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var rule in scenario.Rules.Where(r => run.IsSelected(r) && !run.Findings.HasAny(r)))
                run.Findings.Add(new Finding(rule, FindingOutcome.HarnessError, PlatformRules.Catalog.Get(rule).Statement,
                    $"The harness failed while certifying: {ex.GetType().Name}: {ex.Message}. This is not the platform's fault; please report it.", null, [], scenario.Name));
            progress?.Report($"{scenario.Name}: harness error: {ex.Message}");
        }
    }

    private static ScenarioTimeline Timeline(PlatformScenario scenario, ScenarioTags tags, IReadOnlyList<Exchange> exchanges, DateTimeOffset startedAt, Redactor redactor)
    {
        var events = exchanges.Where(e => tags.Of(e.Seq) == scenario.Name)
            .Select(e => ResultsAssembler.TimelineMark(e, startedAt, redactor,
                e.Kind == ControlAdapter.Kind ? "harness→adapter" : e.Direction == Direction.PlatformToAgent ? "platform→receiver" : "agent→platform"))
            .OrderBy(e => e.AtMs).ToList();
        var start = events.Count > 0 ? events.Min(e => e.AtMs) : 0;
        var end = events.Count > 0 ? events.Max(e => e.AtMs + e.DurationMs) : 0;
        return new ScenarioTimeline(scenario.Name, scenario.Description, start, end, events);
    }
}
