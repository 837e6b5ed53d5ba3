using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// A parent's side against the demo region: look an application up with its number and access
/// code, read its place and the timeline of changes, see the offer, get and check the receipt;
/// a wrong code gets a friendly message; see what the public log holds about the application. The
/// page shows what POST /api/v1/public/positions says, and the application's own entry as GET
/// /api/v1/public/log serves it.
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
            // A small count is published as the marker "<5" with no value (the year demo has such kindergartens).
            totals.Select(CountShown).Should().Equal(
                CountPublished(brief.GetProperty("waitingNow").GetProperty("total")),
                CountPublished(brief.GetProperty("waitingLater").GetProperty("total")));
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
            // Issue 17: a name with its own quotes («Детский сад №15 «Радуга»») gets no outer ones.
            var name = offer.GetProperty("kindergartenName").GetString()!;
            var text = await PageText.Of(card);
            text.Should().NotContain("»»").And.NotContain("««");
            if (name.Contains('«')) text.Should().Contain($"Место: {name}, группа");
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

    [Fact]
    public async Task WhatIsPublic_ShowsTheApplicationsOwnLogEntry_FieldByField_InBothLanguages_AndNoPrivateData()
    {
        // An offered application: its entry has a claim if the demo gave one, and a round named it later.
        var (application, report, line) = await OfferedWithClaimAsync();
        using var _ = report;
        using var entry = JsonDocument.Parse(line);
        var expected = PublicFields(entry.RootElement);
        var number = application.Number;
        var laterSeqs = OwnSeqs(report.RootElement).Where(s => s != report.RootElement.GetProperty("seq").GetInt64()).ToList();
        foreach (var seq in laterSeqs) (await NamedInAsync(seq)).Should().Contain(number, $"entry {seq}, listed as a later entry, is about the application");
        // What only the private store holds: none of it may reach the page, in either language.
        using var record = await site.PrivateRecordAsync(application);
        var secrets = PrivateValues(record.RootElement, entry.RootElement);
        secrets.Should().Contain(record.RootElement.GetProperty("child").GetProperty("name").GetString());

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await LookUpAsync(session, number, application.AccessCode);
            var section = page.Locator("#published");
            await Expect(section.Locator("h2")).ToHaveTextAsync("Что о вашем заявлении опубликовано");
            await Expect(section.Locator("#not-published")).ToContainTextAsync("точная дата рождения");

            // Opening the section fetches the entry from the public log, as any visitor could.
            var fetched = await page.RunAndWaitForResponseAsync(
                () => section.Locator("#published-details > summary").ClickAsync(),
                r => r.Url.Contains("/api/v1/public/log?from=", StringComparison.Ordinal));
            fetched.Status.Should().Be(200);
            var fields = section.Locator("dl.published .field");
            await Expect(fields).ToHaveCountAsync(expected.Count);
            await CheckFieldsAsync(page, expected, cyrillicWhy: true);
            await CheckLaterAsync(page, laterSeqs);
            await CheckNoPrivateDataAsync(page, secrets);
            var axe = await section.RunAxe();
            axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}")
                .Should().BeEmpty("the section must have no serious or critical accessibility violation");

            // English: the same fields from the same entry, explained in English, the section still open.
            await page.Locator("#lang-switch").ClickAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
            await Expect(section.Locator("h2")).ToHaveTextAsync("What is public about your application");
            await Expect(section.Locator("#not-published")).ToContainTextAsync("exact date of birth");
            await Expect(fields).ToHaveCountAsync(expected.Count);
            await CheckFieldsAsync(page, expected, cyrillicWhy: false);
            await CheckLaterAsync(page, laterSeqs);
            await CheckNoPrivateDataAsync(page, secrets);
            (await session.ProblemsAsync()).Should().BeEmpty();
        });
    }

    /// <summary>
    /// The first offered demo application whose log entry claims a right (else the first offered one),
    /// with its position report and its application.submitted entry as the public log serves it.
    /// </summary>
    private async Task<(DemoApplication Application, JsonDocument Report, string Entry)> OfferedWithClaimAsync()
    {
        (DemoApplication, JsonDocument, string)? first = null;
        var offered = site.Service.Applications.Where(a => a.Status == "offered").DefaultIfEmpty(site.Service.Application("offered"));
        foreach (var application in offered)
        {
            var report = await ReportAsync(application);
            var seq = report.RootElement.GetProperty("seq").GetInt64();
            var lines = (await site.Api.GetStringAsync($"api/v1/public/log?from={seq}&count=1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Should().ContainSingle();
            using (var entry = JsonDocument.Parse(lines[0]))
            {
                entry.RootElement.GetProperty("type").GetString().Should().Be("application.submitted");
                entry.RootElement.GetProperty("payload").GetProperty("number").GetString().Should().Be(application.Number);
                if (entry.RootElement.GetProperty("payload").GetProperty("claims").GetArrayLength() > 0)
                {
                    first?.Item2.Dispose();
                    return (application, report, lines[0]);
                }
            }
            if (first is null) first = (application, report, lines[0]);
            else report.Dispose();
        }
        return first ?? throw new InvalidOperationException("The demo lists no application.");
    }

    /// <summary>Every field of the entry as the page names it (payload.x, or the envelope's own name) with its value as text.</summary>
    private static Dictionary<string, string> PublicFields(JsonElement entry)
    {
        static string Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in entry.GetProperty("payload").EnumerateObject()) fields[$"payload.{p.Name}"] = Text(p.Value);
        foreach (var p in entry.EnumerateObject().Where(p => p.Name != "payload")) fields[p.Name] = Text(p.Value);
        return fields;
    }

    /// <summary>The seqs of the application's own changes that its position history names (reasons own-…).</summary>
    private static IEnumerable<long> OwnSeqs(JsonElement report) =>
        report.GetProperty("queues").EnumerateArray().Concat(report.GetProperty("formerQueues").EnumerateArray())
            .SelectMany(q => q.GetProperty("history").EnumerateArray())
            .SelectMany(step => step.GetProperty("reasons").EnumerateArray())
            .Where(r => r.GetProperty("reason").GetString()!.StartsWith("own-", StringComparison.Ordinal))
            .SelectMany(r => r.GetProperty("seqs").EnumerateArray().Select(s => s.GetInt64()))
            .Distinct().Order();

    /// <summary>
    /// The private record's values: names, birth date, contacts, documents, and each claim's category
    /// unless it happens to be spelled like a public tier id of the entry (the demo's "sibling").
    /// </summary>
    private static List<string> PrivateValues(JsonElement record, JsonElement entry)
    {
        var tiers = entry.GetProperty("payload").GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("tier").GetString()).ToHashSet();
        var values = new List<string?>
        {
            record.GetProperty("child").GetProperty("name").GetString(),
            record.GetProperty("parent").GetProperty("name").GetString(),
            record.GetProperty("birthDate").GetString(),
            record.GetProperty("parent").GetProperty("phone").GetString(),
            record.GetProperty("parent").GetProperty("email").GetString(),
        };
        foreach (var claim in record.GetProperty("claims").EnumerateArray())
        {
            values.Add(claim.GetProperty("documents").GetString());
            if (!tiers.Contains(claim.GetProperty("category").GetString())) values.Add(claim.GetProperty("category").GetString());
        }
        return [.. values.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)];
    }

    private static async Task CheckFieldsAsync(IPage page, Dictionary<string, string> expected, bool cyrillicWhy)
    {
        var shown = await page.EvaluateAsync<string[][]>(@"() => [...document.querySelectorAll('#published dl.published .field')]
            .map(f => [f.dataset.field, f.querySelector('dd.value code').textContent, f.querySelector('dd.why').textContent])");
        shown.Select(f => f[0]).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(expected.Keys, "every field of the entry is shown, and nothing else");
        foreach (var f in shown)
        {
            f[1].Should().Be(expected[f[0]], $"the page shows {f[0]} exactly as the log carries it");
            f[2].Should().NotBeNullOrWhiteSpace().And.NotStartWith("pub.", $"{f[0]} says why it is public");
            f[2].Any(c => c is >= 'А' and <= 'я').Should().Be(cyrillicWhy, $"the line on {f[0]} is in the page's language: {f[2]}");
        }
    }

    /// <summary>The application numbers an entry names (SPEC.md §12.3: number, numbers, each offer's number, archived).</summary>
    private async Task<HashSet<string>> NamedInAsync(long seq)
    {
        using var entry = JsonDocument.Parse((await site.Api.GetStringAsync($"api/v1/public/log?from={seq}&count=1")).TrimEnd('\n'));
        var payload = entry.RootElement.GetProperty("payload");
        var named = new HashSet<string>(StringComparer.Ordinal);
        if (payload.TryGetProperty("number", out var n)) named.Add(n.GetString()!);
        foreach (var list in new[] { "numbers", "archived" })
        {
            if (payload.TryGetProperty(list, out var items)) named.UnionWith(items.EnumerateArray().Select(i => i.GetString()!));
        }
        if (payload.TryGetProperty("offers", out var offers)) named.UnionWith(offers.EnumerateArray().Select(o => o.GetProperty("number").GetString()!));
        return named;
    }

    /// <summary>The later entries listed are the application's own changes (the test checked that each names the application).</summary>
    private async Task CheckLaterAsync(IPage page, List<long> laterSeqs)
    {
        var listed = await page.Locator("#published-later li").EvaluateAllAsync<long[]>("items => items.map(i => Number(i.dataset.seq))");
        listed.Should().Equal(laterSeqs);
        await Expect(page.Locator("#published-types li")).ToHaveCountAsync(8);
    }

    private static async Task CheckNoPrivateDataAsync(IPage page, List<string> secrets)
    {
        var html = await page.ContentAsync();
        var text = await page.Locator("body").InnerTextAsync();
        foreach (var secret in secrets)
        {
            html.Should().NotContain(secret, "the private record stays private");
            text.Should().NotContain(secret, "the private record stays private");
        }
    }

    /// <summary>A number as the page writes it (grouped with spaces) and as JSON has it, compared digit for digit.</summary>
    private static string Digits(string text) => new([.. text.Where(char.IsAsciiDigit)]);

    /// <summary>A count cell as the page shows it: its digits, "&lt;5" for "&lt; 5", or "hidden" for «скрыто».</summary>
    private static string CountShown(string text) =>
        text.Contains("скрыто", StringComparison.Ordinal) ? "hidden" : text.TrimStart().StartsWith('<') ? "<5" : Digits(text);

    /// <summary>A count as the API publishes it: the value, else its marker.</summary>
    private static string CountPublished(JsonElement count) =>
        count.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? Digits(v.ToString())
        : count.TryGetProperty("marker", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "hidden";

    private static readonly Regex CheckPageAddress = new(@"/check\.html$");

    [Fact]
    public async Task OfferedParent_DeclinesOnThePage_AfterConfirming_AndSeesTheResult()
    {
        // Issue 17: the offer said the parent can answer «на портале», and the site offered no way to.
        // The last offered demo application: the others stay offered for the tests that show an offer.
        var application = site.Service.Applications.Last(a => a.Status == "offered");
        application.Should().NotBe(site.Service.Application("offered"));
        var before = await LogSizeAsync();

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await LookUpAsync(session, application.Number, application.AccessCode);
            await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-status", "offered");
            var card = page.Locator("#offer");
            await Expect(card.Locator("#offer-accept")).ToHaveTextAsync("Принять направление");

            // Accept, then think better of it: «Вы уверены?» — «Нет, вернуться» sends nothing.
            await card.Locator("#offer-accept").ClickAsync();
            var confirm = page.Locator("#offer-confirm");
            await Expect(confirm).ToContainTextAsync("Вы уверены?");
            await Expect(confirm).ToHaveAttributeAsync("data-response", "accept");
            await page.Locator("#offer-confirm-no").ClickAsync();
            await Expect(confirm).ToHaveCountAsync(0);
            await Expect(page.Locator("#offer-accept")).ToBeFocusedAsync();
            (await LogSizeAsync()).Should().Be(before, "nothing is sent before the parent confirms");

            // Decline, and confirm.
            await page.Locator("#offer-decline").ClickAsync();
            await Expect(confirm).ToContainTextAsync("Вы уверены?");
            await Expect(confirm).ToContainTextAsync("отказываетесь");
            await confirm.ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.ScreenshotsDirectory, "PositionPageTests.OfferedParent_Declines__confirming.png") });
            await page.Locator("#offer-confirm-yes").ClickAsync();

            var result = page.Locator("#offer-result");
            await Expect(result).ToHaveAttributeAsync("data-result", "done");
            await Expect(result).ToContainTextAsync("Вы отказались от направления");
            await Expect(result).ToBeFocusedAsync();
            await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-status", "paused");
            await Expect(page.Locator("#offer")).ToHaveCountAsync(0);
            (await session.ProblemsAsync()).Should().BeEmpty();
        });

        // The answer is one entry of the log; wait until the dashboard covers it, so that the next
        // test compares figures of one and the same log.
        (await LogSizeAsync()).Should().Be(before + 1);
        var covered = false;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !covered && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            using var dashboard = JsonDocument.Parse(await site.Api.GetStringAsync("api/v1/public/dashboard"));
            covered = dashboard.RootElement.GetProperty("basis").GetInt64() >= before + 1;
        }
        covered.Should().BeTrue("the dashboard covers the answer within seconds (PublicSnapshotIntervalMs)");
    }

    /// <summary>The log's size: the entries the public log serves from the position's own count on.</summary>
    private async Task<long> LogSizeAsync()
    {
        using var report = await ReportAsync(site.Service.Application("waiting"));
        var known = report.RootElement.GetProperty("asOf").GetProperty("logSize").GetInt64();
        var more = (await site.Api.GetStringAsync($"api/v1/public/log?from={known}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return known + more;
    }

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
