using System.Diagnostics;
using System.Text.Json;
using Dukaan.Conformance.Profiles.AgentDoor;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The agentdoor profile's proof: certify the fixture receivers (fixtures/agents/agentdoor) compliant and with each
/// break, through the real CLI and real receiver processes, and expect exactly the break's row of AGENTDOOR-SPEC.md.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class AgentDoorVerdictTableTests
{
    private const Verdict F = Verdict.Fail;
    private const Verdict W = Verdict.Warn;

    /// <summary>break → (expected non-pass verdicts, exit code), the table of AGENTDOOR-SPEC.md. "" is the compliant receiver.</summary>
    public static readonly IReadOnlyDictionary<string, (Dictionary<string, Verdict> Verdicts, int Exit)> Table = new Dictionary<string, (Dictionary<string, Verdict>, int)>
    {
        [""] = ([], 0),
        ["stringify-body"] = (new() { ["AD-R-01"] = F }, 1),
        ["accept-unsigned"] = (new() { ["AD-R-02"] = F }, 1),
        ["accept-wrong-secret"] = (new() { ["AD-R-02"] = F }, 1),
        ["crash-on-malformed-signature"] = (new() { ["AD-R-03"] = F }, 1),
        // Every 200 comes after 11 s, past the emitter's 10 s: the rules that need a 2xx fail with AD-R-04.
        ["slow-ack"] = (new() { ["AD-R-01"] = F, ["AD-R-04"] = F, ["AD-R-05"] = W, ["AD-R-06"] = F }, 1),
        ["crash-on-unknown-type"] = (new() { ["AD-R-06"] = F }, 1),
        ["process-duplicates"] = (new() { ["AD-R-05"] = W }, 0),
        ["accept-stale"] = (new() { ["AD-R-07"] = W }, 0),
        ["log-secret"] = (new() { ["AD-R-08"] = F }, 1),
    };

    private static readonly string[] PythonBreaks = ["", "stringify-body", "crash-on-malformed-signature", "log-secret"];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var name in Table.Keys) yield return Case("node", name);
        foreach (var name in PythonBreaks) yield return Case("python", name);
    }

    private static TestCaseData Case(string language, string breakName) =>
        new TestCaseData(language, breakName).SetName($"agentdoor {language} {(breakName.Length == 0 ? "compliant" : breakName)}");

    private static string Command(string language) => language switch
    {
        "node" => $"node '{Path.Combine(Repo.Root, "fixtures/agents/agentdoor/node/agent.mjs")}'",
        "python" => $"python3 '{Path.Combine(Repo.Root, "fixtures/agents/agentdoor/python/agent.py")}'",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    [TestCaseSource(nameof(Cases))]
    public async Task Certify_gives_exactly_the_expected_verdicts(string language, string breakName)
    {
        var (expected, exit) = Table[breakName];
        var args = new List<string>
        {
            "certify", "--profile", "agentdoor", "--agent-cmd", Command(language),
            "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-agentdoor-").FullName, "--observation-window", "5",
        };
        if (breakName.Length > 0) args.AddRange(["--agent-env", $"AGENT_BREAK={breakName}"]);
        var run = await CertifyRun.StartAsync(args, TimeSpan.FromMinutes(2));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(expected), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(exit), run.Describe());
            Assert.That(run.Results!.Profile, Is.EqualTo("agentdoor"));
            Assert.That(run.Results.Rules.Select(r => r.Id), Is.EquivalentTo(AgentDoorRules.Catalog.All.Select(r => r.Id)));
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"agentdoor {language} {breakName}: {run.Wall.TotalSeconds:0.0} s");
        if (language == "node")
            Assert.That(await Reruns.MismatchesAsync(run.Results!, RerunCoverage.RulesOf(Table.Select(p => (p.Key, (IReadOnlyDictionary<string, Verdict>)p.Value.Verdicts)), breakName)),
                Is.Empty, "rerun commands that do not reproduce");
    }

    [Test]
    public async Task A_receiver_that_posts_no_effects_leaves_the_processing_rules_not_exercised_and_says_why()
    {
        // env -u hides the effects URL from the compliant receiver: it acknowledges everything, but nothing shows what it processed.
        var run = await CertifyRun.StartAsync(
        [
            "certify", "--profile", "agentdoor", "--agent-cmd", "env -u AGENTDOOR_EFFECTS_URL " + Command("node"),
            "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-agentdoor-").FullName, "--observation-window", "5",
        ], TimeSpan.FromMinutes(2));
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(new Dictionary<string, Verdict> { ["AD-R-05"] = Verdict.NotExercised, ["AD-R-07"] = Verdict.NotExercised }), run.Describe());
            // Only MUST rules left unexercised keep a run from certifying; these are SHOULD and INFO.
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Describe());
            Assert.That(run.Results!.Notes, Has.Some.Contains("never POSTed an effect to AGENTDOOR_EFFECTS_URL"), run.Describe());
        });
    }

    [Test]
    public void Every_must_rule_fails_on_some_break_and_every_other_rule_warns_on_one()
    {
        var broken = Table.SelectMany(p => p.Value.Verdicts).ToLookup(v => v.Key, v => v.Value);
        Assert.Multiple(() =>
        {
            Assert.That(AgentDoorRules.Catalog.All.Where(r => r.Level == RuleLevel.Must && !broken[r.Id].Contains(F)).Select(r => r.Id), Is.Empty);
            Assert.That(AgentDoorRules.Catalog.All.Where(r => !broken[r.Id].Any()).Select(r => r.Id), Is.Empty);
        });
    }

    [Test]
    public async Task List_rules_as_json_lists_the_agentdoor_rules()
    {
        await Repo.EnsureBuiltAsync();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Repo.CliDll, "list-rules", "--profile", "agentdoor", "--format", "json" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(0), stdout);
        var ids = JsonIds(JsonDocument.Parse(stdout).RootElement).ToList();
        Assert.That(ids, Is.EquivalentTo(Enumerable.Range(1, 8).Select(i => $"AD-R-0{i}")), stdout);
    }

    /// <summary>Every "id" anywhere in the document, whatever envelope list-rules wraps the rules in.</summary>
    private static IEnumerable<string> JsonIds(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().SelectMany(JsonIds),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.NameEquals("id") && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : JsonIds(p.Value)),
        _ => [],
    };
}
