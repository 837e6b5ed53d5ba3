using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Brotli and gzip copies of the site's text files (pages, scripts, style sheet, documents), made
/// once at start: the embedded files never change while the service runs, so on launch day the
/// service spends no CPU compressing the same scripts for every new visitor. A client that accepts
/// neither gets the file itself from the static file middleware.
/// </summary>
internal sealed class PrecompressedSiteFiles
{
    private static readonly string[] Compressible = ["text/html", "text/css", "text/javascript", "text/markdown", "image/svg+xml"];

    private readonly FrozenDictionary<string, Copies> _files;

    private PrecompressedSiteFiles(FrozenDictionary<string, Copies> files) => _files = files;

    /// <param name="ContentType">As the static file middleware would send it.</param>
    /// <param name="Tag">Names the content; each encoding's entity tag adds its name (another representation, another tag).</param>
    private sealed record Copies(string ContentType, string Tag, byte[] Brotli, byte[] Gzip);

    public static PrecompressedSiteFiles Build(IFileProvider files, IContentTypeProvider types)
    {
        var copies = new Dictionary<string, Copies>(StringComparer.OrdinalIgnoreCase);
        Walk(files, "/", copies, types);
        return new PrecompressedSiteFiles(copies.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Whether a file has compressed copies (its plain answers then vary by Accept-Encoding too).</summary>
    public bool Has(PathString path) => path.HasValue && _files.ContainsKey(path.Value!);

    /// <summary>
    /// Answers a GET or HEAD of a site file with a compressed copy when the client accepts one
    /// (Brotli first); false when the static file middleware should answer instead.
    /// </summary>
    public async Task<bool> TryServeAsync(HttpContext context, Action<IHeaderDictionary> addSiteHeaders)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))) return false;
        if (!request.Path.HasValue || !_files.TryGetValue(request.Path.Value!, out var copies)) return false;
        var encoding = Preferred(request);
        if (encoding is null) return false;

        var body = encoding == "br" ? copies.Brotli : copies.Gzip;
        var tag = $"\"{copies.Tag}-{encoding}\"";
        var response = context.Response;
        response.Headers.ETag = tag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        addSiteHeaders(response.Headers);
        if (HttpCaching.ClientHolds(request, tag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.ContentType = copies.ContentType;
        response.Headers.ContentEncoding = encoding;
        response.ContentLength = body.Length;
        if (HttpMethods.IsGet(request.Method)) await response.Body.WriteAsync(body, context.RequestAborted);
        return true;
    }

    private static string? Preferred(HttpRequest request) =>
        HttpCaching.Accepts(request, "br") ? "br" : HttpCaching.Accepts(request, "gzip") ? "gzip" : null;

    private static void Walk(IFileProvider files, string folder, Dictionary<string, Copies> copies, IContentTypeProvider types)
    {
        foreach (var file in files.GetDirectoryContents(folder))
        {
            var path = folder.EndsWith('/') ? folder + file.Name : $"{folder}/{file.Name}";
            if (file.IsDirectory)
            {
                Walk(files, path, copies, types);
                continue;
            }
            if (!types.TryGetContentType(file.Name, out var contentType) || !Compressible.Any(c => contentType.StartsWith(c, StringComparison.Ordinal))) continue;
            using var stream = file.CreateReadStream();
            using var plain = new MemoryStream();
            stream.CopyTo(plain);
            var bytes = plain.ToArray();
            copies[path] = new Copies(contentType, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16],
                HttpCaching.Brotli(bytes, CompressionLevel.SmallestSize), HttpCaching.Gzip(bytes, CompressionLevel.SmallestSize));
        }
    }
}
