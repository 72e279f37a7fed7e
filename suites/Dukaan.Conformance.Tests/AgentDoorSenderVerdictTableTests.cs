using Dukaan.Conformance.Profiles.AgentDoorSender;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// The agentdoor-sender profile's proof: certify the fixture senders (fixtures/senders/agentdoor) compliant and with
/// each break, through the real CLI and real sender processes, and expect exactly the break's row of SENDER-SPEC.md.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class AgentDoorSenderVerdictTableTests
{
    private const Verdict F = Verdict.Fail;
    private const Verdict W = Verdict.Warn;

    /// <summary>
    /// break → (expected non-pass verdicts, exit code, --rules or null for all), the table of SENDER-SPEC.md. "" is the
    /// compliant sender. Breaks whose rule needs none of the long scenarios run only the rules those scenarios judge,
    /// so the table stays within the suite's time budget; the rest run everything.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (Dictionary<string, Verdict> Verdicts, int Exit, string? Rules)> Table =
        new Dictionary<string, (Dictionary<string, Verdict>, int, string?)>
        {
            [""] = ([], 0, null),
            ["epoch-timestamp-header"] = (new() { ["AD-S-01"] = F }, 1, "AD-S-01,AD-S-02,AD-S-03"),
            ["reuse-id"] = (new() { ["AD-S-03"] = F }, 1, "AD-S-01,AD-S-02,AD-S-03"),
            ["retry-4xx"] = (new() { ["AD-S-05"] = F }, 1, "AD-S-05"),
            ["no-retry-429"] = (new() { ["AD-S-04"] = F }, 1, "AD-S-04,AD-S-10"),
            ["no-cap"] = (new() { ["AD-S-06"] = F }, 1, null),
            ["one-attempt-early"] = (new() { ["AD-S-06"] = F }, 1, null),
            ["new-id-on-retry"] = (new() { ["AD-S-09"] = F }, 1, null),
            ["reserialize-payload"] = (new() { ["AD-S-02"] = F }, 1, "AD-S-01,AD-S-02,AD-S-03"),
            ["no-prefix"] = (new() { ["AD-S-02"] = F }, 1, "AD-S-01,AD-S-02,AD-S-03"),
            ["no-timeout"] = (new() { ["AD-S-10"] = F }, 1, "AD-S-04,AD-S-10"),
            ["no-jitter"] = (new() { ["AD-S-08"] = W }, 0, null),
            ["no-backoff"] = (new() { ["AD-S-07"] = W, ["AD-S-08"] = W }, 0, null),
        };

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var name in Table.Keys) yield return Case("node", name);
        yield return Case("csharp", "");
    }

    private static TestCaseData Case(string language, string breakName) =>
        new TestCaseData(language, breakName).SetName($"agentdoor-sender {language} {(breakName.Length == 0 ? "compliant" : breakName)}");

    public static string Command(string language) => language switch
    {
        "node" => $"node '{Path.Combine(Repo.Root, "fixtures/senders/agentdoor/node/sender.mjs")}'",
        "csharp" => $"dotnet '{Repo.CSharpSenderDll}'",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    [TestCaseSource(nameof(Cases))]
    public async Task Certify_gives_exactly_the_expected_verdicts(string language, string breakName)
    {
        var (expected, exit, rules) = Table[breakName];
        var args = new List<string>
        {
            "certify", "--profile", AgentDoorSenderProfile.Id, "--agent-cmd", Command(language),
            "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-sender-").FullName,
        };
        if (breakName.Length > 0) args.AddRange(["--agent-env", $"AGENT_BREAK={breakName}"]);
        if (rules is not null) args.AddRange(["--rules", rules]);
        var run = await CertifyRun.StartAsync(args, TimeSpan.FromMinutes(2));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        var selected = AgentDoorSenderRules.Catalog.Select(rules).Select(r => r.Id);
        var nonPassing = run.NonPassing.ToDictionary();
        // AD-S-08 (INFO) may warn on a compliant sender: it sees only jitter's downward half (decision 20), about 1 run in 25 misses it.
        if (!expected.ContainsKey("AD-S-08") && nonPassing.GetValueOrDefault("AD-S-08") == W) nonPassing.Remove("AD-S-08");
        Assert.Multiple(() =>
        {
            Assert.That(nonPassing, Is.EquivalentTo(expected), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(exit), run.Describe());
            Assert.That(run.Results!.Profile, Is.EqualTo(AgentDoorSenderProfile.Id));
            Assert.That(run.Results.Rules.Select(r => r.Id), Is.EquivalentTo(selected));
            Assert.That(run.PassesWithoutWitness, Is.Empty, "passes that cite no exchange and no scan (decision 32)\n" + run.Describe());
        });
        TestContext.Out.WriteLine($"agentdoor-sender {language} {breakName}: {run.Wall.TotalSeconds:0.0} s");
        if (language == "node")
            Assert.That(await Reruns.MismatchesAsync(run.Results!, RerunCoverage.RulesOf(Table.Select(p => (p.Key, (IReadOnlyDictionary<string, Verdict>)p.Value.Verdicts)), breakName)),
                Is.Empty, "rerun commands that do not reproduce");
    }

    [Test]
    public async Task The_report_shows_each_attempt_its_answer_and_the_delay_against_nominal()
    {
        // The retry limit's timeline through the CLI (AD-S-06 and AD-S-07 only: one scenario).
        var run = await CertifyRun.StartAsync(
        [
            "certify", "--profile", AgentDoorSenderProfile.Id, "--agent-cmd", Command("node"), "--rules", "AD-S-06,AD-S-07",
            "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-e2e-sender-").FullName,
        ], TimeSpan.FromMinutes(2));
        var timeline = run.Results!.Scenarios.Single(s => s.Name == SenderScenarios.RetryLimit);
        var labels = timeline.Events.Select(e => e.Label).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(labels, Has.Some.Contains("attempt 1: receiver 500"), string.Join("\n", labels));
            Assert.That(labels, Has.Some.Matches(@"attempt 4: receiver 500 · came \d+\.\d\d s after the failure \(nominal 4 s\)"), string.Join("\n", labels));
            Assert.That(labels, Has.Some.Matches(@"watched 11\.\d\d s for attempt 5"), string.Join("\n", labels));
            Assert.That(run.Results.Rules.Single(r => r.Id == "AD-S-07").Evidence.Observed, Does.Contain("retry 3 after").And.Contain("nominal 4 s"));
        });
    }

    [Test]
    public void Every_must_rule_fails_on_some_break_and_every_other_rule_warns_on_one()
    {
        var broken = Table.SelectMany(p => p.Value.Verdicts).ToLookup(v => v.Key, v => v.Value);
        Assert.Multiple(() =>
        {
            Assert.That(AgentDoorSenderRules.Catalog.All.Where(r => r.Level == RuleLevel.Must && !broken[r.Id].Contains(F)).Select(r => r.Id), Is.Empty);
            Assert.That(AgentDoorSenderRules.Catalog.All.Where(r => !broken[r.Id].Any()).Select(r => r.Id), Is.Empty);
            // Every break of the spec is in the table, and only those.
            var spec = File.ReadAllText(Path.Combine(Repo.Root, "fixtures/senders/agentdoor/SENDER-SPEC.md"));
            var named = System.Text.RegularExpressions.Regex.Matches(spec, @"^\| `([a-z0-9-]+)` \|", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value);
            Assert.That(named, Is.EquivalentTo(Table.Keys.Where(k => k.Length > 0)));
        });
    }
}
