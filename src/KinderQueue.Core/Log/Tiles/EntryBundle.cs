using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;

namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// An entry bundle of c2sp.org/tlog-tiles: the entry bytes (SPEC.md §6.1) of up to 256 consecutive
/// entries, each preceded by its length as a big-endian uint16. The spec has no room for an entry
/// above 65,535 bytes, so such an entry cannot be published as tiles: encoding refuses it (a value,
/// not an exception), naming the entry, rather than writing a bundle nobody could read.
/// </summary>
public static class EntryBundle
{
    public const int MaxEntryBytes = ushort.MaxValue;

    /// <summary>The bundle of <paramref name="entries"/>, whose first is entry <paramref name="firstSeq"/>.</summary>
    public static Parsed<byte[]> Encode(IReadOnlyList<ReadOnlyMemory<byte>> entries, long firstSeq)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(entries.Count, TileId.FullWidth);
        long length = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Length > MaxEntryBytes) return TooLarge(firstSeq + i, entries[i].Length);
            length += 2 + entries[i].Length;
        }
        var bundle = new byte[length];
        var at = 0;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bundle.AsSpan(at), (ushort)entry.Length);
            entry.Span.CopyTo(bundle.AsSpan(at + 2));
            at += 2 + entry.Length;
        }
        return Parsed<byte[]>.Ok(bundle);
    }

    /// <summary>The problem for an entry too long for a bundle (SPEC.md §11.7).</summary>
    public static Parsed<byte[]> TooLarge(long seq, int length) =>
        Parsed<byte[]>.Fail("$", "tiles.entry-too-large", string.Create(CultureInfo.InvariantCulture,
            $"Entry {seq} is {length} bytes; an entry bundle (c2sp.org/tlog-tiles) holds entries of at most {MaxEntryBytes} bytes, so this log cannot be published as tiles."));

    /// <summary>
    /// The entries of a bundle that must hold exactly <paramref name="width"/> of them; anything else
    /// (a length running past the end, bytes after the last entry, fewer entries) is a problem.
    /// The entries are slices of <paramref name="bundle"/>.
    /// </summary>
    public static Parsed<Entries> Decode(ReadOnlyMemory<byte> bundle, int width)
    {
        var entries = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>(width);
        var at = 0;
        while (at < bundle.Length)
        {
            if (entries.Count == width)
                return Parsed<Entries>.Fail("$", "tiles.bundle-length", $"The bundle has bytes after its {width} entries.");
            if (bundle.Length - at < 2 || bundle.Length - at - 2 < BinaryPrimitives.ReadUInt16BigEndian(bundle.Span[at..]))
                return Parsed<Entries>.Fail("$", "tiles.bundle-length", $"Entry {entries.Count} of the bundle runs past its end.");
            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle.Span[at..]);
            entries.Add(bundle.Slice(at + 2, length));
            at += 2 + length;
        }
        if (entries.Count != width)
            return Parsed<Entries>.Fail("$", "tiles.bundle-length", $"The bundle has {entries.Count} entries, not {width}.");
        return Parsed<Entries>.Ok(new Entries(entries.MoveToImmutable()));
    }

    /// <summary>The decoded entries (a class, as <see cref="Parsed{T}"/> needs one).</summary>
    public sealed record Entries(ImmutableArray<ReadOnlyMemory<byte>> Items);
}
