using System.Buffers;
using System.Security.Cryptography;

namespace KinderQueue.Core.Log;

/// <summary>
/// The RFC 9162 §2.1.1 hashing of the append-only log (identical to RFC 6962 §2.1) with SHA-256.
/// Leaves and interior nodes get different one-byte prefixes (0x00 and 0x01) so that a leaf can never
/// be passed off as an interior node or vice versa (second-preimage resistance, RFC 9162 §2.1.1).
/// </summary>
public static class MerkleHash
{
    /// <summary>Length of every hash in the log: SHA-256 output.</summary>
    public const int SizeInBytes = SHA256.HashSizeInBytes;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Inputs up to this size are assembled on the stack; larger entries borrow a pooled buffer so
    // hashing a big entry neither allocates nor risks a stack overflow.
    private const int StackLimit = 1024;

    private static readonly byte[] EmptyRootBytes = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// MTH({}) = SHA-256() of the empty input (RFC 9162 §2.1.1). Exposed as a read-only span so no caller
    /// can corrupt the shared value; call <c>ToArray()</c> when an owned copy is needed.
    /// </summary>
    public static ReadOnlySpan<byte> EmptyRoot => EmptyRootBytes;

    /// <summary>MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 §2.1.1).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> entryBytes)
    {
        var result = new byte[SizeInBytes];
        Leaf(entryBytes, result);
        return result;
    }

    /// <summary>Allocation-free form of <see cref="Leaf(ReadOnlySpan{byte})"/>; writes 32 bytes to <paramref name="destination"/>.</summary>
    public static void Leaf(ReadOnlySpan<byte> entryBytes, Span<byte> destination) =>
        HashPrefixed(LeafPrefix, entryBytes, ReadOnlySpan<byte>.Empty, destination);

    /// <summary>Interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var result = new byte[SizeInBytes];
        Node(left, right, result);
        return result;
    }

    /// <summary>
    /// Allocation-free form of <see cref="Node(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
    /// <paramref name="destination"/> may overlap <paramref name="left"/> or <paramref name="right"/>: the
    /// inputs are copied before the hash is written, which lets tree folding work in place.
    /// </summary>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination) =>
        HashPrefixed(NodePrefix, left, right, destination);

    private static void HashPrefixed(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        if (destination.Length < SizeInBytes)
        {
            throw new ArgumentException($"Destination must hold {SizeInBytes} bytes.", nameof(destination));
        }

        var length = checked(1 + first.Length + second.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit
            ? stackalloc byte[length]
            : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            buffer[0] = prefix;
            first.CopyTo(buffer[1..]);
            second.CopyTo(buffer[(1 + first.Length)..]);
            SHA256.HashData(buffer, destination);
        }
        finally
        {
            // Log entries are public data, so the pooled buffer needs no clearing.
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
