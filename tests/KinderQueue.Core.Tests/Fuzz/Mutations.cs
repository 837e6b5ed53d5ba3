using System.Text;
using TextEncoding = System.Text.Encoding;

namespace KinderQueue.Core.Tests.Fuzz;

/// <summary>
/// Deterministic mutations of an input (the seed of a <see cref="Random"/> comes from FsCheck, so a
/// failing input is reported and replayed by its numbers). One to four steps, each one of: flip bits,
/// truncate, duplicate a slice, insert invalid UTF-8, insert an unpaired surrogate escape, nest deeply,
/// put an odd number in, overwrite a slice with random bytes. Shared with the CLI tests (linked file).
/// </summary>
internal static class Mutations
{
    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0x80], [0xC0, 0x80], [0xC3], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly string[] Escapes = [@"\ud800", @"\udc00", @"\ud83d", @"\u0000", @"\n", @"\u2028", "\u00a0", "\ufeff"];

    private static readonly string[] Numbers =
    [
        "9223372036854775808", "-9223372036854775809", "1e400", "1.0", "-0", "0.5e-3", "99999999999999999999999999", "-1", "0",
        "2147483648", "100001",
    ];

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ":", ",", "\"a\"", "\"id\"", "\"number\"", "\"\"", "1", "-1", "0", "1e5", "true", "null", " ", "\n",
        "\"\\ud800\"", "\"2027-09-01\"", "\"0000-01-01\"", "\"9999-12-31\"", "\"2027-03-01T09:15:00.000Z\"", "\"-0001-05\"",
    ];

    public static byte[] Apply(byte[] seed, int randomSeed)
    {
        var r = new Random(randomSeed);
        var b = seed.ToList();
        var steps = r.Next(1, 4) is 1 ? 1 : r.Next(1, 5);
        for (var s = 0; s < steps; s++) Step(b, r);
        return [.. b];
    }

    /// <summary>Random tokens of JSON (and almost-JSON), nested at random.</summary>
    public static byte[] Soup(int randomSeed)
    {
        var r = new Random(randomSeed);
        var text = new StringBuilder();
        var n = r.Next(0, 60);
        for (var i = 0; i < n; i++) text.Append(Tokens[r.Next(Tokens.Length)]);
        var bytes = TextEncoding.UTF8.GetBytes(text.ToString()).ToList();
        if (r.Next(4) == 0) Step(bytes, r);
        return [.. bytes];
    }

    private static void Step(List<byte> b, Random r)
    {
        int At(bool end = true) => r.Next(0, b.Count + (end ? 1 : 0));
        switch (r.Next(11))
        {
            case 0 when b.Count > 0: // flip a bit or a byte
                var i = At(false);
                b[i] = r.Next(2) == 0 ? (byte)(b[i] ^ (1 << r.Next(8))) : (byte)r.Next(256);
                break;
            case 1: // truncate
                var cut = At();
                b.RemoveRange(cut, b.Count - cut);
                break;
            case 2 when b.Count > 0: // duplicate a slice somewhere
                var from = At(false);
                var length = r.Next(1, Math.Min(200, b.Count - from) + 1);
                b.InsertRange(At(), b.GetRange(from, length));
                break;
            case 3: // invalid UTF-8, preferably inside a string
                b.InsertRange(AfterQuote(b, r), BadUtf8[r.Next(BadUtf8.Length)]);
                break;
            case 4: // an escape that is not text (an unpaired surrogate) or an odd character
                b.InsertRange(AfterQuote(b, r), TextEncoding.UTF8.GetBytes(Escapes[r.Next(Escapes.Length)]));
                break;
            case 5: // deep nesting as a new field's value: "k":v becomes "k":[[…]],"zz":v
                var colon = b.IndexOf((byte)':', At(false) is var start && start < b.Count ? start : 0);
                var depth = r.Next(20, 80);
                var nest = new string('[', depth) + new string(']', depth);
                if (colon < 0) b.InsertRange(0, TextEncoding.UTF8.GetBytes(nest[..depth]));
                else b.InsertRange(colon + 1, TextEncoding.UTF8.GetBytes(nest + ",\"zz\":"));
                break;
            case 6: // an odd number in place of a digit run
                var digit = b.FindIndex(At(false) is var d0 && d0 < b.Count ? d0 : 0, x => x is >= (byte)'0' and <= (byte)'9');
                if (digit < 0) break;
                var endDigits = digit;
                while (endDigits < b.Count && b[endDigits] is >= (byte)'0' and <= (byte)'9') endDigits++;
                b.RemoveRange(digit, endDigits - digit);
                b.InsertRange(digit, TextEncoding.UTF8.GetBytes(Numbers[r.Next(Numbers.Length)]));
                break;
            case 7 when b.Count > 0: // overwrite a slice with random bytes
                var o = At(false);
                for (var k = o; k < Math.Min(b.Count, o + r.Next(1, 16)); k++) b[k] = (byte)r.Next(256);
                break;
            case 8 or 9: // a string or number value replaced by an awkward one: keeps the structure, so deeper checks run
                ReplaceValue(b, r);
                break;
            default: // delete a slice
                if (b.Count == 0) break;
                var del = At(false);
                b.RemoveRange(del, Math.Min(b.Count - del, r.Next(1, 32)));
                break;
        }
    }

    private static readonly string[] Values =
    [
        "\"\"", "\" \"", "\"A-0001\\n\"", "\"A-0001\"", "\"kg-a\"", "\"kg-a\\n\"", "\"\\ud800\"", "\"\u3000\"", "\"0000-01-01\"",
        "\"9999-12-31\"", "\"-0001-05\"", "\"9999-12\"", "\"0001-01-01T00:00:00.000Z\"", "\"9999-12-31T23:59:59.999Z\"",
        "\"2027-03-01T24:00:00.000Z\"", "\"europe/moscow\"", "null", "0", "-1", "9223372036854775807", "[]", "{}", "[null]", "[\"\"]",
        "true", "\"requeue\"", "\"sibling\"", "\"" + new string('a', 300) + "\"",
    ];

    /// <summary>Replaces the string or integer that starts at or after a random position with one of <see cref="Values"/>.</summary>
    private static void ReplaceValue(List<byte> b, Random r)
    {
        if (b.Count == 0) return;
        var start = r.Next(0, b.Count);
        // A value follows ':' or ',' or '[' (a key also follows '{' or ',', but changing one is fine too).
        var i = b.FindIndex(start, x => x is (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9'));
        if (i < 0) return;
        var end = i + 1;
        if (b[i] == (byte)'"')
        {
            while (end < b.Count && b[end] != (byte)'"') end += b[end] == (byte)'\\' ? 2 : 1;
            end = Math.Min(end + 1, b.Count);
        }
        else
        {
            while (end < b.Count && b[end] is >= (byte)'0' and <= (byte)'9') end++;
        }
        b.RemoveRange(i, end - i);
        b.InsertRange(i, TextEncoding.UTF8.GetBytes(Values[r.Next(Values.Length)]));
    }

    /// <summary>A position just after a random '"' (inside a key or a string), or anywhere if there is none.</summary>
    private static int AfterQuote(List<byte> b, Random r)
    {
        var start = r.Next(0, b.Count + 1);
        var q = start < b.Count ? b.IndexOf((byte)'"', start) : -1;
        if (q < 0) q = b.IndexOf((byte)'"');
        return q < 0 ? start : q + 1;
    }
}

/// <summary>The repository root (the folder holding KinderQueue.sln), for the suites that link this file.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"KinderQueue.sln not found above {AppContext.BaseDirectory}.");
    }
}
