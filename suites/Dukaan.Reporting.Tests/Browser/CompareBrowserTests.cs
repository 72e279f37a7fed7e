using Dukaan.Reporting.Tests.Compare;
using Microsoft.Playwright;

namespace Dukaan.Reporting.Tests.Browser;

/// <summary>
/// compare.html in Debian's Chromium over file://: the hash-pinned stylesheet is accepted by the page's own CSP (a
/// wrong hash would leave the page unstyled and log a violation), rows are highlighted, and hostile text stays text.
/// </summary>
[NonParallelizable]
public sealed class CompareBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    [Test]
    public async Task The_page_is_styled_highlights_the_regression_and_makes_no_request()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Fail($"{ChromiumPath} is missing; install Debian's Chromium (apt-get install -y chromium) to run the browser tests.");
        var dir = Directory.CreateTempSubdirectory("dukaan-compare-browser-").FullName;
        var path = Path.Combine(dir, "compare.html");
        File.WriteAllText(path, ComparisonHtmlWriter.Render(ComparisonWriterTests.Hostile()));
        var url = new Uri(path).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var problems = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        page.Request += (_, request) => requests.Add(request.Url);
        await page.GotoAsync(url);

        await Assertions.Expect(page.GetByTestId("compare-headline")).ToHaveTextAsync("1 regression");
        var regressed = page.GetByTestId("compare-row-DK-RUN-02");
        await Assertions.Expect(regressed).ToContainTextAsync("regressed");
        var background = await regressed.Locator("th").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var same = await page.GetByTestId("compare-row-DK-SIG-03").Locator("th").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.That(background, Is.Not.EqualTo(same), "the regressed row is highlighted, so the stylesheet was allowed");
        await Assertions.Expect(page.GetByTestId("compare-row-DK-SIG-02")).ToContainTextAsync("</td><script>window.__pwned=5</script>");
        Assert.That(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), Is.True);
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "compare-full.png"), FullPage = true });

        Assert.That(problems, Is.Empty, "console errors (a CSP violation is one)");
        Assert.That(requests, Is.EqualTo(new[] { url }), "no request but the page itself");
        Directory.Delete(dir, recursive: true);
    }
}
