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
    // Pages run only our own scripts and styles and talk only to this origin; nothing is framed.
    // The markdown pages are rendered by our script into escaped DOM nodes, never as raw HTML.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The site's text files are compressed on the way out (about 180 KB of pages and scripts become
    /// about a quarter of that, which matters on a phone). Only these types: JSON answers are not
    /// compressed per request (the large public ones carry a copy compressed once per snapshot).
    /// </summary>
    public static IServiceCollection AddPublicSite(this IServiceCollection services) =>
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true; // the pages hold no secret for a compression side channel to leak
            o.MimeTypes = ["text/html", "text/css", "text/javascript", "text/markdown", "image/svg+xml"];
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
        }).Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest)
          .Configure<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);

    public static WebApplication UsePublicSite(this WebApplication app)
    {
        app.UseResponseCompression();
        var files = new ManifestEmbeddedFileProvider(typeof(PublicSite).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = ContentTypes(),
            OnPrepareResponse = ctx =>
            {
                var headers = ctx.Context.Response.Headers;
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Revalidate every time: a changed page or script must reach parents on the next load,
                // and the ETag makes an unchanged one a 304.
                headers[HeaderNames.CacheControl] = "no-cache";
            },
        });
        return app;
    }

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
