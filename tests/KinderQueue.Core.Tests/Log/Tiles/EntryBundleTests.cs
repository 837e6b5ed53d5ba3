using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Core.Tests.Log.Tiles;

public sealed class EntryBundleTests
{
    [Fact]
    public void Encode_prefixes_each_entry_with_its_big_endian_uint16_length()
    {
        var bundle = EntryBundle.Encode([new byte[] { 0x41 }, new byte[300], ReadOnlyMemory<byte>.Empty], firstSeq: 0).GetValueOrThrow();

        bundle.Should().HaveCount(2 + 1 + 2 + 300 + 2);
        bundle[..3].Should().Equal(0x00, 0x01, 0x41);
        bundle[3..5].Should().Equal(0x01, 0x2c);
        bundle[^2..].Should().Equal(0x00, 0x00);
    }

    [Fact]
    public void Decode_gives_back_the_entries()
    {
        byte[][] entries = [[1, 2, 3], new byte[EntryBundle.MaxEntryBytes], [9]];
        var bundle = EntryBundle.Encode([.. entries.Select(e => (ReadOnlyMemory<byte>)e)], 0).GetValueOrThrow();

        var decoded = EntryBundle.Decode(bundle, 3).GetValueOrThrow().Items;

        decoded.Select(e => e.ToArray()).Should().BeEquivalentTo(entries, o => o.WithStrictOrdering());
    }

    [Fact]
    public void An_entry_above_65535_bytes_is_refused_naming_it()
    {
        var result = EntryBundle.Encode([new byte[10], new byte[EntryBundle.MaxEntryBytes + 1]], firstSeq: 512);

        result.Success.Should().BeFalse();
        result.Problems.Single().Code.Should().Be("tiles.entry-too-large");
        result.Problems.Single().Message.Should().Contain("Entry 513 is 65536 bytes");
    }

    [Theory]
    [InlineData(new byte[] { 0, 2, 1, 2 }, 2)]           // fewer entries than the width
    [InlineData(new byte[] { 0, 2, 1, 2, 0, 1, 7 }, 1)]  // bytes after the last entry
    [InlineData(new byte[] { 0, 5, 1, 2 }, 1)]           // a length past the end
    [InlineData(new byte[] { 0 }, 1)]                    // half a length
    public void Decode_refuses_a_bundle_that_is_not_exactly_its_width_of_entries(byte[] bundle, int width) =>
        EntryBundle.Decode(bundle, width).Problems.Should().ContainSingle(p => p.Code == "tiles.bundle-length");
}
