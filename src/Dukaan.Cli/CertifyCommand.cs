using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dukaan.Contract;
using Dukaan.Conformance;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Profiles;
using Dukaan.Conformance.Rules;
using Dukaan.Reporting;
using Dukaan.Cli.Configuration;
using Spectre.Console;

namespace Dukaan.Cli;

public static class CertifyCommand
{
    private static readonly Option<string?> AgentCmd = new("--agent-cmd") { Description = "Command that starts the agent (run with /bin/sh -c). It gets PORT, AGENTDUKAAN_API_URL, AGENTDUKAAN_WEBHOOK_SECRET, OPENAI_BASE_URL and a fresh TMPDIR." };
    private static readonly Option<string?> AgentWorkdir = new("--agent-workdir") { Description = "Working directory of --agent-cmd (default: the current directory)." };
    private static readonly Option<string?> AgentUrl = new("--agent-url") { Description = "Base URL of an agent that is already running (no spawn, no restart)." };
    private static readonly Option<string?> AgentLog = new("--agent-log") { Description = "With --agent-url: a file holding the agent's output, scanned for secrets." };
    private static readonly Option<string[]> AgentEnv = new("--agent-env") { Description = "Extra KEY=VALUE for the agent's environment (repeatable).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Profile = new("--profile") { Description = $"The contract to certify against: {string.Join(", ", ProfileRegistry.All.Select(p => p.Info.Id))} (default {ProfileRegistry.DefaultId})." };
    private static readonly Option<string?> WebhookPath = new("--webhook-path") { Description = "Path of the agent's webhook route (default: the profile's, e.g. /hooks/agentdukaan)." };
    private static readonly Option<string?> TriggerUrl = new("--trigger-url") { Description = "URL the harness POSTs {\"subscriptionId\":\"…\"} to for one billable run; {port} is replaced by the agent's port." };
    private static readonly Option<string?> Rules = new("--rules") { Description = "Only rules matching these globs, e.g. DK-SIG-* or DK-RUN-02,DK-SUB-*." };
    private static readonly Option<string?> ScenarioNames = new("--scenarios")
    {
        Description = "Also play these scenarios (comma-separated names from docs/rules.md, or all), whatever --rules selects. A rule's rerun command adds the scenarios whose work judged it, e.g. the ones a whole-run rule such as DK-RUN-01 counted.",
    };
    private static readonly Option<bool> Strict = new("--strict") { Description = "SHOULD rules that are not met fail the run (exit 1) instead of warning." };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed for generated buyers, configs and canaries: the same seed replays the same run.", DefaultValueFactory = _ => CertifyOptions.DefaultSeed };
    private static readonly Option<string?> Out = new("--out") { Description = "Output folder (default: reports/<timestamp>/)." };
    private static readonly Option<double> StartupTimeout = new("--startup-timeout") { Description = "Seconds to wait for the agent's port.", DefaultValueFactory = _ => CertifyOptions.DefaultStartupTimeout };
    private static readonly Option<double> QuietWindow = new("--quiet-window") { Description = "Seconds to watch for forbidden actions (after a bad delivery, a 403, a 429).", DefaultValueFactory = _ => CertifyOptions.DefaultQuietWindow };
    private static readonly Option<double> ObservationWindow = new("--observation-window") { Description = "Seconds to wait for something the agent must do (a /config fetch); the wait ends as soon as it happens.", DefaultValueFactory = _ => CertifyOptions.DefaultObservationWindow };
    private static readonly Option<int> SimPort = new("--sim-port") { Description = "Port of the harness's simulator (0: a free one). With --agent-url, start your agent with AGENTDUKAAN_API_URL=http://127.0.0.1:PORT.", DefaultValueFactory = _ => 0 };
    private static readonly Option<string?> Secret = new("--secret") { Description = "Webhook secret of the run, at least 8 characters (default: generated). With --agent-url, start your agent with the same AGENTDUKAAN_WEBHOOK_SECRET; with --platform-url, the test listing's webhook secret." };
    private static readonly Option<string?> ConfigPath = new("--config") { Description = $"Settings file (default: ./{ConfigFile.FileName} when present); flags given here override it. `dukaan-conformance init` writes a starter one." };
    private static readonly Option<string?> BaselineFile = new("--baseline") { Description = "JSON file of accepted failures ({\"accepted\":[{\"rule\":\"DK-…\",\"reason\":\"…\"}]}); unexpected failures and stale entries fail the run." };
    private static readonly Option<string?> PlatformUrl = new("--platform-url") { Description = "Profile agentdukaan-platform: the platform to certify, through its control adapter (docs/platform-adapter.md); needs --secret, the listing's webhook secret. Default: the bundled simulator." };
    private static readonly Option<double?> TimeScale = new("--time-scale") { Description = "Profile agentdukaan-platform with --platform-url: that platform runs its delays N times faster than real time (e.g. simulate --time-scale N); default 1." };
    private static readonly Option<int> TranscriptCapacity = new("--transcript-capacity")
    {
        Description = $"Exchanges of the tested party kept in memory for the rules, the newest (default {Dukaan.Simulator.Transcript.DefaultCapacity}); older ones are evicted and noted. Every exchange is in {RunTranscript.FileName} in the output folder.",
        DefaultValueFactory = _ => Dukaan.Simulator.Transcript.DefaultCapacity,
    };
    private static readonly Option<double> RunDeadline = new("--run-deadline") { Description = "Seconds the scenarios may take once the agent is up; checks still waiting then are not-exercised.", DefaultValueFactory = _ => CertifyOptions.DefaultRunDeadline };

    public static Command Create()
    {
        var command = new Command("certify", "Run the AgentDukaan conformance suite against an agent and write results.json (plus reports) to --out. With no target, certifies the bundled reference agent.")
        {
            Profile, AgentCmd, AgentWorkdir, AgentUrl, AgentLog, AgentEnv, WebhookPath, TriggerUrl, Rules, ScenarioNames, Strict, Seed, Out, StartupTimeout, QuietWindow,
            ObservationWindow, RunDeadline, BaselineFile, ConfigPath, SimPort, Secret, PlatformUrl, TimeScale, TranscriptCapacity,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        CertifyFlags flags;
        try { flags = Flags(parse); }
        catch (UsageException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.HarnessOrConfigError;
        }
        var outcome = await CertifyAsync(flags, new CertifySink(parse.InvocationConfiguration.Output, error), cancellationToken);
        return outcome.ExitCode;
    }

    /// <summary>
    /// One certification, exactly as `certify` runs it once its command line is parsed: resolve the flags over the
    /// settings file, check them, run the profile, write the reports into the out folder and gate on the baseline.
    /// certify-fleet calls this once per agent, with that agent's flags and its own log as <paramref name="sink"/>.
    /// </summary>
    public static async Task<CertifyOutcome> CertifyAsync(CertifyFlags flags, CertifySink sink, CancellationToken cancellationToken)
    {
        var (output, error) = (sink.Output, sink.Error);
        var console = Terminal.For(output);
        CertificationRequest request;
        IProfile profile;
        string outDir;
        string? configFile;
        string rawTranscript;
        Baseline? baseline = null;
        string? profileId = null;
        CertifyOutcome Refused(int exitCode, string message)
        {
            foreach (var line in message.Split('\n')) error.WriteLine($"error: {line}");
            return new CertifyOutcome(exitCode, message.Split('\n')[0], profileId, null, null);
        }
        try
        {
            var inputs = Resolve(flags, sink.FindSettingsFile);
            configFile = inputs.ConfigFile is { } full ? Path.GetRelativePath(Directory.GetCurrentDirectory(), full) : null;
            profile = inputs.Profile;
            profileId = profile.Info.Id;
            profile.Rules.Select(inputs.Rules);
            var scenarios = SelectScenarios(profile, flags.Scenarios);
            if (inputs.Baseline is { } baselinePath)
                baseline = Baseline.Load(baselinePath, profile.Rules.All.Select(r => r.Id).ToHashSet(StringComparer.Ordinal));
            var capacity = flags.TranscriptCapacity ?? Dukaan.Simulator.Transcript.DefaultCapacity;
            if (capacity is < MinTranscriptCapacity or > MaxTranscriptCapacity)
                throw new UsageException($"--transcript-capacity must be between {MinTranscriptCapacity} and {MaxTranscriptCapacity} exchanges (got {capacity}); each takes about 1 KB of memory.");
            request = await BuildRequestAsync(inputs, console, cancellationToken) with { Scenarios = scenarios };
            // Every exchange goes to a private temp file during the run; the report folder gets a redacted copy.
            rawTranscript = Path.Combine(Path.GetTempPath(), $"dukaan-transcript-{Guid.NewGuid():N}.jsonl");
            request = request with { Settings = request.Settings with { TranscriptCapacity = capacity, TranscriptFile = rawTranscript } };
            outDir = Path.GetFullPath(inputs.Out ?? Path.Combine(RepositoryLayout.FindRoot() ?? Directory.GetCurrentDirectory(), "reports", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        }
        catch (UnknownProfileException ex)
        {
            return Refused(ExitCodes.HarnessOrConfigError, $"{ex.Message} Give one of them with --profile (or \"profile\" in the settings file).");
        }
        catch (RuleSelectionException ex)
        {
            return Refused(ExitCodes.NothingSelected, ex.Message);
        }
        catch (ConfigFileException ex)
        {
            foreach (var line in ex.Message.Split('\n')) error.WriteLine($"error: {line}");
            error.WriteLine($"Fix {(ex.Problems.Count == 1 ? "it" : $"these {ex.Problems.Count} problems")} in {ex.ConfigPath} (with \"$schema\" set, editors complete and check every key), or pass --config with another file.");
            var first = ex.Message.Split('\n')[0];
            return new CertifyOutcome(ExitCodes.HarnessOrConfigError, ex.Problems.Count == 1 ? first : $"{first} (and {ex.Problems.Count - 1} more problems in that file)", profileId, null, null);
        }
        catch (Exception ex) when (ex is BaselineFormatException or UsageException)
        {
            return Refused(ExitCodes.HarnessOrConfigError, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("interrupted before the run started; nothing was written.");
            return new CertifyOutcome(TerminationSignals.Current?.ExitCode ?? 130, "interrupted before the run started", profileId, null, null);
        }

        console.MarkupLine($"[bold]DukaanConformance[/] {HarnessInfo.Version} · certifying [blue]{Markup.Escape(request.Target.Description)}[/]");
        if (configFile is not null) console.MarkupLine($"  [grey]settings: {Markup.Escape(configFile)}[/]");
        RunResults results;
        IReadOnlyList<string> secrets;
        WrittenReports written;
        IReadOnlyList<string> files;
        try
        {
            using (var progress = new ConsoleProgress(console))
                (results, secrets) = await profile.CertifyAsync(request, progress, cancellationToken);
            if (results.Outcome == Outcome.Interrupted && TerminationSignals.Current?.ExitCode is { } signalExit)
                results = results with { ExitCode = signalExit };
            written = ReportOutput.Write(results, outDir, secrets, baseline, output, sink.SpeakGitHub);
            files = File.Exists(rawTranscript)
                ? [.. written.All, WriteTranscript(rawTranscript, outDir, secrets)]
                : written.All;
        }
        finally
        {
            File.Delete(rawTranscript);
        }
        SummaryTable.Print(console, written.Results, files);
        var exitCode = results.ExitCode;
        if (baseline is not null && results.Outcome != Outcome.Interrupted)
        {
            var gate = BaselineGate.Evaluate(results, baseline);
            gate.Write(output);
            exitCode = gate.ExitCode;
        }
        return new CertifyOutcome(exitCode, null, profile.Info.Id, outDir, written.Results);
    }

    /// <summary>The scenarios --scenarios names (every one for <c>all</c>), or null when it was not given.</summary>
    private static IReadOnlySet<string>? SelectScenarios(IProfile profile, string? names) =>
        RerunCommands.Parse(names, profile.Info.Id, out var problem) is var scenarios && problem is null
            ? scenarios
            : throw new UsageException($"--scenarios: {problem}");

    /// <summary>
    /// The windows and deadlines the command line gave, for the rerun command: they decide what the agent had time to do,
    /// so a rerun without them could judge a slow agent differently. (A settings file's values come back with --config.)
    /// </summary>
    private static IEnumerable<string> GivenTimings(CertifyFlags given)
    {
        foreach (var (flag, value) in new[] { ("--startup-timeout", given.StartupTimeout), ("--observation-window", given.ObservationWindow),
                     ("--quiet-window", given.QuietWindow), ("--run-deadline", given.RunDeadline) })
            if (value is { } seconds) yield return string.Create(CultureInfo.InvariantCulture, $"{flag} {seconds}");
    }

    private const int MinTranscriptCapacity = 100;
    private const int MaxTranscriptCapacity = 10_000_000;

    /// <summary>The run's complete transcript, secrets masked, beside results.json; its path.</summary>
    private static string WriteTranscript(string raw, string outDir, IReadOnlyList<string> secrets)
    {
        var path = Path.Combine(outDir, RunTranscript.FileName);
        TranscriptExport.WriteRedacted(raw, path, secrets);
        return path;
    }

    private static async Task<CertificationRequest> BuildRequestAsync(CertifyOptions inputs, IAnsiConsole console, CancellationToken cancellationToken)
    {
        // A value from the config file is named by its key there, a flag by the flag: the seller edits what the message names.
        string Name(string flag) => inputs.NameOf(flag);
        var agentCmd = inputs.AgentCmd;
        var agentUrl = inputs.AgentUrl;
        var webhookPath = inputs.WebhookPath;
        if (!webhookPath.StartsWith('/')) throw new UsageException($"{Name("--webhook-path")} '{webhookPath}' must start with '/', e.g. /hooks/agentdukaan.");
        var trigger = inputs.TriggerUrl;
        var env = new Dictionary<string, string>(inputs.Env, StringComparer.Ordinal);
        var quiet = inputs.QuietWindow;
        var startup = inputs.StartupTimeout;
        var observation = inputs.ObservationWindow;
        var runDeadline = inputs.RunDeadline;
        // The config file's ranges, so a flag and its key can never accept different values.
        void CheckSeconds(string flag, string key, double value)
        {
            var shape = ConfigShape.Root[key];
            if (!shape.InRange(value))
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{Name(flag)} must be between {shape.Minimum ?? shape.ExclusiveMinimum} and {shape.Maximum} seconds."));
        }
        CheckSeconds("--quiet-window", "quietWindow", quiet);
        CheckSeconds("--startup-timeout", "startupTimeout", startup);
        CheckSeconds("--observation-window", "observationWindow", observation);
        CheckSeconds("--run-deadline", "runDeadline", runDeadline);
        if (agentCmd is not null && agentUrl is not null) throw new UsageException($"Give either {Name("--agent-cmd")} (the harness starts the agent) or {Name("--agent-url")} (it is already running), not both.");
        if (inputs.AgentLog is { } log && agentUrl is null) throw new UsageException($"{Name("--agent-log")} {log} only applies with --agent-url; a spawned agent's output is captured directly.");

        if (inputs.Profile.Info.Id == Conformance.Profiles.AgentDukaanPlatform.PlatformProfile.Id) return PlatformRequest(inputs, Name);
        if (inputs.PlatformUrl is not null || inputs.TimeScale is not null)
            throw new UsageException($"--platform-url and --time-scale certify a platform: add --profile {Conformance.Profiles.AgentDukaanPlatform.PlatformProfile.Id}.");

        var rerun = new List<string> { "dukaan-conformance certify" };
        if (inputs.Profile.Info.Id != ProfileRegistry.DefaultId && inputs.Given.Profile is not null) rerun.Add($"--profile {inputs.Profile.Info.Id}");
        string? workDir = null;
        string description;
        var bundled = agentCmd is null && agentUrl is null;
        if (bundled && inputs.Profile.Info.Id != ProfileRegistry.DefaultId)
            throw new UsageException($"The bundled reference agent speaks {ProfileRegistry.DefaultId} only; for --profile {inputs.Profile.Info.Id} give --agent-cmd (e.g. one of fixtures/agents/{inputs.Profile.Info.Id}/) or --agent-url.");
        if (bundled)
        {
            trigger ??= BundledAgent.TriggerUrl;
            foreach (var (k, v) in BundledAgent.Environment) env.TryAdd(k, v);
            description = "bundled C# reference agent";
        }
        else description = agentCmd ?? agentUrl!;

        if (trigger is not null && !Uri.TryCreate(trigger.Replace("{port}", "1", StringComparison.Ordinal), UriKind.Absolute, out _))
            throw new UsageException($"{Name("--trigger-url")} '{trigger}' is not an absolute URL such as http://127.0.0.1:{{port}}/_test/trigger.");
        // The rerun command names the config file and repeats what the command line said on top of it.
        if (inputs.ConfigFile is { } configFile) rerun.Add($"--config {Shell.Quote(configFile)}");
        var given = inputs.Given;
        if (!bundled)
        {
            if (given.AgentCmd is { } cmd) rerun.Add($"--agent-cmd {Shell.Quote(cmd)}");
            if (given.AgentWorkdir is { } wd) rerun.Add($"--agent-workdir {Shell.Quote(wd)}");
            if (agentUrl is not null) rerun.Add((given.AgentUrl is { } url ? $"--agent-url {Shell.Quote(url)} " : "") + $"--sim-port {inputs.SimPort} --secret \"$AGENTDUKAAN_WEBHOOK_SECRET\"");
            if (given.TriggerUrl is { } triggerFlag) rerun.Add($"--trigger-url {Shell.Quote(triggerFlag)}");
            foreach (var (k, v) in given.AgentEnv) rerun.Add($"--agent-env {Shell.Quote($"{k}={v}")}");
        }
        if (given.WebhookPath is { } path && (path != inputs.Profile.Info.DefaultWebhookPath || inputs.ConfigFile is not null)) rerun.Add($"--webhook-path {path}");
        if (given.Strict is true) rerun.Add("--strict");
        else if (given.Strict is false && inputs.ConfigFile is not null) rerun.Add("--strict false");
        rerun.AddRange(GivenTimings(given));

        var settings = new RunSettings
        {
            Seed = inputs.Seed,
            Strict = inputs.Strict,
            QuietWindow = TimeSpan.FromSeconds(quiet),
            ObservationWindow = TimeSpan.FromSeconds(observation),
            RunDeadline = TimeSpan.FromSeconds(runDeadline),
            RerunPrefix = string.Join(' ', rerun),
            Listing = bundled ? BundledAgent.ListingOver(inputs.Listing) : inputs.Listing,
            SimulatorPort = inputs.SimPort,
            WebhookSecret = inputs.Secret,
        };
        if (inputs.SimPort is < 0 or > 65535) throw new UsageException("--sim-port must be between 0 and 65535.");
        if (inputs.Secret is { Length: < 8 }) throw new UsageException("--secret must be at least 8 characters.");
        if (agentUrl is not null && (inputs.SimPort == 0 || inputs.Secret is null))
            throw new UsageException("With --agent-url the agent is already running, so it must know where the platform is: give --sim-port N and --secret S, " +
                "and start the agent with AGENTDUKAAN_API_URL=http://127.0.0.1:N, OPENAI_BASE_URL=http://127.0.0.1:N/v1 and AGENTDUKAAN_WEBHOOK_SECRET=S.");

        if (agentUrl is not null)
        {
            if (!Uri.TryCreate(agentUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
                throw new UsageException($"{Name("--agent-url")} '{agentUrl}' is not an http(s) URL such as http://127.0.0.1:3000.");
            var logFile = inputs.AgentLog;
            if (logFile is not null && !File.Exists(logFile)) throw new UsageException($"{Name("--agent-log")} '{logFile}' does not exist.");
            var triggerUri = trigger is null ? null : new Uri(trigger.Replace("{port}", baseUrl.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            return new CertificationRequest(new TargetInfo("url", description, null, null, agentUrl, webhookPath, trigger),
                async (_, ct) => await RunningAgent.ConnectAsync(baseUrl, webhookPath, triggerUri, logFile, TimeSpan.FromSeconds(startup), ct), settings, inputs.Rules,
                Profile: inputs.Profile.Info);
        }

        // Preparing may build the agent and makes a temp folder: only once every flag has been checked, so a typo fails fast.
        if (bundled) (agentCmd, workDir) = await BundledAgent.PrepareAsync(console, cancellationToken);
        workDir ??= Path.GetFullPath(inputs.AgentWorkdir ?? Directory.GetCurrentDirectory());
        if (!Directory.Exists(workDir)) throw new UsageException($"{Name("--agent-workdir")} '{workDir}' does not exist.");
        var command = agentCmd!;
        var startupTimeout = TimeSpan.FromSeconds(startup);
        return new CertificationRequest(new TargetInfo("spawned", description, command, workDir, null, webhookPath, trigger),
            async (platform, ct) =>
            {
                return await SpawnedAgent.StartAsync(new SpawnSpec(command, workDir, platform.AgentEnvironment(env), webhookPath, trigger, startupTimeout), ct);
            },
            settings, inputs.Rules,
            Profile: inputs.Profile.Info);
    }

    /// <summary>
    /// The platform profile has no agent to start: the harness plays the agent. The target is the bundled simulator, or
    /// --platform-url with the listing's --secret.
    /// </summary>
    private static CertificationRequest PlatformRequest(CertifyOptions inputs, Func<string, string> name)
    {
        var id = Conformance.Profiles.AgentDukaanPlatform.PlatformProfile.Id;
        foreach (var (flag, value) in new[] { ("--agent-cmd", inputs.AgentCmd), ("--agent-url", inputs.AgentUrl), ("--agent-log", inputs.AgentLog), ("--trigger-url", inputs.TriggerUrl) })
            if (value is not null)
                throw new UsageException($"{name(flag)} makes no sense with --profile {id}: the harness plays the agent itself and certifies the platform. " +
                    "Drop it to certify the bundled simulator, or give --platform-url URL --secret S for another platform.");
        if (inputs.Secret is { Length: < 8 }) throw new UsageException("--secret must be at least 8 characters.");
        Uri? platform = null;
        if (inputs.PlatformUrl is { } raw)
        {
            if (!Uri.TryCreate(raw, UriKind.Absolute, out platform) || platform.Scheme is not ("http" or "https") || !platform.IsLoopback)
                throw new UsageException($"--platform-url '{raw}' must be an http(s) URL on this machine's loopback, such as http://127.0.0.1:4455: a run never contacts anything outside 127.0.0.1.");
            if (inputs.Secret is null)
                throw new UsageException("--platform-url needs --secret S, the listing's webhook secret the platform signs deliveries and verifies run tokens with.");
            if (!platform.AbsolutePath.EndsWith('/')) platform = new Uri(platform + "/");
        }
        if (inputs.TimeScale is { } scale && (platform is null || !(scale is >= 1 and <= 100)))
            throw new UsageException(platform is null
                ? "--time-scale describes a platform given with --platform-url; the bundled simulator always runs on its own compressed clock."
                : "--time-scale must be between 1 (real time) and 100.");
        var rerun = new List<string> { "dukaan-conformance certify", $"--profile {id}" };
        if (inputs.ConfigFile is { } configFile) rerun.Add($"--config {Shell.Quote(configFile)}");
        if (platform is not null) rerun.Add($"--platform-url {Shell.Quote(platform.ToString())} --secret \"$AGENTDUKAAN_WEBHOOK_SECRET\"");
        if (inputs.TimeScale is { } s) rerun.Add(string.Create(CultureInfo.InvariantCulture, $"--time-scale {s}"));
        if (inputs.Given.Strict is true) rerun.Add("--strict");
        rerun.AddRange(GivenTimings(inputs.Given));
        var settings = new RunSettings
        {
            Seed = inputs.Seed,
            Strict = inputs.Strict,
            RunDeadline = TimeSpan.FromSeconds(inputs.RunDeadline),
            RerunPrefix = string.Join(' ', rerun),
            Listing = BundledAgent.ListingOver(inputs.Listing),
            SimulatorPort = inputs.SimPort,
            WebhookSecret = inputs.Secret,
            PlatformUrl = platform,
            PlatformTimeScale = inputs.TimeScale ?? 1,
        };
        var description = platform is null ? "bundled AgentDukaan simulator" : $"platform at {platform}";
        return new CertificationRequest(new TargetInfo("platform", description, null, null, platform?.ToString(), inputs.WebhookPath, null),
            (_, _) => throw new InvalidOperationException("The platform profile starts no agent."), settings, inputs.Rules, Profile: inputs.Profile.Info);
    }

    /// <summary>What the command line of `certify ARGS` says, without the defaults of flags that were not given.</summary>
    public static CertifyFlags FlagsFor(params string[] args) => Flags(Create().Parse(args));

    /// <summary>The settings of this run: <see cref="CertifyOptions.Resolve"/> over the flags and the config file, if any.</summary>
    private static CertifyOptions Resolve(CertifyFlags flags, bool findSettingsFile)
    {
        // An explicit --config must exist; the implicit ./dukaan-conformance.json is used only when it is there.
        var configPath = flags.Config ?? (findSettingsFile ? ConfigFileLoader.Find(Directory.GetCurrentDirectory()) : null);
        return CertifyOptions.Resolve(flags, configPath is null ? null : ConfigFileLoader.Load(configPath));
    }

    private static CertifyFlags Flags(ParseResult parse)
    {
        // GetResult is implicit (or null) when a flag was not typed: then its default must not hide the file's value.
        T? Given<T>(Option<T> option) where T : struct => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
        string? GivenText(Option<string?> option) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
        return new CertifyFlags
        {
            Config = GivenText(ConfigPath),
            AgentCmd = GivenText(AgentCmd),
            AgentWorkdir = GivenText(AgentWorkdir),
            AgentUrl = GivenText(AgentUrl),
            AgentLog = GivenText(AgentLog),
            AgentEnv = ParseEnv(parse.GetValue(AgentEnv) ?? []),
            WebhookPath = GivenText(WebhookPath),
            TriggerUrl = GivenText(TriggerUrl),
            Rules = GivenText(Rules),
            Scenarios = GivenText(ScenarioNames),
            Strict = Given(Strict),
            Seed = Given(Seed),
            Out = GivenText(Out),
            Baseline = GivenText(BaselineFile),
            StartupTimeout = Given(StartupTimeout),
            QuietWindow = Given(QuietWindow),
            ObservationWindow = Given(ObservationWindow),
            RunDeadline = Given(RunDeadline),
            SimPort = Given(SimPort),
            Secret = GivenText(Secret),
            Profile = GivenText(Profile),
            PlatformUrl = GivenText(PlatformUrl),
            TimeScale = parse.GetValue(TimeScale),
            TranscriptCapacity = Given(TranscriptCapacity),
        };
    }

    private static Dictionary<string, string> ParseEnv(IEnumerable<string> pairs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"--agent-env '{pair}' must look like KEY=VALUE.");
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>Where one certification writes, and what it may do beyond its own out folder.</summary>
/// <param name="Output">Progress, the summary table and the list of written files.</param>
/// <param name="Error">Configuration and usage errors, one per line, each starting with "error: ".</param>
/// <param name="FindSettingsFile">Use ./dukaan-conformance.json when no --config is given (certify); a fleet names each agent's settings file itself.</param>
/// <param name="SpeakGitHub">Append to the GitHub job summary and write annotations; a fleet speaks for all its agents once instead.</param>
public sealed record CertifySink(TextWriter Output, TextWriter Error, bool FindSettingsFile = true, bool SpeakGitHub = true);

/// <summary>How one certification ended.</summary>
/// <param name="ExitCode">certify's exit code (baseline gate included).</param>
/// <param name="Error">Why nothing was certified (a configuration or usage error, the first line of it), or null when it ran.</param>
/// <param name="Profile">The profile it was certified against, once known.</param>
/// <param name="OutDir">The report folder it wrote, or null when it did not run.</param>
/// <param name="Results">The redacted results it wrote, or null when it did not run.</param>
public sealed record CertifyOutcome(int ExitCode, string? Error, string? Profile, string? OutDir, RunResults? Results);

/// <summary>The C# reference agent that ships with the harness: what `certify` with no target certifies.</summary>
public static class BundledAgent
{
    public const string TriggerUrl = "http://127.0.0.1:{port}/_test/trigger";

    /// <summary>
    /// The chat the reference agent implements (fixtures/agents/CHAT-SPEC.md), as fixtures/config/chat-listing.json declares
    /// it; also what `simulate --chat` gives its conversations.
    /// </summary>
    public static readonly ChatManifest Chat = new(["text", "buttons", "form", "progress"], ["open_url"], new ProactiveManifest(true, ProactiveManifest.DefaultMaxPerDay, ["alert", "report"]));

    /// <summary>The default listing with chat declared: what the bundled agent is certified with when the settings file says nothing.</summary>
    public static readonly ListingProfile Listing = ListingProfile.Default with { Chat = Chat };

    /// <summary>
    /// The listing a bundled run uses: the settings file's, with the reference agent's chat when the file declares none.
    /// A seller's own agent never gets this: without capabilities it declares no chat.
    /// </summary>
    public static ListingProfile ListingOver(ListingProfile fromSettings) => fromSettings.Chat is null ? fromSettings with { Chat = Chat } : fromSettings;

    /// <summary>A short heartbeat period so the heartbeat rules are observed within one run.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["AGENT_HEARTBEAT_MS"] = "500" };

    public static async Task<(string Command, string WorkDir)> PrepareAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        var dll = RepositoryLayout.CarriedReferenceAgent() ?? await BuildFromCheckoutAsync(console, cancellationToken);
        return ($"dotnet {Shell.Always(dll)}", Directory.CreateTempSubdirectory("dukaan-reference-agent-").FullName);
    }

    /// <summary>A harness run from source (dotnet run, a build of the checkout) builds the agent once into fixtures/agents/csharp/bin/harness.</summary>
    private static async Task<string> BuildFromCheckoutAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        var root = RepositoryLayout.FindRoot()
            ?? throw new UsageException($"No target: give --agent-cmd or --agent-url. The bundled reference agent needs a checkout of the repository (run inside it; {RepositoryLayout.ReferenceAgentProject} was not found above the current directory) or the installed tool (dotnet tool install --global DukaanConformance), which carries it.");
        var project = Path.Combine(root, RepositoryLayout.ReferenceAgentProject);
        var output = Path.Combine(root, "fixtures", "agents", "csharp", "bin", "harness");
        var dll = Path.Combine(output, RepositoryLayout.ReferenceAgentDll);
        // A fleet may certify the bundled agent more than once at a time: one build, the others wait for it.
        await BuildGate.WaitAsync(cancellationToken);
        try
        {
            await BuildIfStaleAsync(console, project, output, dll, cancellationToken);
        }
        finally { BuildGate.Release(); }
        return dll;
    }

    private static readonly SemaphoreSlim BuildGate = new(1, 1);

    private static async Task BuildIfStaleAsync(IAnsiConsole console, string project, string output, string dll, CancellationToken cancellationToken)
    {
        if (!File.Exists(dll) || IsStale(dll, Path.GetDirectoryName(project)!))
        {
            console.MarkupLine("  [grey]building the bundled reference agent (once)…[/]");
            var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-o", output, "--nologo", "-v", "q"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = build.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = build.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await build.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                build.Kill(entireProcessTree: true);
                throw;
            }
            if (build.ExitCode != 0) throw new UsageException($"Building the reference agent failed:\n{await stdout}{await stderr}");
        }
    }

    private static bool IsStale(string dll, string projectDir)
    {
        var built = File.GetLastWriteTimeUtc(dll);
        return Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.TopDirectoryOnly)
            .Append(Path.Combine(projectDir, "ReferenceAgent.csproj"))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }
}
