namespace KinderQueue.Core.Log;

/// <summary>
/// Streaming Merkle tree head: append leaf hashes one by one and ask for MTH of everything so far
/// (RFC 9162 §2.1.1) with O(log n) memory, so a verifier can replay a whole log without holding it.
/// </summary>
/// <remarks>
/// The state is the "compact range" of the tree: the roots of the perfect subtrees that the RFC's
/// left-balanced split produces, one per set bit of <see cref="Size"/>, largest (leftmost) first.
/// Appending works like binary increment: each trailing 1 bit of the old size is a carry that merges
/// two equal-sized subtrees.
/// </remarks>
public sealed class MerkleAccumulator
{
    // A size below 2^63 has at most 63 set bits, plus the freshly pushed leaf before carries merge it.
    private const int MaxDepth = 64;

    private readonly byte[] _stack = new byte[MaxDepth * MerkleHash.SizeInBytes];
    private int _depth;

    /// <summary>Number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>Appends one 32-byte leaf hash (see <see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>).</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.SizeInBytes)
        {
            throw new ArgumentException($"A leaf hash is {MerkleHash.SizeInBytes} bytes.", nameof(leafHash));
        }

        leafHash.CopyTo(Slot(_depth));
        _depth++;
        for (var carry = Size; (carry & 1) == 1; carry >>= 1)
        {
            // Two perfect subtrees of equal size are siblings in every later tree (RFC 9162 §2.1.1 splits
            // at powers of two), so they can be collapsed into their parent for good.
            MerkleHash.Node(Slot(_depth - 2), Slot(_depth - 1), Slot(_depth - 2));
            _depth--;
        }

        Size = checked(Size + 1);
    }

    /// <summary>MTH of all leaves appended so far (the empty hash for no leaves).</summary>
    public byte[] Root()
    {
        if (_depth == 0) return MerkleHash.EmptyRoot.ToArray();

        // For a size that is not a power of two, MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
        // recurses into the right part, so the perfect subtrees combine from the right (RFC 9162 §2.1.1).
        var root = Slot(_depth - 1).ToArray();
        for (var i = _depth - 2; i >= 0; i--)
        {
            MerkleHash.Node(Slot(i), root, root);
        }

        return root;
    }

    private Span<byte> Slot(int index) => _stack.AsSpan(index * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes);
}
