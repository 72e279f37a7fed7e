using System.Diagnostics;
using System.Text;
using Dukaan.Cli;

namespace Dukaan.Conformance.Tests.Support;

/// <summary>
/// Runs the rerun command a report prints for a rule, as a seller would paste it, and says whether it gives that rule
/// the verdict the report gave it. In process (the CLI's own parse and certify, no process start) and a few at a time
/// across the whole test run, so a verdict table can afford one per row.
/// </summary>
public static class Reruns
{
    // Most of a rerun's time is waiting (the agent's start, a late ACK held 11 s, a sender's real backoff), not CPU: the 77
    // reruns of the agent tables took 233 s of wall time two at a time, 160 s three at a time, 134 s four at a time, while
    // each one's own time grew only 14% from two to four (2 cores shared with other builds, load average ~20).
    private static readonly SemaphoreSlim Slots = new(4, 4);
    private static long _totalTicks;
    private static int _count;

    /// <summary>How many reruns this test process ran, and their summed wall time.</summary>
    public static (int Count, TimeSpan Total) Spent => (Volatile.Read(ref _count), TimeSpan.FromTicks(Interlocked.Read(ref _totalTicks)));

    /// <summary>
    /// Runs the rerun command of each of <paramref name="ruleIds"/> from <paramref name="original"/> and returns one
    /// line per rule whose rerun gave another verdict (empty: all reproduced).
    /// </summary>
    /// <param name="environment">Values for the <c>$NAME</c>s a command expands (the platform's secret), as the seller's shell would.</param>
    public static async Task<IReadOnlyList<string>> MismatchesAsync(RunResults original, IEnumerable<string> ruleIds, IReadOnlyDictionary<string, string>? environment = null)
    {
        var wall = Stopwatch.StartNew();
        var checks = ruleIds.Select(id => original.Rules.Single(r => r.Id == id)).Select(rule => CheckAsync(rule, environment ?? new Dictionary<string, string>())).ToList();
        var problems = (await Task.WhenAll(checks)).OfType<string>().ToList();
        TestContext.Out.WriteLine($"{checks.Count} rerun(s) in {wall.Elapsed.TotalSeconds:0.0} s wall; this process so far: {Spent.Count} in {Spent.Total.TotalSeconds:0} s");
        return problems;
    }

    private static async Task<string?> CheckAsync(RuleResult rule, IReadOnlyDictionary<string, string> environment)
    {
        var command = rule.Evidence.RerunCommand;
        var words = ShellWords.Split(command, environment);
        if (words is not ["dukaan-conformance", "certify", .. var args])
            return $"{rule.Id}: the rerun command is not a `dukaan-conformance certify` command line: {command}";
        // The original run started its agent in a fresh, empty folder; each rerun gets one of its own, so reruns of the
        // same row can run side by side without one agent's files showing up in another's scan.
        var workdir = Array.IndexOf(args, "--agent-workdir");
        if (workdir >= 0) args[workdir + 1] = Directory.CreateTempSubdirectory("dukaan-rerun-agent-").FullName;
        await Slots.WaitAsync();
        var wall = Stopwatch.StartNew();
        CertifyOutcome outcome;
        try
        {
            outcome = await InProcessCli.CertifyAsync(args);
        }
        finally
        {
            Slots.Release();
            Interlocked.Add(ref _totalTicks, wall.Elapsed.Ticks);
            Interlocked.Increment(ref _count);
        }
        var verdict = outcome.Results?.Rules.SingleOrDefault(r => r.Id == rule.Id)?.Verdict;
        TestContext.Out.WriteLine($"  rerun {rule.Id}: {verdict?.ToString() ?? "no results"} in {wall.Elapsed.TotalSeconds:0.0} s");
        return verdict == rule.Verdict ? null
            : $"{rule.Id}: the report said {rule.Verdict}, its rerun command gave {verdict?.ToString() ?? $"no verdict (exit {outcome.ExitCode}: {outcome.Error})"}.\n" +
              $"  command: {command}\n  rerun observed: {outcome.Results?.Rules.SingleOrDefault(r => r.Id == rule.Id)?.Evidence.Observed}\n  original observed: {rule.Evidence.Observed}";
    }
}

/// <summary>`dukaan-conformance certify ARGS` in this process: the CLI's own parse, then what certify runs once parsed.</summary>
public static class InProcessCli
{
    private static readonly Lock ParseGate = new();

    /// <param name="args">certify's arguments, without the command name; an --out folder is added.</param>
    public static async Task<CertifyOutcome> CertifyAsync(IEnumerable<string> args)
    {
        var outDir = Directory.CreateTempSubdirectory("dukaan-inproc-out-").FullName;
        CertifyFlags flags;
        // The CLI's options are static and a parse attaches them to a fresh command: one parse at a time.
        lock (ParseGate) flags = CertifyCommand.FlagsFor([.. args, "--out", outDir]);
        var console = new StringWriter();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await CertifyCommand.CertifyAsync(flags, new CertifySink(console, console, FindSettingsFile: false, SpeakGitHub: false), limit.Token);
    }
}

/// <summary>Splits a command line the way POSIX sh does for the quoting the CLI prints: '…', "…" with $NAME, and \ outside quotes.</summary>
public static class ShellWords
{
    public static string[] Split(string line, IReadOnlyDictionary<string, string> environment)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    continue;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0) throw new FormatException($"Unterminated single quote in: {line}");
                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; i < line.Length && line[i] != '"'; i++)
                    {
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$') word.Append(line[++i]);
                        else if (line[i] == '$') i = Expand(line, i, word, environment) - 1;
                        else word.Append(line[i]);
                    }
                    if (i >= line.Length) throw new FormatException($"Unterminated double quote in: {line}");
                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    break;
                case '$':
                    i = Expand(line, i, word, environment) - 1;
                    break;
                default:
                    word.Append(c);
                    break;
            }
            inWord = true;
        }
        if (inWord) words.Add(word.ToString());
        return [.. words];
    }

    /// <summary>Appends the value of the $NAME at <paramref name="at"/>; returns the index after the name.</summary>
    private static int Expand(string line, int at, StringBuilder word, IReadOnlyDictionary<string, string> environment)
    {
        var end = at + 1;
        while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_')) end++;
        var name = line[(at + 1)..end];
        word.Append(environment.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"${name} is not set for: {line}"));
        return end;
    }
}
