using System.Collections.Immutable;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Core.Tests.Log.Tiles;

/// <summary>
/// Tiles written from the log's tree and the proofs a client computes from them, against the reference
/// <see cref="MerkleTree"/> over the leaves.
/// </summary>
public sealed class TileTreeTests
{
    internal static class Cases
    {
        // Small trees, and trees around 65,536 so that level 2 tiles and partial level 1 tiles occur.
        public static Arbitrary<(int Size, int Index, int OldSize, int Seed)> Trees() =>
            (from size in Gen.OneOf(Gen.Choose(1, 1200), Gen.Choose(65_000, 66_500))
             from index in Gen.Choose(0, size - 1)
             from oldSize in Gen.OneOf(Gen.Choose(1, size), Gen.Choose(Math.Max(1, size - 300), size))
             from seed in Gen.Choose(0, int.MaxValue - 1)
             select (Size: size, Index: index, OldSize: oldSize, Seed: seed)).ToArbitrary();
    }

    [Property(MaxTest = 40, Arbitrary = new[] { typeof(Cases) })]
    public void Property_root_and_proofs_from_tiles_equal_the_reference((int Size, int Index, int OldSize, int Seed) c)
    {
        var leaves = Leaves(c.Seed, c.Size);
        var store = Filled(leaves);

        var tree = Over(store, c.Size);

        tree.Root().Should().Equal(MerkleTree.Root(leaves, c.Size));
        tree.LeafHash(c.Index).Should().Equal(leaves[c.Index]);
        Same(tree.InclusionProof(c.Index), MerkleTree.InclusionProof(leaves, c.Index, c.Size));
        Same(tree.ConsistencyProof(c.OldSize), MerkleTree.ConsistencyProof(leaves, c.OldSize, c.Size));
    }

    [Property(MaxTest = 40, Arbitrary = new[] { typeof(Cases) })]
    public void Property_a_computation_reads_only_the_tiles_it_names_and_those_exist((int Size, int Index, int OldSize, int Seed) c)
    {
        var store = Filled(Leaves(c.Seed, c.Size));
        var needed = TileTree.TilesForRoot(c.Size).Concat(TileTree.TilesForInclusion(c.Index, c.Size)).Concat(TileTree.TilesForConsistency(c.OldSize, c.Size)).Distinct().ToList();

        needed.Should().OnlyContain(id => TileLayout.HashTiles(c.Size).Contains(id), "a client fetches only tiles the tree has");
        var only = needed.ToDictionary(id => id, id => TileContent.Hashes(store, id));
        var tree = TileTree.Over(c.Size, only).GetValueOrThrow();
        tree.Root().Should().Equal(store.Root(c.Size));
        Same(tree.InclusionProof(c.Index), store.InclusionProof(c.Index, c.Size));
        Same(tree.ConsistencyProof(c.OldSize), store.ConsistencyProof(c.OldSize, c.Size));
    }

    [Fact]
    public void Hash_i_of_a_level_1_tile_is_the_root_of_256_entries()
    {
        var leaves = Leaves(7, 70_000);
        var store = Filled(leaves);

        var tile = TileContent.Hashes(store, TileId.Hashes(1, 1, 17));

        tile.Should().HaveCount(17 * 32);
        for (var i = 0; i < 17; i++)
        {
            var first = (256 + i) * 256;
            tile.AsSpan(i * 32, 32).ToArray().Should().Equal(MerkleTree.Root(leaves[first..(first + 256)], 256));
        }
        TileContent.Hashes(store, TileId.Hashes(0, 3)).Should().Equal(leaves[768..1024].SelectMany(l => l));
        TileContent.Hashes(store, TileId.Hashes(2, 0, 1)).Should().Equal(MerkleTree.Root(leaves[..65_536], 65_536));
    }

    [Fact]
    public void A_tile_of_the_wrong_length_is_a_problem_and_a_tile_beyond_the_tree_an_error()
    {
        var store = Filled(Leaves(1, 300));
        var tiles = TileLayout.HashTiles(300).ToDictionary(id => id, id => TileContent.Hashes(store, id));
        tiles[TileId.Hashes(0, 1, 44)] = tiles[TileId.Hashes(0, 1, 44)][..^1];

        TileTree.Over(300, tiles).Problems.Should().ContainSingle(p => p.Code == "tiles.tile-length");
        var beyond = () => TileContent.Hashes(store, TileId.Hashes(0, 1, 45));
        beyond.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_empty_tree_has_the_empty_root_and_needs_no_tile()
    {
        TileTree.TilesForRoot(0).Should().BeEmpty();
        TileTree.Over(0, new Dictionary<TileId, byte[]>()).GetValueOrThrow().Root().Should().Equal(MerkleHash.EmptyRoot.ToArray());
    }

    private static TileTree Over(MerkleStore store, long size) =>
        TileTree.Over(size, TileLayout.HashTiles(size).ToDictionary(id => id, id => TileContent.Hashes(store, id))).GetValueOrThrow();

    private static void Same(ImmutableArray<byte[]> actual, ImmutableArray<byte[]> expected) =>
        actual.Select(Convert.ToHexString).Should().Equal(expected.Select(Convert.ToHexString));

    private static MerkleStore Filled(IEnumerable<byte[]> leaves)
    {
        var store = new MerkleStore();
        foreach (var leaf in leaves) store.Append(leaf);
        return store;
    }

    private static byte[][] Leaves(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var entry = new byte[8];
            random.NextBytes(entry);
            return MerkleHash.Leaf(entry);
        })];
    }
}
