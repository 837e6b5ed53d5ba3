using System.Globalization;
using System.Text;

namespace KinderQueue.Core.Log.Tiles;

/// <summary>
/// One static resource of a tiled log (c2sp.org/tlog-tiles): the tile of Merkle tree hashes at
/// <see cref="Level"/> with index <see cref="Index"/>, or the entry bundle with that index
/// (<see cref="IsEntries"/>), holding <see cref="Width"/> hashes or entries (256 for a full one).
/// </summary>
public readonly record struct TileId
{
    /// <summary>Tiles are subtrees of height 8: 256 hashes.</summary>
    public const int Height = 8;

    public const int FullWidth = 1 << Height;

    /// <summary>Levels are 0..63 (the spec); a level l tile hash covers 256^l entries.</summary>
    public const int MaxLevel = 63;

    private const int EntriesLevel = -1;

    private TileId(int level, long index, int width)
    {
        Level = level;
        Index = index;
        Width = width;
    }

    /// <summary>Tile level (0 = leaf hashes); -1 for an entry bundle.</summary>
    public int Level { get; }

    public long Index { get; }

    /// <summary>1..256 hashes or entries; below 256 the resource is partial (path suffix <c>.p/W</c>).</summary>
    public int Width { get; }

    public bool IsEntries => Level == EntriesLevel;

    public bool IsPartial => Width < FullWidth;

    public static TileId Hashes(int level, long index, int width = FullWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return Checked(level, index, width);
    }

    public static TileId Entries(long index, int width = FullWidth) => Checked(EntriesLevel, index, width);

    private static TileId Checked(int level, long index, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FullWidth);
        return new TileId(level, index, width);
    }

    /// <summary>The same tile or bundle when it is full (what a partial one grows into).</summary>
    public TileId Full => new(Level, Index, FullWidth);

    /// <summary>The path under the log's prefix: <c>tile/L/N[.p/W]</c> or <c>tile/entries/N[.p/W]</c>.</summary>
    public string Path()
    {
        var level = IsEntries ? "entries" : Level.ToString(CultureInfo.InvariantCulture);
        var suffix = IsPartial ? ".p/" + Width.ToString(CultureInfo.InvariantCulture) : "";
        return $"tile/{level}/{IndexPath(Index)}{suffix}";
    }

    public override string ToString() => Path();

    /// <summary>
    /// N as zero-padded 3-digit path elements, all but the last starting with <c>x</c>:
    /// 1234067 is <c>x001/x234/067</c> (so a file system holds every tile without a file/directory clash).
    /// </summary>
    public static string IndexPath(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var groups = new List<string>();
        do
        {
            groups.Add((index % 1000).ToString("D3", CultureInfo.InvariantCulture));
            index /= 1000;
        }
        while (index > 0);
        groups.Reverse();
        var text = new StringBuilder();
        for (var i = 0; i < groups.Count; i++)
        {
            if (i > 0) text.Append('/');
            if (i < groups.Count - 1) text.Append('x');
            text.Append(groups[i]);
        }
        return text.ToString();
    }

    /// <summary>
    /// Reads a path under the prefix (<c>tile/…</c>); null unless it is exactly the canonical path of a
    /// tile or bundle (no leading zeros in L or W, three digits per element, W 1..255), so each
    /// resource has one name.
    /// </summary>
    public static TileId? Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('/');
        if (parts.Length < 3 || parts[0] != "tile") return null;
        int level;
        if (parts[1] == "entries") level = EntriesLevel;
        else if (!TryDecimal(parts[1], MaxLevel, out level)) return null;

        var width = FullWidth;
        var end = parts.Length;
        var last = parts[end - 1];
        if (parts.Length >= 4 && parts[end - 2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryDecimal(last, FullWidth - 1, out width) || width == 0) return null;
            parts[end - 2] = parts[end - 2][..^2];
            end--;
        }
        long index = 0;
        for (var i = 2; i < end; i++)
        {
            var element = parts[i];
            var digits = i < end - 1 ? (element.StartsWith('x') ? element[1..] : null) : element;
            if (digits is not { Length: 3 } || digits.Any(c => c is < '0' or > '9')) return null;
            if (index > (long.MaxValue - 999) / 1000) return null;
            index = index * 1000 + int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        var id = new TileId(level, index, width);
        // "x000/005" decodes to 5 too; only the canonical spelling names the tile.
        return id.Path() == path ? id : null;
    }

    private static bool TryDecimal(string text, int max, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 3 || text.Any(c => c is < '0' or > '9') || (text.Length > 1 && text[0] == '0')) return false;
        value = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= max;
    }
}
