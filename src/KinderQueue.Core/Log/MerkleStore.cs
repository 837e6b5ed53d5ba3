using System.Collections.Immutable;
using System.Numerics;

namespace KinderQueue.Core.Log;

/// <summary>
/// Read access to a growing Merkle tree (RFC 9162 §2.1) for any size up to <see cref="Count"/>:
/// what the public proof endpoints need, without the means to append.
/// </summary>
public interface IMerkleTreeReader
{
    /// <summary>Number of leaves; only grows. Every size up to it can be asked about.</summary>
    long Count { get; }

    /// <summary>The leaf hash (= entry hash, SPEC.md §6.2) at <paramref name="index"/>.</summary>
    byte[] LeafHash(long index);

    /// <summary>Allocation-free form of <see cref="LeafHash(long)"/> for readers of many entries.</summary>
    void LeafHash(long index, Span<byte> destination);

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    byte[] Root(long size);

    /// <summary>PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf-to-root order.</summary>
    ImmutableArray<byte[]> InclusionProof(long index, long size);

    /// <summary>PROOF(oldSize, D[newSize]) (RFC 9162 §2.1.4.1); 0 &lt; oldSize &lt;= newSize.</summary>
    ImmutableArray<byte[]> ConsistencyProof(long oldSize, long newSize);

    /// <summary>
    /// MTH of the perfect subtree of <paramref name="height"/> with index <paramref name="index"/> at that
    /// height: leaves index·2^height to (index+1)·2^height − 1, all below <see cref="Count"/>. The
    /// hashes of a tile (c2sp.org/tlog-tiles) are these subtrees at heights 0, 8, 16, …
    /// </summary>
    void SubtreeRoot(int height, long index, Span<byte> destination);
}

/// <summary>
/// Append-only store of leaf hashes that also keeps the hash of every perfect (power-of-two
/// aligned) subtree as the leaves arrive, so the root of any size and any inclusion or consistency
/// proof cost O(log² n) hash reads and at most O(log² n) node hashes instead of rehashing O(n) leaves.
/// Its answers equal those of the reference <see cref="MerkleTree"/> (the tests compare them).
/// </summary>
/// <remarks>
/// <para>
/// Layout: the nodes are numbered in order ("flat tree"): the node at height h (leaves have height
/// 0) and index j within its height sits at position j·2^(h+1) + 2^h − 1, so leaf i is at 2i and the
/// parent of a perfect pair lies between them. n leaves occupy positions below 2n; the hashes sit
/// contiguously in chunks of 2^<c>chunkBits</c> slots of 32 bytes (512 KiB by default), about 64 bytes
/// a leaf: a million leaves take 64 MiB. Chunks are never moved or resized, so growing never copies
/// hashes and no array has to exceed 2 GiB.
/// </para>
/// <para>
/// Concurrency: exactly one thread appends (the log's writer). Any number of threads may read at
/// the same time, for sizes up to a <see cref="Count"/> they observed: a slot is written once, before
/// the count that covers it is published with a release write (<see cref="Volatile"/>), and the chunk
/// directory is replaced (copy-on-grow), never changed in place except to fill a slot no published
/// count covers yet. A reader therefore never sees a torn hash or a missing chunk. Asking for a size
/// above the current count is an argument error, exactly as for <see cref="MerkleTree"/>.
/// </para>
/// </remarks>
public sealed class MerkleStore : IMerkleTreeReader
{
    private const int HashSize = MerkleHash.SizeInBytes;
    private const int DefaultChunkBits = 14;

    private readonly int _chunkBits;
    private readonly long _chunkMask;
    private byte[][] _chunks;
    private long _count;

    public MerkleStore() : this(DefaultChunkBits)
    {
    }

    /// <summary>Tests use tiny chunks so that every path crosses chunk boundaries.</summary>
    internal MerkleStore(int chunkBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBits, 20);
        _chunkBits = chunkBits;
        _chunkMask = (1L << chunkBits) - 1;
        _chunks = new byte[4][];
    }

    /// <summary>Number of leaves appended; read with acquire semantics, so every slot it covers is visible.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>
    /// Appends one 32-byte leaf hash and the perfect subtrees it completes. Single writer: must not
    /// run concurrently with another <see cref="Append"/>.
    /// </summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != HashSize) throw new ArgumentException($"A leaf hash is {HashSize} bytes.", nameof(leafHash));
        var index = _count;
        var position = checked(2 * index);
        EnsureChunk(position);
        leafHash.CopyTo(Slot(_chunks, position));

        // Leaf i completes one perfect subtree per trailing 1 bit of i (as binary increment carries):
        // the subtree of height h ending at leaf i, whose children are already stored.
        var chunks = _chunks;
        var height = 1;
        for (var carry = index; (carry & 1) == 1; carry >>= 1, height++)
        {
            var j = ((index + 1) >> height) - 1;
            MerkleHash.Node(Slot(chunks, Position(height - 1, 2 * j)), Slot(chunks, Position(height - 1, 2 * j + 1)),
                Slot(chunks, Position(height, j)));
        }

        // Publish: readers that see the new count see every slot written above.
        Volatile.Write(ref _count, index + 1);
    }

    /// <summary>MTH of all leaves so far.</summary>
    public byte[] Root() => Root(Count);

    public byte[] LeafHash(long index)
    {
        var hash = new byte[HashSize];
        LeafHash(index, hash);
        return hash;
    }

    public void LeafHash(long index, Span<byte> destination)
    {
        var count = Count;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        Slot(Volatile.Read(ref _chunks), 2 * index).CopyTo(destination);
    }

    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt;= size &lt;= Count.</exception>
    public byte[] Root(long size)
    {
        var chunks = ChunksFor(size);
        return size == 0 ? MerkleHash.EmptyRoot.ToArray() : RangeRoot(chunks, 0, size);
    }

    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt;= index &lt; size &lt;= Count.</exception>
    public ImmutableArray<byte[]> InclusionProof(long index, long size)
    {
        var chunks = ChunksFor(size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);

        return MerkleTree.InclusionPath(index, size, (offset, count) => RangeRoot(chunks, offset, count));
    }

    /// <remarks>As <see cref="MerkleTree.ConsistencyProof"/>: an old size of 0 is refused (SPEC.md §6.3), equal sizes give the empty proof.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt; oldSize &lt;= newSize &lt;= Count.</exception>
    public ImmutableArray<byte[]> ConsistencyProof(long oldSize, long newSize)
    {
        var chunks = ChunksFor(newSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);

        return MerkleTree.ConsistencyPath(oldSize, newSize, (offset, count) => RangeRoot(chunks, offset, count));
    }

    /// <exception cref="ArgumentOutOfRangeException">Unless the subtree lies below <see cref="Count"/>.</exception>
    public void SubtreeRoot(int height, long index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 62);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var count = Count;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, ((count >> height) - 1));
        Slot(Volatile.Read(ref _chunks), Position(height, index)).CopyTo(destination);
    }

    /// <summary>
    /// MTH(D[offset:offset+count]) for a range the RFC recursion produces: it starts at a multiple of
    /// the smallest power of two ≥ count, so it splits into stored perfect subtrees, largest first
    /// (one per set bit of count), which combine from the right as MTH's left-balanced split does.
    /// </summary>
    private byte[] RangeRoot(byte[][] chunks, long offset, long count)
    {
        var height = 63 - BitOperations.LeadingZeroCount((ulong)count);
        var end = offset + count;
        // The rightmost perfect subtree first, then fold each larger one on its left.
        var lowest = BitOperations.TrailingZeroCount(count);
        var start = end - (1L << lowest);
        var root = Slot(chunks, Subtree(start, lowest)).ToArray();
        for (var h = lowest + 1; h <= height; h++)
        {
            if ((count & (1L << h)) == 0) continue;
            start -= 1L << h;
            MerkleHash.Node(Slot(chunks, Subtree(start, h)), root, root);
        }

        return root;
    }

    /// <summary>Position of the perfect subtree of height <paramref name="height"/> starting at leaf <paramref name="start"/>.</summary>
    private static long Subtree(long start, int height)
    {
        if ((start & ((1L << height) - 1)) != 0)
            throw new InvalidOperationException($"Leaves {start}..{start + (1L << height) - 1} are not an aligned perfect subtree.");
        return Position(height, start >> height);
    }

    private static long Position(int height, long index) => (index << (height + 1)) + (1L << height) - 1;

    /// <summary>Checks a size against the published count, then takes the chunk directory (acquire after the count).</summary>
    private byte[][] ChunksFor(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Count);
        return Volatile.Read(ref _chunks);
    }

    private Span<byte> Slot(byte[][] chunks, long position) =>
        chunks[(int)(position >> _chunkBits)].AsSpan((int)(position & _chunkMask) * HashSize, HashSize);

    /// <summary>Makes sure the chunk holding <paramref name="position"/> exists (positions only grow, one chunk at a time).</summary>
    private void EnsureChunk(long position)
    {
        var chunk = checked((int)(position >> _chunkBits));
        var chunks = _chunks;
        if (chunk < chunks.Length && chunks[chunk] is not null) return;
        if (chunk >= chunks.Length)
        {
            // Copy-on-grow: readers holding the old directory still find every chunk they can need.
            var grown = new byte[checked(chunks.Length * 2)][];
            Array.Copy(chunks, grown, chunks.Length);
            chunks = grown;
        }

        // Filling a slot no published count covers yet is invisible to readers, so it may happen in place.
        chunks[chunk] = new byte[(1 << _chunkBits) * HashSize];
        Volatile.Write(ref _chunks, chunks);
    }
}
