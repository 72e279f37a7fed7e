using Dukaan.Conformance;
using Dukaan.Reporting.Fleet;
using Dukaan.Reporting.Tests.Fleet;
using Microsoft.Playwright;

namespace Dukaan.Reporting.Tests.Browser;

/// <summary>
/// The fleet's index.html in Debian's Chromium over file://: the stylesheet is allowed by the page's own CSP, the matrix
/// renders a badge per agent and rule, and a failing cell leads to the rule in that agent's own report, opened there.
/// </summary>
[NonParallelizable]
public sealed class FleetBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string HostileName = "<img src=x onerror=window.__pwned=11>shop";

    [Test]
    public async Task The_matrix_renders_and_a_failing_cell_opens_the_rule_in_the_agent_report()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Fail($"{ChromiumPath} is missing; install Debian's Chromium (apt-get install -y chromium) to run the browser tests.");
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-fleet");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        FleetMember[] members = [.. FleetFixtures.Mixed(), new(HostileName, VerdictRuns.Passing(("DK-HB-02", Verdict.Fail)))];
        FleetFixtures.WriteWhole(dir, members);
        var run = FleetRun.Load(dir);
        var url = new Uri(FleetReportWriter.Write(run, dir).IndexHtml).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var problems = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        page.Request += (_, request) => requests.Add(request.Url);
        await page.GotoAsync(url);

        await Assertions.Expect(page.GetByTestId("fleet-headline")).ToHaveTextAsync("3 of 7 agents failed");
        var matrix = page.GetByTestId("fleet-matrix");
        await Assertions.Expect(matrix.GetByTestId("matrix-row")).ToHaveCountAsync(members.Length);
        var rules = run.Profiles.Single().Rules.Count;
        await Assertions.Expect(matrix.Locator("td.fcell a")).ToHaveCountAsync(run.Agents.Count(a => a.Results is not null) * rules);
        await Assertions.Expect(matrix.Locator("tr[data-agent='shop-delta'] [data-testid='matrix-error']")).ToContainTextAsync("agent command not found");
        await Assertions.Expect(page.Locator("tr[data-testid='matrix-row']").Nth(members.Length - 1).Locator("th")).ToContainTextAsync(HostileName);
        Assert.That(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), Is.True, "a hostile agent name stays text");

        var failing = matrix.Locator("tr[data-agent='shop-beta'] td[data-rule='DK-SIG-05'] a");
        var passing = matrix.Locator("tr[data-agent='shop-beta'] td[data-rule='DK-SIG-01'] a");
        var failColour = await failing.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var passColour = await passing.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.That(failColour, Is.Not.EqualTo(passColour).And.Not.EqualTo("rgba(0, 0, 0, 0)"), "verdict colours: the stylesheet was allowed by the CSP");
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fleet-index.png"), FullPage = true });
        Assert.That(problems, Is.Empty, "console errors (a CSP violation is one)");
        Assert.That(requests, Is.EqualTo(new[] { url }), "no request but the page itself");

        await failing.ClickAsync();
        // Polls the URL instead of waiting for a load event, which a file:// page can fire before the waiter listens.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/agents/shop-beta/index\\.html#rule-DK-SIG-05$"));
        var rule = page.Locator("[id='rule-DK-SIG-05']");
        await Assertions.Expect(rule).ToHaveCountAsync(1);
        await Assertions.Expect(rule).ToHaveAttributeAsync("open", "");
        await Assertions.Expect(page.GetByTestId("verdict-DK-SIG-05")).ToHaveTextAsync("fail");
        await Assertions.Expect(rule).ToBeInViewportAsync();
        Assert.That(problems, Is.Empty);
    }
}
