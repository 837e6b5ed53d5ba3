using Microsoft.Playwright;

namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// One test's browser context and page, with what the page complained about: console errors,
/// uncaught exceptions and Content-Security-Policy violations; and its screenshot. Disposing it
/// closes the context. Tests go through <see cref="SiteFixture.RunAsync"/>, which takes the screenshot.
/// </summary>
public sealed class PageSession : IAsyncDisposable
{
    /// <summary>
    /// Each wait (a selector, an attribute, a click) gives up after this. Only a failing test waits
    /// it out; it is generous because CI shares two cores between the service, Chromium and the tests.
    /// </summary>
    public const float WaitMs = 10_000;

    /// <summary>A page load, until the network is idle (the page's data fetched).</summary>
    public const float NavigationMs = 15_000;

    // Runs before any page script, so the listener sees every violation, including one in the page's first script.
    private const string CspListener =
        "window.__kqCspViolations = [];" +
        "document.addEventListener('securitypolicyviolation', e => window.__kqCspViolations.push(" +
        "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || '') + ':' + e.lineNumber));";

    private readonly IBrowserContext _context;
    private readonly string _testName;
    private readonly List<string> _problems = [];

    public IPage Page { get; }

    private PageSession(IBrowserContext context, IPage page, string testName)
    {
        _context = context;
        Page = page;
        _testName = testName;
    }

    internal static async Task<PageSession> OpenAsync(IBrowserContext context, string testName)
    {
        context.SetDefaultTimeout(WaitMs);
        context.SetDefaultNavigationTimeout(NavigationMs);
        await context.AddInitScriptAsync(CspListener);
        var page = await context.NewPageAsync();
        var session = new PageSession(context, page, testName);
        page.Console += (_, message) =>
        {
            // Every page names its icon, so Chromium never asks for a missing /favicon.ico: any console error counts.
            if (message.Type == "error")
                session.Add($"console error: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => session.Add($"uncaught exception: {error}");
        return session;
    }

    private void Add(string problem)
    {
        lock (_problems) _problems.Add(problem);
    }

    /// <summary>Opens a path (relative to the service) and waits until the network is idle; returns the page's response.</summary>
    public async Task<IResponse> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        return response ?? throw new InvalidOperationException($"No response for {path}");
    }

    /// <summary>Everything the page complained about so far, CSP violations seen by the page included.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync()
    {
        var csp = await Page.EvaluateAsync<string[]?>("() => window.__kqCspViolations || []") ?? [];
        lock (_problems) return [.. _problems, .. csp.Select(v => $"CSP violation: {v}")];
    }

    /// <summary>
    /// A full-page PNG named after the test. A very long page (the specification) is shot as its top
    /// <see cref="MaxShotHeight"/> CSS pixels, through a viewport that tall: a full-page capture of it
    /// takes Chromium longer than a test may wait (over 15 s here), and the top is the evidence.
    /// </summary>
    public async Task ScreenshotAsync()
    {
        var options = new PageScreenshotOptions
        {
            Path = Path.Combine(Artifacts.ScreenshotsDirectory, Artifacts.FileNameOf(_testName) + ".png"),
            FullPage = true,
            Timeout = 15_000,
        };
        var height = await Page.EvaluateAsync<int>("() => Math.ceil(document.documentElement.scrollHeight)");
        if (height > MaxShotHeight && Page.ViewportSize is { } viewport)
        {
            await Page.SetViewportSizeAsync(viewport.Width, MaxShotHeight);
            options.FullPage = false;
        }
        await Page.ScreenshotAsync(options);
    }

    /// <summary>See <see cref="ScreenshotAsync"/>.</summary>
    public const int MaxShotHeight = 6_000;

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
