using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dukaan.Cli.Simulate;
using Dukaan.Simulator;

namespace Dukaan.Cli;

/// <summary>
/// `deliver`, `rotate`, `cancel`, `limit`, `subscribe` and `chat …`: thin clients of a running simulator's control API,
/// so a seller developing against `simulate` can poke it from another terminal without writing curl.
/// </summary>
public static class SimControlCommands
{
    private static Option<string> SimUrl() => new("--sim-url") { Description = "The running simulator (see `simulate`).", DefaultValueFactory = _ => "http://127.0.0.1:4455" };
    private static Option<string> SubscriptionId() => new("--subscription") { Description = "Subscription id (from `subscribe` or GET /_sim/subscriptions).", Required = true };

    public static IEnumerable<Command> Create()
    {
        yield return Make("subscribe", "Create a subscription (a buyer subscribes); prints it, canary secrets included.", [],
            (_, _) => ("/_sim/subscriptions", null), needsSubscription: false);
        yield return Make("deliver", "Send buyer_configured for a subscription now (1 attempt + 3 retries); prints the attempts.", [],
            (id, _) => ($"/_sim/subscriptions/{id}/deliver", null));
        var field = new Option<string?>("--field") { Description = "Sensitive field to rotate (default: the provider key field)." };
        yield return Make("rotate", "The buyer rotates a sensitive value; the simulator redelivers buyer_configured.", [field],
            (id, parse) => ($"/_sim/subscriptions/{id}/rotate", new JsonObject { ["field"] = parse.GetValue(field) }));
        var status = new Option<string>("--status") { Description = "cancelled, paused, past_due or active.", DefaultValueFactory = _ => "cancelled" };
        status.AcceptOnlyFromAmong("cancelled", "paused", "past_due", "active");
        yield return Make("cancel", "Change a subscription's status (default cancelled): /config, /run and /heartbeat then answer 403.", [status],
            (id, parse) => ($"/_sim/subscriptions/{id}/status", new JsonObject { ["status"] = parse.GetValue(status) }));
        var runs = new Option<int>("--runs") { Description = "Runs allowed per month.", Required = true };
        var reset = new Option<bool>("--reset-period") { Description = "Also reset the runs used this period." };
        yield return Make("limit", "Set a subscription's run limit: /run answers 429 RUN_LIMIT_EXCEEDED beyond it.", [runs, reset],
            (id, parse) => ($"/_sim/subscriptions/{id}/limit", new JsonObject { ["runLimitPerMonth"] = parse.GetValue(runs), ["resetPeriod"] = parse.GetValue(reset) }));
        yield return Chat();
    }

    /// <summary>`chat …`: the buyer's side of in-app chat (002 §6); every command but `send` prints the conversation afterwards.</summary>
    private static Command Chat()
    {
        var chat = new Command("chat", "Be the buyer in a subscription's in-app chat: send a message, mute, set the push quota, read the conversation. The simulator needs a listing that declares chat (simulate --chat, or listing.capabilities in the settings file).");
        var text = new Option<string?>("--text") { Description = "What the buyer writes (default: a question about this week's sales)." };
        var file = new Option<bool>("--file") { Description = "Attach a file whose declared size lies (the agent must not trust it, and must stop reading at 1 MiB)." };
        var noRetry = new Option<bool>("--no-retry") { Description = "Relay once, without the 3 retries." };
        chat.Subcommands.Add(Make("send", "The buyer sends a message; the simulator relays it to the agent's webhook and prints the delivery. The reply arrives later: see `chat show`.", [text, file, noRetry],
            (id, parse) => ($"/_sim/subscriptions/{id}/chat/messages", new JsonObject { ["text"] = parse.GetValue(text), ["attachFile"] = parse.GetValue(file), ["retry"] = !parse.GetValue(noRetry) })));
        chat.Subcommands.Add(Make("show", "The conversation as the buyer sees it: buyer, agent and push bubbles, replaced bubbles marked edited, muted pushes counted.", [],
            (id, _) => ($"/_sim/subscriptions/{id}/chat", null), method: HttpMethod.Get, render: ConversationText.TryRender));
        var off = new Option<bool>("--off") { Description = "Unmute." };
        chat.Subcommands.Add(Make("mute", "The buyer mutes the conversation (--off: unmutes): pushes are then accepted with 202 and not shown.", [off],
            (id, parse) => ($"/_sim/subscriptions/{id}/chat/mute", new JsonObject { ["muted"] = !parse.GetValue(off) }), render: ConversationText.TryRender));
        var perDay = new Option<int>("--per-day") { Description = "Pushes accepted per UTC day (0: none); beyond it a push answers 429 PUSH_QUOTA_EXCEEDED.", Required = true };
        chat.Subcommands.Add(Make("quota", "Set the conversation's push quota.", [perDay],
            (id, parse) => ($"/_sim/subscriptions/{id}/chat/proactive", new JsonObject { ["maxPerDay"] = parse.GetValue(perDay) }), render: ConversationText.TryRender));
        var enabled = new Option<bool>("--enabled") { Description = "true: push on (the listing must opt in), false: pushes answer 403 PROACTIVE_NOT_ENABLED.", Required = true };
        chat.Subcommands.Add(Make("proactive", "Turn push on or off for the conversation, as the buyer's opt-in would.", [enabled],
            (id, parse) => ($"/_sim/subscriptions/{id}/chat/proactive", new JsonObject { ["enabled"] = parse.GetValue(enabled) }), render: ConversationText.TryRender));
        var count = new Option<int>("--count") { Description = "How many of the next pushes answer 503 PUSH_UNAVAILABLE (0 clears).", Required = true };
        chat.Subcommands.Add(Make("fail-pushes", "Make the next N pushes fail with 503, to see the agent retry with the same clientMsgId.", [count],
            (id, parse) => ($"/_sim/subscriptions/{id}/chat/push-failures", new JsonObject { ["count"] = parse.GetValue(count) }), render: ConversationText.TryRender));
        return chat;
    }

    private static Command Make(string name, string description, Option[] extra, Func<string, ParseResult, (string Path, JsonObject? Body)> request, bool needsSubscription = true,
        HttpMethod? method = null, Func<string, string?>? render = null)
    {
        var simUrl = SimUrl();
        var subscription = SubscriptionId();
        var command = new Command(name, description) { simUrl };
        if (needsSubscription) command.Options.Add(subscription);
        foreach (var option in extra) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (!Uri.TryCreate(parse.GetValue(simUrl), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                error.WriteLine($"error: --sim-url '{parse.GetValue(simUrl)}' is not an http URL such as http://127.0.0.1:4455.");
                return ExitCodes.HarnessOrConfigError;
            }
            var id = needsSubscription ? Uri.EscapeDataString(parse.GetValue(subscription)!) : "";
            var (path, body) = request(id, parse);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                using var message = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(baseUrl, path));
                if (message.Method == HttpMethod.Post)
                    message.Content = FixedLengthJson.FromBytes(System.Text.Encoding.UTF8.GetBytes((body ?? new JsonObject()).ToJsonString()));
                using var response = await http.SendAsync(message, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                // An error answer is always shown as the simulator wrote it: its message says what to do.
                output.WriteLine(response.IsSuccessStatusCode && render?.Invoke(text) is { } rendered ? rendered : Pretty(text));
                if (response.IsSuccessStatusCode) return ExitCodes.Success;
                error.WriteLine($"error: the simulator answered {(int)response.StatusCode} (see the message above).");
                return ExitCodes.HarnessOrConfigError;
            }
            catch (HttpRequestException ex)
            {
                error.WriteLine($"error: cannot reach the simulator at {baseUrl}: {ex.Message}. Start it with `dukaan-conformance simulate`, or pass --sim-url.");
                return ExitCodes.HarnessOrConfigError;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error.WriteLine($"error: the simulator at {baseUrl} did not answer within 60 s.");
                return ExitCodes.HarnessOrConfigError;
            }
        });
        return command;
    }

    private static string Pretty(string text)
    {
        // Indented with minimal escaping, as the simulator itself writes its answers.
        try { return JsonNode.Parse(text)?.ToJsonString(ControlApi.Json) ?? text; }
        catch (JsonException) { return text; }
    }
}
