using System.Net;
using System.Text.RegularExpressions;
using FluentAssertions;
using KinderQueue.Api.Tests.Support;
using Xunit;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The public site as the service serves it (its behaviour in a browser is tested in
/// KinderQueue.Web.Tests): every page and every asset a page names is there, embedded in the
/// binary, under a policy that runs only the site's own scripts; the documents the "how it works"
/// pages render are the repository's own.
/// </summary>
public sealed partial class PublicSiteTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private static readonly string[] Pages = ["/", "/position.html", "/check.html", "/how.html", "/docs.html", "/kindergarten.html", "/signals.html"];

    [Fact]
    public async Task EveryPage_IsServed_WithItsOwnScriptsOnly_AndEveryAssetItNamesExists()
    {
        foreach (var page in Pages)
        {
            using var response = await fixture.Client.GetAsync(page);
            response.StatusCode.Should().Be(HttpStatusCode.OK, page);
            response.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8", page);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            csp.Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe", page);
            response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
            var html = await response.Content.ReadAsStringAsync();
            html.Should().Contain("<html lang=\"ru\">", "Russian is the default language");
            html.Should().NotContain("<script>", "inline scripts would be refused by the policy").And.NotContain(" style=\"", page);

            var assets = AssetReference().Matches(html).Select(m => m.Groups["path"].Value).ToList();
            assets.Should().Contain("/assets/common.js").And.Contain("/assets/site.css");
            foreach (var asset in assets)
            {
                using var a = await fixture.Client.GetAsync(asset);
                a.StatusCode.Should().Be(HttpStatusCode.OK, $"{page} names {asset}");
            }
        }
    }

    [Theory]
    [InlineData("/docs/explainer.ru.md", "explainer.ru.md")]
    [InlineData("/docs/SPEC.md", "SPEC.md")]
    [InlineData("/docs/VERIFYING.md", "VERIFYING.md")]
    public async Task Documents_AreTheRepositorysOwn(string path, string file)
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var expected = await File.ReadAllTextAsync(Path.Combine(repository, "algorithm-spec", file));
        using var response = await fixture.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/markdown; charset=utf-8");
        (await response.Content.ReadAsStringAsync()).Should().Be(expected);
    }

    [Theory]
    [InlineData("/assets/dashboard.js", "gzip")]
    [InlineData("/", "br")]
    [InlineData("/docs/SPEC.md", "br")]
    [InlineData("/assets/site.css", "gzip")]
    public async Task TextFiles_AreCompressed_ForClientsThatAccept(string path, string encoding)
    {
        using var plain = await fixture.Client.GetAsync(path);
        var identity = await plain.Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd(encoding);
        using var response = await fixture.Client.SendAsync(request);

        response.Content.Headers.ContentEncoding.Should().Equal(encoding);
        var body = await response.Content.ReadAsByteArrayAsync();
        body.Length.Should().BeLessThan(identity.Length);
        using Stream decoder = encoding == "br"
            ? new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await decoder.CopyToAsync(decoded);
        decoded.ToArray().Should().Equal(identity);
        plain.Headers.Vary.Should().Contain("Accept-Encoding");
        response.Headers.Vary.Should().Contain("Accept-Encoding");
        response.Headers.ETag!.Tag.Should().NotBe(plain.Headers.ETag!.Tag, "two representations, two entity tags");

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
        revalidate.Headers.AcceptEncoding.ParseAdd(encoding);
        revalidate.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await fixture.Client.SendAsync(revalidate);
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    [Theory]
    [InlineData("/assets/nothing-here.js", "*/*")]
    [InlineData("/no-such-page.html", "application/json")]
    [InlineData("/api/v1/no-such-thing", "text/html,application/xhtml+xml,*/*;q=0.8")]
    public async Task AnUnknownAddress_ForAProgram_OrUnderTheApi_IsAProblem(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await fixture.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("route.not-found");
    }

    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/healthz")]
    public async Task TheApisOwnPages_AreNotTakenForUnknownAddresses(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        using var response = await fixture.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
    }

    [Fact]
    public async Task AnUnknownAddress_InABrowser_IsAPageWithTheSitesLinks()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        using var response = await fixture.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("href=\"/position.html\"").And.Contain("/assets/not-found.js");
    }

    [GeneratedRegex("""(?:src|href)="(?<path>/assets/[^"]+)""")]
    private static partial Regex AssetReference();
}
