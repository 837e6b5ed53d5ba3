using KinderQueue.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>A mistyped address in a browser: status 404, and a page in the site's language with the way back.</summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class NotFoundPageTests(SiteFixture site)
{
    [Fact]
    public async Task AMistypedAddress_ShowsAPageWithTheSitesLinks()
    {
        await site.RunAsync(async session =>
        {
            var response = await session.GotoAsync("/positon.html");
            response.Status.Should().Be(404);
            await Expect(session.Page.Locator("h1")).ToHaveTextAsync("Такой страницы нет");
            await Expect(session.Page.Locator("main a[href='/position.html']")).ToBeVisibleAsync();
            await session.Page.Locator("#lang-switch").ClickAsync();
            await Expect(session.Page.Locator("h1")).ToHaveTextAsync("There is no such page");
            // The document's own 404 is the point of the page; nothing else may fail.
            (await session.ProblemsAsync()).Should().OnlyContain(p => p.Contains("404", StringComparison.Ordinal));
        });
    }
}
