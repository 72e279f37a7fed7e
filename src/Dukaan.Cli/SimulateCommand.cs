using System.CommandLine;
using Dukaan.Cli.Simulate;
using Dukaan.Conformance.Profiles;
using Dukaan.Simulator;
using Spectre.Console;

namespace Dukaan.Cli;

/// <summary>Keeps a simulator running for hands-on agent development, with a live log of every exchange.</summary>
public static class SimulateCommand
{
    private static readonly SimulatorOptions Defaults = new();

    /// <summary>Fixed development secrets per profile, so an agent's env survives a simulator restart.</summary>
    private static readonly Dictionary<string, string> DevSecrets = new(StringComparer.Ordinal)
    {
        [ProfileRegistry.DefaultId] = Defaults.Secret,
        [Conformance.Profiles.Wakeel.WakeelProfile.Id] = "wkcb_sim_dev",
        [Conformance.Profiles.AgentDoor.AgentDoorProfile.Id] = "adwh_sim_dev",
    };

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 4455 };
        var profileOption = new Option<string>("--profile") { Description = "Which platform to simulate: agentdukaan, wakeel or agentdoor.", DefaultValueFactory = _ => ProfileRegistry.DefaultId };
        // No default here: each profile has its own dev secret (whsec_dukaan_sim_dev, wkcb_sim_dev, adwh_sim_dev).
        var secret = new Option<string?>("--secret") { Description = "The secret your agent verifies with (default: a fixed dev secret per profile)." };
        var agentUrl = new Option<string?>("--agent-url") { Description = "Your agent's webhook URL, e.g. http://127.0.0.1:3000/hooks/agentdukaan; deliveries go there (wakeel/agentdoor default: port 3000, the profile's path)." };
        var seed = new Option<int>("--seed") { Description = "Seed for generated buyers and canaries.", DefaultValueFactory = _ => Defaults.Seed };
        var quiet = new Option<bool>("--quiet") { Description = "Do not print the live exchange log." };
        var config = new Option<string?>("--config") { Description = $"Settings file whose listing.capabilities declare in-app chat (default: ./{Configuration.ConfigFile.FileName} when present)." };
        var chat = new Option<bool>("--chat") { Description = "Declare in-app chat with the reference agent's manifest (blocks text, buttons, form, progress; push on, 10 a day, alert and report), whatever the settings file says." };
        var breaks = new Option<string[]>("--break")
        {
            Description = $"Start a deliberately broken platform (NAME[,NAME], repeatable), to see the agentdukaan-platform profile fail: {string.Join(", ", Dukaan.Simulator.Faults.SimulatorBreaks.All.Keys)}.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var timeScale = new Option<double>("--time-scale")
        {
            Description = "Run the platform's delays (delivery timeout, retry backoff) N times faster; the wall clock stays real. Certify it with the same --time-scale.",
            DefaultValueFactory = _ => 1,
        };
        var queueDeliveries = new Option<bool>("--queue-deliveries")
        {
            Description = "The control adapter answers POST /_sim/subscriptions/{id}/deliver at once (202) and delivers in the background, as a platform with a delivery queue does.",
        };
        var transcriptFile = new Option<string?>("--transcript-file")
        {
            Description = "Append every exchange to this JSON Lines file (one object per line, unredacted; created or truncated), so a long session keeps its full log on disk while memory keeps only the newest.",
        };
        var transcriptCapacity = new Option<int>("--transcript-capacity")
        {
            Description = $"Agent exchanges kept in memory and served by GET /_sim/transcript, the newest (default {Transcript.DefaultCapacity}); deliveries are always kept.",
            DefaultValueFactory = _ => Transcript.DefaultCapacity,
        };
        var command = new Command("simulate", "Start the fake AgentDukaan platform on loopback and keep it running until Ctrl+C.") { profileOption, port, secret, agentUrl, seed, quiet, config, chat, breaks, timeScale, queueDeliveries, transcriptFile, transcriptCapacity };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            IProfile profile;
            try { profile = ProfileRegistry.Get(parse.GetValue(profileOption)); }
            catch (UnknownProfileException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ExitCodes.HarnessOrConfigError;
            }
            Uri? webhook = null;
            if (parse.GetValue(agentUrl) is { } raw && (!Uri.TryCreate(raw, UriKind.Absolute, out webhook) || webhook.Scheme is not ("http" or "https")))
            {
                error.WriteLine($"error: --agent-url '{raw}' is not an http(s) URL such as http://127.0.0.1:3000/hooks/agentdukaan.");
                return ExitCodes.HarnessOrConfigError;
            }
            if (parse.GetValue(port) is < 0 or > 65535)
            {
                error.WriteLine("error: --port must be between 0 and 65535.");
                return ExitCodes.HarnessOrConfigError;
            }
            if (!DevSecrets.ContainsKey(profile.Info.Id))
            {
                // A sender's counterpart is a receiver the harness scripts per attempt: there is nothing to keep running by hand.
                error.WriteLine($"error: simulate has no {profile.Info.Id} counterpart; certify your sender with certify --profile {profile.Info.Id} --agent-cmd \"...\". " +
                    $"Profiles that simulate: {string.Join(", ", DevSecrets.Keys)}.");
                return ExitCodes.HarnessOrConfigError;
            }
            var secretValue = parse.GetValue(secret) ?? DevSecrets[profile.Info.Id];
            if (profile.Info.Id != ProfileRegistry.DefaultId && (parse.GetValue(chat) || parse.GetValue(config) is not null))
            {
                var given = parse.GetValue(chat) ? "--chat" : "--config";
                error.WriteLine($"error: {given} declares AgentDukaan in-app chat; the {profile.Info.Id} simulator has no chat. Drop {given}, or simulate --profile {ProfileRegistry.DefaultId}.");
                return ExitCodes.HarnessOrConfigError;
            }
            IReadOnlySet<string> breakSet;
            try { breakSet = Dukaan.Simulator.Faults.SimulatorBreaks.Parse(parse.GetValue(breaks) ?? []); }
            catch (ArgumentException ex)
            {
                error.WriteLine($"error: --break: {ex.Message}");
                return ExitCodes.HarnessOrConfigError;
            }
            var scale = parse.GetValue(timeScale);
            if (!(scale is >= 1 and <= 100))
            {
                error.WriteLine("error: --time-scale must be between 1 (real time) and 100.");
                return ExitCodes.HarnessOrConfigError;
            }
            if (profile.Info.Id != ProfileRegistry.DefaultId && (breakSet.Count > 0 || scale != 1 || parse.GetValue(queueDeliveries)))
            {
                error.WriteLine($"error: --break, --time-scale and --queue-deliveries apply to the AgentDukaan platform simulator only; drop them, or simulate --profile {ProfileRegistry.DefaultId}.");
                return ExitCodes.HarnessOrConfigError;
            }
            var capacity = parse.GetValue(transcriptCapacity);
            if (capacity < 1)
            {
                error.WriteLine($"error: --transcript-capacity must be at least 1 exchange (got {capacity}).");
                return ExitCodes.HarnessOrConfigError;
            }
            if (profile.Info.Id != ProfileRegistry.DefaultId && (parse.GetValue(transcriptFile) is not null || parse.GetResult(transcriptCapacity) is { Implicit: false }))
            {
                error.WriteLine($"error: --transcript-file and --transcript-capacity apply to the AgentDukaan platform simulator only; drop them, or simulate --profile {ProfileRegistry.DefaultId}.");
                return ExitCodes.HarnessOrConfigError;
            }
            if (profile.Info.Id != ProfileRegistry.DefaultId)
                return await SimulateProfileAsync(profile, new SimSession(console, parse.InvocationConfiguration.Output, parse.GetValue(port), secretValue,
                    webhook ?? new Uri("http://127.0.0.1:3000" + profile.Info.DefaultWebhookPath), parse.GetValue(quiet)), error, cancellationToken);
            SimChat listingChat;
            try { listingChat = SimChat.Resolve(parse.GetValue(chat), parse.GetValue(config)); }
            catch (Configuration.ConfigFileException ex)
            {
                foreach (var line in ex.Message.Split('\n')) error.WriteLine($"error: {line}");
                error.WriteLine($"Fix {(ex.Problems.Count == 1 ? "it" : $"these {ex.Problems.Count} problems")} in {ex.ConfigPath}, or pass --config with another file.");
                return ExitCodes.HarnessOrConfigError;
            }
            SimulatorHost host;
            try
            {
                host = await SimulatorHost.StartAsync(new SimulatorOptions
                {
                    Port = parse.GetValue(port), Secret = secretValue, AgentWebhookUrl = webhook, Seed = parse.GetValue(seed), Chat = listingChat.Manifest,
                    Breaks = breakSet, QueueDeliveries = parse.GetValue(queueDeliveries), Clock = scale == 1 ? TimeProvider.System : new Dukaan.Simulator.Faults.CompressedClock(scale),
                    TranscriptCapacity = capacity, TranscriptFile = parse.GetValue(transcriptFile),
                }, cancellationToken);
            }
            catch (SimulatorException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ExitCodes.HarnessOrConfigError;
            }
            await using (host)
            {
                var url = host.BaseUrl.ToString().TrimEnd('/');
                PrintBanner(console, parse.InvocationConfiguration.Output, url, secretValue, webhook);
                ChatBanner.Print(console, parse.InvocationConfiguration.Output, url, listingChat);
                if (breakSet.Count > 0) console.MarkupLine($"  [red]deliberately broken:[/] {Markup.Escape(string.Join(", ", breakSet.Select(b => Dukaan.Simulator.Faults.SimulatorBreaks.All[b].Rule is { Length: > 0 } rule ? $"{b} ({rule})" : $"{b} (a style, certifies)")))}");
                if (scale != 1) console.MarkupLine($"  [yellow]compressed clock:[/] delays run {scale:0.##}× faster (wall clock real)");
                if (host.Simulator.Transcript.Log is { } log) console.MarkupLine($"  transcript file     {Markup.Escape(log.Path)} (every exchange, one JSON object a line)");
                console.MarkupLine("  Ctrl+C stops it.");
                if (!parse.GetValue(quiet)) host.Simulator.Transcript.Recorded += e => console.MarkupLine(LiveLog.Line(e));
                try { await Task.Delay(Timeout.Infinite, cancellationToken); }
                catch (OperationCanceledException) { console.MarkupLine("[grey]stopping the simulator[/]"); }
            }
            // Stopping the host closed the file: now its count is final.
            if (host.Simulator.Transcript.Log is { } written)
            {
                if (written.Error is { } why)
                {
                    error.WriteLine($"error: the transcript file {written.Path} is incomplete: {written.Lost} exchanges were not written ({why}).");
                    return ExitCodes.HarnessOrConfigError;
                }
                console.MarkupLine($"[grey]wrote {written.Written} exchanges to {Markup.Escape(written.Path)}[/]");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> SimulateProfileAsync(IProfile profile, SimSession session, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await (profile.Info.Id == Conformance.Profiles.Wakeel.WakeelProfile.Id
                ? WakeelSimulation.RunAsync(session, cancellationToken)
                : AgentDoorSimulation.RunAsync(session, cancellationToken));
            return ExitCodes.Success;
        }
        catch (IOException ex)
        {
            // Kestrel's "address already in use" is an IOException: a config problem, not a crash.
            error.WriteLine($"error: cannot listen on 127.0.0.1:{session.Port}: {ex.Message}");
            return ExitCodes.HarnessOrConfigError;
        }
    }

    /// <remarks>
    /// The commands are written to the writer itself, not through Spectre: Spectre breaks a long line at its width (the
    /// window's on a terminal), and a command broken in two no longer copy-pastes. A terminal folds a plain line only
    /// on screen, so copying it still gives one line. A --secret is quoted when sh would split or expand it.
    /// </remarks>
    private static void PrintBanner(IAnsiConsole console, TextWriter output, string url, string secret, Uri? webhook)
    {
        console.MarkupLine($"[bold]AgentDukaan simulator[/] listening on [blue]{url}[/]");
        console.MarkupLine($"  webhook secret      {Markup.Escape(secret)}");
        console.MarkupLine($"  agent webhook URL   {Markup.Escape(webhook?.ToString() ?? "(none: pass --agent-url, or give webhookUrl when creating a subscription)")}");
        console.MarkupLine("  start your agent with:");
        output.WriteLine($"    AGENTDUKAAN_API_URL={url} AGENTDUKAAN_WEBHOOK_SECRET={Shell.QuoteFileName(secret)} OPENAI_BASE_URL={url}/v1 PORT=3000 <your agent>");
        console.MarkupLine("  then drive it from another terminal:");
        output.WriteLine($"    curl -s -X POST {url}/_sim/subscriptions                               # a buyer subscribes (canary secrets)");
        output.WriteLine($"    curl -s -X POST {url}/_sim/subscriptions/ID/deliver                    # send buyer_configured (with retries)");
        output.WriteLine($"    curl -s -X POST {url}/_sim/subscriptions/ID/rotate                     # rotate the key and redeliver");
        output.WriteLine($"    curl -s -X POST {url}/_sim/subscriptions/ID/status -d '{{\"status\":\"cancelled\"}}'");
        output.WriteLine($"    curl -s -X POST {url}/_sim/subscriptions/ID/limit -d '{{\"runLimitPerMonth\":1}}'");
        // Quoted: zsh would take the ? for a glob and refuse the command.
        output.WriteLine($"    curl -s '{url}/_sim/transcript?subscription=ID'                   # every exchange, both directions");
    }
}

public static class LiveLog
{
    public static string Line(Exchange e)
    {
        var arrow = e.Kind == ExchangeKinds.Provider ? "agent → provider" : e.Direction == Direction.PlatformToAgent ? "platform → agent" : "agent → platform";
        var status = e.Status is { } s ? (s < 300 ? $"[green]{s}[/]" : s < 500 ? $"[yellow]{s}[/]" : $"[red]{s}[/]") : $"[red]{Markup.Escape(e.Error ?? "no answer")}[/]";
        var tags = string.Join(" ", e.Tags.Where(t => t.Key is TagKeys.ErrorCode or TagKeys.Diagnosis or TagKeys.ProviderKey).Select(t => t.Value));
        return $"[grey]{e.StartedAt:HH:mm:ss.fff}[/] {arrow,-17} {Markup.Escape(e.Method)} {Markup.Escape(e.Url)} {status} [grey]{e.DurationMs:0} ms {Markup.Escape(tags)}[/]";
    }
}
