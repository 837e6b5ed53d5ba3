using System.Collections.Immutable;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Tests.Log;

public sealed class MerkleTreeTests
{
    // ---------------------------------------------------------------------------------------------
    // Published known-answer vectors of the RFC 6962 reference implementations (RFC 9162 uses the
    // same tree and hashing), copied as data:
    //   google/certificate-transparency  cpp/merkletree/merkle_tree_test.cc
    //       (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs, kSHA256EmptyTreeHash)
    //   transparency-dev/merkle          testonly/constants.go
    //       (LeafInputs, NodeHashes level 0 = leaf hashes, RootHashes)
    //   transparency-dev/merkle          proof/verify_test.go
    //       (inclusionProofs, consistencyProofs - adds the 6 -> 7 consistency proof)
    //   transparency-dev/merkle          rfc6962/rfc6962_test.go  (single leaf / node hashes)
    // ---------------------------------------------------------------------------------------------

    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static readonly string[] LeafInputs =
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    // transparency-dev/merkle testonly/constants.go NodeHashes()[0].
    private static readonly string[] LeafHashes =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ];

    // Indexed by tree size (RootHashes() in testonly/constants.go; kSHA256Roots holds sizes 1..8).
    internal static readonly string[] Roots =
    [
        EmptyHash,
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    // kSHA256Paths / inclusionProofs. The sources number leaves from 1; the index here is 0-based.
    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        { 0, 1, Array.Empty<string>() },
        {
            0, 8, new[]
            {
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            }
        },
        {
            5, 8, new[]
            {
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            }
        },
        {
            2, 3, new[]
            {
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            }
        },
        {
            1, 5, new[]
            {
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            }
        },
    };

    // kSHA256Proofs / consistencyProofs (old size, new size, proof).
    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, Array.Empty<string>() },
        {
            1, 8, new[]
            {
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            }
        },
        {
            6, 8, new[]
            {
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            }
        },
        {
            2, 5, new[]
            {
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            }
        },
        {
            6, 7, new[]
            {
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            }
        },
    };

    public static TheoryData<int> LeafNumbers => new() { 0, 1, 2, 3, 4, 5, 6, 7 };

    public static TheoryData<int> TreeSizes => new() { 0, 1, 2, 3, 4, 5, 6, 7, 8 };

    internal static readonly byte[][] VectorLeaves = LeafInputs.Select(h => MerkleHash.Leaf(FromHex(h))).ToArray();

    // ----------------------------------------------------------------- hashing (RFC 9162 §2.1.1)

    [Fact]
    public void Hasher_matches_published_answers()
    {
        // rfc6962/rfc6962_test.go: empty tree, empty leaf, leaf "L123456", node("N123", "N456").
        Hex(MerkleHash.EmptyRoot.ToArray()).Should().Be(EmptyHash);
        Hex(MerkleHash.Leaf([])).Should().Be("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        Hex(MerkleHash.Leaf("L123456"u8)).Should().Be("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
        Hex(MerkleHash.Node("N123"u8, "N456"u8)).Should().Be("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
    }

    [Theory]
    [MemberData(nameof(LeafNumbers))]
    public void Leaf_hashes_match_published_vectors(int leaf)
    {
        Hex(MerkleHash.Leaf(FromHex(LeafInputs[leaf]))).Should().Be(LeafHashes[leaf]);

        Span<byte> destination = stackalloc byte[MerkleHash.SizeInBytes];
        MerkleHash.Leaf(FromHex(LeafInputs[leaf]), destination);
        Hex(destination.ToArray()).Should().Be(LeafHashes[leaf]);
    }

    [Fact]
    public void Span_overloads_agree_with_plain_sha256_for_large_inputs()
    {
        // Larger than the stack buffer, so this exercises the pooled path.
        var entry = Enumerable.Range(0, 5000).Select(i => (byte)(i & 0xff)).ToArray();
        var expected = SHA256.HashData([0x00, .. entry]);

        Span<byte> leaf = stackalloc byte[MerkleHash.SizeInBytes];
        MerkleHash.Leaf(entry, leaf);
        leaf.ToArray().Should().Equal(expected);
        MerkleHash.Leaf(entry).Should().Equal(expected);

        var left = MerkleHash.Leaf("a"u8);
        var right = MerkleHash.Leaf("b"u8);
        Span<byte> node = stackalloc byte[MerkleHash.SizeInBytes];
        MerkleHash.Node(left, right, node);
        node.ToArray().Should().Equal(SHA256.HashData([0x01, .. left, .. right]));
        MerkleHash.Node(left, right).Should().Equal(node.ToArray());
    }

    [Fact]
    public void Node_may_write_over_its_own_input()
    {
        var left = MerkleHash.Leaf("a"u8);
        var right = MerkleHash.Leaf("b"u8);
        var expected = MerkleHash.Node(left, right);

        MerkleHash.Node(left, right, left);

        left.Should().Equal(expected);
    }

    [Fact]
    public void Too_small_destination_is_rejected()
    {
        var act = () => MerkleHash.Leaf("x"u8, new byte[31]);
        act.Should().Throw<ArgumentException>();
    }

    // ----------------------------------------------------------------- published vectors

    [Theory]
    [MemberData(nameof(TreeSizes))]
    public void Root_matches_published_vectors(int size)
    {
        Hex(MerkleTree.Root(VectorLeaves, size)).Should().Be(Roots[size]);
    }

    [Theory]
    [MemberData(nameof(TreeSizes))]
    public void Accumulator_matches_published_vectors(int size)
    {
        var accumulator = new MerkleAccumulator();
        foreach (var leaf in VectorLeaves.Take(size)) accumulator.Append(leaf);

        accumulator.Size.Should().Be(size);
        Hex(accumulator.Root()).Should().Be(Roots[size]);
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void Inclusion_proof_matches_published_vector_and_verifies(long index, long size, string[] expected)
    {
        var proof = MerkleTree.InclusionProof(VectorLeaves, index, size);

        proof.Select(Hex).Should().Equal(expected);
        var root = FromHex(Roots[size]);
        MerkleTree.VerifyInclusion(VectorLeaves[index], index, size, ToProof(expected), root).Should().BeTrue();
        AcceptedInclusionMutations(VectorLeaves[index], index, size, ToProof(expected), root).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void Consistency_proof_matches_published_vector_and_verifies(long oldSize, long newSize, string[] expected)
    {
        var proof = MerkleTree.ConsistencyProof(VectorLeaves, oldSize, newSize);

        proof.Select(Hex).Should().Equal(expected);
        var oldRoot = FromHex(Roots[oldSize]);
        var newRoot = FromHex(Roots[newSize]);
        MerkleTree.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, ToProof(expected)).Should().BeTrue();
        AcceptedConsistencyMutations(oldSize, newSize, oldRoot, newRoot, ToProof(expected)).Should().BeEmpty();
    }

    // ----------------------------------------------------------------- exhaustive small trees

    [Fact]
    public void Small_trees_agree_with_the_literal_rfc_definitions()
    {
        // Iterative production code against a direct transcription of the recursive definitions of
        // RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), every index and size.
        var leaves = DistinctLeaves(seed: 7, count: 40);
        for (var n = 0; n <= leaves.Length; n++)
        {
            var root = MerkleTree.Root(leaves, n);
            root.Should().Equal(ReferenceMth(leaves[..n]), "MTH of size {0}", n);

            for (var m = 0; m < n; m++)
            {
                var path = MerkleTree.InclusionProof(leaves, m, n);
                path.Select(Hex).Should().Equal(ReferencePath(m, leaves[..n]).Select(Hex), "PATH({0}, D[{1}])", m, n);
                MerkleTree.VerifyInclusion(leaves[m], m, n, path, root).Should().BeTrue("PATH({0}, D[{1}]) verifies", m, n);
            }

            for (var m = 1; m <= n; m++)
            {
                var proof = MerkleTree.ConsistencyProof(leaves, m, n);
                proof.Select(Hex).Should().Equal(ReferenceProof(m, leaves[..n]).Select(Hex), "PROOF({0}, D[{1}])", m, n);
                MerkleTree.VerifyConsistency(m, n, MerkleTree.Root(leaves, m), root, proof).Should().BeTrue("PROOF({0}, D[{1}]) verifies", m, n);
            }
        }
    }

    [Fact]
    public void Accumulator_matches_tree_root_after_every_append()
    {
        var leaves = DistinctLeaves(seed: 11, count: 300);
        var accumulator = new MerkleAccumulator();
        accumulator.Root().Should().Equal(MerkleTree.Root(leaves, 0));
        for (var i = 0; i < leaves.Length; i++)
        {
            accumulator.Append(leaves[i]);
            accumulator.Root().Should().Equal(MerkleTree.Root(leaves, i + 1), "size {0}", i + 1);
        }
    }

    // ----------------------------------------------------------------- properties (FsCheck)

    /// <summary>The generators of the properties below (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        private static readonly Gen<int> Seeds = Gen.Choose(0, int.MaxValue - 1);

        public static Arbitrary<(int Seed, int Size, int Index, int OtherIndex)> Inclusions() =>
            (from size in Gen.Choose(1, 200)
             from index in Gen.Choose(0, size - 1)
             from other in Gen.Choose(0, size - 1)
             from seed in Seeds
             select (Seed: seed, Size: size, Index: index, OtherIndex: other)).ToArbitrary();

        public static Arbitrary<(int Seed, int OldSize, int NewSize)> Consistencies() =>
            (from newSize in Gen.Choose(1, 200)
             from oldSize in Gen.Choose(1, newSize)
             from seed in Seeds
             select (Seed: seed, OldSize: oldSize, NewSize: newSize)).ToArbitrary();

        /// <summary>Entries are random byte strings, duplicates included: the accumulator must not care.</summary>
        public static Arbitrary<byte[][]> Trees()
        {
            var entry = Gen.Choose(0, 3).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length));
            return Gen.Choose(0, 300).SelectMany(size => Gen.ArrayOf(entry, size)).ToArbitrary();
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Property_generated_inclusion_proofs_verify_and_resist_tampering((int Seed, int Size, int Index, int OtherIndex) c)
    {
        var leaves = DistinctLeaves(c.Seed, c.Size);
        var root = MerkleTree.Root(leaves, c.Size);
        var proof = MerkleTree.InclusionProof(leaves, c.Index, c.Size);
        var leaf = leaves[c.Index];

        MerkleTree.VerifyInclusion(leaf, c.Index, c.Size, proof, root).Should().BeTrue();
        if (c.OtherIndex != c.Index)
        {
            MerkleTree.VerifyInclusion(leaf, c.OtherIndex, c.Size, proof, root).Should().BeFalse("wrong index");
            MerkleTree.VerifyInclusion(leaves[c.OtherIndex], c.Index, c.Size, proof, root).Should().BeFalse("wrong leaf");
        }

        MerkleTree.VerifyInclusion(leaf, c.Size, c.Size, proof, root).Should().BeFalse("index == size");
        MerkleTree.VerifyInclusion(leaf, c.Index, c.Size, proof, Flip(root, c.Seed)).Should().BeFalse("wrong root");
        if (!proof.IsEmpty)
        {
            var element = c.Seed % proof.Length;
            MerkleTree.VerifyInclusion(leaf, c.Index, c.Size, proof.SetItem(element, Flip(proof[element], c.Seed / 7)), root)
                .Should().BeFalse("flipped proof byte");
            MerkleTree.VerifyInclusion(leaf, c.Index, c.Size, proof.RemoveAt(proof.Length - 1), root)
                .Should().BeFalse("truncated proof");
        }

        MerkleTree.VerifyInclusion(leaf, c.Index, c.Size, proof.Add(root), root).Should().BeFalse("extended proof");
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Property_generated_consistency_proofs_verify_and_resist_tampering((int Seed, int OldSize, int NewSize) c)
    {
        var leaves = DistinctLeaves(c.Seed, c.NewSize);
        var oldRoot = MerkleTree.Root(leaves, c.OldSize);
        var newRoot = MerkleTree.Root(leaves, c.NewSize);
        var proof = MerkleTree.ConsistencyProof(leaves, c.OldSize, c.NewSize);

        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, oldRoot, newRoot, proof).Should().BeTrue();
        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, Flip(oldRoot, c.Seed), newRoot, proof).Should().BeFalse("wrong old root");
        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, oldRoot, Flip(newRoot, c.Seed), proof).Should().BeFalse("wrong new root");
        if (c.OldSize == c.NewSize)
        {
            proof.Should().BeEmpty();
            return;
        }

        var element = c.Seed % proof.Length;
        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, oldRoot, newRoot, proof.SetItem(element, Flip(proof[element], c.Seed / 7)))
            .Should().BeFalse("flipped proof byte");
        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, oldRoot, newRoot, proof.RemoveAt(proof.Length - 1))
            .Should().BeFalse("truncated proof");
        MerkleTree.VerifyConsistency(c.OldSize, c.NewSize, oldRoot, newRoot, proof.Add(newRoot))
            .Should().BeFalse("extended proof");
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Property_accumulator_root_equals_tree_root(byte[][] entries)
    {
        var leaves = entries.Select(e => MerkleHash.Leaf(e)).ToArray();
        var accumulator = new MerkleAccumulator();
        foreach (var leaf in leaves) accumulator.Append(leaf);

        accumulator.Size.Should().Be(leaves.Length);
        accumulator.Root().Should().Equal(MerkleTree.Root(leaves, leaves.Length));
    }

    // ----------------------------------------------------------------- edge cases

    [Fact]
    public void Empty_tree_root_is_the_hash_of_nothing()
    {
        Hex(MerkleTree.Root([], 0)).Should().Be(EmptyHash);
        Hex(MerkleTree.Root(VectorLeaves, 0)).Should().Be(EmptyHash);
        Hex(new MerkleAccumulator().Root()).Should().Be(EmptyHash);
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(9, 8)]
    [InlineData(0, 0)]
    [InlineData(-1, 8)]
    public void Inclusion_proof_for_a_leaf_outside_the_tree_throws(long index, long size)
    {
        var act = () => MerkleTree.InclusionProof(VectorLeaves, index, size);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(9)]
    [InlineData(-1)]
    public void Sizes_beyond_the_leaves_throw(long size)
    {
        ((Action)(() => MerkleTree.Root(VectorLeaves, size))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => MerkleTree.InclusionProof(VectorLeaves, 0, size))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => MerkleTree.ConsistencyProof(VectorLeaves, 1, size))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(9, 8)]
    [InlineData(-1, 8)]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    public void Verifying_inclusion_of_a_leaf_outside_the_tree_fails(long index, long size)
    {
        MerkleTree.VerifyInclusion(VectorLeaves[0], index, size, [], FromHex(Roots[8])).Should().BeFalse();
    }

    [Fact]
    public void Verifying_inclusion_rejects_malformed_hashes()
    {
        var proof = MerkleTree.InclusionProof(VectorLeaves, 2, 5);
        var root = FromHex(Roots[5]);

        MerkleTree.VerifyInclusion(VectorLeaves[2].AsSpan(0, 31), 2, 5, proof, root).Should().BeFalse();
        MerkleTree.VerifyInclusion(VectorLeaves[2], 2, 5, proof, root.AsSpan(0, 31)).Should().BeFalse();
        MerkleTree.VerifyInclusion(VectorLeaves[2], 2, 5, proof.SetItem(0, [.. proof[0], 0]), root).Should().BeFalse();
        MerkleTree.VerifyInclusion(VectorLeaves[2], 2, 5, proof.SetItem(0, null!), root).Should().BeFalse();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    public void Equal_sizes_give_an_empty_proof_that_verifies_iff_roots_are_equal(long size)
    {
        MerkleTree.ConsistencyProof(VectorLeaves, size, size).Should().BeEmpty();

        var root = FromHex(Roots[size]);
        var other = FromHex(Roots[size - 1]);
        MerkleTree.VerifyConsistency(size, size, root, root, []).Should().BeTrue();
        MerkleTree.VerifyConsistency(size, size, root, other, []).Should().BeFalse();
        MerkleTree.VerifyConsistency(size, size, root, root, [root]).Should().BeFalse("a non-empty proof for equal sizes is malformed");
    }

    [Fact]
    public void Consistency_with_the_empty_tree_is_rejected_not_assumed()
    {
        var act = () => MerkleTree.ConsistencyProof(VectorLeaves, 0, 8);
        act.Should().Throw<ArgumentOutOfRangeException>();

        var empty = FromHex(EmptyHash);
        MerkleTree.VerifyConsistency(0, 8, empty, FromHex(Roots[8]), []).Should().BeFalse();
        MerkleTree.VerifyConsistency(0, 0, empty, empty, []).Should().BeFalse();
    }

    [Fact]
    public void Shrinking_trees_are_rejected()
    {
        var act = () => MerkleTree.ConsistencyProof(VectorLeaves, 6, 3);
        act.Should().Throw<ArgumentOutOfRangeException>();

        var proof = MerkleTree.ConsistencyProof(VectorLeaves, 3, 6);
        MerkleTree.VerifyConsistency(6, 3, FromHex(Roots[6]), FromHex(Roots[3]), proof).Should().BeFalse();
    }

    [Fact]
    public void Default_proof_is_a_programming_error()
    {
        var root = FromHex(Roots[1]);
        ((Action)(() => MerkleTree.VerifyInclusion(root, 0, 1, default, root))).Should().Throw<ArgumentNullException>();
        ((Action)(() => MerkleTree.VerifyConsistency(1, 1, root, root, default))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Accumulator_rejects_values_that_are_not_leaf_hashes()
    {
        var accumulator = new MerkleAccumulator();
        var act = () => accumulator.Append(new byte[31]);

        act.Should().Throw<ArgumentException>();
        accumulator.Size.Should().Be(0);
    }

    // ----------------------------------------------------------------- mutation probes

    // The tampering cases the reference verifiers are tested with (proof/verify_test.go
    // corruptInclusionProof); returns the descriptions of mutations that were wrongly accepted.
    private static List<string> AcceptedInclusionMutations(byte[] leaf, long index, long size, ImmutableArray<byte[]> proof, byte[] root)
    {
        var probes = new List<(string Name, byte[] Leaf, long Index, long Size, ImmutableArray<byte[]> Proof, byte[] Root)>
        {
            ("index - 1", leaf, index - 1, size, proof, root),
            ("index + 1", leaf, index + 1, size, proof, root),
            ("index ^ 2", leaf, index ^ 2, size, proof, root),
            ("size * 2", leaf, index, size * 2, proof, root),
            ("size / 2", leaf, index, size / 2, proof, root),
            ("wrong leaf", MerkleHash.Leaf("WrongLeaf"u8), index, size, proof, root),
            ("empty root", leaf, index, size, proof, FromHex(EmptyHash)),
            ("flipped root", leaf, index, size, proof, Flip(root, 3)),
            ("trailing garbage", leaf, index, size, proof.Add([]), root),
            ("trailing root", leaf, index, size, proof.Add(root), root),
            ("preceding garbage", leaf, index, size, proof.Insert(0, []), root),
            ("preceding root", leaf, index, size, proof.Insert(0, root), root),
        };
        for (var i = 0; i < proof.Length; i++)
        {
            probes.Add(($"flipped proof[{i}]", leaf, index, size, proof.SetItem(i, Flip(proof[i], i)), root));
        }

        if (proof.Length > 0) probes.Add(("removed component", leaf, index, size, proof.RemoveAt(proof.Length - 1), root));
        if (proof.Length > 1) probes.Add(("inserted component", leaf, index, size, proof.Insert(1, FromHex(EmptyHash)), root));

        return probes
            .Where(p => MerkleTree.VerifyInclusion(p.Leaf, p.Index, p.Size, p.Proof, p.Root))
            .Select(p => p.Name)
            .ToList();
    }

    // proof/verify_test.go corruptConsistencyProof; only meaningful for non-empty proofs.
    private static List<string> AcceptedConsistencyMutations(long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, ImmutableArray<byte[]> proof)
    {
        if (proof.IsEmpty) return [];

        var probes = new List<(string Name, long OldSize, long NewSize, byte[] OldRoot, byte[] NewRoot, ImmutableArray<byte[]> Proof)>
        {
            ("old size - 1", oldSize - 1, newSize, oldRoot, newRoot, proof),
            ("old size + 1", oldSize + 1, newSize, oldRoot, newRoot, proof),
            ("old size ^ 2", oldSize ^ 2, newSize, oldRoot, newRoot, proof),
            ("new size * 2", oldSize, newSize * 2, oldRoot, newRoot, proof),
            ("new size / 2", oldSize, newSize / 2, oldRoot, newRoot, proof),
            ("wrong old root", oldSize, newSize, Flip(oldRoot, 1), newRoot, proof),
            ("wrong new root", oldSize, newSize, oldRoot, Flip(newRoot, 1), proof),
            ("swapped roots", oldSize, newSize, newRoot, oldRoot, proof),
            ("empty proof", oldSize, newSize, oldRoot, newRoot, []),
            ("trailing garbage", oldSize, newSize, oldRoot, newRoot, proof.Add([])),
            ("trailing old root", oldSize, newSize, oldRoot, newRoot, proof.Add(oldRoot)),
            ("trailing new root", oldSize, newSize, oldRoot, newRoot, proof.Add(newRoot)),
            ("preceding garbage", oldSize, newSize, oldRoot, newRoot, proof.Insert(0, [])),
            ("preceding old root", oldSize, newSize, oldRoot, newRoot, proof.Insert(0, oldRoot)),
            ("preceding new root", oldSize, newSize, oldRoot, newRoot, proof.Insert(0, newRoot)),
            ("preceding proof[0]", oldSize, newSize, oldRoot, newRoot, proof.Insert(0, proof[0])),
            ("truncated proof", oldSize, newSize, oldRoot, newRoot, proof.RemoveAt(proof.Length - 1)),
        };
        for (var i = 0; i < proof.Length; i++)
        {
            probes.Add(($"flipped proof[{i}]", oldSize, newSize, oldRoot, newRoot, proof.SetItem(i, Flip(proof[i], i))));
        }

        return probes
            .Where(p => MerkleTree.VerifyConsistency(p.OldSize, p.NewSize, p.OldRoot, p.NewRoot, p.Proof))
            .Select(p => p.Name)
            .ToList();
    }

    // ----------------------------------------------------------------- reference definitions (RFC 9162 §2.1)

    private static byte[] ReferenceMth(byte[][] d) => d.Length switch
    {
        0 => MerkleHash.EmptyRoot.ToArray(),
        1 => d[0],
        _ => MerkleHash.Node(ReferenceMth(d[..Split(d.Length)]), ReferenceMth(d[Split(d.Length)..])),
    };

    private static List<byte[]> ReferencePath(int m, byte[][] d)
    {
        if (d.Length <= 1) return [];
        var k = Split(d.Length);
        return m < k
            ? [.. ReferencePath(m, d[..k]), ReferenceMth(d[k..])]
            : [.. ReferencePath(m - k, d[k..]), ReferenceMth(d[..k])];
    }

    private static List<byte[]> ReferenceProof(int m, byte[][] d) => ReferenceSubproof(m, d, true);

    private static List<byte[]> ReferenceSubproof(int m, byte[][] d, bool b)
    {
        if (m == d.Length) return b ? [] : [ReferenceMth(d)];
        var k = Split(d.Length);
        return m <= k
            ? [.. ReferenceSubproof(m, d[..k], b), ReferenceMth(d[k..])]
            : [.. ReferenceSubproof(m - k, d[k..], false), ReferenceMth(d[..k])];
    }

    private static int Split(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    // ----------------------------------------------------------------- helpers

    // Distinct leaves matter for the "wrong index" checks: with duplicate leaves another index can
    // legitimately produce the same root.
    private static byte[][] DistinctLeaves(int seed, int count) =>
        Enumerable.Range(0, count)
            .Select(i => MerkleHash.Leaf([.. BitConverter.GetBytes(seed), .. BitConverter.GetBytes(i)]))
            .ToArray();

    private static byte[] Flip(byte[] hash, int position)
    {
        var copy = (byte[])hash.Clone();
        copy[Math.Abs(position % copy.Length)] ^= 0x10;
        return copy;
    }

    private static ImmutableArray<byte[]> ToProof(string[] hex) => [.. hex.Select(FromHex)];

    private static byte[] FromHex(string hex) => Convert.FromHexString(hex);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
