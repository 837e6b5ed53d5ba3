using System.Collections.Immutable;
using System.Numerics;

namespace KinderQueue.Core.Log;

/// <summary>
/// RFC 9162 §2.1 Merkle tree maths (the same tree as RFC 6962) over a list of 32-byte leaf hashes.
/// Proof generation needs the leaves and treats bad arguments as programmer errors (exceptions);
/// verification needs only hashes and treats every malformed input as a failed proof (false), because
/// its inputs come from untrusted log responses. Only a default (uninitialised) proof array throws, as
/// that can only be a caller bug.
/// </summary>
public static class MerkleTree
{
    /// <summary>MTH(D[size]) of the first <paramref name="size"/> leaf hashes (RFC 9162 §2.1.1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt;= size &lt;= leaves.Count.</exception>
    /// <exception cref="ArgumentException">A leaf is not a 32-byte hash.</exception>
    public static byte[] Root(IReadOnlyList<byte[]> leaves, long size)
    {
        CheckSize(leaves, size);
        return RangeRoot(leaves, 0, size);
    }

    /// <summary>
    /// PATH(index, D[size]) of RFC 9162 §2.1.3.1: sibling subtree roots from the leaf up to the root.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt;= index &lt; size &lt;= leaves.Count.</exception>
    public static ImmutableArray<byte[]> InclusionProof(IReadOnlyList<byte[]> leaves, long index, long size)
    {
        CheckSize(leaves, size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);

        return InclusionPath(index, size, (offset, count) => RangeRoot(leaves, offset, count));
    }

    /// <summary>
    /// PROOF(oldSize, D[newSize]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true at the top).
    /// </summary>
    /// <remarks>
    /// An <paramref name="oldSize"/> of 0 is rejected. RFC 9162 §2.1.4 only defines proofs for 0 &lt; m;
    /// every tree trivially extends the empty tree, so there is nothing to prove, and a caller asking
    /// for it most likely lost the real previous tree head. Callers must special-case the empty tree.
    /// Equal sizes give the empty proof.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt; oldSize &lt;= newSize &lt;= leaves.Count.</exception>
    public static ImmutableArray<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leaves, long oldSize, long newSize)
    {
        CheckSize(leaves, newSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);

        return ConsistencyPath(oldSize, newSize, (offset, count) => RangeRoot(leaves, offset, count));
    }

    /// <summary>
    /// PATH(index, D[size]) given MTH of any range the RFC recursion visits: shared by this reference
    /// (which hashes the leaves) and <see cref="MerkleStore"/> (which reads stored subtrees). Arguments
    /// are checked by the callers.
    /// </summary>
    public static ImmutableArray<byte[]> InclusionPath(long index, long size, Func<long, long, byte[]> rangeRoot)
    {
        ArgumentNullException.ThrowIfNull(rangeRoot);
        // The RFC recursion descends from the root and appends each sibling after the sub-path, so
        // collecting top-down and reversing yields the leaf-to-root order without recursion.
        var path = ImmutableArray.CreateBuilder<byte[]>();
        long offset = 0, n = size, m = index;
        while (n > 1)
        {
            var k = SplitPoint(n);
            if (m < k)
            {
                path.Add(rangeRoot(offset + k, n - k));
                n = k;
            }
            else
            {
                path.Add(rangeRoot(offset, k));
                offset += k;
                m -= k;
                n -= k;
            }
        }

        path.Reverse();
        return path.ToImmutable();
    }

    /// <summary>PROOF(oldSize, D[newSize]) given MTH of any range the RFC recursion visits (see <see cref="InclusionPath"/>).</summary>
    public static ImmutableArray<byte[]> ConsistencyPath(long oldSize, long newSize, Func<long, long, byte[]> rangeRoot)
    {
        ArgumentNullException.ThrowIfNull(rangeRoot);
        var proof = ImmutableArray.CreateBuilder<byte[]>();
        long offset = 0, n = newSize, m = oldSize;
        var oldRootIsKnown = true;
        while (m != n)
        {
            var k = SplitPoint(n);
            if (m <= k)
            {
                proof.Add(rangeRoot(offset + k, n - k));
                n = k;
            }
            else
            {
                proof.Add(rangeRoot(offset, k));
                offset += k;
                m -= k;
                n -= k;
                // Once we step right, the subtree that ends the old tree is no longer the old root itself,
                // so the verifier needs its hash (SUBPROOF(m, D[m], false) in §2.1.4.1).
                oldRootIsKnown = false;
            }
        }

        if (!oldRootIsKnown) proof.Add(rangeRoot(offset, m));

        proof.Reverse();
        return proof.ToImmutable();
    }

    /// <summary>
    /// RFC 9162 §2.1.3.2 inclusion verification: true iff <paramref name="proof"/> shows that
    /// <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of <paramref name="size"/>
    /// leaves with root <paramref name="expectedRoot"/>. Proofs of the wrong length are rejected.
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, ImmutableArray<byte[]> proof, ReadOnlySpan<byte> expectedRoot)
    {
        if (proof.IsDefault) throw new ArgumentNullException(nameof(proof));
        if (index < 0 || index >= size) return false;
        if (leafHash.Length != MerkleHash.SizeInBytes || !AllHashes(proof)) return false;

        // fn walks the leaf's position and sn the last leaf's position up the tree; where fn == sn the leaf
        // is on the right edge, whose lone nodes are promoted without hashing (the skip in step 4.b.ii).
        long fn = index, sn = size - 1;
        Span<byte> r = stackalloc byte[MerkleHash.SizeInBytes];
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.SequenceEqual(expectedRoot);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2 consistency verification: true iff <paramref name="proof"/> shows that the tree
    /// with <paramref name="newRoot"/> extends the tree with <paramref name="oldRoot"/>.
    /// </summary>
    /// <remarks>
    /// The RFC algorithm covers 0 &lt; oldSize &lt; newSize. Equal sizes verify iff the proof is empty and
    /// the roots are equal. An <paramref name="oldSize"/> of 0 returns false (see
    /// <see cref="ConsistencyProof"/>): consistency with the empty tree is trivial, so a caller relying on
    /// this method for it has a bug we would rather surface than paper over.
    /// </remarks>
    public static bool VerifyConsistency(long oldSize, long newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, ImmutableArray<byte[]> proof)
    {
        if (proof.IsDefault) throw new ArgumentNullException(nameof(proof));
        if (oldSize <= 0 || oldSize > newSize) return false;
        if (oldRoot.Length != MerkleHash.SizeInBytes || newRoot.Length != MerkleHash.SizeInBytes) return false;
        if (oldSize == newSize) return proof.IsEmpty && oldRoot.SequenceEqual(newRoot);
        if (proof.IsEmpty || !AllHashes(proof)) return false;

        // Step 2: a power-of-two old tree is a complete subtree of the new one, so PROOF omits its root
        // (the verifier already has it) and the walk starts from oldRoot instead.
        var start = 0;
        Span<byte> fr = stackalloc byte[MerkleHash.SizeInBytes];
        Span<byte> sr = stackalloc byte[MerkleHash.SizeInBytes];
        if (BitOperations.IsPow2(oldSize))
        {
            oldRoot.CopyTo(fr);
        }
        else
        {
            proof[0].CopyTo(fr);
            start = 1;
        }

        fr.CopyTo(sr);

        // Steps 3-4: skip the levels where the old tree's last node is a right child; the proof starts above them.
        long fn = oldSize - 1, sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        for (var i = start; i < proof.Length; i++)
        {
            var c = proof[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                // c is a left sibling shared by both trees.
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                // c is a right sibling that only exists in the new tree.
                MerkleHash.Node(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.SequenceEqual(oldRoot) && sr.SequenceEqual(newRoot);
    }

    /// <summary>k of RFC 9162 §2.1.1: the largest power of two smaller than n (n &gt; 1).</summary>
    private static long SplitPoint(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>
    /// MTH(D[offset:offset+count]). Streaming through the accumulator does exactly count - 1 node hashes
    /// with O(log n) scratch space, instead of the naive recursion's per-level allocations.
    /// </summary>
    private static byte[] RangeRoot(IReadOnlyList<byte[]> leaves, long offset, long count)
    {
        var accumulator = new MerkleAccumulator();
        var end = checked((int)(offset + count));
        for (var i = checked((int)offset); i < end; i++)
        {
            accumulator.Append(leaves[i]);
        }

        return accumulator.Root();
    }

    private static void CheckSize(IReadOnlyList<byte[]> leaves, long size)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leaves.Count);
    }

    private static bool AllHashes(ImmutableArray<byte[]> proof)
    {
        foreach (var hash in proof)
        {
            if (hash is not { Length: MerkleHash.SizeInBytes }) return false;
        }

        return true;
    }
}
