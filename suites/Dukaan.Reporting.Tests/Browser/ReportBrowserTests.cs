using Dukaan.Conformance;
using Microsoft.Playwright;

namespace Dukaan.Reporting.Tests.Browser;

/// <summary>
/// The report in a real browser: Debian's Chromium driven by Playwright, the page opened from disk over file://,
/// exactly as a seller opens it. Each test also proves the page made no request and logged no error.
/// </summary>
[NonParallelizable]
public sealed class ReportBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _dir = "";
    private string _url = "";
    private readonly List<IBrowserContext> _contexts = [];

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("browser not started");

    [OneTimeSetUp]
    public async Task StartBrowserAndWriteReport()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"{ChromiumPath} is missing, so the HTML report cannot be tested in a browser. These tests drive Debian's Chromium " +
                "(Playwright's own browser download cannot work here). Install it with: apt-get update && apt-get install -y chromium");
        }
        _dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-report");
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        var paths = ReportSet.Write(FixtureResults.Failing(), _dir, [FixtureResults.CanaryKey, FixtureResults.WebhookSecret]);
        _url = new Uri(paths.IndexHtml).AbsoluteUri;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
    }

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    [TearDown]
    public async Task CloseContexts()
    {
        foreach (var context in _contexts) await context.DisposeAsync();
        _contexts.Clear();
    }

    private sealed class Watch
    {
        public List<string> Problems { get; } = [];
        public List<string> Requests { get; } = [];
    }

    private async Task<(IPage Page, Watch Watch)> OpenAsync(BrowserNewContextOptions? options = null, string fragment = "", string? initScript = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var watch = new Watch();
        page.Console += (_, message) => { if (message.Type == "error") watch.Problems.Add("console: " + message.Text); };
        page.PageError += (_, error) => watch.Problems.Add("pageerror: " + error);
        page.Request += (_, request) => watch.Requests.Add(request.Url);
        if (initScript is not null) await page.AddInitScriptAsync(initScript);
        await page.GotoAsync(_url + fragment);
        return (page, watch);
    }

    /// <summary>The page is quiet: no script errors, no CSP violations, and no request but the page itself.</summary>
    private void AssertClean(Watch watch)
    {
        Assert.That(watch.Problems, Is.Empty, "console errors or page errors");
        Assert.That(watch.Requests.Where(u => !string.Equals(u, _url, StringComparison.Ordinal) && !u.StartsWith(_url + "#", StringComparison.Ordinal)), Is.Empty, "requests other than the report itself");
    }

    private static ILocator Rows(IPage page) => page.Locator("[data-testid^='rule-row-']");

    private static ILocator VisibleRows(IPage page) => page.Locator("[data-testid^='rule-row-']:visible");

    private static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    [Test]
    public async Task Banner_says_not_certified_with_the_counts_and_a_screenshot_is_taken()
    {
        var (page, watch) = await OpenAsync();
        var banner = page.GetByTestId("banner");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("banner-verdict")).ToHaveTextAsync("Not certified");
        await Assertions.Expect(page.GetByTestId("count-fail")).ToHaveTextAsync("4 fail");
        await Assertions.Expect(page.GetByTestId("count-harness-error")).ToHaveTextAsync("1 harness error");
        await Assertions.Expect(page.GetByTestId("count-warn")).ToHaveTextAsync("3 warn");
        await Assertions.Expect(page.GetByTestId("count-not-exercised")).ToHaveTextAsync("7 not exercised");
        await Assertions.Expect(page.GetByTestId("count-pass")).ToHaveTextAsync("18 pass");
        await Assertions.Expect(page.GetByTestId("meta-seed")).ToHaveTextAsync("4242");
        await Assertions.Expect(page.GetByTestId("visible-count")).ToHaveTextAsync("33 of 33 rules");
        Assert.That(await Rows(page).CountAsync(), Is.EqualTo(33));
        // The banner is the first thing a reader sees.
        var box = await banner.BoundingBoxAsync();
        Assert.That(box, Is.Not.Null);
        Assert.That(box!.Y, Is.LessThan(60));

        var shot = ScreenshotPath("report-full.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        Assert.That(new FileInfo(shot).Length, Is.GreaterThan(20_000));
        await page.SetViewportSizeAsync(420, 900);
        await page.ScreenshotAsync(new() { Path = ScreenshotPath("report-narrow.png") });
        AssertClean(watch);
    }

    [Test]
    public async Task Fail_filter_shows_only_failing_rows_and_level_filter_combines_with_it()
    {
        var (page, watch) = await OpenAsync();
        await page.GetByTestId("filter-verdict-fail").ClickAsync();

        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(4);
        var verdicts = await VisibleRows(page).EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.verdict)");
        Assert.That(verdicts, Is.All.EqualTo("fail"));
        await Assertions.Expect(page.GetByTestId("rule-row-DK-SIG-02")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("area-heartbeat")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("filter-verdict-fail")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.GetByTestId("visible-count")).ToHaveTextAsync("4 of 33 rules");

        // fail AND SHOULD: none in the fixture, so the empty state shows.
        await page.GetByTestId("filter-level-should").ClickAsync();
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("no-match")).ToBeVisibleAsync();

        await page.GetByTestId("filter-verdict-all").ClickAsync();
        var shouldCount = FixtureResults.Rules().Count(r => r.Level == RuleLevel.Should);
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(shouldCount);
        var levels = await VisibleRows(page).EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.level)");
        Assert.That(levels, Is.All.EqualTo("SHOULD"));

        // Clicking the active level again clears it.
        await page.GetByTestId("filter-level-should").ClickAsync();
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(33);
        await Assertions.Expect(page.GetByTestId("no-match")).ToBeHiddenAsync();
        AssertClean(watch);
    }

    [Test]
    public async Task Search_box_matches_id_title_and_diagnosis()
    {
        var (page, watch) = await OpenAsync();
        var search = page.GetByTestId("search");

        await search.FillAsync("DK-SIG");
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(6);

        await search.FillAsync("heartbeats");
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(2);

        // Only in DK-SIG-05's diagnosis.
        await search.FillAsync("timingSafeEqual");
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("rule-row-DK-SIG-05")).ToBeVisibleAsync();

        // Several words must all match, in any order.
        await search.FillAsync("milliseconds seconds");
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("rule-row-DK-CFG-02")).ToBeVisibleAsync();

        await search.FillAsync("DK-SIG");
        await page.GetByTestId("filter-verdict-pass").ClickAsync();
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(4);

        await search.FillAsync("no such rule anywhere");
        await Assertions.Expect(page.GetByTestId("no-match")).ToBeVisibleAsync();

        await search.FillAsync("");
        await page.GetByTestId("filter-verdict-all").ClickAsync();
        await Assertions.Expect(VisibleRows(page)).ToHaveCountAsync(33);
        AssertClean(watch);
    }

    [Test]
    public async Task Expanding_a_rule_shows_diagnosis_comparison_and_numbered_transcript()
    {
        var (page, watch) = await OpenAsync();
        var details = page.GetByTestId("rule-details-DK-SIG-01");
        await Assertions.Expect(details).ToBeHiddenAsync();

        await page.GetByTestId("rule-toggle-DK-SIG-01").ClickAsync();
        await Assertions.Expect(details).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("diagnosis-DK-SIG-01")).ToContainTextAsync("Probably hashes re-serialized JSON");
        await Assertions.Expect(page.GetByTestId("expected-DK-SIG-01")).ToContainTextAsync("non-canonical body");
        await Assertions.Expect(page.GetByTestId("observed-DK-SIG-01")).ToContainTextAsync("no /config fetch within 30 s");

        var entries = page.GetByTestId("transcript-DK-SIG-01").Locator("li.tx");
        await Assertions.Expect(entries).ToHaveCountAsync(2);
        var second = page.GetByTestId("transcript-entry-DK-SIG-01-2");
        await Assertions.Expect(second).ToContainTextAsync("platform → agent");
        await Assertions.Expect(second).ToContainTextAsync("POST");
        await Assertions.Expect(second).ToContainTextAsync("/webhooks/agentdukaan");
        await Assertions.Expect(second.Locator(".status")).ToHaveTextAsync("401");
        await Assertions.Expect(second).ToContainTextAsync("12.7 ms");
        // Pretty-printed JSON, with the integer above 2^53 untouched.
        await Assertions.Expect(second.Locator("pre[data-kind='json']").First).ToContainTextAsync("\"orderRef\": 9007199254740993");

        var request = second.Locator("[data-side='request']");
        var raw = request.Locator("pre[data-kind='raw']");
        await Assertions.Expect(raw).ToBeHiddenAsync();
        await request.GetByText("Raw body as sent").ClickAsync();
        await Assertions.Expect(raw).ToBeVisibleAsync();
        await Assertions.Expect(raw).ToContainTextAsync("\"buyer\": \"Ren\\u00e9e\"");

        await request.GetByText("Headers (3)").ClickAsync();
        await Assertions.Expect(request.Locator("table.headers")).ToContainTextAsync("X-AgentDukaan-Ts");
        await Assertions.Expect(second.Locator("[data-side='response'] pre[data-kind='json']")).ToContainTextAsync("\"error\": \"bad signature\"");

        await page.ScreenshotAsync(new() { Path = ScreenshotPath("report-rule-expanded.png"), FullPage = false });
        await page.GetByTestId("rule-row-DK-SIG-01").ScreenshotAsync(new() { Path = ScreenshotPath("rule-DK-SIG-01.png") });

        // The row toggles closed again.
        await page.GetByTestId("rule-toggle-DK-SIG-01").ClickAsync();
        await Assertions.Expect(details).ToBeHiddenAsync();
        AssertClean(watch);
    }

    [Test]
    public async Task Copy_button_puts_the_rerun_command_on_the_clipboard()
    {
        var (page, watch) = await OpenAsync(new BrowserNewContextOptions { Permissions = ["clipboard-read", "clipboard-write"] });
        await page.GetByTestId("rule-toggle-DK-SIG-01").ClickAsync();
        var copy = page.GetByTestId("copy-rerun-DK-SIG-01");
        await copy.ClickAsync();
        await Assertions.Expect(copy).ToHaveTextAsync("Copied");
        Assert.That(await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(FixtureResults.RerunSig01));
        // The feedback is temporary.
        await Assertions.Expect(copy).ToHaveTextAsync("Copy", new() { Timeout = 5_000 });
        AssertClean(watch);
    }

    [Test]
    public async Task Copy_falls_back_to_selection_and_execCommand_without_the_clipboard_api()
    {
        // Simulates a browser that withholds the async clipboard: the command is selected and execCommand('copy') used.
        const string init = """
            Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
            window.__copied = [];
            const original = Document.prototype.execCommand;
            Document.prototype.execCommand = function (name, ...rest) {
              window.__copied.push({ name, selection: String(window.getSelection()) });
              return original.call(this, name, ...rest);
            };
            """;
        var (page, watch) = await OpenAsync(initScript: init);
        await page.GetByTestId("rule-toggle-DK-SIG-01").ClickAsync();
        await page.GetByTestId("copy-rerun-DK-SIG-01").ClickAsync();
        await Assertions.Expect(page.GetByTestId("copy-rerun-DK-SIG-01")).ToHaveTextAsync("Copied");
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.__copied)");
        var calls = System.Text.Json.JsonSerializer.Deserialize<CopyCall[]>(json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.That(calls, Has.Length.EqualTo(1));
        Assert.That(calls[0].Name, Is.EqualTo("copy"));
        Assert.That(calls[0].Selection, Is.EqualTo(FixtureResults.RerunSig01));
        AssertClean(watch);
    }

    private sealed record CopyCall(string Name, string Selection);

    [Test]
    public async Task Hostile_agent_output_is_shown_as_text_and_never_runs_even_with_the_csp_bypassed()
    {
        // BypassCSP proves the escaping alone holds; the CSP is a second wall, not the only one.
        var (page, watch) = await OpenAsync(new BrowserNewContextOptions { BypassCSP = true });
        await page.GetByTestId("expand-all").ClickAsync();
        foreach (var sub in await page.Locator("details.sub").AllAsync()) await sub.EvaluateAsync("d => d.open = true");

        var sig05 = page.GetByTestId("transcript-entry-DK-SIG-05-2");
        await Assertions.Expect(sig05).ToContainTextAsync("</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">");
        await Assertions.Expect(sig05.Locator("table.headers").First).ToContainTextAsync(FixtureResults.HostileHeader);
        Assert.Multiple(async () =>
        {
            Assert.That(await page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"), Is.True, "an injected script ran");
            Assert.That(await page.Locator("img").CountAsync(), Is.Zero);
            Assert.That(await page.Locator("script").CountAsync(), Is.EqualTo(1));
            Assert.That(await page.Locator("svg [onload], [onerror]").CountAsync(), Is.Zero);
        });
        AssertClean(watch);
    }

    [Test]
    public async Task The_page_enforces_its_content_security_policy()
    {
        var (page, watch) = await OpenAsync();
        // With the CSP in force, even a script added to the DOM at run time is refused.
        var ran = await page.EvaluateAsync<bool>("""
            () => { const s = document.createElement('script'); s.textContent = 'window.__injected = true'; document.body.appendChild(s); return window.__injected === true; }
            """);
        Assert.That(ran, Is.False);
        Assert.That(watch.Problems, Has.Some.Contains("Content Security Policy"), "the refusal is what the browser reports");
    }

    [Test]
    public async Task Scenario_timelines_are_drawn_with_a_mark_per_event_and_tooltips()
    {
        var (page, watch) = await OpenAsync();
        var svgs = page.GetByTestId("timeline-svg");
        await Assertions.Expect(svgs).ToHaveCountAsync(6);
        var events = FixtureResults.Scenarios().Sum(s => s.Events.Count);
        Assert.That(await page.Locator("svg g.mark").CountAsync(), Is.EqualTo(events));
        Assert.That(await page.Locator("svg g.mark > title").CountAsync(), Is.EqualTo(events));
        Assert.That(await page.Locator("svg g.mark[data-status='bad']").CountAsync(), Is.GreaterThanOrEqualTo(2));
        var first = svgs.First;
        Assert.That(await first.EvaluateAsync<double>("s => s.getBoundingClientRect().width"), Is.GreaterThan(600));
        await first.ScrollIntoViewIfNeededAsync();
        await first.ScreenshotAsync(new() { Path = ScreenshotPath("timeline-deliveries.png") });
        await page.Locator("section.scenarios").ScreenshotAsync(new() { Path = ScreenshotPath("scenarios.png") });
        AssertClean(watch);
    }

    [Test]
    public async Task A_link_to_a_rule_opens_it()
    {
        var (page, watch) = await OpenAsync(fragment: "#rule-DK-CFG-02");
        await Assertions.Expect(page.GetByTestId("rule-details-DK-CFG-02")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("diagnosis-DK-CFG-02")).ToContainTextAsync("Sends seconds, not milliseconds");
        AssertClean(watch);
    }

    [Test]
    public async Task Clicking_everything_stays_quiet()
    {
        var (page, watch) = await OpenAsync();
        foreach (var button in await page.Locator("[data-filter]").AllAsync()) await button.ClickAsync();
        await page.GetByTestId("filter-verdict-all").ClickAsync();
        await page.GetByTestId("filter-level-all").ClickAsync();
        await page.GetByTestId("expand-all").ClickAsync();
        await Assertions.Expect(page.Locator(".rule__body:visible")).ToHaveCountAsync(33);
        await page.Locator("svg g.mark").First.HoverAsync();
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.GetByTestId("search")).ToBeFocusedAsync();
        await page.GetByTestId("collapse-all").ClickAsync();
        await Assertions.Expect(page.Locator(".rule__body:visible")).ToHaveCountAsync(0);
        AssertClean(watch);
    }
}
