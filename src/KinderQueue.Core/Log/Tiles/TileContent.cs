namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// The bytes of a tile of Merkle hashes, taken from the log's own tree: hash i of tile n at level l is
/// MTH of entries (n·256 + i)·256^l to (n·256 + i + 1)·256^l − 1, the perfect subtree of height 8l
/// the tree already keeps (c2sp.org/tlog-tiles). The service and <c>kq publish-tiles</c> both write
/// through here, so their tiles are the same bytes.
/// </summary>
public static class TileContent
{
    /// <exception cref="ArgumentException">An entry bundle, or a tile the tree does not cover yet.</exception>
    public static byte[] Hashes(IMerkleTreeReader tree, TileId id)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (id.IsEntries) throw new ArgumentException("An entry bundle holds entries, not hashes.", nameof(id));
        if (!TileLayout.Covers(id, tree.Count)) throw new ArgumentException($"The tree of {tree.Count} entries has no {id}.", nameof(id));
        var bytes = new byte[id.Width * MerkleHash.SizeInBytes];
        for (var i = 0; i < id.Width; i++)
        {
            tree.SubtreeRoot(TileId.Height * id.Level, id.Index * TileId.FullWidth + i, bytes.AsSpan(i * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes));
        }
        return bytes;
    }
}
