using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// A kindergarten's own page against the demo region: every figure is what
/// GET /api/v1/public/kindergartens/{id} publishes; the dashboard's table leads to it; an unknown
/// kindergarten gets a friendly message.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed partial class KindergartenPageTests(SiteFixture site)
{
    private static readonly string[] Measures = ["waitingNow", "waitingLater", "offered", "enrolled"];

    [Fact]
    public async Task Tables_ShowTheApisNumbers_CellForCell()
    {
        // The kindergarten a demo parent waits for: its queue has figures in every table.
        var id = await FirstChoiceOfTheWaitingDemoApplicationAsync();
        using var api = JsonDocument.Parse(await site.Api.GetStringAsync($"api/v1/public/kindergartens/{id}"));
        var k = api.RootElement;
        var tiers = k.GetProperty("tiers").EnumerateArray().Select(t => t.GetString()!).ToList();

        await site.RunAsync(async session =>
        {
            await session.GotoAsync($"/kindergarten.html?id={id}");
            var page = session.Page;
            await Expect(page.Locator("h1")).ToHaveTextAsync(k.GetProperty("name").GetString()!);
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(k.GetProperty("name").GetString()!)));

            foreach (var g in k.GetProperty("groups").EnumerateArray())
            {
                var group = g.GetProperty("group").GetString()!;
                var row = page.Locator($"#groups-table tr[data-group='{group}']");
                (await PageText.Of(row.Locator("td[data-field='seats']"))).Should().Be(Seats(g.GetProperty("seats")), $"{group} seats");
                (await PageText.Of(row.Locator("td[data-field='seatsNextYear']"))).Should().Be(Seats(g.GetProperty("seatsNextYear")), $"{group} seats next year");
                foreach (var measure in Measures)
                {
                    (await PageText.Of(row.Locator($"td[data-field='{measure}']")))
                        .Should().Be(CellOf(g.GetProperty(measure).GetProperty("total")).Shown, $"{group} {measure}");
                }
                var byTier = g.GetProperty("waitingNow").GetProperty("byTier");
                for (var i = 0; i < tiers.Count; i++)
                {
                    (await PageText.Of(page.Locator($"#tiers-table tr[data-tier='{tiers[i]}'] td[data-group='{group}']")))
                        .Should().Be(CellOf(byTier[i]).Shown, $"{group} {tiers[i]} waiting now");
                }
                (await PageText.Of(page.Locator($"#tiers-table tr[data-tier='total'] td[data-group='{group}']")))
                    .Should().Be(CellOf(g.GetProperty("waitingNow").GetProperty("total")).Shown, $"{group} waiting now in all");
            }

            var months = k.GetProperty("months").EnumerateArray().ToList();
            await Expect(page.Locator("#months-table tbody tr")).ToHaveCountAsync(months.Count);
            foreach (var m in months)
            {
                var row = page.Locator($"#months-table tr[data-month='{m.GetProperty("month").GetString()}']");
                (await PageText.Of(row.Locator("td[data-field='newApplications']"))).Should().Be(CellOf(m.GetProperty("newApplications")).Shown);
                var end = m.GetProperty("waitingAtEnd");
                (await PageText.Of(row.Locator("td[data-field='waitingAtEnd']"))).Should().Be(end.ValueKind == JsonValueKind.Null ? "—" : CellOf(end).Shown);
            }
            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    [Fact]
    public async Task TheDashboardsTable_LeadsToTheKindergartensPage()
    {
        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/");
            var link = session.Page.Locator("#kindergartens-table tbody tr th a").First;
            var name = await link.InnerTextAsync();
            await link.ClickAsync();
            await Expect(session.Page).ToHaveURLAsync(KindergartenPageAddress());
            await Expect(session.Page.Locator("h1")).ToHaveTextAsync(name);
            await Expect(session.Page.Locator("#groups-table")).ToBeVisibleAsync();

            // And back: the link lands on the dashboard's table, scrolled into view once the data came.
            await session.Page.Locator("main > #kindergarten > p > a[href='/#kindergartens-h']").ClickAsync();
            await Expect(session.Page.Locator("#kindergartens-h")).ToBeInViewportAsync();
        });
    }

    [Fact]
    public async Task AnUnknownKindergarten_GetsAFriendlyMessage_AndTheWayBack()
    {
        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/kindergarten.html?id=no-such-kindergarten");
            var error = session.Page.Locator("#kindergarten-error");
            await Expect(error).ToContainTextAsync("Такого детского сада нет в реестре");
            await Expect(error.Locator("a[href='/#kindergartens-h']")).ToBeVisibleAsync();
            // The API's 404 shows in the console as a failed resource; nothing else may go wrong.
            (await session.ProblemsAsync()).Should().OnlyContain(p => p.Contains("404", StringComparison.Ordinal));
        });
    }

    private async Task<string> FirstChoiceOfTheWaitingDemoApplicationAsync()
    {
        using var response = await site.LookupAsync("api/v1/public/positions", site.Service.Application("waiting"));
        response.EnsureSuccessStatusCode();
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return report.RootElement.GetProperty("queues")[0].GetProperty("kindergarten").GetString()!;
    }

    private static Cell CellOf(JsonElement count) => new(
        count.GetProperty("value").ValueKind == JsonValueKind.Null ? null : count.GetProperty("value").GetInt64(),
        count.GetProperty("marker").GetString());

    /// <summary>Places as the page writes them: a number, or a dash for a group with no places loaded.</summary>
    private static string Seats(JsonElement seats) => seats.ValueKind == JsonValueKind.Null ? "—" : new Cell(seats.GetInt64(), null).Shown;

    [GeneratedRegex(@"/kindergarten\.html\?id=[^&]+$")]
    private static partial Regex KindergartenPageAddress();
}
