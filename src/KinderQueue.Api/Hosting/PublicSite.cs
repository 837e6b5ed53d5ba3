using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// The public web site (dashboard, position page, check-it-yourself, how it works) served by the
/// service itself from files embedded in this assembly, so running the service needs no front-end
/// build and no folder beside the binary. The pages are static; they read the public API.
/// </summary>
public static class PublicSite
{
    // Pages run only our own scripts and styles and talk only to this origin (and the tiles hosts the
    // operator lists, below); nothing is framed. The markdown pages are rendered by our script into
    // escaped DOM nodes, never as raw HTML.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'{tiles}; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Origins (scheme://host[:port]) of the static hosts or CDNs that publish this log's tiles (SPEC.md §11.7):
    /// the check page may read tiles from them, and from nowhere else but this service.
    /// </summary>
    public const string TilesOriginsSetting = "KinderQueue:Site:TilesOrigins";

    public static WebApplication UsePublicSite(this WebApplication app)
    {
        var policy = ContentSecurityPolicy.Replace("{tiles}", string.Concat(TilesOrigins(app.Configuration).Select(o => " " + o)), StringComparison.Ordinal);
        void AddSiteHeaders(IHeaderDictionary headers) => AddHeaders(headers, policy);
        var files = new ManifestEmbeddedFileProvider(typeof(PublicSite).Assembly, "wwwroot");
        var types = ContentTypes();
        // About 180 KB of pages and scripts are about a quarter of that compressed, which matters on a
        // phone; compressed once here, not for every visitor.
        var compressed = PrecompressedSiteFiles.Build(files, types);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.Use(async (context, next) =>
        {
            if (!await compressed.TryServeAsync(context, AddSiteHeaders)) await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = ctx =>
            {
                AddSiteHeaders(ctx.Context.Response.Headers);
                // The plain file is one of its representations; caches must not give it to those who asked for br.
                if (compressed.Has(ctx.Context.Request.Path)) ctx.Context.Response.Headers.Vary = HeaderNames.AcceptEncoding;
            },
        });
        // An address nothing answers (no file here, no endpoint): a person in a browser gets a page with
        // the site's links; a program gets the usual problem details, which the status code pages write.
        // Routing has already run (the host puts it first), so a matched endpoint is visible here.
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not null || !WantsPage(context.Request) || files.GetFileInfo("404.html") is not { Exists: true } page)
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/html; charset=utf-8";
            AddSiteHeaders(context.Response.Headers);
            await context.Response.SendFileAsync(page, context.RequestAborted);
        });
        return app;
    }

    /// <summary>The configured tiles origins, each exactly an http(s) origin; anything else stops the start.</summary>
    public static IReadOnlyList<string> TilesOrigins(IConfiguration configuration)
    {
        var origins = new List<string>();
        foreach (var item in configuration.GetSection(TilesOriginsSetting).GetChildren())
        {
            var text = item.Value?.Trim() ?? "";
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
                throw new InvalidOperationException($"{TilesOriginsSetting}:{item.Key} '{text}' is not an origin like https://tiles.example.org (scheme, host, optional port; no path).");
            origins.Add(uri.GetLeftPart(UriPartial.Authority));
        }
        return origins;
    }

    private static void AddHeaders(IHeaderDictionary headers, string contentSecurityPolicy)
    {
        headers[HeaderNames.ContentSecurityPolicy] = contentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidate every time: a changed page or script must reach parents on the next load, and
        // the ETag makes an unchanged one a 304.
        headers[HeaderNames.CacheControl] = "no-cache";
    }

    /// <summary>A browser navigating to a page: GET, HTML accepted, not an API, health or documentation address.</summary>
    private static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase)
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider ContentTypes()
    {
        var types = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
        // Pages, scripts and documents are UTF-8 (Russian text); say so rather than leave it to sniffing.
        types.Mappings[".md"] = "text/markdown; charset=utf-8";
        types.Mappings[".html"] = "text/html; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        types.Mappings[".svg"] = "image/svg+xml; charset=utf-8";
        return types;
    }
}
