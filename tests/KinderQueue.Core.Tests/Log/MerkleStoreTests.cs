using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Tests.Log;

/// <summary>
/// The proof store against the reference <see cref="MerkleTree"/> (itself checked against the RFC 6962
/// reference vectors and the literal RFC 9162 definitions in <see cref="MerkleTreeTests"/>).
/// </summary>
public sealed class MerkleStoreTests
{
    /// <summary>The generators of the properties here (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        public static Arbitrary<(int Size, int More, int Index, int Seed)> Appends() =>
            (from size in Gen.Choose(1, 600)
             from more in Gen.Choose(1, 600)
             from index in Gen.Choose(0, size - 1)
             from seed in Gen.Choose(0, int.MaxValue - 1)
             select (Size: size, More: more, Index: index, Seed: seed)).ToArbitrary();

        public static Arbitrary<(int Count, int Size, int Index, int OldSize, int ChunkBits, int Seed)> Trees() =>
            (from count in Gen.Choose(1, 2500)
             from size in Gen.Choose(1, count)
             from index in Gen.Choose(0, size - 1)
             from oldSize in Gen.Choose(1, size)
             from chunkBits in Gen.Choose(1, 6)
             from seed in Gen.Choose(0, int.MaxValue - 1)
             select (Count: count, Size: size, Index: index, OldSize: oldSize, ChunkBits: chunkBits, Seed: seed)).ToArbitrary();
    }

    // ----------------------------------------------------------------- published vectors

    [Theory]
    [MemberData(nameof(MerkleTreeTests.TreeSizes), MemberType = typeof(MerkleTreeTests))]
    public void Root_of_every_size_matches_published_vectors(int size)
    {
        var store = Filled(MerkleTreeTests.VectorLeaves, chunkBits: 1);

        Hex(store.Root(size)).Should().Be(MerkleTreeTests.Roots[size]);
        Hex(Filled(MerkleTreeTests.VectorLeaves.Take(size)).Root()).Should().Be(MerkleTreeTests.Roots[size]);
    }

    [Theory]
    [MemberData(nameof(MerkleTreeTests.InclusionVectors), MemberType = typeof(MerkleTreeTests))]
    public void Inclusion_proof_matches_published_vector(long index, long size, string[] expected)
    {
        var store = Filled(MerkleTreeTests.VectorLeaves, chunkBits: 2);

        store.InclusionProof(index, size).Select(Hex).Should().Equal(expected);
        store.LeafHash(index).Should().Equal(MerkleTreeTests.VectorLeaves[index]);
    }

    [Theory]
    [MemberData(nameof(MerkleTreeTests.ConsistencyVectors), MemberType = typeof(MerkleTreeTests))]
    public void Consistency_proof_matches_published_vector(long oldSize, long newSize, string[] expected)
    {
        var store = Filled(MerkleTreeTests.VectorLeaves, chunkBits: 2);

        store.ConsistencyProof(oldSize, newSize).Select(Hex).Should().Equal(expected);
    }

    // ----------------------------------------------------------------- against the reference

    [Fact]
    public void Every_size_index_and_pair_of_small_trees_equals_the_reference()
    {
        var leaves = Leaves(seed: 3, count: 70);
        var store = Filled(leaves, chunkBits: 1);
        for (var n = 0; n <= leaves.Length; n++)
        {
            store.Root(n).Should().Equal(MerkleTree.Root(leaves, n), "MTH of size {0}", n);
            for (var m = 0; m < n; m++)
                Same(store.InclusionProof(m, n), MerkleTree.InclusionProof(leaves, m, n), $"PATH({m}, D[{n}])");
            for (var m = 1; m <= n; m++)
                Same(store.ConsistencyProof(m, n), MerkleTree.ConsistencyProof(leaves, m, n), $"PROOF({m}, D[{n}])");
        }
    }

    [Property(MaxTest = 150, Arbitrary = new[] { typeof(Cases) })]
    public void Property_roots_and_proofs_for_any_size_equal_the_reference((int Count, int Size, int Index, int OldSize, int ChunkBits, int Seed) c)
    {
        var leaves = Leaves(c.Seed, c.Count);
        var store = Filled(leaves, c.ChunkBits);

        store.Count.Should().Be(c.Count);
        store.Root().Should().Equal(MerkleTree.Root(leaves, c.Count));
        store.Root(c.Size).Should().Equal(MerkleTree.Root(leaves, c.Size));
        store.LeafHash(c.Index).Should().Equal(leaves[c.Index]);
        Same(store.InclusionProof(c.Index, c.Size), MerkleTree.InclusionProof(leaves, c.Index, c.Size), "inclusion");
        Same(store.ConsistencyProof(c.OldSize, c.Size), MerkleTree.ConsistencyProof(leaves, c.OldSize, c.Size), "consistency");
    }

    [Property(MaxTest = 150, Arbitrary = new[] { typeof(Cases) })]
    public void Property_appending_changes_no_earlier_answer((int Size, int More, int Index, int Seed) c)
    {
        // Proofs for a size stay the same however many leaves arrive later: what an earlier checkpoint signed stays provable.
        var leaves = Leaves(c.Seed, c.Size + c.More);
        var store = Filled(leaves.Take(c.Size), chunkBits: 3);
        var root = store.Root(c.Size);
        var path = store.InclusionProof(c.Index, c.Size);
        foreach (var leaf in leaves.Skip(c.Size)) store.Append(leaf);

        store.Root(c.Size).Should().Equal(root);
        Same(store.InclusionProof(c.Index, c.Size), path, "inclusion after more appends");
        MerkleTree.VerifyConsistency(c.Size, store.Count, root, store.Root(), store.ConsistencyProof(c.Size, store.Count)).Should().BeTrue();
    }

    // ----------------------------------------------------------------- scale and concurrency

    [Fact]
    public void A_million_leaves_take_about_64_bytes_each_and_answer_for_any_size()
    {
        const int count = 1_000_000;
        var accumulator = new MerkleAccumulator();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var store = new MerkleStore();
        Span<byte> leaf = stackalloc byte[MerkleHash.SizeInBytes];
        byte[]? rootAtHalf = null;
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(leaf, i);
            store.Append(leaf);
            accumulator.Append(leaf);
            if (i + 1 == count / 2) rootAtHalf = accumulator.Root();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(70L * 1024 * 1024, "2n hashes of 32 bytes in chunks, nothing per leaf");
        store.Root().Should().Equal(accumulator.Root());
        store.Root(count / 2).Should().Equal(rootAtHalf);
        foreach (var index in new long[] { 0, 1, 524_287, 524_288, 777_777, count - 1 })
        {
            MerkleTree.VerifyInclusion(store.LeafHash(index), index, count, store.InclusionProof(index, count), store.Root()).Should().BeTrue();
        }
        MerkleTree.VerifyConsistency(count / 2, count, rootAtHalf!, store.Root(), store.ConsistencyProof(count / 2, count)).Should().BeTrue();
    }

    [Fact]
    public void Readers_running_beside_the_writer_never_see_a_torn_state()
    {
        const int count = 40_000;
        var leaves = Leaves(seed: 5, count);
        var roots = new byte[count + 1][];
        var accumulator = new MerkleAccumulator();
        roots[0] = accumulator.Root();
        for (var i = 0; i < count; i++)
        {
            accumulator.Append(leaves[i]);
            roots[i + 1] = accumulator.Root();
        }

        // Small chunks, so the writer grows the directory and adds chunks while the readers read.
        // Dedicated threads, all running before the first append: thread-pool tasks may start too late to overlap.
        var store = new MerkleStore(chunkBits: 4);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var done = 0;
        using var running = new CountdownEvent(3);
        // One reader reads the newest root as soon as it sees a new count: the subtree that the last leaf
        // completed is the first slot it reads, so a count published before that subtree would show here.
        var newest = new Thread(() =>
        {
            running.Signal();
            long seen = 0;
            while (Volatile.Read(ref done) == 0)
            {
                var size = store.Count;
                if (size == seen) continue;
                seen = size;
                if (!store.Root(size).AsSpan().SequenceEqual(roots[size])) failures.Enqueue($"newest root of {size}");
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            running.Signal();
            var random = new System.Random(r);
            var checks = 0;
            while (Volatile.Read(ref done) == 0 || checks < 100)
            {
                var size = store.Count;
                if (size == 0) continue;
                var index = random.NextInt64(size);
                checks++;
                if (!store.Root(size).AsSpan().SequenceEqual(roots[size])) failures.Enqueue($"root of {size}");
                if (!MerkleTree.VerifyInclusion(leaves[index], index, size, store.InclusionProof(index, size), roots[size]))
                    failures.Enqueue($"inclusion of {index} in {size}");
                var old = 1 + random.NextInt64(size);
                if (!MerkleTree.VerifyConsistency(old, size, roots[old], roots[size], store.ConsistencyProof(old, size)))
                    failures.Enqueue($"consistency {old} -> {size}");
            }
        })).Append(newest).ToArray();
        foreach (var thread in readers) thread.Start();
        running.Wait();
        foreach (var leaf in leaves) store.Append(leaf);
        Volatile.Write(ref done, 1);
        foreach (var thread in readers) thread.Join();

        failures.Should().BeEmpty();
        store.Root().Should().Equal(roots[count]);
    }

    // ----------------------------------------------------------------- arguments

    [Theory]
    [InlineData(9)]
    [InlineData(-1)]
    public void Sizes_beyond_the_count_are_refused_like_the_reference(long size)
    {
        var store = Filled(MerkleTreeTests.VectorLeaves);

        ((Action)(() => store.Root(size))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => store.InclusionProof(0, size))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => store.ConsistencyProof(1, size))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(-1, 8)]
    [InlineData(0, 0)]
    public void Leaves_outside_the_tree_are_refused(long index, long size)
    {
        var store = Filled(MerkleTreeTests.VectorLeaves);

        ((Action)(() => store.InclusionProof(index, size))).Should().Throw<ArgumentOutOfRangeException>();
        if (index < 0 || index >= store.Count) ((Action)(() => store.LeafHash(index))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Consistency_with_the_empty_tree_and_shrinking_are_refused()
    {
        var store = Filled(MerkleTreeTests.VectorLeaves);

        ((Action)(() => store.ConsistencyProof(0, 8))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => store.ConsistencyProof(6, 3))).Should().Throw<ArgumentOutOfRangeException>();
        store.ConsistencyProof(5, 5).Should().BeEmpty();
    }

    [Fact]
    public void Only_32_byte_leaf_hashes_are_appended()
    {
        var store = new MerkleStore();

        ((Action)(() => store.Append(new byte[31]))).Should().Throw<ArgumentException>();
        store.Count.Should().Be(0);
        Hex(store.Root()).Should().Be(MerkleTreeTests.Roots[0]);
    }

    // ----------------------------------------------------------------- helpers

    private static MerkleStore Filled(IEnumerable<byte[]> leaves, int chunkBits = 14)
    {
        var store = new MerkleStore(chunkBits);
        foreach (var leaf in leaves) store.Append(leaf);
        return store;
    }

    private static byte[][] Leaves(int seed, int count) =>
        Enumerable.Range(0, count).Select(i => MerkleHash.Leaf([.. BitConverter.GetBytes(seed), .. BitConverter.GetBytes(i)])).ToArray();

    private static void Same(ImmutableArray<byte[]> actual, ImmutableArray<byte[]> expected, string what) =>
        actual.Select(Hex).Should().Equal(expected.Select(Hex), what);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
