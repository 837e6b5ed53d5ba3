using System.Text.Json;
using Deque.AxeCore.Playwright;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// The «Сигналы / Signals» page and the dashboard's summary of signals (issue 13) against a service
/// that has signals (<see cref="SignalsSite"/>): the page lists exactly the published signals, its
/// filters narrow the list, an entry link points at that entry of the log, a phone does not scroll
/// sideways, axe finds nothing serious, and the dashboard shows the summary's numbers.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class SignalsPageTests(SiteFixture site, SignalsSite signals, ITestOutputHelper output) : IClassFixture<SignalsSite>
{
    private const string Listed = "#signal-list article.signal";

    [Fact]
    public async Task Page_ListsEveryPublishedSignal_WithItsEntriesAndTimeline()
    {
        using var doc = await signals.DocumentAsync();
        var all = doc.RootElement.GetProperty("signals").EnumerateArray().ToList();
        all.Select(s => s.GetProperty("kind").GetString()).Should().Contain(["capacity-cut-before-round", "exceptional-enrolments"]);

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await session.GotoAsync("/signals.html");
            await Expect(page.Locator(Listed)).ToHaveCountAsync(all.Count);
            foreach (var s in all)
            {
                var id = s.GetProperty("id").GetString()!;
                var card = page.Locator($"article#{id}");
                await Expect(card).ToHaveAttributeAsync("data-status", s.GetProperty("status").GetString()!);
                var entries = s.GetProperty("entries").EnumerateArray().Select(e => e.GetInt64().ToString()).ToList();
                (await card.Locator("[data-field='entries'] a.entry-link").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.seq)"))
                    .Should().Equal(entries, $"{id} lists the entries behind it");
                await Expect(card.Locator("ol.timeline > li")).ToHaveCountAsync(s.GetProperty("timeline").GetArrayLength());
            }

            var explained = all.Single(s => s.GetProperty("id").GetString() == signals.CutSignal);
            explained.GetProperty("status").GetString().Should().Be("explained");
            var card2 = page.Locator($"article#{explained.GetProperty("id").GetString()}");
            await Expect(card2.Locator("ol.timeline")).ToContainTextAsync(SignalsSite.Explanation);
            await Expect(card2.Locator("[data-field='first-response']")).Not.ToHaveTextAsync("ответа ещё нет");
            await Expect(page.Locator("#atom-link")).ToHaveAttributeAsync("href", "/api/v1/public/signals.atom");
            await Expect(page.Locator("#site-header nav a[aria-current='page']")).ToHaveAttributeAsync("href", "/signals.html");
        }, baseAddress: signals.BaseAddress);
    }

    [Fact]
    public async Task Filters_NarrowTheList_ByKindStatusDistrictAndKindergarten()
    {
        using var doc = await signals.DocumentAsync();
        var all = doc.RootElement.GetProperty("signals").EnumerateArray().ToList();
        int Count(Func<JsonElement, bool> where) => all.Count(where);
        static string? Subject(JsonElement s, string key) =>
            s.GetProperty("subject").TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await session.GotoAsync("/signals.html");
            var cards = page.Locator(Listed);
            await Expect(cards).ToHaveCountAsync(all.Count);

            await page.SelectOptionAsync("#filter-kind", "exceptional-enrolments");
            await Expect(cards).ToHaveCountAsync(Count(s => s.GetProperty("kind").GetString() == "exceptional-enrolments"));
            (await cards.EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.kind)")).Should().OnlyContain(k => k == "exceptional-enrolments");
            await page.SelectOptionAsync("#filter-kind", "");

            await page.SelectOptionAsync("#filter-status", "explained");
            await Expect(cards).ToHaveCountAsync(Count(s => s.GetProperty("status").GetString() == "explained"));
            await page.SelectOptionAsync("#filter-status", "new");
            await Expect(cards).ToHaveCountAsync(Count(s => s.GetProperty("status").GetString() == "new"));
            await page.SelectOptionAsync("#filter-status", "");

            await page.SelectOptionAsync("#filter-district", SignalsSite.District);
            var inDistrict = Count(s => Subject(s, "district") == SignalsSite.District);
            inDistrict.Should().BeLessThan(all.Count, "the region-wide cut has no district");
            await Expect(cards).ToHaveCountAsync(inDistrict);
            page.Url.Should().Contain($"district={SignalsSite.District}", "the filter is kept in the address");
            await page.SelectOptionAsync("#filter-district", "");

            await page.SelectOptionAsync("#filter-kindergarten", SignalsSite.Kindergarten);
            await Expect(cards).ToHaveCountAsync(Count(s => Subject(s, "kindergarten") == SignalsSite.Kindergarten));
            (await cards.EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.kindergarten)")).Should().OnlyContain(k => k == SignalsSite.Kindergarten);

            // Two filters together: nothing explained at that kindergarten.
            await page.SelectOptionAsync("#filter-status", "explained");
            await Expect(cards).ToHaveCountAsync(Count(s => Subject(s, "kindergarten") == SignalsSite.Kindergarten && s.GetProperty("status").GetString() == "explained"));
        }, baseAddress: signals.BaseAddress);
    }

    [Fact]
    public async Task EntryLink_OpensThatEntryOfTheLog()
    {
        using var doc = await signals.DocumentAsync();
        var cut = doc.RootElement.GetProperty("signals").EnumerateArray().Single(s => s.GetProperty("id").GetString() == signals.CutSignal);
        var seq = cut.GetProperty("entries")[0].GetInt64();

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await session.GotoAsync("/signals.html");
            var link = page.Locator($"article#{cut.GetProperty("id").GetString()} [data-field='entries'] a[data-seq='{seq}']");
            await Expect(link).ToBeVisibleAsync();
            // The log answers NDJSON, which a browser saves rather than shows: follow the link's address in the page's context.
            var href = await link.EvaluateAsync<string>("a => a.href");
            var response = await page.APIRequest.GetAsync(href);
            response.Status.Should().Be(200);
            var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            using var entry = JsonDocument.Parse(lines.Should().ContainSingle().Subject);
            entry.RootElement.GetProperty("seq").GetInt64().Should().Be(seq);
            entry.RootElement.GetProperty("type").GetString().Should().Be("capacity.loaded", "the entry behind a capacity cut is the load that cut");
        }, baseAddress: signals.BaseAddress);
    }

    [Fact]
    public Task Phone_375px_HasNoHorizontalOverflow() => site.RunAsync(async session =>
    {
        await session.GotoAsync("/signals.html");
        await Expect(session.Page.Locator(Listed).First).ToBeVisibleAsync();
        var widths = await session.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], "the signals page on a 375 px phone must not scroll sideways");
    }, "phone", new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 375, Height = 812 },
        IsMobile = true,
        HasTouch = true,
        DeviceScaleFactor = 2,
    }, signals.BaseAddress);

    [Theory]
    [InlineData("/signals.html")]
    [InlineData("/signals.html?lang=en&status=explained")]
    [InlineData("/")]
    public Task Axe_FindsNoSeriousOrCriticalViolations_WithSignals(string path) => site.RunAsync(async session =>
    {
        await session.GotoAsync(path);
        await session.Page.WaitForFunctionAsync("() => !!document.querySelector('#signal-list article, #signals-summary .figures')");
        var result = await session.Page.RunAxe();
        foreach (var v in result.Violations) output.WriteLine($"{v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length})");
        result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}")
            .Should().BeEmpty($"{path} must have no serious or critical accessibility violation");
        (await session.ProblemsAsync()).Should().BeEmpty("the page runs under the site's CSP without errors");
    }, path == "/" ? "dashboard" : path.Contains("lang=en") ? "en" : "ru", baseAddress: signals.BaseAddress);

    [Fact]
    public async Task Dashboard_SummaryShowsTheNumbersTheApiGives_AndLinksToThePage()
    {
        using var doc = await signals.DocumentAsync();
        var summary = doc.RootElement.GetProperty("summary");
        var total = summary.GetProperty("total");
        var first = summary.GetProperty("firstResponse");

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await session.GotoAsync("/");
            var block = page.Locator("#signals-summary");
            await Expect(block.Locator(".figures")).ToBeVisibleAsync();
            foreach (var status in new[] { "total", "new", "investigating", "explained", "confirmed" })
                await Expect(block.Locator($"[data-metric='signals.{status}'] .value")).ToHaveTextAsync(total.GetProperty(status).GetInt64().ToString(), new() { UseInnerText = true });
            var withinHour = first.GetProperty("withinOneHour").GetInt64();
            var share = (long)Math.Round(100.0 * withinHour / total.GetProperty("total").GetInt64(), MidpointRounding.AwayFromZero);
            (await block.Locator("[data-metric='signals.withinHour'] .value").InnerTextAsync()).Replace('\u00a0', ' ').Should().Be($"{share} %");
            await Expect(block.Locator("[data-metric='signals.withinHour'] .label")).ToContainTextAsync($"{withinHour} из {total.GetProperty("total").GetInt64()}");
            var median = first.GetProperty("medianSeconds");
            median.ValueKind.Should().Be(JsonValueKind.Number, "one signal was answered");
            var expected = median.GetInt64() < 60 ? "меньше минуты" : $"{median.GetInt64() / 60} мин";
            if (median.GetInt64() < 3600) (await block.Locator("[data-metric='signals.median'] .value").InnerTextAsync()).Should().Be(expected);
            if (summary.GetProperty("confirmedByMonth").GetArrayLength() == 0) await Expect(page.Locator("#confirmed-none")).ToBeVisibleAsync();
            await page.ClickAsync("#signals-page-link");
            await page.WaitForURLAsync("**/signals.html");
            await Expect(page.Locator(Listed)).ToHaveCountAsync(doc.RootElement.GetProperty("signals").GetArrayLength());
        }, baseAddress: signals.BaseAddress);
    }
}
