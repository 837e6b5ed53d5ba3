using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// A parent's side against the demo region: look an application up with its number and access
/// code, read its place and the timeline of changes, see the offer, get and check the receipt;
/// a wrong code gets a friendly message. The page shows what POST /api/v1/public/positions says.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class PositionPageTests(SiteFixture site)
{
    [Fact]
    public async Task WaitingApplication_ShowsItsPlace_AndTheTimelineOfChanges()
    {
        var application = site.Service.Application("waiting");
        using var api = await ReportAsync(application);
        var queue = api.RootElement.GetProperty("queues")[0];
        var kindergarten = queue.GetProperty("kindergarten").GetString();
        var steps = queue.GetProperty("history").GetArrayLength();
        var brief = api.RootElement.GetProperty("kindergartens").EnumerateArray().Single(k => k.GetProperty("id").GetString() == kindergarten);

        await site.RunAsync(async session =>
        {
            await LookUpAsync(session, application.Number, application.AccessCode);
            var page = session.Page;

            await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-status", "waiting");
            var card = page.Locator($".queue[data-kindergarten='{kindergarten}']");
            var position = queue.GetProperty("position").GetInt32();
            var total = queue.GetProperty("total").GetInt32();
            await Expect(card.Locator(".position")).ToHaveAttributeAsync("data-position", position.ToString());
            await Expect(card.Locator(".position")).ToContainTextAsync($"{position}-е место из {total}");

            // The timeline: one item per step, newest first, the newest ending at today's place.
            var items = card.Locator("ol.timeline > li");
            await Expect(items).ToHaveCountAsync(steps);
            await Expect(items.First).ToHaveAttributeAsync("data-after", position.ToString());
            // Every reason of every step is written in words, none left as a code.
            var reasons = await card.Locator("ol.timeline li[data-reason]").AllInnerTextsAsync();
            reasons.Should().NotBeEmpty().And.OnlyContain(r => !r.Contains("reason.", StringComparison.Ordinal));
            // The demo's round placed children ahead of this one: said in plain Russian.
            (await card.InnerTextAsync()).Should().Contain("получили направления в туре распределения");
            // The kindergarten's figures: waiting now and for a later date, the totals as the API has them.
            await card.Locator("details.numbers > summary").ClickAsync();
            var totals = await card.Locator("details.numbers tbody tr").Last.Locator("td").AllInnerTextsAsync();
            totals.Select(Digits).Should().Equal(
                Digits(brief.GetProperty("waitingNow").GetProperty("total").GetProperty("value").ToString()),
                Digits(brief.GetProperty("waitingLater").GetProperty("total").GetProperty("value").ToString()));
            // …and the way to all of the kindergarten's figures.
            await Expect(card.Locator($"details.numbers a[href='/kindergarten.html?id={kindergarten}']")).ToBeVisibleAsync();
            // The number and code never reach the address bar.
            page.Url.Should().NotContain(application.AccessCode).And.NotContain(application.Number);
            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    [Fact]
    public async Task WrongAccessCode_GetsAFriendlyMessage()
    {
        var application = site.Service.Application("waiting");
        var wrong = application.AccessCode[..^1] + (application.AccessCode[^1] == 'A' ? 'B' : 'A');

        await site.RunAsync(async session =>
        {
            await LookUpAsync(session, application.Number, wrong, expectReport: false);
            var error = session.Page.Locator("#lookup-error");
            await Expect(error).ToHaveAttributeAsync("data-error", "not-found");
            await Expect(error).ToContainTextAsync("не нашли заявление");
            await Expect(session.Page.Locator("#status")).ToHaveCountAsync(0);
            // What the parent typed stays, to be corrected.
            await Expect(session.Page.Locator("#app-number")).ToHaveValueAsync(application.Number);
            // A 404 from the API is expected here and is not the page's error: only page scripts must be clean.
            (await session.ProblemsAsync()).Should().OnlyContain(p => p.Contains("404", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task OfferedApplication_ShowsTheOfferAndItsDeadline()
    {
        var application = site.Service.Application("offered");
        using var api = await ReportAsync(application);
        var offer = api.RootElement.GetProperty("offer");
        var deadline = DateOnly.ParseExact(offer.GetProperty("deadline").GetString()!, "yyyy-MM-dd");

        await site.RunAsync(async session =>
        {
            await LookUpAsync(session, application.Number, application.AccessCode);
            await Expect(session.Page.Locator("#status")).ToHaveAttributeAsync("data-status", "offered");
            var card = session.Page.Locator("#offer");
            await Expect(card).ToContainTextAsync(offer.GetProperty("kindergartenName").GetString()!);
            await Expect(card).ToContainTextAsync($"Ответьте до {deadline.Day} {RussianMonths[deadline.Month - 1]} {deadline.Year}");
        });
    }

    [Fact]
    public async Task ReceiptButton_OpensTheCheckPage_WhichSaysValid()
    {
        var application = site.Service.Application("waiting");

        await site.RunAsync(async session =>
        {
            await LookUpAsync(session, application.Number, application.AccessCode);
            // The receipt's status is asserted first, so a refused receipt is named rather than timed out.
            var receipt = await session.Page.RunAndWaitForResponseAsync(
                () => session.Page.Locator("#receipt-get").ClickAsync(),
                r => r.Url.EndsWith("/api/v1/public/receipts", StringComparison.Ordinal) && r.Status != 503,
                new PageRunAndWaitForResponseOptions { Timeout = 15_000 });
            // Only a refused receipt has a body left to read: a granted one navigates away at once.
            if (receipt.Status != 200) receipt.Status.Should().Be(200, await receipt.TextAsync());
            // Polls the address: WaitForURLAsync waits for a navigation event, and misses one that
            // finished before it started listening (seen: the check page loaded and valid, the wait timed out).
            await Expect(session.Page).ToHaveURLAsync(CheckPageAddress, new PageAssertionsToHaveURLOptions { Timeout = 10_000 });
            var result = session.Page.Locator("#receipt-result");
            await Expect(result).ToHaveAttributeAsync("data-valid", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 10_000 });
            await Expect(result).ToContainTextAsync(application.Number);
            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    [Fact]
    public async Task TheReport_FollowsTheLanguageSwitch_WithoutAskingAgain()
    {
        var application = site.Service.Application("waiting");

        await site.RunAsync(async session =>
        {
            await LookUpAsync(session, application.Number, application.AccessCode);
            await Expect(session.Page.Locator("#status")).ToContainTextAsync("В очереди");
            await session.Page.Locator("#lang-switch").ClickAsync();
            await Expect(session.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
            await Expect(session.Page.Locator("#status")).ToContainTextAsync("In the queue");
            await Expect(session.Page.Locator(".queue .position").First).ToContainTextAsync(" of ");
        });
    }

    /// <summary>A number as the page writes it (grouped with spaces) and as JSON has it, compared digit for digit.</summary>
    private static string Digits(string text) => new([.. text.Where(char.IsAsciiDigit)]);

    private static readonly Regex CheckPageAddress = new(@"/check\.html$");

    private static readonly string[] RussianMonths =
        ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"];

    private static async Task LookUpAsync(PageSession session, string number, string code, bool expectReport = true)
    {
        await session.GotoAsync("/position.html");
        await session.Page.Locator("#app-number").FillAsync(number);
        await session.Page.Locator("#access-code").FillAsync(code);
        await session.Page.Locator("#lookup-submit").ClickAsync();
        if (expectReport) await Expect(session.Page.Locator("#report-heading")).ToBeVisibleAsync();
    }

    private async Task<JsonDocument> ReportAsync(DemoApplication application)
    {
        using var response = await site.LookupAsync("api/v1/public/positions", application);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
