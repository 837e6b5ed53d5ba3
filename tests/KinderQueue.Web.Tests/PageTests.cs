using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// What every page of the public site must do whatever its content: load cleanly under the strict
/// CSP, switch language without a reload, fit a phone, work from the keyboard, pass axe.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class PageTests(SiteFixture site, ITestOutputHelper output)
{
    private const string HeadingFilled = "() => { const h = document.querySelector('h1'); return !!h && h.textContent.trim().length > 0; }";

    [Theory]
    [MemberData(nameof(SitePages.All), MemberType = typeof(SitePages))]
    public Task Page_Loads_WithHeading_WithoutConsoleErrorsOrCspViolations(string path, string name) => site.RunAsync(async session =>
    {
        var response = await session.GotoAsync(path);

        response.Status.Should().Be(200, $"{path} is a page of the site");
        await session.Page.WaitForFunctionAsync(HeadingFilled);
        var problems = await session.ProblemsAsync();
        foreach (var p in problems) output.WriteLine(p);
        problems.Should().BeEmpty($"{path} must run under the site's CSP without errors");
    }, name);

    [Fact]
    public Task LanguageSwitch_TurnsThePageEnglishWithoutReload_AndIsRemembered() => site.RunAsync(async session =>
    {
        var page = session.Page;
        var html = page.Locator("html");
        var nav = page.Locator("#site-header nav");

        await session.GotoAsync("/");
        await Expect(html).ToHaveAttributeAsync("lang", "ru");
        await Expect(nav).ToContainTextAsync("Статистика очереди");

        await page.EvaluateAsync("() => { window.__kqSamePage = true; }");
        await page.ClickAsync("#lang-switch");
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(nav).ToContainTextAsync("Queue statistics");
        (await page.EvaluateAsync<bool>("() => window.__kqSamePage === true")).Should().BeTrue("the switch must not reload the page");

        await session.GotoAsync("/position.html");
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(nav).ToContainTextAsync("Queue statistics");

        await page.ClickAsync("#lang-switch");
        await Expect(html).ToHaveAttributeAsync("lang", "ru");
        await Expect(nav).ToContainTextAsync("Статистика очереди");
    });

    [Theory]
    [MemberData(nameof(SitePages.All), MemberType = typeof(SitePages))]
    public Task Phone_HasNoHorizontalScroll(string path, string name) => site.RunAsync(async session =>
    {
        await session.GotoAsync(path);
        await session.Page.WaitForFunctionAsync(HeadingFilled);

        var widths = await session.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (widths[0] > widths[1])
        {
            // Name the culprits: elements whose right edge is past the viewport, in document order.
            var wide = await session.Page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 8)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().replace(/\s+/g, '.') : '')
                    + ' right=' + Math.round(e.getBoundingClientRect().right))");
            foreach (var w in wide) output.WriteLine(w);
        }
        widths[0].Should().BeLessThanOrEqualTo(widths[1], $"{path} on a 390 px phone must not scroll sideways (scrollWidth {widths[0]}, innerWidth {widths[1]})");
    }, name, new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        IsMobile = true,
        HasTouch = true,
        DeviceScaleFactor = 2,
    });

    [Theory]
    [MemberData(nameof(SitePages.All), MemberType = typeof(SitePages))]
    public Task Keyboard_FirstTabReachesSkipLink_AndEnterMovesFocusToMain(string path, string name) => site.RunAsync(async session =>
    {
        var page = session.Page;
        await session.GotoAsync(path);

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("a.skip")).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main#main")).ToBeFocusedAsync();
    }, name);

    [Theory]
    [MemberData(nameof(SitePages.All), MemberType = typeof(SitePages))]
    public Task Axe_FindsNoSeriousOrCriticalViolations(string path, string name) => site.RunAsync(async session =>
    {
        await session.GotoAsync(path);
        await session.Page.WaitForFunctionAsync(HeadingFilled);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await session.Page.RunAxe();
        output.WriteLine($"axe took {clock.ElapsedMilliseconds} ms");

        // Everything axe reports goes to the test output; only serious and critical ones fail the test.
        foreach (var v in result.Violations) output.WriteLine(Describe(v));
        result.Violations.Where(v => v.Impact is "serious" or "critical").Select(Describe)
            .Should().BeEmpty($"{path} must have no serious or critical accessibility violation");
    }, name);

    private static string Messages(AxeResultNode node) =>
        string.Join(" | ", new[] { node.Any, node.All, node.None }.SelectMany(checks => checks ?? []).Select(c => c.Message));

    private static string Describe(AxeResultItem v) =>
        $"{v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length} elements) — {string.Join("; ", v.Nodes.Take(5).Select(n => $"{n.Target} {Messages(n)}"))}";
}
