using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Tests.Support;

/// <summary>The outcome of one `dukaan-conformance certify` process: exit code, console, results.json, wall time.</summary>
public sealed record CertifyRun(int ExitCode, string Console, RunResults? Results, string OutDir, TimeSpan Wall)
{
    /// <summary>Every rule that neither passed nor was not-applicable (a verdict that never blocks), with its verdict.</summary>
    public IReadOnlyDictionary<string, Verdict> NonPassing =>
        Results?.Rules.Where(r => r.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).ToDictionary(r => r.Id, r => r.Verdict) ?? [];

    public IReadOnlyList<string> NotApplicable => [.. Results?.Rules.Where(r => r.Verdict == Verdict.NotApplicable).Select(r => r.Id) ?? []];

    public Verdict VerdictOf(string id) => Results!.Rules.Single(r => r.Id == id).Verdict;

    /// <summary>
    /// Decision 32 as results.json shows it: every pass cites the exchanges that exercised it (its transcript) or a scan
    /// that covered something. The rules that pass without either; empty for an honest run.
    /// </summary>
    public IReadOnlyList<string> PassesWithoutWitness =>
        [.. Results?.Rules.Where(r => r.Verdict == Verdict.Pass && r.Evidence.Transcript.Count == 0 && !(r.Evidence.Scanned?.Any(s => s.Count > 0) ?? false))
            .Select(r => r.Id) ?? []];

    public string Describe() =>
        $"exit {ExitCode} after {Wall.TotalSeconds:0.0} s; non-passing: {string.Join(", ", NonPassing.Select(p => $"{p.Key}={p.Value}"))}\n" +
        string.Join("\n", Results?.Rules.Where(r => r.Verdict != Verdict.Pass).Select(r => $"  {r.Id}: {r.Evidence.Observed}") ?? []) +
        $"\n--- console ---\n{Console}";

    /// <summary>Runs `certify` as a separate process, as a seller or CI would, bounded by <paramref name="limit"/>.</summary>
    public static async Task<CertifyRun> StartAsync(IEnumerable<string> argumentList, TimeSpan limit)
    {
        var arguments = argumentList.ToList();
        var outDir = Directory.CreateTempSubdirectory("dukaan-e2e-out-").FullName;
        var wall = Stopwatch.StartNew();
        var (exit, console) = await CliProcess.RunAsync([.. arguments, "--out", outDir], limit);
        var resultsPath = Path.Combine(outDir, "results.json");
        var results = File.Exists(resultsPath) ? ResultsJson.Deserialize(await File.ReadAllTextAsync(resultsPath), resultsPath) : null;
        var run = new CertifyRun(exit, console, results, outDir, wall.Elapsed);
        // Every run of every table: the README promises a report folder can be attached to a ticket (issue 19, item 9).
        var leaks = ReportSecrets.Leaks(outDir, arguments);
        if (leaks.Count > 0) Assert.Fail($"secrets in the report files of `{string.Join(' ', arguments)}`:\n{string.Join("\n", leaks)}\n{run.Describe()}");
        return run;
    }
}

/// <summary>
/// Scans every file a run wrote to --out for every secret the run used, known without asking the harness: the canaries'
/// and generated secrets' patterns (each profile's generator, read from the outside), and the values given on the
/// command line (--secret, secret-looking --agent-env values), those in every encoding a logger might produce.
/// </summary>
public static partial class ReportSecrets
{
    // dkcanary…: the simulator's buyer values (sk- for provider keys); whsec_…/wkcb_…: each profile's generated webhook or
    // callback secret; sk_crm_…/tok_…: Wakeel's pushed config values. A report may show "••••" and the last 4 characters.
    [GeneratedRegex(@"(?:sk-)?dkcanary[A-Za-z0-9]{20}|whsec_(?:pl_|ad_|ads_)?[0-9a-f]{16,}|wkcb_[0-9a-f]{16,}|sk_crm_[0-9a-f]{16,}|tok_[0-9a-f]{16,}")]
    private static partial Regex Generated();

    private static readonly string[] SecretEnvNames = ["SECRET", "KEY", "TOKEN", "PASSWORD"];

    /// <summary>
    /// The canary marker as a careless encoder writes it: hex, and the base64/base64url characters that depend on the
    /// marker's bytes alone at each of the 3 alignments, so a canary is found encoded without knowing its random part.
    /// </summary>
    private static readonly (string Form, string Value)[] EncodedMarker = [.. MarkerForms("dkcanary")];

    private static IEnumerable<(string, string)> MarkerForms(string marker)
    {
        var bytes = Encoding.UTF8.GetBytes(marker);
        yield return ("hex", Convert.ToHexStringLower(bytes));
        yield return ("HEX", Convert.ToHexString(bytes));
        for (var shift = 0; shift < 3; shift++)
        {
            var encoded = Convert.ToBase64String([.. new byte[shift], .. bytes]);
            // Only whole 3-byte groups inside the marker: the ones before and after it depend on its neighbours.
            var first = (shift + 2) / 3;
            var last = (shift + bytes.Length) / 3;
            var fixedPart = encoded[(first * 4)..(last * 4)];
            yield return ($"base64 (offset {shift})", fixedPart);
            if (fixedPart.IndexOfAny(['+', '/']) >= 0) yield return ($"base64url (offset {shift})", fixedPart.Replace('+', '-').Replace('/', '_'));
        }
    }

    public static IReadOnlyList<string> Given(IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        var given = new List<string>();
        for (var i = 0; i + 1 < list.Count; i++)
        {
            if (list[i] == "--secret") given.Add(list[i + 1]);
            else if (list[i] == "--agent-env" && list[i + 1].Split('=', 2) is [var name, var value]
                     && SecretEnvNames.Any(n => name.Contains(n, StringComparison.OrdinalIgnoreCase)))
                given.Add(value);
        }
        return [.. given.Where(v => v.Length >= 8).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>"file: what was found" for every secret in every file under <paramref name="outDir"/>; empty when clean.</summary>
    public static IReadOnlyList<string> Leaks(string outDir, IEnumerable<string> arguments)
    {
        if (!Directory.Exists(outDir)) return [];
        var scanner = new SecretScanner(Given(arguments));
        var leaks = new List<string>();
        foreach (var path in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(outDir, path);
            var text = File.ReadAllText(path);
            foreach (var value in Generated().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal))
                leaks.Add($"{name}: {value} ({Regex.Count(text, Regex.Escape(value))}×)");
            foreach (var (form, value) in EncodedMarker.Where(m => text.Contains(m.Value, StringComparison.Ordinal)))
                leaks.Add($"{name}: a canary, {form} ({value})");
            foreach (var hit in scanner.InText(text, name))
                leaks.Add($"{name}: the given secret {hit.Secret[..4]}… ({hit.Form})");
        }
        return leaks;
    }
}

/// <summary>The built CLI as a process of its own, outside GitHub Actions' summary and annotations, without colour.</summary>
public static class CliProcess
{
    /// <summary>Exit code and stdout + stderr; a process still running after <paramref name="limit"/> is killed and fails the test.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        await Repo.EnsureBuiltAsync();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Repo.CliDll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("GITHUB_ACTIONS");
        info.Environment.Remove("GITHUB_STEP_SUMMARY");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{string.Join(' ', info.ArgumentList)}` did not finish within {limit.TotalSeconds:0} s:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>How each fixture agent is started.</summary>
public static class FixtureAgents
{
    public const string Trigger = "http://127.0.0.1:{port}/_test/trigger";

    public static string Command(string language) => language switch
    {
        "csharp" => $"dotnet '{Repo.CSharpAgentDll}'",
        "node" => $"node '{Path.Combine(Repo.Root, "fixtures/agents/node/server.js")}'",
        "python" => $"python3 '{Path.Combine(Repo.Root, "fixtures/agents/python/agent.py")}'",
        "misbehaving" => $"python3 '{Path.Combine(Repo.Root, "fixtures/agents/misbehaving/agent.py")}'",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    /// <summary>certify arguments for a fixture agent in a fresh working directory, with the given breaks.</summary>
    /// <summary>The settings file that declares the bundled chat manifest (decision 10), for agents certified with chat.</summary>
    public static string ChatListing => Path.Combine(Repo.Root, "fixtures", "config", "chat-listing.json");

    public static List<string> CertifyArgs(string language, string? breaks, params string[] extra)
    {
        var args = new List<string>
        {
            "certify", "--agent-cmd", Command(language), "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-agent-").FullName,
            "--trigger-url", Trigger, "--agent-env", "AGENT_HEARTBEAT_MS=500",
        };
        if (breaks is not null) args.AddRange(["--agent-env", $"AGENT_BREAK={breaks}"]);
        args.AddRange(extra);
        return args;
    }
}
