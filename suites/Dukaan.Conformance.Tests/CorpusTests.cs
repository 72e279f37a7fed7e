using System.Diagnostics;
using Dukaan.Conformance.Rules;
using Dukaan.Conformance.Tests.Support;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// Issue 9, a corpus of real stacks: small compliant agents written the idiomatic way on the frameworks sellers use
/// (fixtures/agents/corpus/, none sharing code with the harness or the reference agents) must certify, through the
/// real CLI and real processes, exactly as the reference agents do. A rule one of them does not pass is a false
/// failure of the harness until shown otherwise. One realistic Python mistake (json-dumps) pins what it breaks.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class CorpusTests
{
    private const Verdict F = Verdict.Fail;
    private const Verdict W = Verdict.Warn;
    private const Verdict N = Verdict.NotExercised;

    /// <summary>Debian's Python (python3-flask, python3-fastapi, python3-uvicorn); the pyenv python3 on PATH does not see them.</summary>
    private const string DebianPython = "/usr/bin/python3";

    private static string Corpus(string path) => Path.Combine(Repo.Root, "fixtures", "agents", "corpus", path);

    /// <summary>
    /// corpus agent → how it is started. python-httpserver keeps http.server's defaults: Content-Length bodies only (a
    /// chunked request reaches it empty) and HTTP/1.0 answers, closing the connection after each one, so a client that
    /// reuses a connection after an HTTP/1.0 answer loses the next request.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Commands = new Dictionary<string, string>
    {
        ["python-httpserver"] = $"python3 '{Corpus("python-httpserver/agent.py")}'",
        ["flask"] = $"{DebianPython} '{Corpus("flask/app.py")}'",
        ["fastapi"] = $"{DebianPython} '{Corpus("fastapi/main.py")}'",
        ["fastify"] = $"node '{Corpus("fastify/server.js")}'",
        ["hono"] = $"node '{Corpus("hono/server.js")}'",
        // Issue 18's clean room: written from the seeds and docs/ only, by someone who never read this repository.
        ["express-queue"] = $"node '{Corpus("express-queue/server.js")}'",
        ["node-sync-trigger"] = $"node '{Corpus("node-sync-trigger/server.js")}'",
        ["python-fetch-before-ack"] = $"python3 '{Corpus("python-fetch-before-ack/agent.py")}'",
    };

    /// <summary>Agents that send no heartbeat: DK-HB-01 (INFO) warns, and DK-HB-02 has nothing to judge (decision 32).</summary>
    private static readonly HashSet<string> Heartbeatless = ["express-queue", "node-sync-trigger"];

    private static Dictionary<string, Verdict> WithoutHeartbeat(string agent, Dictionary<string, Verdict> verdicts)
    {
        if (Heartbeatless.Contains(agent)) verdicts["DK-HB-01"] = W;
        return verdicts;
    }

    /// <summary>
    /// The clean-room agents' planted bugs, each caught on the rule it breaks. Before issue 18 each compliant build failed
    /// a MUST too: express-queue and python-fetch-before-ack DK-RUN-01 (a provider call refused with 401 was counted as
    /// billable), node-sync-trigger DK-RUN-02/03 and DK-RCF-02/03 (its 409/422 outcome answers were taken as refusals),
    /// python-fetch-before-ack DK-ACK-01 (its 503 asking for the platform's retry); and cache-config-home passed DK-SEC-02.
    /// </summary>
    public static IEnumerable<(string Agent, string Break, Dictionary<string, Verdict> Verdicts)> CleanRoomBreaks()
    {
        yield return ("express-queue", "no-run-report", new()
        {
            // Without /run it never meets the 429 or the 403 (the provider does not know about subscriptions).
            ["DK-RUN-01"] = F, ["DK-RUN-02"] = N, ["DK-RUN-03"] = N, ["DK-SUB-01"] = N, ["DK-SUB-02"] = N, ["DK-SUB-03"] = N,
        });
        yield return ("express-queue", "retry-429", new() { ["DK-RUN-02"] = F });
        yield return ("express-queue", "stringify-verify", new() { ["DK-SIG-01"] = F });
        yield return ("node-sync-trigger", "run-token-request-config", new() { ["DK-RCF-02"] = F, ["DK-RCF-03"] = F });
        yield return ("node-sync-trigger", "bill-after-429", new() { ["DK-RUN-02"] = F });
        yield return ("node-sync-trigger", "timingsafe-500", new() { ["DK-SIG-03"] = F, ["DK-SIG-05"] = F });
        yield return ("python-fetch-before-ack", "503-always", new()
        {
            ["DK-SIG-01"] = F, ["DK-SIG-06"] = F, ["DK-ACK-01"] = F, ["DK-ACK-02"] = W, ["DK-ACK-03"] = F, ["DK-ACK-04"] = F, ["DK-ACK-05"] = W,
        });
        yield return ("python-fetch-before-ack", "heartbeat-ignores-403", new() { ["DK-SUB-01"] = F, ["DK-HB-02"] = F });
        yield return ("python-fetch-before-ack", "cache-config-home", new() { ["DK-SEC-02"] = F, ["DK-SEC-04"] = F });
    }

    /// <summary>
    /// json.dumps with its default separators (", " and ": ") never reproduces the platform's compact bytes, so every
    /// valid delivery is refused with 401: nothing that needs a delivery accepted or credentials held can happen.
    /// Bad signatures are still refused, and secrets are never touched.
    /// </summary>
    public static readonly Dictionary<string, Verdict> JsonDumpsVerdicts = new()
    {
        ["DK-SIG-01"] = F, ["DK-SIG-06"] = F, ["DK-ACK-01"] = F, ["DK-ACK-02"] = W, ["DK-ACK-03"] = F, ["DK-ACK-05"] = W,
        ["DK-CFG-01"] = F, ["DK-CFG-02"] = N, ["DK-CFG-03"] = F, ["DK-CFG-04"] = N, ["DK-SEC-03"] = N, ["DK-SEC-04"] = N,
        ["DK-SEC-05"] = N, ["DK-RUN-01"] = N, ["DK-RUN-02"] = N, ["DK-RUN-03"] = N, ["DK-SUB-01"] = N, ["DK-SUB-02"] = N,
        ["DK-SUB-03"] = N, ["DK-HB-01"] = W, ["DK-RCF-01"] = N, ["DK-RCF-02"] = N, ["DK-RCF-03"] = N, ["DK-RCF-04"] = N,
    };

    public static IEnumerable<TestCaseData> Cases()
    {
        // Every corpus agent is compliant: no rule may be left unpassed, not even a SHOULD or INFO one.
        foreach (var name in Commands.Keys)
            yield return new TestCaseData(name, null, WithoutHeartbeat(name, []), 0).SetName($"corpus {name} compliant");
        yield return new TestCaseData("python-httpserver", "json-dumps", JsonDumpsVerdicts, 1).SetName("corpus python-httpserver json-dumps");
        foreach (var (agent, breakName, verdicts) in CleanRoomBreaks())
            yield return new TestCaseData(agent, breakName, WithoutHeartbeat(agent, verdicts), 1).SetName($"corpus {agent} {breakName}");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Certify_gives_exactly_the_expected_verdicts(string agent, string? breakName, Dictionary<string, Verdict> expected, int exit)
    {
        await RequirePrerequisitesAsync(agent);
        var args = new List<string>
        {
            "certify", "--agent-cmd", Commands[agent], "--agent-workdir", Directory.CreateTempSubdirectory("dukaan-corpus-agent-").FullName,
            "--trigger-url", FixtureAgents.Trigger, "--agent-env", "AGENT_HEARTBEAT_MS=500",
            "--startup-timeout", "20", "--observation-window", "5",
        };
        if (breakName is not null) args.AddRange(["--agent-env", $"AGENT_BREAK={breakName}"]);

        var run = await CertifyRun.StartAsync(args, TimeSpan.FromMinutes(4));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing, Is.EquivalentTo(expected), run.Describe());
            Assert.That(run.ExitCode, Is.EqualTo(exit), run.Describe());
            Assert.That(run.Results!.Rules.Select(r => r.Id), Is.EquivalentTo(AgentDukaanRules.Catalog.All.Select(r => r.Id)));
            Assert.That(run.PassesWithoutWitness, Is.Empty, run.Describe());
            if (Heartbeatless.Contains(agent))
                Assert.That(run.NotApplicable, Does.Contain("DK-HB-02"), "no heartbeat in the run: DK-HB-02 has no witness (decision 32)");
            // The evidence must name the real mistake, not a side effect of how the agent answered its trigger.
            if (breakName == "run-token-request-config")
                Assert.That(run.Results.Rules.Single(r => r.Id == "DK-RCF-02").Evidence.Diagnosis, Does.Contain("run token"), run.Describe());
            if (breakName == "cache-config-home")
                Assert.That(run.Results.Rules.Single(r => r.Id == "DK-SEC-02").Evidence.Observed, Does.Contain("/home/.cache/"), run.Describe());
            if (breakName == "json-dumps")
                Assert.That(run.Results.Rules.Single(r => r.Id == "DK-SIG-01").Evidence.Diagnosis, Does.Contain("re-serialized JSON"), run.Describe());
        });
        TestContext.Out.WriteLine($"{agent} {breakName ?? "compliant"}: {run.Wall.TotalSeconds:0.0} s");
    }

    /// <summary>suites/test.sh installs these; a developer running this fixture alone gets told what is missing.</summary>
    private static async Task RequirePrerequisitesAsync(string agent)
    {
        switch (agent)
        {
            case "flask" or "fastapi":
            {
                using var check = Process.Start(new ProcessStartInfo(DebianPython, ["-c", "import flask, fastapi, uvicorn"]) { RedirectStandardError = true })!;
                await check.WaitForExitAsync();
                if (check.ExitCode != 0)
                    Assert.Fail($"{DebianPython} cannot import flask, fastapi and uvicorn: apt-get install python3-flask=2.2.2-3 python3-fastapi=0.92.0-1 python3-uvicorn=0.17.6-1 (suites/test.sh does it).");
                break;
            }
            case "fastify" or "hono" or "express-queue":
                if (!Directory.Exists(Corpus($"{agent}/node_modules")))
                    Assert.Fail($"fixtures/agents/corpus/{agent} has no node_modules: run `npm ci` there (suites/test.sh does it).");
                break;
        }
    }
}
