using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dukaan.Simulator;

namespace Dukaan.Cli;

/// <summary>
/// `deliver`, `rotate`, `cancel`, `limit`, `subscribe`: thin clients of a running simulator's control API, so a seller
/// developing against `simulate` can poke it from another terminal without writing curl.
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
    }

    private static Command Make(string name, string description, Option[] extra, Func<string, ParseResult, (string Path, JsonObject? Body)> request, bool needsSubscription = true)
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
                using var content = FixedLengthJson.FromBytes(System.Text.Encoding.UTF8.GetBytes((body ?? new JsonObject()).ToJsonString()));
                using var response = await http.PostAsync(new Uri(baseUrl, path), content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                output.WriteLine(Pretty(text));
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
