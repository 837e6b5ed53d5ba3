namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// Where a tiled log is published: a folder a static host serves, as paths under the log's prefix.
/// <see cref="Write"/> must replace the file as a whole (temp file and rename), so a reader never gets half of one.
/// </summary>
public interface ITileFiles
{
    /// <summary>The file's bytes, or null if there is none.</summary>
    byte[]? Read(string path);

    bool Exists(string path);

    void Write(string path, byte[] bytes);
}

/// <summary>
/// The rules of keeping a published tiled log current (c2sp.org/tlog-tiles): a full tile or bundle is
/// immutable, so it is written once and never replaced (an existing one with other bytes means the
/// folder holds another log, and is refused); a partial one is replaced as it grows; the checkpoint is
/// written last, so a client that reads it finds every tile it names. The callers (kq publish-tiles,
/// the service) supply the bytes; this decides what to write.
/// </summary>
/// <param name="compareExisting">
/// Read existing full files back and compare them (the command does, once per run); the service, which
/// wrote them itself, only checks that they exist, so a restart does not reread the whole log.
/// </param>
public sealed class TilePublisher(ITileFiles files, bool compareExisting)
{
    public const string CheckpointPath = "checkpoint";

    /// <summary>Files written (new or replaced) so far.</summary>
    public int Written { get; private set; }

    /// <summary>Files already there with the right content (or, without comparing, already there and full).</summary>
    public int Kept { get; private set; }

    /// <summary>Whether <paramref name="id"/> still needs its bytes: a full one absent (or to compare), or any partial one.</summary>
    public bool Needs(TileId id) => id.IsPartial || compareExisting || !files.Exists(id.Path());

    /// <summary>Publishes one tile or bundle; a problem if a full one exists with different bytes.</summary>
    public Parsed<string> Put(TileId id, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var path = id.Path();
        if (!id.IsPartial && !compareExisting && files.Exists(path))
        {
            Kept++;
            return Parsed<string>.Ok(path);
        }
        var existing = files.Read(path);
        if (existing is not null && existing.AsSpan().SequenceEqual(bytes))
        {
            Kept++;
            return Parsed<string>.Ok(path);
        }
        if (existing is not null && !id.IsPartial)
            return Parsed<string>.Fail("$", "tiles.immutable-differs",
                $"{path} is already published with other bytes: a full tile never changes, so the folder holds another log (or was altered); refusing to overwrite it.");
        files.Write(path, bytes);
        Written++;
        return Parsed<string>.Ok(path);
    }

    /// <summary>Publishes the checkpoint note (call after every tile and bundle of its size is put).</summary>
    public void PutCheckpoint(byte[] note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (files.Read(CheckpointPath) is { } existing && existing.AsSpan().SequenceEqual(note))
        {
            Kept++;
            return;
        }
        files.Write(CheckpointPath, note);
        Written++;
    }

    /// <summary>
    /// Publishes every hash tile of the tree's first <paramref name="size"/> entries (the bundles are
    /// put by the caller, who has the entries).
    /// </summary>
    public Parsed<string> PutHashTiles(IMerkleTreeReader tree, long size)
    {
        ArgumentNullException.ThrowIfNull(tree);
        foreach (var id in TileLayout.HashTiles(size))
        {
            if (!Needs(id))
            {
                Kept++;
                continue;
            }
            var put = Put(id, TileContent.Hashes(tree, id));
            if (!put.Success) return put;
        }
        return Parsed<string>.Ok("tiles");
    }
}
