using System.Diagnostics;
using System.Text.Json;
using Dukaan.Conformance.Profiles.Wakeel;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The Wakeel profile's proof: certify the Wakeel fixture agents (fixtures/agents/wakeel, Node and Python) through the
/// real CLI; the compliant ones pass every rule, and each break shows exactly the non-passing verdicts of
/// WAKEEL-SPEC.md's table and its exit code.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class WakeelVerdictTableTests
{
    private const Verdict F = Verdict.Fail;
    private const Verdict W = Verdict.Warn;

    /// <summary>break → (expected non-pass verdicts, exit code), as WAKEEL-SPEC.md's table says. An empty break is the compliant agent.</summary>
    public static readonly IReadOnlyDictionary<string, (Dictionary<string, Verdict> Verdicts, int Exit)> Table = new Dictionary<string, (Dictionary<string, Verdict>, int)>
    {
        [""] = ([], 0),
        ["stringify-body"] = (new() { ["WK-SIG-01"] = F }, 1),
        ["no-verify"] = (new() { ["WK-SIG-02"] = W }, 0),
        ["crash-on-malformed-signature"] = (new() { ["WK-SIG-02"] = W, ["WK-SIG-03"] = F }, 1),
        // Every 200 to a valid deploy comes after 11 s: a timeout against the 10 s budget, so what needs a 2xx fails with it.
        ["slow-ack"] = (new() { ["WK-SIG-01"] = F, ["WK-ACK-01"] = F, ["WK-ACK-02"] = W, ["WK-RED-01"] = W }, 1),
        // No callback at all: WK-CB-02 has nothing to validate (not-applicable, decision 32) and WK-RED-01 no ACTIVE to count
        // (it passes on the redelivery's 2xx alone).
        ["no-callback"] = (new() { ["WK-CB-01"] = F, ["WK-CB-03"] = W, ["WK-CB-04"] = W }, 1),
        ["wrong-secret-in-callback"] = (new() { ["WK-CB-02"] = F }, 1),
        ["bad-status"] = (new() { ["WK-CB-01"] = F, ["WK-CB-02"] = F }, 1),
        ["active-despite-crm-401"] = (new() { ["WK-CB-03"] = W }, 0),
        ["double-active-on-redelivery"] = (new() { ["WK-RED-01"] = W }, 0),
        ["callback-on-refused"] = (new() { ["WK-CB-05"] = F }, 1),
        ["log-secret"] = (new() { ["WK-SEC-01"] = F }, 1),
        ["no-activity"] = (new() { ["WK-CB-04"] = W }, 0),
        ["crash-on-unknown-event"] = (new() { ["WK-ACK-03"] = F }, 1),
    };

    /// <summary>Rules a row must leave not-applicable (decision 32): what the rule is about never happened in the run.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> ExpectedNotApplicable = new Dictionary<string, string[]>
    {
        ["no-callback"] = ["WK-CB-02"],
        // It refuses no bad signature, so no refused contract is left for WK-CB-05 to watch.
        ["no-verify"] = ["WK-CB-05"],
    };

    /// <summary>The Python agent implements every break too; these cover its raw-body, logging and malformed-header paths.</summary>
    private static readonly string[] PythonBreaks = ["", "stringify-body", "log-secret", "crash-on-malformed-signature"];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var name in Table.Keys) yield return Case("node", name);
        foreach (var name in PythonBreaks) yield return Case("python", name);
    }

    private static TestCaseData Case(string language, string breakName) =>
        new TestCaseData(language, breakName).SetName($"wakeel {language} {(breakName.Length == 0 ? "compliant" : breakName)}");

    private static string Command(string language) => language switch
    {
        "node" => $"node '{Path.Combine(Repo.Root, "fixtures/agents/wakeel/node/agent.mjs")}'",
        "python" => $"python3 '{Path.Combine(Repo.Root, "fixtures/agents/wakeel/python/agent.py")}'",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    [TestCaseSource(nameof(Cases))]
    public async Task Certify_gives_exactly_the_expected_verdicts(string language, string breakName)
    {
        var (expected, exit) = Table[breakName];
        var args = new List<string>
        {
            "certify", "--profile", "wakeel", "--agent-cmd", Command(language),
            "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-wakeel-").FullName,
            // A compliant agent calls back within milliseconds; 5 s keeps one that never does from costing 30 s.
            "--observation-window", "5",
        };
        if (breakName.Length > 0) args.AddRange(["--agent-env", $"AGENT_BREAK={breakName}"]);
        var run = await CertifyRun.StartAsync(args, TimeSpan.FromMinutes(2));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(expected), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(exit), run.Describe());
            Assert.That(run.Results!.Profile, Is.EqualTo("wakeel"));
            Assert.That(run.Results.Rules.Select(r => r.Id), Is.EquivalentTo(WakeelRules.Catalog.All.Select(r => r.Id)));
            Assert.That(run.NotApplicable, Is.SupersetOf(ExpectedNotApplicable.GetValueOrDefault(breakName, [])), run.Describe());
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"wakeel {language} {breakName}: {run.Wall.TotalSeconds:0.0} s");
        if (language == "node")
            Assert.That(await Reruns.MismatchesAsync(run.Results!, RerunCoverage.RulesOf(Table.Select(p => (p.Key, (IReadOnlyDictionary<string, Verdict>)p.Value.Verdicts)), breakName)),
                Is.Empty, "rerun commands that do not reproduce");
    }

    /// <summary>
    /// Rules no fixture break provokes yet. Listed here so a gap is visible and this test fails once a break covers it
    /// (then drop it from the list).
    /// </summary>
    private static readonly string[] NoBreakYet = [];

    [Test]
    public void Every_rule_is_broken_by_some_break_and_every_must_fails_outright()
    {
        var broken = Table.Values.SelectMany(v => v.Verdicts.Keys).Concat(NoBreakYet).ToHashSet();
        Assert.That(NoBreakYet.Where(id => Table.Values.Any(v => v.Verdicts.ContainsKey(id))), Is.Empty, "a break now covers it: remove it from NoBreakYet");
        Assert.That(WakeelRules.Catalog.All.Select(r => r.Id).Where(id => !broken.Contains(id)), Is.Empty, "rules no break breaks");
        var mustFails = Table.Values.SelectMany(v => v.Verdicts.Where(p => p.Value == F).Select(p => p.Key)).Concat(NoBreakYet).ToHashSet();
        Assert.That(WakeelRules.Catalog.All.Where(r => r.Level == RuleLevel.Must && !mustFails.Contains(r.Id)).Select(r => r.Id), Is.Empty);
    }

    [Test]
    public async Task List_rules_for_the_wakeel_profile_lists_the_WK_rules()
    {
        await Repo.EnsureBuiltAsync();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Repo.CliDll, "list-rules", "--profile", "wakeel", "--format", "json" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(0), output);
        using var json = JsonDocument.Parse(output);
        var ids = json.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.That(ids, Is.EqualTo(new[]
        {
            "WK-SIG-01", "WK-SIG-02", "WK-SIG-03", "WK-ACK-01", "WK-ACK-02", "WK-ACK-03", "WK-CB-01", "WK-CB-02", "WK-CB-03", "WK-CB-04", "WK-CB-05",
            "WK-RED-01", "WK-SEC-01",
        }));
    }
}
