namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// Which tiles and entry bundles a tree of a given size has (c2sp.org/tlog-tiles): at level l there
/// are floor(size / 256^l) hashes, cut into full tiles of 256 and at most one partial tile of the
/// rest; the entry bundles follow the level 0 tiles. A tree of 70,000 entries has 273 full level 0
/// tiles, a level 0 tile of width 112, one full level 1 tile, a level 1 tile of width 17 and a level 2
/// tile of width 1.
/// </summary>
public static class TileLayout
{
    /// <summary>Hashes at tile level <paramref name="level"/> of a tree of <paramref name="size"/> entries.</summary>
    public static long HashesAt(int level, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        var shift = TileId.Height * level;
        return shift >= 63 ? 0 : size >> shift;
    }

    /// <summary>Every tile of Merkle hashes of the tree, level by level, full ones before the partial one.</summary>
    public static IEnumerable<TileId> HashTiles(long size)
    {
        for (var level = 0; HashesAt(level, size) > 0; level++)
        {
            foreach (var id in Cut(HashesAt(level, size), (i, w) => TileId.Hashes(level, i, w))) yield return id;
        }
    }

    /// <summary>Every entry bundle of the tree: the entries cut as the level 0 tiles are.</summary>
    public static IEnumerable<TileId> EntryBundles(long size) => Cut(size, TileId.Entries);

    /// <summary>
    /// Whether a tree of <paramref name="size"/> entries has this tile or bundle: its hashes or entries
    /// all exist. A partial tile of a smaller width than the tree's is still its prefix, so it is served too.
    /// </summary>
    public static bool Covers(TileId id, long size)
    {
        var available = id.IsEntries ? size : HashesAt(id.Level, size);
        return id.Index <= (available - id.Width) / TileId.FullWidth && id.Index * TileId.FullWidth + id.Width <= available;
    }

    /// <summary>The tile of the tree of <paramref name="size"/> entries that holds hash <paramref name="hashIndex"/> of <paramref name="level"/>.</summary>
    public static TileId TileHolding(int level, long hashIndex, long size)
    {
        var index = hashIndex / TileId.FullWidth;
        var width = (int)Math.Min(TileId.FullWidth, HashesAt(level, size) - index * TileId.FullWidth);
        return TileId.Hashes(level, index, width);
    }

    private static IEnumerable<TileId> Cut(long count, Func<long, int, TileId> make)
    {
        var full = count / TileId.FullWidth;
        for (long i = 0; i < full; i++) yield return make(i, TileId.FullWidth);
        var rest = (int)(count % TileId.FullWidth);
        if (rest > 0) yield return make(full, rest);
    }
}
