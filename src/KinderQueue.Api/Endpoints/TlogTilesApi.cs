using System.Globalization;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.PublicLog.Tiles;
using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// The log as a tiled log (c2sp.org/tlog-tiles, SPEC.md §11.7) under <c>/api/v1/public/tlog/</c>, beside
/// the checkpoint note served there: hash tiles <c>tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c> and entry bundles
/// <c>tile/entries/&lt;N&gt;[.p/&lt;W&gt;]</c>, so tlog clients and <c>kq verify tiles:…</c> read the service as they
/// read a static host, and a cache in front of it keeps every full tile for ever.
/// </summary>
public static class TlogTilesApi
{
    public const string ContentType = "application/octet-stream";

    /// <summary>A full tile never changes (its path names its content).</summary>
    public const string FullCaching = "public, max-age=31536000, immutable";

    /// <summary>
    /// A partial tile's bytes are fixed too (its width is in the path), but the spec lets a log drop it once
    /// the full tile exists, so caches keep it briefly, as a static host does (deploy/CONFIGURATION.md).
    /// </summary>
    public const string PartialCaching = "public, max-age=5";

    public static RouteGroupBuilder MapTlogTiles(this RouteGroupBuilder publicGroup)
    {
        publicGroup.MapGet("/tlog/tile/{**path}", Tile)
            .WithSummary("The log as c2sp.org/tlog-tiles (SPEC.md §11.7), with tlog/checkpoint as its checkpoint: path '<L>/<N>[.p/<W>]' is the hash tile N of level L, " +
                "'entries/<N>[.p/<W>]' the entry bundle N; N in 3-digit groups, all but the last prefixed with x (1234067: x001/x234/067). " +
                "Full tiles are immutable; a partial one of width W is served while the tree has at least W hashes there.")
            .Produces(StatusCodes.Status200OK, contentType: ContentType).Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);
        return publicGroup;
    }

    private static async Task<IResult> Tile(string path, HttpContext http, LogTiles tiles, CheckpointSigner signer)
    {
        if (TileId.Parse("tile/" + path) is not { } id)
            return ApiProblems.Validation("$path", "tiles.path",
                $"'tile/{Truncate(path)}' is not a tile path (c2sp.org/tlog-tiles): tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N in 3-digit groups " +
                "with x before all but the last (1234067 is x001/x234/067), L 0..63 and W 1..255 without leading zeros.");
        var ct = http.RequestAborted;
        var tree = await tiles.TreeForAsync(id, ct);
        if (!TileLayout.Covers(id, tree.Count))
            return ApiProblems.NotFound("$path", "tiles.beyond-tree", string.Create(CultureInfo.InvariantCulture,
                $"The tree has {tree.Count} entries ({(id.IsEntries ? tree.Count : TileLayout.HashesAt(id.Level, tree.Count))} {(id.IsEntries ? "entries" : $"hashes at level {id.Level}")}); " +
                $"{id} needs {(id.IsEntries ? "entries" : "hashes")} up to {id.Index * TileId.FullWidth + id.Width}. Fetch the tiles a verified checkpoint's size needs."));

        // The path names the bytes within this log (its key), so the tag needs no read of them.
        if (HttpCaching.NotModified(http, $"\"{signer.LogId[..16]}-{id.Path()}\"", id.IsPartial ? PartialCaching : FullCaching))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        var bytes = await tiles.BytesAsync(tree, id, ct);
        if (!bytes.Success)
        {
            http.Response.Headers.Remove("ETag");
            http.Response.Headers.Remove("Cache-Control");
            return ApiProblems.NotFound("$path", bytes.Problems[0].Code, bytes.Problems[0].Message);
        }
        return TypedResults.Bytes(bytes.Value!, ContentType);
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
