using Microsoft.Playwright;

namespace Dukaan.Reporting.Tests.Browser;

/// <summary>
/// The conversation panel in Debian's Chromium over file://: the bubbles read top to bottom with the buyer on the
/// right, the edit history opens, the muted push is greyed, and agent text that looks like markup stays text.
/// Each test also proves the page made no request, logged no error and opened no dialog.
/// </summary>
[NonParallelizable]
public sealed class ConversationBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly int ChatIndex = FixtureResults.Scenarios().Count;

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _url = "";
    private readonly List<IBrowserContext> _contexts = [];

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("browser not started");

    [OneTimeSetUp]
    public async Task StartBrowserAndWriteReport()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Fail($"{ChromiumPath} is missing, so the HTML report cannot be tested in a browser. Install it with: apt-get update && apt-get install -y chromium");
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-chat-report");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        _url = new Uri(ReportSet.Write(ChatRun.Chatting(), dir, [FixtureResults.CanaryKey]).IndexHtml).AbsoluteUri;
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

    private async Task<(IPage Page, List<string> Problems, List<string> Requests)> OpenAsync(BrowserNewContextOptions? options = null, string fragment = "")
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add("console: " + message.Text); };
        page.PageError += (_, error) => problems.Add("pageerror: " + error);
        // An alert() from injected text would block the page; record it and get it out of the way.
        page.Dialog += async (_, dialog) =>
        {
            problems.Add("dialog: " + dialog.Message);
            await dialog.DismissAsync();
        };
        page.Request += (_, request) => requests.Add(request.Url);
        await page.GotoAsync(_url + fragment);
        return (page, problems, requests);
    }

    private void AssertClean(List<string> problems, List<string> requests)
    {
        Assert.That(problems, Is.Empty, "console errors, page errors or dialogs");
        Assert.That(requests.Where(u => !u.StartsWith(_url, StringComparison.Ordinal)), Is.Empty, "requests other than the report itself");
    }

    private static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    private static ILocator Bubbles(IPage page) => page.GetByTestId($"chat-{ChatIndex}-0").Locator("li.bubble");

    [Test]
    public async Task The_conversation_reads_in_order_with_the_buyer_on_the_right()
    {
        var (page, problems, requests) = await OpenAsync();
        var panel = page.GetByTestId($"conversation-{ChatIndex}");
        await panel.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(panel.Locator("h4")).ToHaveTextAsync("Conversation");

        await Assertions.Expect(Bubbles(page)).ToHaveCountAsync(6);
        var froms = await Bubbles(page).EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.from)");
        Assert.That(froms, Is.EqualTo(new[] { "buyer", "agent", "buyer", "agent", "push", "push" }));
        var texts = await Bubbles(page).EvaluateAllAsync<string[]>("bs => bs.map(b => b.querySelector('.bubble__text').textContent)");
        Assert.That(texts, Is.EqualTo(ChatRun.Bubbles().Select(b => b.Text).ToArray()));

        // Drawn as a chat: each bubble below the one before, the buyer's against the right edge, the agent's the left.
        var boxes = new List<LocatorBoundingBoxResult>();
        foreach (var bubble in await Bubbles(page).AllAsync()) boxes.Add((await bubble.BoundingBoxAsync())!);
        Assert.That(boxes.Select(b => b.Y), Is.Ordered.Ascending);
        Assert.That(boxes[0].X + boxes[0].Width, Is.GreaterThan(boxes[1].X + boxes[1].Width + 20), "buyer bubble ends further right");
        Assert.That(boxes[0].X, Is.GreaterThan(boxes[1].X + 20), "agent bubble starts further left");

        await Assertions.Expect(page.GetByTestId($"bubble-{ChatIndex}-0-3").GetByTestId("attachment")).ToContainTextAsync("sales-week-48 <b>.csv");
        await Assertions.Expect(page.GetByTestId($"bubble-{ChatIndex}-0-5").GetByTestId("push-category")).ToHaveTextAsync("alert");
        await Assertions.Expect(page.GetByTestId($"bubble-{ChatIndex}-0-2").GetByTestId("unsupported-block")).ToHaveTextAsync("unsupported block: chart");
        await Assertions.Expect(page.GetByTestId($"bubble-{ChatIndex}-0-2").Locator("progress")).ToHaveAttributeAsync("value", "0.5");

        await panel.ScreenshotAsync(new() { Path = ScreenshotPath("conversation.png") });
        AssertClean(problems, requests);
    }

    [Test]
    public async Task A_replaced_reply_opens_to_its_earlier_text_and_the_muted_push_is_greyed()
    {
        var (page, problems, requests) = await OpenAsync();
        var replaced = page.GetByTestId($"bubble-{ChatIndex}-0-2");
        var edited = replaced.GetByTestId("edited");
        await edited.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(edited.Locator("summary")).ToHaveTextAsync("edited 1×");
        var earlier = edited.Locator(".bubble__earlier");
        await Assertions.Expect(earlier).ToBeHiddenAsync();
        await edited.Locator("summary").ClickAsync();
        await Assertions.Expect(earlier).ToBeVisibleAsync();
        await Assertions.Expect(earlier).ToHaveTextAsync("working…");
        await Assertions.Expect(replaced.Locator(".bubble__text")).ToHaveTextAsync("Done ✓ sales are up 12%");

        var muted = page.GetByTestId($"bubble-{ChatIndex}-0-6");
        await Assertions.Expect(muted.GetByTestId("muted-push")).ToHaveTextAsync("muted — not shown to the buyer");
        // Greyed by the stylesheet, which the CSP let through; the visible push next to it is not.
        Assert.That(await muted.EvaluateAsync<double>("b => +getComputedStyle(b).opacity"), Is.LessThan(1));
        Assert.That(await page.GetByTestId($"bubble-{ChatIndex}-0-5").EvaluateAsync<double>("b => +getComputedStyle(b).opacity"), Is.EqualTo(1));
        AssertClean(problems, requests);
    }

    [Test]
    public async Task Markup_in_bubbles_is_shown_as_text_and_never_runs_even_with_the_csp_bypassed()
    {
        var (page, problems, requests) = await OpenAsync(new BrowserNewContextOptions { BypassCSP = true, ViewportSize = new() { Width = 1280, Height = 900 } });
        await Assertions.Expect(page.GetByTestId($"bubble-{ChatIndex}-0-4").GetByTestId("bubble-text")).ToHaveTextAsync(ChatRun.ScriptReply);
        var replaced = page.GetByTestId($"bubble-{ChatIndex}-0-2");
        await Assertions.Expect(replaced.Locator(".block--text")).ToHaveTextAsync(ChatRun.HostileBlockText);
        await Assertions.Expect(replaced.Locator(".chat-button")).ToHaveAttributeAsync("title", "action: reset · asks first: " + ChatRun.HostileConfirm);
        Assert.Multiple(async () =>
        {
            Assert.That(await page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"), Is.True, "an injected script ran");
            Assert.That(await page.Locator("script").CountAsync(), Is.EqualTo(1));
            Assert.That(await page.Locator("img, [onerror], .conversation b").CountAsync(), Is.Zero);
        });
        AssertClean(problems, requests);
    }

    [Test]
    public async Task The_chat_rule_links_to_the_conversation()
    {
        var (page, problems, requests) = await OpenAsync(fragment: "#rule-DK-CHAT-01");
        var link = page.GetByTestId("conversation-link-DK-CHAT-01-1");
        await Assertions.Expect(link).ToBeVisibleAsync();
        await link.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(_url + "#scenario-chat-conversation-conversation");
        await Assertions.Expect(page.GetByTestId($"conversation-{ChatIndex}")).ToBeInViewportAsync();
        AssertClean(problems, requests);
    }

    [Test]
    public async Task Dark_and_narrow_layouts_keep_the_bubbles_readable()
    {
        var (page, problems, requests) = await OpenAsync(new BrowserNewContextOptions { ColorScheme = ColorScheme.Dark, ViewportSize = new() { Width = 420, Height = 900 } });
        var buyer = page.GetByTestId($"bubble-{ChatIndex}-0-1");
        await buyer.ScrollIntoViewIfNeededAsync();
        var (fg, bg) = (await buyer.EvaluateAsync<string>("b => getComputedStyle(b).color"), await buyer.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.That(fg, Is.Not.EqualTo(bg));
        Assert.That(bg, Is.Not.EqualTo("rgb(221, 244, 255)"), "the dark palette, not the light one");
        var panel = page.GetByTestId($"conversation-{ChatIndex}");
        var width = await panel.EvaluateAsync<double>("p => p.scrollWidth - p.clientWidth");
        Assert.That(width, Is.LessThanOrEqualTo(1), "no sideways scrolling on a phone");
        await panel.ScreenshotAsync(new() { Path = ScreenshotPath("conversation-dark-narrow.png") });
        AssertClean(problems, requests);
    }
}
