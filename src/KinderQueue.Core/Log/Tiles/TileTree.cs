using System.Collections.Immutable;
using System.Numerics;

namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// The reading side of c2sp.org/tlog-tiles: the root of a tree, inclusion proofs and consistency
/// proofs computed from its tiles alone, as a client that fetched them does. The answers equal those
/// of <see cref="MerkleTree"/> over the entries (the tests compare them on random sizes).
/// </summary>
/// <remarks>
/// Every range the RFC 9162 recursion visits splits into perfect aligned subtrees (one per set bit of its
/// length, see <see cref="MerkleStore"/>). A perfect subtree of height 8l + r is the root of 2^r
/// consecutive hashes of one level l tile, hashed pairwise r times. A caller first asks which tiles a
/// computation needs (<see cref="TilesForRoot"/> and the like), fetches them, then computes on them:
/// the maths stays free of I/O.
/// </remarks>
public sealed class TileTree
{
    private readonly Func<TileId, ReadOnlyMemory<byte>> _tile;

    private TileTree(long size, Func<TileId, ReadOnlyMemory<byte>> tile)
    {
        Size = size;
        _tile = tile;
    }

    public long Size { get; }

    /// <summary>
    /// The tree of <paramref name="size"/> entries over fetched <paramref name="tiles"/>; a problem if one
    /// has not exactly its width of hashes (a truncated or padded download).
    /// </summary>
    public static Parsed<TileTree> Over(long size, IReadOnlyDictionary<TileId, byte[]> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        foreach (var (id, bytes) in tiles)
        {
            if (id.IsEntries || bytes.Length != id.Width * MerkleHash.SizeInBytes)
                return Parsed<TileTree>.Fail("$", "tiles.tile-length", $"{id} has {bytes.Length} bytes, not {id.Width} hashes of {MerkleHash.SizeInBytes}.");
        }
        return Parsed<TileTree>.Ok(new TileTree(size, id => tiles.TryGetValue(id, out var b)
            ? b
            : throw new KeyNotFoundException($"{id} was not fetched: ask TileTree which tiles a computation needs.")));
    }

    /// <summary>The tiles <see cref="Root"/> reads for a tree of <paramref name="size"/> entries.</summary>
    public static ImmutableArray<TileId> TilesForRoot(long size) => Needed(size, t => t.Root());

    public static ImmutableArray<TileId> TilesForInclusion(long index, long size) => Needed(size, t => t.InclusionProof(index));

    public static ImmutableArray<TileId> TilesForConsistency(long oldSize, long newSize) => Needed(newSize, t => t.ConsistencyProof(oldSize));

    /// <summary>MTH of the whole tree (RFC 9162 §2.1.1).</summary>
    public byte[] Root() => Size == 0 ? MerkleHash.EmptyRoot.ToArray() : RangeRoot(0, Size);

    /// <summary>The leaf hash of entry <paramref name="index"/>, from its level 0 tile.</summary>
    public byte[] LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return Subtree(0, index);
    }

    /// <summary>PATH(index, D[Size]) (RFC 9162 §2.1.3.1), leaf to root.</summary>
    public ImmutableArray<byte[]> InclusionProof(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return MerkleTree.InclusionPath(index, Size, RangeRoot);
    }

    /// <summary>PROOF(oldSize, D[Size]) (RFC 9162 §2.1.4.1); 0 &lt; oldSize &lt;= Size.</summary>
    public ImmutableArray<byte[]> ConsistencyProof(long oldSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, Size);
        return MerkleTree.ConsistencyPath(oldSize, Size, RangeRoot);
    }

    private static ImmutableArray<TileId> Needed(long size, Action<TileTree> compute)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var seen = new List<TileId>();
        // The hash values do not change which tiles are read, so zero tiles of the right width stand in.
        compute(new TileTree(size, id =>
        {
            if (!seen.Contains(id)) seen.Add(id);
            return new byte[id.Width * MerkleHash.SizeInBytes];
        }));
        return [.. seen];
    }

    /// <summary>MTH(D[offset:offset+count]) of a range the RFC recursion produces (it starts at a multiple of the next power of two ≥ count).</summary>
    private byte[] RangeRoot(long offset, long count)
    {
        var end = offset + count;
        var lowest = BitOperations.TrailingZeroCount(count);
        var highest = 63 - BitOperations.LeadingZeroCount((ulong)count);
        var start = end - (1L << lowest);
        var root = Subtree(lowest, start >> lowest);
        for (var h = lowest + 1; h <= highest; h++)
        {
            if ((count & (1L << h)) == 0) continue;
            start -= 1L << h;
            MerkleHash.Node(Subtree(h, start >> h), root, root);
        }
        return root;
    }

    /// <summary>MTH of the perfect subtree of <paramref name="height"/> with index <paramref name="index"/> at that height.</summary>
    private byte[] Subtree(int height, long index)
    {
        var level = height / TileId.Height;
        var rise = height % TileId.Height;
        var first = index << rise;
        var id = TileLayout.TileHolding(level, first, Size);
        var tile = _tile(id).Span;
        var span = 1 << rise;
        var at = (int)(first - id.Index * TileId.FullWidth);
        var hashes = tile.Slice(at * MerkleHash.SizeInBytes, span * MerkleHash.SizeInBytes).ToArray();
        // Hash the 2^rise tile hashes pairwise up to their root, in place.
        for (var n = span; n > 1; n /= 2)
        {
            for (var i = 0; i < n / 2; i++)
            {
                MerkleHash.Node(hashes.AsSpan(2 * i * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes),
                    hashes.AsSpan((2 * i + 1) * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes),
                    hashes.AsSpan(i * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes));
            }
        }
        return hashes[..MerkleHash.SizeInBytes];
    }
}
