using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Core.Tests.Log.Tiles;

/// <summary>Tile paths of c2sp.org/tlog-tiles, on the spec's own examples.</summary>
public sealed class TileIdTests
{
    [Theory]
    [InlineData(0L, "000")]
    [InlineData(5L, "005")]
    [InlineData(999L, "999")]
    [InlineData(1000L, "x001/000")]
    [InlineData(1234067L, "x001/x234/067")]
    [InlineData(1_000_000_000L, "x001/x000/x000/000")]
    public void IndexPath_groups_three_digits_and_marks_all_but_the_last_with_x(long index, string expected) =>
        TileId.IndexPath(index).Should().Be(expected);

    [Fact]
    public void Paths_follow_the_spec()
    {
        TileId.Hashes(0, 1234067).Path().Should().Be("tile/0/x001/x234/067");
        TileId.Hashes(1, 5, 112).Path().Should().Be("tile/1/005.p/112");
        TileId.Hashes(63, 0, 1).Path().Should().Be("tile/63/000.p/1");
        TileId.Entries(1234067).Path().Should().Be("tile/entries/x001/x234/067");
        TileId.Entries(273, 112).Path().Should().Be("tile/entries/273.p/112");
    }

    [Theory]
    [InlineData("tile/0/x001/x234/067")]
    [InlineData("tile/2/000.p/1")]
    [InlineData("tile/entries/273.p/112")]
    [InlineData("tile/entries/x001/000")]
    [InlineData("tile/12/x999/999.p/255")]
    public void Parse_reads_back_every_canonical_path(string path) =>
        TileId.Parse(path)!.Value.Path().Should().Be(path);

    [Theory]
    [InlineData("tile/00/000")]          // leading zero in the level
    [InlineData("tile/64/000")]          // level above 63
    [InlineData("tile/0/5")]             // not three digits
    [InlineData("tile/0/x000/005")]      // a non-canonical spelling of 5
    [InlineData("tile/0/x001")]          // the last element carries x
    [InlineData("tile/0/001/002")]       // an inner element without x
    [InlineData("tile/0/000.p/256")]     // a partial tile is narrower than 256
    [InlineData("tile/0/000.p/0")]       // and not empty
    [InlineData("tile/0/000.p/012")]     // no leading zeros in the width
    [InlineData("tile/entries")]
    [InlineData("tiles/0/000")]
    [InlineData("tile/-1/000")]
    [InlineData("tile/0/x9223372036854/775/807")]
    public void Parse_refuses_anything_else(string path) =>
        TileId.Parse(path).Should().BeNull();

    [Fact]
    public void Layout_of_70000_entries_is_the_spec_example()
    {
        var tiles = TileLayout.HashTiles(70_000).ToList();

        tiles.Count(t => t is { Level: 0, IsPartial: false }).Should().Be(273);
        tiles.Should().Contain(TileId.Hashes(0, 273, 112));
        tiles.Count(t => t is { Level: 1, IsPartial: false }).Should().Be(1);
        tiles.Should().Contain(TileId.Hashes(1, 1, 17));
        tiles.Should().Contain(TileId.Hashes(2, 0, 1));
        tiles.Should().HaveCount(273 + 1 + 1 + 1 + 1);
        TileLayout.EntryBundles(70_000).Should().HaveCount(274).And.EndWith(TileId.Entries(273, 112));
    }

    [Fact]
    public void A_tree_of_256_is_one_full_level_0_tile_and_a_level_1_tile_of_width_1()
    {
        TileLayout.HashTiles(256).Should().Equal(TileId.Hashes(0, 0), TileId.Hashes(1, 0, 1));
        TileLayout.HashTiles(0).Should().BeEmpty();
        TileLayout.EntryBundles(0).Should().BeEmpty();
    }

    [Theory]
    [InlineData(0, 0L, 256, 256L, true)]
    [InlineData(0, 0L, 256, 255L, false)]
    [InlineData(0, 1L, 3, 259L, true)]
    [InlineData(0, 1L, 4, 259L, false)]
    [InlineData(0, 1L, 2, 259L, true)]      // a narrower partial tile is a prefix of the tree's
    [InlineData(1, 0L, 1, 256L, true)]
    [InlineData(1, 0L, 1, 255L, false)]
    [InlineData(2, 0L, 1, 65_535L, false)]
    [InlineData(0, long.MaxValue / 256, 256, 1000L, false)]
    public void Covers_says_whether_the_tree_has_every_hash_of_the_tile(int level, long index, int width, long size, bool expected) =>
        TileLayout.Covers(TileId.Hashes(level, index, width), size).Should().Be(expected);
}
