using System.Text.Json;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// The dashboard against the demo region: every number a table shows is the number the public API
/// publishes for that cell (or its marker), so the page can neither lose nor invent a figure.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class DashboardPageTests(SiteFixture site)
{
    [Fact]
    public async Task Tables_ShowTheApisNumbers_CellForCell()
    {
        using var api = await DashboardAsync();
        var d = api.RootElement;

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var page = session.Page;
            await Expect(page.Locator("#groups-table")).ToBeVisibleAsync();

            // Headline figures: the region's totals; one hidden by secondary suppression shows the floor
            // anyone can add up from the published age-group totals.
            var region = d.GetProperty("queues").GetProperty("region");
            foreach (var measure in Measures)
            {
                var total = Total(region.GetProperty(measure));
                var groups = d.GetProperty("queues").GetProperty("regionByGroup").EnumerateArray().Select(g => Total(g.GetProperty(measure))).ToList();
                var floor = groups.Sum(g => g.Value ?? 0);
                var expected = total.Value is null && total.Marker == "hidden" && floor > 0
                    ? "не меньше " + Shown(new Cell(floor, null))
                    : Shown(total);
                (await Text(page.Locator($"[data-metric='region.{measure}'] .value"))).Should().Be(expected, $"region {measure}");
            }

            // Age group × tier, waiting now (the default measure).
            var tiers = d.GetProperty("tiers").EnumerateArray().Select(t => t.GetString()!).ToList();
            var cells = 0;
            foreach (var row in d.GetProperty("queues").GetProperty("regionByGroup").EnumerateArray())
            {
                var group = row.GetProperty("group").GetString();
                var counts = row.GetProperty("waitingNow");
                foreach (var tier in tiers)
                {
                    (await Text(page.Locator($"#groups-table tr[data-group='{group}'] td[data-tier='{tier}']")))
                        .Should().Be(Shown(ByTier(counts, tier)), $"{group} {tier}");
                    cells++;
                }
                (await Text(page.Locator($"#groups-table tr[data-group='{group}'] td[data-tier='total']")))
                    .Should().Be(Shown(Total(counts)), $"{group} total");
            }
            cells.Should().BeGreaterThan(10);

            // District × group.
            foreach (var row in d.GetProperty("queues").GetProperty("districts").EnumerateArray())
            {
                var cell = page.Locator($"#districts-table tr[data-district='{row.GetProperty("district").GetString()}'] td[data-group='{row.GetProperty("group").GetString()}']");
                (await Text(cell)).Should().Be(Shown(Total(row.GetProperty("waitingNow"))));
            }

            // Month by month, including the month in progress (the demo's only month).
            var months = d.GetProperty("months").EnumerateArray().ToList();
            months.Should().NotBeEmpty("the month in progress is published");
            foreach (var m in months)
                foreach (var flow in new[] { "submitted", "offers", "declined", "expired", "enrolments", "withdrawals", "waitingAtEnd" })
                    (await Text(page.Locator($"#months-table tr[data-month='{m.GetProperty("month").GetString()}'] td[data-flow='{flow}']")))
                        .Should().Be(Shown(Field(m, flow)), $"{m.GetProperty("month")} {flow}");

            // The first kindergarten row of the table (ids in natural order: ds-2 before ds-11).
            var first = d.GetProperty("queues").GetProperty("kindergartens").EnumerateArray()
                .OrderBy(r => NaturalKey(r.GetProperty("kindergarten").GetString()!), StringComparer.Ordinal).First();
            var kgRow = page.Locator($"#kindergartens-table tr[data-kindergarten='{first.GetProperty("kindergarten").GetString()}'][data-group='{first.GetProperty("group").GetString()}']");
            (await Text(kgRow.Locator("td[data-field='seats']"))).Should().Be(Shown(new Cell(first.GetProperty("seats").GetInt64(), null)));
            foreach (var measure in Measures)
                (await Text(kgRow.Locator($"td[data-field='{measure}']"))).Should().Be(Shown(Total(first.GetProperty(measure))));

            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    [Fact]
    public async Task ChoosingAnotherMeasure_RedrawsTheTableWithThatMeasuresNumbers()
    {
        using var api = await DashboardAsync();
        var early = api.RootElement.GetProperty("queues").GetProperty("regionByGroup")[0];

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            await session.Page.Locator("#measure-groups").SelectOptionAsync("offered");
            await Expect(session.Page.Locator("#groups-table")).ToHaveAttributeAsync("data-measure", "offered");
            (await Text(session.Page.Locator($"#groups-table tr[data-group='{early.GetProperty("group").GetString()}'] td[data-tier='total']")))
                .Should().Be(Shown(Total(early.GetProperty("offered"))));
        });
    }

    [Fact]
    public async Task KindergartenSearch_KeepsOnlyMatchingRows()
    {
        using var api = await DashboardAsync();
        var register = api.RootElement.GetProperty("register").GetProperty("kindergartens");
        var name = register[register.GetArrayLength() / 2].GetProperty("name").GetString()!;

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            await session.Page.Locator("#kg-search").FillAsync(name);
            var rows = session.Page.Locator("#kindergartens-table tbody tr");
            await Expect(rows.First).ToContainTextAsync(name);
            var names = await rows.Locator("th").AllInnerTextsAsync();
            names.Should().NotBeEmpty().And.OnlyContain(n => n == name);
            await Expect(session.Page.Locator("#kg-count")).ToContainTextAsync(names.Count.ToString());
        });
    }

    [Fact]
    public async Task Headline_IsTheExactShareWithItsVerdict_InBothLanguages()
    {
        using var api = await DashboardAsync();
        var enrolments = api.RootElement.GetProperty("enrolments");
        var all = enrolments.GetProperty("allTime");
        var share = all.GetProperty("share");
        var (algorithm, exceptional) = (all.GetProperty("byAlgorithm").GetInt64(), all.GetProperty("exceptional").GetInt64());
        algorithm.Should().BePositive("the demo enrols children after its round");
        // The share is exact: every enrolment is a public entry (SPEC.md §13.2.2).
        share.GetProperty("basisPoints").GetInt32().Should().Be((int)(10_000 * algorithm / (algorithm + exceptional)));
        var met = share.GetProperty("met").GetBoolean();
        var percent = share.GetProperty("basisPoints").GetInt32() / 100m;

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var page = session.Page;
            var headline = page.Locator("[data-metric='headline.share']");
            await Expect(headline).ToContainTextAsync(percent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',') + " %");
            await Expect(headline).ToContainTextAsync(met ? "выполнена" : "НЕ выполнена");
            (await headline.InnerTextAsync()).Should().NotContainAny("сказать нельзя", "от ", "скрыто");
            var card = page.Locator("[data-metric='share.allTime']");
            (await Text(card.Locator("[data-count='byAlgorithm']"))).Should().Be(Shown(new Cell(algorithm, null)));
            (await Text(card.Locator("[data-count='exceptional']"))).Should().Be(Shown(new Cell(exceptional, null)));
            foreach (var basis in all.GetProperty("legalBases").EnumerateArray())
            {
                var item = card.Locator($"li[data-basis='{basis.GetProperty("basis").GetString()}']");
                await Expect(item).ToContainTextAsync(basis.GetProperty("name").GetProperty("ru").GetString()!);
            }

            await page.Locator("#lang-switch").ClickAsync();
            await Expect(headline).ToContainTextAsync(percent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " %");
            await Expect(headline).ToContainTextAsync(met ? "is met" : "is NOT met");
            (await headline.InnerTextAsync()).Should().NotContainAny("cannot be told", "between", "hidden");
            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    [Fact]
    public async Task ReadsOfPersonalData_ShowTheMonthlyCountsThePublicApiPublishes()
    {
        using var reads = JsonDocument.Parse(await site.Api.GetStringAsync("api/v1/public/private-reads"));
        var months = reads.RootElement.GetProperty("months").EnumerateArray().ToList();

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var section = session.Page.Locator("#reads");
            await Expect(section.Locator("h2")).ToHaveTextAsync("Кто читал персональные данные");
            if (months.Count == 0)
            {
                await Expect(section).ToContainTextAsync("Персональные данные ещё никто не читал.");
                return;
            }
            foreach (var m in months)
            {
                var cell = section.Locator($"tr[data-month='{m.GetProperty("month").GetString()}'] td[data-purpose='{m.GetProperty("purpose").GetString()}']");
                (await Text(cell)).Should().Be(Shown(new Cell(m.GetProperty("count").GetInt64(), null)));
            }
        });
    }

    [Fact]
    public async Task KindergartenTable_SortsIdsByTheirNumber_NotAsText()
    {
        // Issue 17: the table read №100, №101, …, №11, because the ids were compared as text.
        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var ids = await session.Page.Locator("#kindergartens-table tbody tr")
                .EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.kindergarten)");
            var distinct = ids.Distinct().ToList();
            distinct.Should().HaveCountGreaterThan(3);
            var numbers = distinct.Select(id => int.Parse(new string(id.Where(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            numbers.Should().BeInAscendingOrder("ids are sorted by the value of their numbers");
        });
    }

    [Fact]
    public async Task Lead_CountsLogEntriesWithTheRightRussianPlural()
    {
        // Issue 17: «посчитано по 15 802 записям» is right, and so must be every other count.
        using var api = await DashboardAsync();
        var basis = api.RootElement.GetProperty("basis").GetInt64();
        var noun = basis % 10 == 1 && basis % 100 != 11 ? "записи" : "записям";
        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            (await Text(session.Page.Locator("#summary-h"))).Should().Contain($"по {new Cell(basis, null).Shown} {noun} открытого журнала");
            var days = api.RootElement.GetProperty("anomalies").GetProperty("cutWindowDays").GetInt32();
            var dayNoun = (days % 10, days % 100) switch
            {
                (1, not 11) => "день",
                (2 or 3 or 4, not (12 or 13 or 14)) => "дня",
                _ => "дней",
            };
            await Expect(session.Page.Locator("section[aria-labelledby='signals-h']")).ToContainTextAsync($"за {days}\u00a0{dayNoun} до каждого тура");
        });
    }

    [Fact]
    public Task KindergartenTable_OnAPhone_ScrollsInsideItsBox_WithAHint_AndItsNumbersInView() => site.RunAsync(async session =>
    {
        // Issue 17: on a 390 px phone the table was cut at the right edge with no sign that it scrolls,
        // and every number column was off-screen.
        var page = session.Page;
        await session.GotoAsync("/");
        var table = page.Locator("#kindergartens-table");
        var box = page.Locator(".table-box").Filter(new() { Has = table });
        var wrap = box.Locator(".table-wrap");
        await Expect(box).ToHaveAttributeAsync("data-overflow", "true");
        await Expect(box.Locator(".scroll-hint")).ToBeVisibleAsync();
        await Expect(box.Locator(".scroll-hint")).ToContainTextAsync("листайте");
        await Expect(box).ToHaveAttributeAsync("data-more-right", "true");

        var row = table.Locator("tbody tr").First;
        await row.ScrollIntoViewIfNeededAsync();
        // Without scrolling sideways: the name, its group and the first number columns are on screen.
        await Expect(row.Locator("th[scope='row'] .row-note")).ToBeVisibleAsync();
        await Expect(row.Locator("td[data-field='seats']")).ToBeInViewportAsync(new() { Ratio = 0.98f });
        await Expect(row.Locator("td[data-field='waitingNow']")).ToBeInViewportAsync(new() { Ratio = 0.98f });
        await Expect(table.Locator("thead th.wide-only").First).ToBeHiddenAsync();
        // Evidence of what a phone shows (the full-page shot ends before this table).
        await box.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.ScreenshotsDirectory, "DashboardPageTests.KindergartenTable_OnAPhone__before-scrolling.png") });

        // The last number column is off-screen until the box scrolls; the page itself never does.
        var last = row.Locator("td[data-field='enrolled']");
        await Expect(last).Not.ToBeInViewportAsync(new() { Ratio = 0.98f });
        await wrap.EvaluateAsync("w => { w.scrollLeft = w.scrollWidth; }");
        await Expect(last).ToBeInViewportAsync(new() { Ratio = 0.98f });
        (await wrap.EvaluateAsync<double>("w => w.scrollLeft")).Should().BePositive();
        (await page.EvaluateAsync<double>("() => window.scrollX")).Should().Be(0);
        // The row's name stays at the left edge while the numbers scroll under it.
        await Expect(row.Locator("th[scope='row'] a")).ToBeInViewportAsync();
        var left = await row.Locator("th[scope='row']").EvaluateAsync<double>("th => th.getBoundingClientRect().left - th.closest('.table-wrap').getBoundingClientRect().left");
        left.Should().BeApproximately(0, 1);
        await Expect(box).ToHaveAttributeAsync("data-scrolled-start", "true");
        await Expect(box).Not.ToHaveAttributeAsync("data-more-right", "true");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.ScreenshotsDirectory, "DashboardPageTests.KindergartenTable_OnAPhone__scrolled.png") });
    }, "phone", new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        IsMobile = true,
        HasTouch = true,
        DeviceScaleFactor = 2,
    });

    [Fact]
    public async Task KindergartenTable_OnADesktop_ShowsDistrictAndGroupColumns_WithoutAHint()
    {
        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var table = session.Page.Locator("#kindergartens-table");
            await Expect(table.Locator("tbody tr").First.Locator("td[data-field='group']")).ToBeVisibleAsync();
            await Expect(table.Locator("tbody tr").First.Locator(".row-note")).ToBeHiddenAsync();
            await Expect(session.Page.Locator(".table-box").Filter(new() { Has = table }).Locator(".scroll-hint")).ToBeHiddenAsync();
        });
    }

    /// <summary>Digits padded so that ordinal order is numeric order ("ds-11" after "ds-2").</summary>
    private static string NaturalKey(string id) =>
        System.Text.RegularExpressions.Regex.Replace(id, @"\d+", m => m.Value.PadLeft(12, '0'));

    private static readonly string[] Measures = ["waitingNow", "waitingLater", "offered", "enrolled"];

    private static Cell Total(JsonElement counts) => new(Number(counts.GetProperty("total")), Marker(counts, null, "total"));

    private static Cell ByTier(JsonElement counts, string tier) => new(Number(counts.GetProperty("byTier").GetProperty(tier)), Marker(counts, "byTier", tier));

    private static Cell Field(JsonElement row, string key) => new(Number(row.GetProperty(key)), Marker(row, null, key));

    private static long? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt64();

    private static string? Marker(JsonElement owner, string? section, string key)
    {
        if (!owner.TryGetProperty("suppressed", out var s)) return null;
        if (section is not null && !s.TryGetProperty(section, out s)) return null;
        return s.TryGetProperty(key, out var m) ? m.GetString() : null;
    }

    private static string Shown(Cell c) => c.Shown;

    private static Task<string> Text(ILocator cell) => PageText.Of(cell);

    private async Task<JsonDocument> DashboardAsync() => JsonDocument.Parse(await site.Api.GetStringAsync("api/v1/public/dashboard"));
}
