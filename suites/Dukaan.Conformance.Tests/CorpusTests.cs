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
    };

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
            yield return new TestCaseData(name, null, new Dictionary<string, Verdict>(), 0).SetName($"corpus {name} compliant");
        yield return new TestCaseData("python-httpserver", "json-dumps", JsonDumpsVerdicts, 1).SetName("corpus python-httpserver json-dumps");
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
            case "fastify" or "hono":
                if (!Directory.Exists(Corpus($"{agent}/node_modules")))
                    Assert.Fail($"fixtures/agents/corpus/{agent} has no node_modules: run `npm ci` there (suites/test.sh does it).");
                break;
        }
    }
}
