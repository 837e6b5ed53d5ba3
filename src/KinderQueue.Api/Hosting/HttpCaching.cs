using Microsoft.Net.Http.Headers;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Conditional and negotiated answers, shared by the public API and the site: entity tags with
/// If-None-Match, and the content codings a client accepts for the copies kept compressed.
/// </summary>
internal static class HttpCaching
{
    /// <summary>
    /// Sets the validators of an answer and, when the client already holds it, says so: the caller
    /// then answers 304 without a body.
    /// </summary>
    public static bool NotModified(HttpContext http, string etag, string cacheControl)
    {
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = cacheControl;
        return ClientHolds(http.Request, etag);
    }

    /// <summary>
    /// If-None-Match names this entity tag (weak comparison, as RFC 9110 §13.1.2 asks) or "*". A
    /// malformed header parses as no tags: the full answer follows, as for no header.
    /// </summary>
    public static bool ClientHolds(HttpRequest request, string etag)
    {
        var ours = new EntityTagHeaderValue(etag);
        return request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: false));
    }

    /// <summary>True when the client accepts the coding (by name or "*") with a quality above zero.</summary>
    public static bool Accepts(HttpRequest request, string coding) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e =>
            (e.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || e.Value.Equals("*", StringComparison.Ordinal)) && e.Quality is not 0);

    public static byte[] Gzip(byte[] bytes, System.IO.Compression.CompressionLevel level) =>
        Compress(bytes, s => new System.IO.Compression.GZipStream(s, level, leaveOpen: true));

    public static byte[] Brotli(byte[] bytes, System.IO.Compression.CompressionLevel level) =>
        Compress(bytes, s => new System.IO.Compression.BrotliStream(s, level, leaveOpen: true));

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream(bytes.Length / 4);
        using (var stream = compressor(buffer)) stream.Write(bytes);
        return buffer.ToArray();
    }
}
