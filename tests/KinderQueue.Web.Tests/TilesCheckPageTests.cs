using System.Globalization;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// The check page against the log as static tiles (SPEC.md §11.7) on another origin, as a CDN serves them:
/// tiles written by <c>kq publish-tiles</c> from the demo service and served by a plain static host on
/// 127.0.0.1. DOM contract (check.js): #tiles-on, #tiles-url (or ?tiles=URL), and #receipt-result's
/// data-tiles = "ok" or the failed tiles check (tiles-checkpoint | tiles-signature | tiles-missing |
/// tiles-leaf | tiles-root); the receipt is valid only when both the receipt and the tiles check pass.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class TilesCheckPageTests(SiteFixture site, ITestOutputHelper output)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions VerdictWait = new() { Timeout = 20_000 };

    [Fact]
    public async Task GenuineReceipt_AgainstTheTilesUrl_IsValid_AndTheTilesWereReadFromThere()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());
        var tiles = await site.GenuineTilesAsync();
        var before = site.Tiles.Requests;

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt, tiles);

            await Expect(result).ToHaveAttributeAsync("data-tiles", "ok", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-valid", "true");
            await Expect(result).ToContainTextAsync("Проверка по плиткам пройдена");
            await Expect(result).ToContainTextAsync(tiles);
            await Expect(result.Locator(".tiles-result li[data-state='ok']")).ToHaveCountAsync(5);
            site.Tiles.Requests.Should().BeGreaterThan(before + 1, "the checkpoint and at least one tile come from the tiles host");

            await session.Page.ClickAsync("#lang-switch");
            await Expect(result).ToContainTextAsync("The tiles check passed");
            await ExpectNoProblemsAsync(session);
        });
    }

    [Fact]
    public async Task ATileWithOneByteChanged_FailsTheTilesRoot()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());
        var index = IndexOf(receipt);
        var folder = await CopyOfGenuineAsync("tampered");
        var size = SizeOf(folder);
        (index ^ 1).Should().BeLessThan(size, "the entry beside the receipt's is in the tiled log, so its hash is on the proof's path");
        // The hash of the entry beside the receipt's entry, in the level 0 tile: on the path, not the entry's own.
        var tile = TileFile(folder, 0, index / 256, size);
        var bytes = await File.ReadAllBytesAsync(tile);
        var at = (int)((index ^ 1) % 256) * 32 + 7;
        bytes[at] ^= 0x01;
        await File.WriteAllBytesAsync(tile, bytes);

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt, site.Tiles.UrlOf(Path.GetFileName(folder)));

            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-root", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-valid", "false");
            await Expect(result).ToHaveAttributeAsync("data-failed", "tiles-root");
            await Expect(result).ToContainTextAsync("Плитки журнала не сходятся с его подписью: одна из плиток изменена.");
            await Expect(result).ToContainTextAsync("опубликованный журнал её НЕ подтверждает");
            await session.Page.ClickAsync("#lang-switch");
            await Expect(result).ToContainTextAsync("The log’s tiles do not add up to its signature: one of the tiles was changed.");
        });
    }

    [Fact]
    public async Task AMissingTile_FailsAsMissing_NamingIt_AndNoCheckpoint_FailsAsUnreadable()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());
        var index = IndexOf(receipt);
        var folder = await CopyOfGenuineAsync("missing");
        var tile = TileFile(folder, 0, index / 256, SizeOf(folder));
        File.Delete(tile);
        var empty = Directory.CreateDirectory(Path.Combine(site.Tiles.Root, "empty-" + Guid.NewGuid().ToString("N"))).Name;

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt, site.Tiles.UrlOf(Path.GetFileName(folder)));
            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-missing", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-valid", "false");
            await Expect(result).ToContainTextAsync("Не удалось получить плитку журнала");
            await Expect(result).ToContainTextAsync(site.Tiles.UrlOf(Path.GetFileName(folder)) + "tile/0/");

            result = await CheckAsync(session, receipt, site.Tiles.UrlOf(empty));
            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-checkpoint", VerdictWait);
            await Expect(result).ToContainTextAsync("Не удалось получить подписанную отметку журнала");
        });
    }

    /// <summary>
    /// A second demo service is another log (its own keys, its own entries): its receipt is not in this
    /// log's tiles, and its tiles are not signed with this service's key.
    /// </summary>
    [Fact]
    public async Task AReceiptOfAnotherLog_IsNotInTheTiles_AndTheTilesOfAnotherLog_FailTheSignature()
    {
        var tiles = await site.GenuineTilesAsync();
        var genuine = await site.ReceiptAsync(site.Service.Application());
        await using var other = await DemoService.StartAsync("KinderQueue.Web.Tests.other-service.log");
        var foreign = await ReceiptOfAsync(other);
        var index = IndexOf(foreign);
        index.Should().BeLessThan(SizeOf(Path.Combine(site.Tiles.Root, "genuine")), "the other log's entry has an index this log's tiles hold");
        (await EntryAsync(other.BaseAddress, index)).Should().NotBe(await EntryAsync(site.BaseAddress, index), "the two logs differ at that index");

        var otherFolder = Path.Combine(site.Tiles.Root, "other-" + Guid.NewGuid().ToString("N"));
        var published = await DemoService.KqAsync("publish-tiles", otherFolder, other.BaseAddress.ToString());
        published.ExitCode.Should().Be(0, published.Stderr);

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, foreign, tiles);
            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-leaf", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-valid", "false");
            await Expect(result).ToHaveAttributeAsync("data-failed", "key"); // the receipt's own check says it first
            await Expect(result).ToContainTextAsync("Вашей записи нет в журнале, опубликованном по этому адресу");

            result = await CheckAsync(session, genuine, site.Tiles.UrlOf(Path.GetFileName(otherFolder)));
            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-signature", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-failed", "tiles-signature");
            await Expect(result).ToContainTextAsync("Подпись журнала по этому адресу неверна");
            await session.Page.ClickAsync("#lang-switch");
            await Expect(result).ToContainTextAsync("The log at this address has a wrong signature");
        });
    }

    /// <summary>
    /// With the box ticked and no address, the page reads this service's own /api/v1/public/tlog/: its
    /// checkpoint verifies there; the tiles under it are the service's to serve (SPEC.md §11.7).
    /// </summary>
    [Fact]
    public async Task NoAddress_ReadsTheServicesOwnTlog()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());

        await site.RunAsync(async session =>
        {
            await session.GotoAsync("/check.html");
            await session.Page.CheckAsync("#tiles-on");
            await session.Page.FillAsync("#receipt-input", receipt);
            await session.Page.ClickAsync("#receipt-check");
            var result = session.Page.Locator("#receipt-result");
            await Expect(result).ToHaveAttributeAsync("data-tiles", new System.Text.RegularExpressions.Regex("^(ok|tiles-missing|tiles-leaf|tiles-root)$"), VerdictWait);
            await Expect(result).ToContainTextAsync(new Uri(site.BaseAddress, "/api/v1/public/tlog/").ToString());
            await Expect(result.Locator(".tiles-result li[data-check='tiles-signature']")).ToHaveAttributeAsync("data-state", "ok");
            output.WriteLine($"data-tiles with the service's own tiles: {await result.GetAttributeAsync("data-tiles")}");
        });
    }

    [Fact]
    public async Task TheTilesResult_FitsAPhone_AndPassesAxe()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());
        var folder = await CopyOfGenuineAsync("phone");
        File.Delete(TileFile(folder, 0, IndexOf(receipt) / 256, SizeOf(folder)));

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt, site.Tiles.UrlOf(Path.GetFileName(folder)));
            await Expect(result).ToHaveAttributeAsync("data-tiles", "tiles-missing", VerdictWait);
            var widths = await session.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            widths[0].Should().BeLessThanOrEqualTo(widths[1], "the tiles result with its long address must not scroll sideways on a phone");

            var axe = await session.Page.RunAxe();
            foreach (var v in axe.Violations) output.WriteLine($"{v.Impact} {v.Id}: {v.Help}");
            axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => v.Id).Should().BeEmpty();
        }, options: new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            DeviceScaleFactor = 2,
        });
    }

    private static async Task<ILocator> CheckAsync(PageSession session, string receipt, string tiles)
    {
        await session.GotoAsync("/check.html?tiles=" + Uri.EscapeDataString(tiles));
        await Expect(session.Page.Locator("#tiles-on")).ToBeCheckedAsync();
        await session.Page.FillAsync("#receipt-input", receipt);
        await session.Page.ClickAsync("#receipt-check");
        return session.Page.Locator("#receipt-result");
    }

    private async Task<string> CopyOfGenuineAsync(string what)
    {
        var genuine = Path.Combine(site.Tiles.Root, "genuine");
        await site.GenuineTilesAsync();
        var copy = Path.Combine(site.Tiles.Root, $"{what}-{Guid.NewGuid():N}");
        foreach (var file in Directory.EnumerateFiles(genuine, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(genuine, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    /// <summary>The size line of the folder's checkpoint note.</summary>
    private static long SizeOf(string folder) =>
        long.Parse(File.ReadAllText(Path.Combine(folder, "checkpoint")).Split('\n')[1], CultureInfo.InvariantCulture);

    /// <summary>The file of hash tile <paramref name="tile"/> at <paramref name="level"/> that a tree of <paramref name="size"/> has (c2sp.org/tlog-tiles paths).</summary>
    private static string TileFile(string folder, int level, long tile, long size)
    {
        var hashes = size >> (8 * level);
        var width = Math.Min(256, hashes - tile * 256);
        var path = Path.Combine(folder, "tile", level.ToString(CultureInfo.InvariantCulture), IndexPath(tile));
        var file = width == 256 ? path : Path.Combine(path + ".p", width.ToString(CultureInfo.InvariantCulture));
        File.Exists(file).Should().BeTrue($"kq publish-tiles wrote {file}");
        return file;
    }

    private static string IndexPath(long n)
    {
        var groups = new List<string>();
        do
        {
            groups.Insert(0, (n % 1000).ToString("D3", CultureInfo.InvariantCulture));
            n /= 1000;
        }
        while (n > 0);
        return Path.Combine(groups.Select((g, i) => i < groups.Count - 1 ? "x" + g : g).ToArray());
    }

    private static long IndexOf(string receipt)
    {
        using var doc = JsonDocument.Parse(receipt);
        return doc.RootElement.GetProperty("index").GetInt64();
    }

    private static async Task<string> ReceiptOfAsync(DemoService service)
    {
        var application = service.Application();
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent($$"""{"number":"{{application.Number}}","accessCode":"{{application.AccessCode}}"}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("api/v1/public/receipts", content);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return text;
    }

    private static async Task<string> EntryAsync(Uri service, long index)
    {
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync($"api/v1/public/log?from={index}&count=1");
    }

    private async Task ExpectNoProblemsAsync(PageSession session)
    {
        var problems = await session.ProblemsAsync();
        foreach (var p in problems) output.WriteLine(p);
        problems.Should().BeEmpty("checking against the tiles must not raise errors in the page");
    }
}
