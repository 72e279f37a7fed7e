using Dukaan.Contract;
using Spectre.Console;

namespace Dukaan.Cli.Simulate;

/// <summary>The in-app chat part of `simulate`'s banner: what the listing declares, and how to be the buyer.</summary>
public static class ChatBanner
{
    public const string SampleQuestion = "How did sales do this week?";

    /// <remarks>Commands go to the writer itself, not through Spectre, so each stays one line (see SimulateCommand.PrintBanner).</remarks>
    public static void Print(IAnsiConsole console, TextWriter output, string url, SimChat chat)
    {
        if (chat.Manifest is not { } manifest)
        {
            console.MarkupLine($"  in-app chat: not declared ({Markup.Escape(chat.Source)}); --chat, or --config with listing.capabilities, turns it on.");
            return;
        }
        console.MarkupLine($"  in-app chat: {Markup.Escape(Describe(manifest))} [grey]({Markup.Escape(chat.Source)})[/]");
        console.MarkupLine("  be the buyer in a subscription's chat:");
        var chatUrl = $"{url}/_sim/subscriptions/ID/chat";
        (string Command, string Note)[] commands =
        [
            ($"curl -s -X POST {chatUrl}/messages -d '{{\"text\":\"{SampleQuestion}\"}}'", "relayed to your webhook"),
            ($"curl -s -X POST {chatUrl}/messages -d '{{\"text\":\"Here is my sales file\",\"attachFile\":true}}'", "with a file whose declared size lies"),
            ($"curl -s -X POST {chatUrl}/mute -d '{{\"muted\":true}}'", "pushes then get 202 and are not shown"),
            ($"curl -s -X POST {chatUrl}/proactive -d '{{\"maxPerDay\":2}}'", "push quota; {\"enabled\":false} turns push off"),
            ($"curl -s -X POST {chatUrl}/push-failures -d '{{\"count\":2}}'", "the next 2 pushes answer 503"),
            ($"curl -s {chatUrl}", "the conversation as the buyer sees it"),
        ];
        var width = commands.Max(c => c.Command.Length) + 3;
        foreach (var (command, note) in commands) output.WriteLine($"    {command.PadRight(width)}# {note}");
        output.WriteLine($"    dukaan-conformance chat send|show|mute|quota|proactive|fail-pushes --sim-url {url} --subscription ID");
    }

    public static string Describe(ChatManifest manifest)
    {
        var blocks = manifest.Blocks.Count == 0 ? "no blocks" : $"blocks {string.Join(", ", manifest.Blocks)}";
        var actions = manifest.Actions.Count == 0 ? "no actions" : $"actions {string.Join(", ", manifest.Actions)}";
        var push = manifest.Proactive is { Enabled: true } p ? $"push on, {p.MaxPerDay} a day ({string.Join(", ", p.Categories)})" : "push off";
        return $"{blocks} · {actions} · {push}";
    }
}
