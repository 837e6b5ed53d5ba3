using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// Shared by every browser test of a run: one demo service and one headless Chromium. Each test
/// opens its own context (fresh storage, its own viewport) through <see cref="RunAsync"/>.
/// </summary>
/// <remarks>
/// The browser is Debian's Chromium (/usr/bin/chromium, or $KQ_CHROMIUM), never one Playwright
/// downloads: the machines reach only package registries. The Microsoft.Playwright package copies
/// its Node driver into the build output and downloads nothing at build time (browsers come only
/// from an explicit `playwright.ps1 install`, which nothing here runs), so neither
/// PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD nor PLAYWRIGHT_BROWSERS_PATH is needed; with ExecutablePath
/// set, the driver does not look for its own browsers either.
/// </remarks>
public sealed class SiteFixture : IAsyncLifetime
{
    /// <summary>
    /// Chromium flags for a machine without a network: without them it keeps trying to reach
    /// Google's services (QUIC, component updates, sync) and page loads hang on those connections.
    /// </summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private DemoService? _service;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private HttpClient? _api;
    private string? _validatorToken;
    private StaticTilesHost? _tiles;
    private readonly Lazy<Task<string>> _published;

    public SiteFixture() => _published = new Lazy<Task<string>>(PublishTilesAsync);

    internal DemoService Service => _service ?? throw new InvalidOperationException("The service did not start.");
    public Uri BaseAddress => Service.BaseAddress;
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser did not start.");

    /// <summary>The tests' own client of the public API: what a page shows is compared with what this gets.</summary>
    public HttpClient Api => _api ??= new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// The log and its latest checkpoint as the demo left them, read before any test runs: a test that
    /// answers an offer on the position page appends to the log afterwards.
    /// </summary>
    public DemoLogEnd DemoEnd { get; private set; } = new(0, 0, default, default);

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("KQ_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: install Debian's chromium (tests/run.sh does as root) or set KQ_CHROMIUM.");
        // The web-first assertions (Expect) wait as long as the other waits of a test.
        Assertions.SetDefaultExpectTimeout(PageSession.WaitMs);
        // Start both at once: the service needs ~10 s to fill the demo region, the browser a second or two.
        // The tiles host first: the service is told its origin (the site may read tiles from it), and
        // the tiles are published into it from the service's log once a test asks for them.
        _tiles = StaticTilesHost.Start(Directory.CreateTempSubdirectory("kq-web-tiles-").FullName);
        var service = DemoService.StartAsync(settings: new Dictionary<string, string> { ["KinderQueue__Site__TilesOrigins__0"] = _tiles.Origin });
        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                Timeout = 30_000,
            });
            _service = await service;
            DemoEnd = await DemoLogEnd.ReadAsync(Api);
        }
        catch
        {
            // Leave nothing running: let the service finish starting (or fail), then stop whatever did start.
            try
            {
                _service ??= await service;
            }
            catch
            {
                // The first failure is the one reported.
            }
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
        if (_tiles is not null)
        {
            await _tiles.DisposeAsync();
            try
            {
                Directory.Delete(_tiles.Root, recursive: true);
            }
            catch (IOException)
            {
                // left in the temp folder; harmless
            }
        }
    }

    /// <summary>The static host standing in for a tiles CDN, on another origin than the site.</summary>
    internal StaticTilesHost Tiles => _tiles ?? throw new InvalidOperationException("The tiles host did not start.");

    /// <summary>
    /// The demo log as tiles, written once by <c>kq publish-tiles</c> from the service into the folder
    /// "genuine" of the tiles host: its URL (a tiles prefix ending in '/').
    /// </summary>
    public Task<string> GenuineTilesAsync() => _published.Value;

    private async Task<string> PublishTilesAsync()
    {
        var dir = Path.Combine(Tiles.Root, "genuine");
        var run = await DemoService.KqAsync("publish-tiles", dir, BaseAddress.ToString());
        if (run.ExitCode != 0) throw new InvalidOperationException($"kq publish-tiles exited with {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        return Tiles.UrlOf("genuine");
    }

    /// <summary>
    /// Runs one test in a new browser context and page, then saves its full-page screenshot named
    /// "{test class}.{test method}[__{variant}].png", pass or fail: a failed test's screenshot is the
    /// evidence, and a screenshot that cannot be taken then does not hide why the test failed.
    /// </summary>
    /// <param name="baseAddress">Another service to open pages of (the signals tests run their own); the demo's by default.</param>
    public async Task RunAsync(Func<PageSession, Task> test, string? variant = null, BrowserNewContextOptions? options = null,
        Uri? baseAddress = null, [CallerMemberName] string method = "", [CallerFilePath] string file = "")
    {
        var name = $"{Path.GetFileNameWithoutExtension(file)}.{method}" + (variant is null ? "" : $"__{variant}");
        options ??= new BrowserNewContextOptions();
        options.BaseURL = (baseAddress ?? BaseAddress).ToString();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 900 };
        var context = await Browser.NewContextAsync(options);
        await using var session = await PageSession.OpenAsync(context, name);
        try
        {
            await test(session);
        }
        catch
        {
            try
            {
                await session.ScreenshotAsync();
            }
            catch (PlaywrightException e)
            {
                await Console.Error.WriteLineAsync($"{name}: no screenshot ({e.Message})");
            }
            catch (TimeoutException e)
            {
                await Console.Error.WriteLineAsync($"{name}: no screenshot ({e.Message})");
            }
            throw;
        }
        await session.ScreenshotAsync();
    }

    /// <summary>
    /// A parent's receipt for a demo application, as the service returns it (exact bytes as text).
    /// The service is ready only once a checkpoint covers the whole demo log, so every entry has one.
    /// </summary>
    public async Task<string> ReceiptAsync(DemoApplication application)
    {
        using var response = await LookupAsync("api/v1/public/receipts", application);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK
            ? text
            : throw new InvalidOperationException($"POST /api/v1/public/receipts for {application.Number}: {(int)response.StatusCode} {text}");
    }

    /// <summary>
    /// The application's private record as an auditor reads it (GET /api/v1/audit/applications/{number},
    /// purpose inspection, with a validator token): what must never appear on a public page. The read is
    /// recorded and counted by the service like any other.
    /// </summary>
    public async Task<JsonDocument> PrivateRecordAsync(DemoApplication application)
    {
        _validatorToken ??= await Service.StaffTokenAsync("validator");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/audit/applications/{application.Number}?purpose=inspection");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _validatorToken);
        using var response = await Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET audit record of {application.Number}: {(int)response.StatusCode} {text}");
        using var check = JsonDocument.Parse(text);
        return JsonDocument.Parse(check.RootElement.GetProperty("record").GetString()
            ?? throw new InvalidOperationException($"The private record of {application.Number} was erased."));
    }

    /// <summary>A parent's lookup (positions or receipts): the application's number and access code in the body.</summary>
    public async Task<HttpResponseMessage> LookupAsync(string path, DemoApplication application)
    {
        var body = $$"""{"number":"{{application.Number}}","accessCode":"{{application.AccessCode}}"}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Api.PostAsync(path, content);
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollectionDefinition : ICollectionFixture<SiteFixture>
{
    public const string Name = "Public site in a browser";
}

/// <summary>The demo's log size, the size and time of the checkpoint covering it, and when its last entry was appended.</summary>
public sealed record DemoLogEnd(long LogSize, long CheckpointSize, DateTimeOffset SignedAt, DateTimeOffset LastEntryAt)
{
    public static async Task<DemoLogEnd> ReadAsync(HttpClient api)
    {
        using var ready = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("readyz"));
        var logSize = ready.RootElement.GetProperty("logSize").GetInt64();
        using var checkpoint = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("api/v1/public/checkpoint"));
        using var last = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync($"api/v1/public/log?from={logSize - 1}&limit=1"));
        return new DemoLogEnd(logSize, checkpoint.RootElement.GetProperty("size").GetInt64(),
            DateTimeOffset.Parse(checkpoint.RootElement.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(last.RootElement.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
