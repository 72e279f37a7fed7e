using System.Globalization;
using Dukaan.Conformance.Engine;
using Dukaan.Simulator.Chat;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>
/// DK-CHAT-09: an attachment declared as a 1 KB text/csv whose download is an endless binary stream (cut at 64 MiB). The
/// agent must stop reading well before the end and still answer the buyer's next message.
/// </summary>
public sealed class ChatFileScenario : ChatScenario
{
    private const string Rule = "DK-CHAT-09";

    /// <summary>"Well before 64 MiB" (decision 19): what the simulator wrote, socket buffers included, stays under half the stream.</summary>
    public const long ReadLimit = LyingFiles.Cap / 2;

    public override string Name => "chat-attachment";
    public override string Description => "A buyer attaches a file declared as a 1 KB text/csv whose download is an endless binary stream; the agent must stop reading well before 64 MiB and answer the next message.";
    public override IReadOnlyList<string> Rules => [Rule];

    protected override async Task RunChatAsync(ScenarioContext context)
    {
        const string expected = "The attachment download is closed well before 64 MiB (under 32 MiB written) and the next message is still answered";
        var subscription = context.NewSubscription();
        if (await ProvisionAsync(context, subscription) is null)
        {
            context.NotExercised(Rule, expected, "The agent never obtained this buyer's credentials (see DK-CFG-01/02), so no conversation was started.");
            return;
        }
        var file = context.Simulator.Files.Add(subscription.Id);
        var withFile = context.Relay(subscription, "Here is this week's sales sheet, what do you make of it?", file: file.Declared);
        await context.RepliesAsync(subscription, withFile);
        // A download still running when the replies went quiet is waited for: how far it gets is the verdict. Once past
        // the limit there is nothing left to learn; one still under way (below it) when the window ends has not stopped.
        var files = context.Simulator.Files;
        await context.WaitUntilAsync(() => !files.IsDownloading(file.Token) || files.MostWritten(file.Token) >= ReadLimit);
        var downloads = files.DownloadsOf(file.Token);
        var stillReading = files.IsDownloading(file.Token);
        var mostWritten = files.MostWritten(file.Token);

        var next = context.Relay(subscription, "Thanks. Anything else I should know?");
        var nextAttempt = await next.Answer;
        var nextReplies = nextAttempt.Is2xx() ? await context.RepliesAsync(subscription, next) : [];
        var fileSeqs = context.Exchanges(e => e.Kind == Simulator.ExchangeKinds.ChatFile && e.SubscriptionId == subscription.Id).Select(e => e.Seq).Take(3);
        var seqs = fileSeqs.Append(nextAttempt.ExchangeSeq).Concat(nextReplies.Take(1).Select(e => e.Seq)).ToList();

        var problems = new List<string>();
        var biggest = downloads.Count == 0 ? null : downloads.MaxBy(d => d.BytesWritten);
        if (biggest is { ReachedCap: true } whole)
            problems.Add($"the agent read the whole {Mebibytes(whole.BytesWritten)} stream of a file declared as {file.Declared.SizeBytes} bytes ({file.Declared.Mime})");
        else if (mostWritten >= ReadLimit)
            problems.Add($"the agent read {Mebibytes(mostWritten)} (and counting) of a file declared as {file.Declared.SizeBytes} bytes ({file.Declared.Mime})");
        else if (stillReading)
            problems.Add($"the agent was still reading the attachment {context.Run.ObservationWindowNow.TotalSeconds:0} s after the buyer's message ({Mebibytes(mostWritten)} so far) of a file declared as {file.Declared.SizeBytes} bytes");
        if (!nextAttempt.Is2xx()) problems.Add($"the next message was answered {nextAttempt.Describe()}");
        else if (nextReplies.Count == 0) problems.Add($"the next message got no reply within {context.Run.ObservationWindowNow.TotalSeconds:0} s");

        var read = biggest is null ? "The agent never downloaded the attachment (nothing read, nothing trusted)"
            : biggest.AgentStoppedReading ? $"The agent stopped reading after {Mebibytes(biggest.BytesWritten)} written by the simulator, without closing the connection"
            : $"The agent closed the download after {Mebibytes(biggest.BytesWritten)} written by the simulator ({downloads.Count} download(s))";
        if (problems.Count == 0)
            context.Pass(Rule, expected, $"{read}; the next message was answered ({nextAttempt.Describe()}, {nextReplies.Count} repl{(nextReplies.Count == 1 ? "y" : "ies")}).", seqs);
        else
            context.Fail(Rule, expected, string.Join("; ", problems) + ".",
                "Never trust a fileRef's sizeBytes or mime: read with your own byte limit, stop and close the connection when it is reached, and check the real bytes (002 §6.6).", seqs);
    }

    private static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
