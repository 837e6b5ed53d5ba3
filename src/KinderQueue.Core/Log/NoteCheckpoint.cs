using System.Globalization;
using System.Text;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// A checkpoint in the transparency ecosystem's format (c2sp.org/tlog-checkpoint), so that tools and
/// witnesses nobody here wrote can check it: the origin, the tree size, the base64 RFC 6962 root,
/// then two extension lines for what SPEC.md §11.2 adds — the chain head and the time:
/// <code>
/// kinderqueue.example/region
/// 2
/// iQq+dLpGB7fiM6+LjvrttO4oVXF7qKol7spR2tRVlgo=
/// kq-head 309227ac…
/// kq-time 2027-01-15T09:00:02.000Z
/// </code>
/// signed as a note (<see cref="SignedNote"/>) with the log's Ed25519 key, whose name is the origin.
/// </summary>
public sealed record NoteCheckpoint(string Origin, long Size, byte[] Root, byte[] Head, Instant Time)
{
    private const string HeadPrefix = "kq-head ";
    private const string TimePrefix = "kq-time ";

    /// <summary>The note text: five lines, each ending in a newline.</summary>
    public string Text() =>
        $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(Root)}\n{HeadPrefix}{Hex.Encode(Head)}\n{TimePrefix}{Formats.Format(Time)}\n";

    /// <summary>Reads the text of a checkpoint note (its signatures are checked by the caller's verifier key).</summary>
    public static Parsed<NoteCheckpoint> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.EndsWith('\n') ? text[..^1].Split('\n') : [];
        if (lines.Length != 5) return Parsed<NoteCheckpoint>.Fail("$", "checkpoint.lines", "A checkpoint note has five lines: origin, size, root, kq-head, kq-time.");
        var (origin, size, root, head, time) = (lines[0], lines[1], lines[2], lines[3], lines[4]);
        if (!SignedNote.IsKeyName(origin)) return Parsed<NoteCheckpoint>.Fail("$.origin", "checkpoint.origin", "The origin is non-empty, with no space and no '+'.");
        if (size.Length == 0 || size.Any(c => c is < '0' or > '9') || (size.Length > 1 && size[0] == '0')
            || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return Parsed<NoteCheckpoint>.Fail("$.size", "checkpoint.size", "The size is a decimal number without leading zeros.");
        byte[] rootBytes;
        try
        {
            rootBytes = Convert.FromBase64String(root);
        }
        catch (FormatException)
        {
            return Parsed<NoteCheckpoint>.Fail("$.root", "checkpoint.root", "The root is base64.");
        }
        if (rootBytes.Length != 32 || Convert.ToBase64String(rootBytes) != root) return Parsed<NoteCheckpoint>.Fail("$.root", "checkpoint.root", "The root is the base64 of 32 bytes.");
        if (!head.StartsWith(HeadPrefix, StringComparison.Ordinal) || head.Length != HeadPrefix.Length + 64 || Hex.TryDecode(head[HeadPrefix.Length..]) is not { } headBytes
            || Hex.Encode(headBytes) != head[HeadPrefix.Length..])
            return Parsed<NoteCheckpoint>.Fail("$.head", "checkpoint.head", "The fourth line is 'kq-head ' and 64 lowercase hex digits.");
        var parsedTime = time.StartsWith(TimePrefix, StringComparison.Ordinal) ? Formats.Instant.Parse(time[TimePrefix.Length..]) : null;
        if (parsedTime is not { Success: true } || Formats.Format(parsedTime.Value) != time[TimePrefix.Length..])
            return Parsed<NoteCheckpoint>.Fail("$.time", "checkpoint.time", "The fifth line is 'kq-time ' and an instant in the form of SPEC.md §3.2.");
        return Parsed<NoteCheckpoint>.Ok(new NoteCheckpoint(origin, n, rootBytes, headBytes, parsedTime.Value));
    }
}
