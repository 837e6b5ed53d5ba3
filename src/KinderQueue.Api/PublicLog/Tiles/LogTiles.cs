using System.Numerics;
using KinderQueue.Core;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.PublicLog.Tiles;

/// <summary>
/// The tiles of this instance's log (c2sp.org/tlog-tiles, SPEC.md §11.7): hash tiles from the in-memory
/// tree the proofs come from, entry bundles from the store, each entry checked against the tree's leaf
/// before it goes out. The endpoint and the folder writer both read through here, and the hash tiles
/// through <see cref="TileContent"/> as <c>kq publish-tiles</c> does, so all three give the same bytes.
/// </summary>
public sealed class LogTiles(LiveLog log, CheckpointBoard board)
{
    /// <summary>
    /// The tree, caught up if it does not cover <paramref name="id"/> yet but the latest checkpoint does
    /// (checkpoints are shared by the replicas, so a client may hold one another replica's writes made).
    /// A tile beyond every checkpoint does not touch the database: an anonymous request cannot make it catch up.
    /// </summary>
    public async Task<IMerkleTreeReader> TreeForAsync(TileId id, CancellationToken ct)
    {
        var tree = log.Tree;
        var needed = EntriesNeeded(id);
        if (tree.Count >= needed || needed > (board.Latest?.Checkpoint.Size ?? 0)) return tree;
        return await log.TreeCoveringAsync(needed, ct).ConfigureAwait(false);
    }

    /// <summary>Entries a tree must have for <paramref name="id"/> to exist; long.MaxValue when that overflows.</summary>
    public static long EntriesNeeded(TileId id)
    {
        var hashes = new BigInteger(id.Index) * TileId.FullWidth + id.Width;
        var entries = id.IsEntries ? hashes : hashes << (TileId.Height * id.Level);
        return entries >= long.MaxValue ? long.MaxValue : (long)entries;
    }

    /// <summary>
    /// The bytes of <paramref name="id"/> in <paramref name="tree"/> (which must cover it); a problem for a
    /// bundle holding an entry too long for the format (SPEC.md §11.7).
    /// </summary>
    /// <exception cref="LogCorruptException">A stored entry is not the leaf the tree folded.</exception>
    public async Task<Parsed<byte[]>> BytesAsync(IMerkleTreeReader tree, TileId id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (!id.IsEntries) return Parsed<byte[]>.Ok(TileContent.Hashes(tree, id));
        if (!TileLayout.Covers(id, tree.Count)) throw new ArgumentException($"The tree of {tree.Count} entries has no {id}.", nameof(id));

        var first = id.Index * TileId.FullWidth;
        var entries = new List<ReadOnlyMemory<byte>>(id.Width);
        var hash = new byte[MerkleHash.SizeInBytes];
        var leaf = new byte[MerkleHash.SizeInBytes];
        using var encoder = new LogEntryEncoder();
        await foreach (var stored in log.Store.ReadAsync(first, first + id.Width, ct).ConfigureAwait(false))
        {
            var seq = first + entries.Count;
            if (stored.Seq != seq) throw new LogCorruptException(seq, $"is missing from the store (it returned entry {stored.Seq})");
            var bytes = encoder.Encode(stored.Seq, stored.At, stored.Actor, stored.Type, stored.Payload, stored.Prev, hash).ToArray();
            tree.LeafHash(seq, leaf);
            if (!hash.AsSpan().SequenceEqual(leaf)) throw new LogCorruptException(seq, "as stored is not the leaf this instance folded");
            entries.Add(bytes);
        }
        if (entries.Count != id.Width) throw new LogCorruptException(first + entries.Count, "is missing from the store (it ended early)");
        return EntryBundle.Encode(entries, first);
    }
}
