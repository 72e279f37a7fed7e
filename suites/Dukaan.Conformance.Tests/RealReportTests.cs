using System.Net;
using System.Text.Json;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Engine;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Reporting;
using Microsoft.Playwright;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// One real certification of a failing agent (it logs its config and ignores 429), its reports written as the CLI
/// writes them, then: no secret of the run in any file, and the HTML walked through in Debian's Chromium.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RealReportTests
{
    private CertificationRun _run = null!;
    private WrittenReports _reports = null!;

    [OneTimeSetUp]
    public async Task CertifyAFailingAgentAndWriteItsReports()
    {
        await Repo.EnsureBuiltAsync();
        var workDir = Directory.CreateTempSubdirectory("dukaan-real-report-").FullName;
        var command = FixtureAgents.Command("csharp");
        var request = new CertificationRequest(
            new TargetInfo("spawned", command, command, workDir, null, "/hooks/agentdukaan", FixtureAgents.Trigger),
            (platform, ct) => SpawnedAgent.StartAsync(new SpawnSpec(command, workDir, platform.AgentEnvironment(new Dictionary<string, string>
            {
                ["AGENT_BREAK"] = "log-config,ignore-429",
                ["AGENT_HEARTBEAT_MS"] = "500",
            }), "/hooks/agentdukaan", FixtureAgents.Trigger, TimeSpan.FromSeconds(15)), ct).ContinueWith(t => (IAgentUnderTest)t.Result, ct),
            new RunSettings { Seed = 7, RerunPrefix = $"dukaan-conformance certify --agent-cmd \"{command}\"" });
        _run = await CertificationEngine.RunAsync(request, null, CancellationToken.None);
        var outDir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "real-report");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        _reports = ReportSet.Write(_run.Results, outDir, _run.Secrets);
    }

    [Test]
    public void The_run_failed_on_exactly_the_broken_rules()
    {
        var failing = _run.Results.Rules.Where(r => r.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).Select(r => r.Id);
        Assert.That(failing, Is.EquivalentTo(new[] { "DK-SEC-01", "DK-RUN-02" }));
        Assert.That(_run.Secrets, Has.Count.GreaterThan(30), "every buyer's canaries and the webhook secret");
    }

    [Test]
    public void No_output_file_contains_any_secret_of_the_run_in_any_encoding()
    {
        var files = _reports.All;
        Assert.That(files, Has.Count.EqualTo(4));
        var problems = new List<string>();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var secret in _run.Secrets)
            {
                var forms = SecretScanner.Forms(secret).Select(f => f.Value)
                    .Append(WebUtility.HtmlEncode(secret)).Append(JsonSerializer.Serialize(secret).Trim('"'));
                if (forms.FirstOrDefault(f => text.Contains(f, StringComparison.Ordinal)) is { } found)
                    problems.Add($"{Path.GetFileName(file)} contains a secret ({found[..Math.Min(12, found.Length)]}…)");
            }
        }
        Assert.That(problems, Is.Empty);
        // The redaction is visible: the leaked canary is named by its last four characters.
        var sec01 = _run.Results.Rules.Single(r => r.Id == "DK-SEC-01");
        Assert.That(sec01.Evidence.Observed, Does.Contain("••••"));
    }

    [Test]
    public async Task The_html_report_of_the_failing_agent_reads_right_in_a_real_browser()
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium)) Assert.Fail($"{chromium} is missing: apt-get update && apt-get install -y chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new() { Permissions = ["clipboard-read", "clipboard-write"], ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        var requests = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        page.Request += (_, r) => requests.Add(r.Url);
        var url = new Uri(_reports.IndexHtml).AbsoluteUri;
        await page.GotoAsync(url);

        await Assertions.Expect(page.GetByTestId("banner-verdict")).ToHaveTextAsync("Not certified");
        await Assertions.Expect(page.GetByTestId("count-fail")).ToHaveTextAsync("2 fail");
        await page.GetByTestId("filter-verdict-fail").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid^='rule-row-']:visible")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("rule-row-DK-RUN-02")).ToBeVisibleAsync();

        await page.GetByTestId("rule-toggle-DK-RUN-02").ClickAsync();
        var transcript = page.GetByTestId("transcript-DK-RUN-02").Locator("li.tx");
        Assert.That(await transcript.CountAsync(), Is.GreaterThan(1));
        await Assertions.Expect(page.GetByTestId("transcript-DK-RUN-02")).ToContainTextAsync("429");

        await page.GetByTestId("copy-rerun-DK-RUN-02").ClickAsync();
        await Assertions.Expect(page.GetByTestId("copy-rerun-DK-RUN-02")).ToHaveTextAsync("Copied");
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.That(copied, Does.Contain("--rules DK-RUN-02").And.Contain("--seed 7"));

        var shots = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "real-failing-report.png"), FullPage = true });
        Assert.That(problems, Is.Empty, "console or page errors");
        Assert.That(requests.Where(r => r != url && !r.StartsWith(url + "#", StringComparison.Ordinal)), Is.Empty, "network requests");
    }
}
