using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Tests.Encoding;

/// <summary>Canonical JSON (SPEC.md §3): the writer, Canonicalize / IsCanonical, and the fixed text forms of time.</summary>
public sealed class CanonicalJsonTests
{
    /// <summary>The generators of the properties here (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        public static Arbitrary<Instant> MillisecondInstants() =>
            Gen.Choose(0, int.MaxValue - 1).Zip(Gen.Choose(0, 999), (s, ms) => Instant.FromUnixTimeMilliseconds(s * 1000L + ms)).ToArbitrary();

        public static Arbitrary<(J Tree, int Seed)> Trees() =>
            (from tree in Tree(4)
             from seed in Gen.Choose(0, int.MaxValue - 1)
             select (Tree: tree, Seed: seed)).ToArbitrary();
    }

    private static string Text(CanonicalJsonWriter w) => System.Text.Encoding.UTF8.GetString(w.ToArray());

    private static string WriteString(string value)
    {
        var w = new CanonicalJsonWriter();
        w.String(value);
        return Text(w);
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    // ----------------------------------------------------------------- writer: structure and keys

    [Fact]
    public void Writer_NestedValues_HaveNoWhiteSpaceAndCommasInTheRightPlaces()
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        w.StringArray("a", ["x", "y"]);
        w.Key("b");
        w.StartArray();
        w.StartObject();
        w.EndObject();
        w.StartArray();
        w.EndArray();
        w.Null();
        w.Boolean(true);
        w.Boolean(false);
        w.EndArray();
        w.Property("c", -12);
        w.PropertyOrNull("d", null);
        w.Key("e");
        w.Raw("{\"z\":1}"u8);
        w.EndObject();

        Text(w).Should().Be("{\"a\":[\"x\",\"y\"],\"b\":[{},[],null,true,false],\"c\":-12,\"d\":null,\"e\":{\"z\":1}}");
    }

    [Theory]
    [InlineData("b", "a")]
    [InlineData("a", "a")]
    [InlineData("aa", "a")]
    [InlineData("a", "B")] // byte order: 'B' (0x42) sorts before 'a' (0x61)
    [InlineData("id", "Id")]
    public void Writer_KeyNotAfterThePreviousOne_IsRefused(string first, string second)
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        w.Property(first, 1);

        var act = () => w.Key(second);

        act.Should().Throw<InvalidOperationException>().WithMessage("*ascending*");
    }

    [Fact]
    public void Writer_KeysInByteOrder_AreAccepted()
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        foreach (var key in new[] { "B", "Z", "_", "a", "aa", "ab", "b" }) w.Property(key, 0);
        w.EndObject();

        Text(w).Should().Be("{\"B\":0,\"Z\":0,\"_\":0,\"a\":0,\"aa\":0,\"ab\":0,\"b\":0}");
    }

    [Fact]
    public void Writer_KeyOrderIsPerObject()
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        w.Key("b");
        w.StartObject();
        w.Property("z", 1);
        w.EndObject();
        w.Key("c"); // 'c' follows 'b' of the outer object, not 'z' of the inner one
        w.StartArray();
        w.StartObject();
        w.Property("a", 1);
        w.EndObject();
        w.StartObject();
        w.Property("a", 2); // each object of an array starts afresh
        w.EndObject();
        w.EndArray();
        w.EndObject();

        Text(w).Should().Be("{\"b\":{\"z\":1},\"c\":[{\"a\":1},{\"a\":2}]}");
    }

    [Theory]
    [InlineData("ключ")]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    [InlineData("\u007f")]
    public void Writer_KeyThatIsNotPlainPrintableAscii_IsRefused(string key)
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();

        var act = () => w.Key(key);

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Writer_MisuseOfStructure_Throws()
    {
        var valueWithoutKey = () => { var w = new CanonicalJsonWriter(); w.StartObject(); w.Integer(1); };
        var keyInArray = () => { var w = new CanonicalJsonWriter(); w.StartArray(); w.Key("a"); };
        var keyAfterKey = () => { var w = new CanonicalJsonWriter(); w.StartObject(); w.Key("a"); w.Key("b"); };
        var twoTopLevel = () => { var w = new CanonicalJsonWriter(); w.Integer(1); w.Integer(2); };
        var mismatchedEnd = () => { var w = new CanonicalJsonWriter(); w.StartObject(); w.EndArray(); };
        var endAfterKey = () => { var w = new CanonicalJsonWriter(); w.StartObject(); w.Key("a"); w.EndObject(); };
        var unclosed = () => { var w = new CanonicalJsonWriter(); w.StartArray(); w.ToArray(); };

        foreach (var act in new[] { valueWithoutKey, keyInArray, keyAfterKey, twoTopLevel, mismatchedEnd, endAfterKey, unclosed })
            act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Writer_Reset_StartsAnEmptyDocument()
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        w.Property("b", 1);
        w.Reset();
        w.StartObject();
        w.Property("a", 1);
        w.EndObject();

        Text(w).Should().Be("{\"a\":1}");
    }

    // ----------------------------------------------------------------- writer: strings

    [Fact]
    public void Writer_EscapesEveryControlCharacterAsLowerCaseUnicodeEscape()
    {
        for (var c = 0; c < 0x20; c++)
        {
            WriteString(((char)c).ToString()).Should().Be($"\"\\u00{c:x2}\"", $"U+{c:X4}");
        }
        WriteString("\n\r\t\b\f").Should().Be("\"\\u000a\\u000d\\u0009\\u0008\\u000c\"", "no short escapes");
    }

    [Fact]
    public void Writer_EscapesQuoteAndBackslashOnly()
    {
        WriteString("\"").Should().Be("\"\\\"\"");
        WriteString("\\").Should().Be("\"\\\\\"");
        WriteString("a\"b\\c").Should().Be("\"a\\\"b\\\\c\"");
        WriteString("/<>&'+`\u007f").Should().Be("\"/<>&'+`\u007f\"", "solidus, HTML characters and DEL stay as they are");
    }

    [Theory]
    [InlineData("é", new byte[] { 0xC3, 0xA9 })]
    [InlineData("Ж", new byte[] { 0xD0, 0x96 })]
    [InlineData("€", new byte[] { 0xE2, 0x82, 0xAC })]
    [InlineData("\u2028", new byte[] { 0xE2, 0x80, 0xA8 })]
    [InlineData("\uFEFF", new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData("😀", new byte[] { 0xF0, 0x9F, 0x98, 0x80 })]
    public void Writer_NonAscii_IsWrittenAsUtf8(string value, byte[] utf8)
    {
        var w = new CanonicalJsonWriter();
        w.String(value);

        w.ToArray().Should().Equal([(byte)'"', .. utf8, (byte)'"']);
    }

    [Fact]
    public void Writer_UnpairedSurrogate_Throws()
    {
        // Built in code, in a fact: attribute arguments and serialized theory rows are UTF-8, which would turn a lone surrogate into U+FFFD.
        string[] unpaired =
        [
            new string((char)0xD800, 1),
            "a" + (char)0xDC00 + "b",
            new string([(char)0xDE00, (char)0xD83D]),
            "x" + (char)0xD83D,
        ];
        foreach (var value in unpaired)
        {
            var act = () => WriteString(value);

            act.Should().Throw<ArgumentException>(string.Join(" ", value.Select(c => ((int)c).ToString("X4"))));
        }
    }

    // ----------------------------------------------------------------- writer: integers

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(-1L, "-1")]
    [InlineData(1234567L, "1234567")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void Writer_Integer_IsPlainDecimal_InAnyCulture(long value, string expected)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            var hostile = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            hostile.NumberFormat.NegativeSign = "\u2212";
            hostile.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = hostile;
            var w = new CanonicalJsonWriter();
            w.Integer(value);

            Text(w).Should().Be(expected);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    // ----------------------------------------------------------------- Canonicalize and IsCanonical

    [Theory]
    [InlineData("{ \"b\" : 1 ,\n \"a\" : { \"d\" : [ 1 , 2 ] , \"c\" : null } }", "{\"a\":{\"c\":null,\"d\":[1,2]},\"b\":1}")]
    [InlineData("{\"a\":1,\"B\":2,\"_\":3}", "{\"B\":2,\"_\":3,\"a\":1}")]
    [InlineData("[true,false,null,-0,\"\"]", "[true,false,null,0,\"\"]")]
    [InlineData("\"\\u0041\\/\\n\\u00E9\\\"\\\\\"", "\"A/\\u000aé\\\"\\\\\"")]
    [InlineData("\"\\ud83d\\ude00\"", "\"😀\"")]
    [InlineData("  42  \r\n", "42")]
    [InlineData("{}", "{}")]
    public void Canonicalize_SortsKeysAndNormalisesText(string input, string expected)
    {
        var result = CanonicalJson.Canonicalize(Utf8(input));

        result.Problems.Should().BeEmpty();
        System.Text.Encoding.UTF8.GetString(result.Value!).Should().Be(expected);
        CanonicalJson.IsCanonical(result.Value!).Should().BeTrue();
    }

    [Theory]
    [InlineData("1.0", "json.number", "$")]
    [InlineData("1e3", "json.number", "$")]
    [InlineData("1E3", "json.number", "$")]
    [InlineData("{\"a\":[1,-0.5]}", "json.number", "$.a[1]")]
    [InlineData("{\"a\":{\"b\":2e-1}}", "json.number", "$.a.b")]
    [InlineData("9223372036854775808", "json.number", "$")]
    [InlineData("{\"a\":1,\"a\":2}", "json.duplicate-key", "$.a")]
    [InlineData("{\"x\":{\"b\":1,\"a\":2,\"b\":3}}", "json.duplicate-key", "$.x.b")]
    [InlineData("{\"é\":1}", "json.key", "$")]
    [InlineData("{\"a\\nb\":1}", "json.key", "$")]
    [InlineData("{\"a\":1} x", "json.trailing", "$")]
    [InlineData("{\"a\":1}{}", "json.trailing", "$")]
    [InlineData("{\"a\":}", "json.malformed", "$")]
    [InlineData("", "json.malformed", "$")]
    [InlineData("[1,]", "json.malformed", "$")]
    [InlineData("{\"a\":1 /* c */}", "json.malformed", "$")]
    [InlineData("'a'", "json.malformed", "$")]
    [InlineData("\uFEFF{}", "json.malformed", "$")] // a byte-order mark is not white space
    public void Canonicalize_OutsideTheCanonicalSubset_IsAProblem(string input, string code, string path)
    {
        var result = CanonicalJson.Canonicalize(Utf8(input));

        result.Success.Should().BeFalse();
        result.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = code, Path = path });
        CanonicalJson.IsCanonical(Utf8(input)).Should().BeFalse();
    }

    [Fact]
    public void Canonicalize_NestingDeeperThan32_IsMalformed()
    {
        var deep = new string('[', 40) + new string(']', 40);

        CanonicalJson.Canonicalize(Utf8(deep)).Problems.Should().ContainSingle().Which.Code.Should().Be("json.malformed");
        CanonicalJson.Canonicalize(Utf8(new string('[', 32) + new string(']', 32))).Success.Should().BeTrue();
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"a\\udc00\"")]
    [InlineData("[\"\\ude00\\ud83d\"]")]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"a\":{\"\\udc00\":1}}")]
    public void Canonicalize_EscapedLoneSurrogate_IsAProblemNotAnException(string input)
    {
        var act = () => CanonicalJson.Canonicalize(Utf8(input));

        act.Should().NotThrow().Which.Success.Should().BeFalse();
    }

    public static TheoryData<byte[]> InvalidUtf8 => new()
    {
        new byte[] { (byte)'"', 0xFF, (byte)'"' },
        new byte[] { (byte)'"', 0xC3, (byte)'"' },                          // truncated sequence
        new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' },              // UTF-8-encoded surrogate
        new byte[] { (byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}' },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Canonicalize_InvalidUtf8_IsAProblemNotAnException(byte[] input)
    {
        var act = () => CanonicalJson.Canonicalize(input);

        act.Should().NotThrow().Which.Success.Should().BeFalse();
        CanonicalJson.IsCanonical(input).Should().BeFalse();
    }

    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,null]}", true)]
    [InlineData("{\"a\":1, \"b\":[true,null]}", false)]
    [InlineData("{\"b\":[true,null],\"a\":1}", false)]
    [InlineData("{\"a\":1,\"b\":[true,null]}\n", false)]
    [InlineData("\"\\u0041\"", false)]
    [InlineData("\"\\u001f\"", true)]
    [InlineData("\"\\u001F\"", false)]
    [InlineData("\"\\n\"", false)]
    [InlineData("1.0", false)]
    [InlineData("-0", false)]
    public void IsCanonical_TrueOnlyForTheExactCanonicalBytes(string input, bool expected)
    {
        CanonicalJson.IsCanonical(Utf8(input)).Should().Be(expected);
    }

    // ----------------------------------------------------------------- property: random JSON trees

    public abstract record J;
    public sealed record JNull : J;
    public sealed record JBool(bool Value) : J;
    public sealed record JInt(long Value) : J;
    public sealed record JStr(string Value) : J;
    public sealed record JArr(J[] Items) : J;
    public sealed record JObj((string Key, J Value)[] Members) : J;

    // Pieces of strings: plain ASCII, the characters that must be escaped, non-ASCII, and a surrogate pair.
    private static readonly string[] StringPieces =
        ["a", "Z", " ", "/", "\"", "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "Ж", "€", "\u2028", "😀", "𝄞"];

    private static readonly string[] Keys = ["a", "b", "B", "aa", "ab", "_", "a b", "$", "~", "0", "id", "Id"];

    private static Gen<long> Longs => Gen.Frequency(
        (4, Gen.Choose(-1000, 1000).Select(i => (long)i)),
        (1, Gen.Elements(long.MinValue, long.MaxValue, 0L, -1L, 9007199254740993L)),
        (1, Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(0, int.MaxValue), (hi, lo) => ((long)hi << 31) | (uint)lo)));

    private static Gen<J> Leaf => Gen.OneOf(
        Gen.Constant<J>(new JNull()),
        Gen.Elements(true, false).Select(b => (J)new JBool(b)),
        Longs.Select(n => (J)new JInt(n)),
        Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(StringPieces), n)).Select(p => (J)new JStr(string.Concat(p))));

    private static Gen<J> Tree(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (3, Leaf),
            (1, Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Tree(depth - 1), n)).Select(items => (J)new JArr(items))),
            (1, from keys in Gen.SubListOf(Keys)
                from shuffled in Gen.Shuffle(keys.ToArray())
                from values in Gen.ArrayOf(Tree(depth - 1), shuffled.Length)
                select (J)new JObj([.. shuffled.Zip(values)])));

    /// <summary>Renders a tree as valid but non-canonical JSON: random white space, key order and escapes.</summary>
    private static string Render(J j, Random r)
    {
        var sb = new StringBuilder();
        void Ws()
        {
            var n = r.Next(4) == 0 ? r.Next(1, 3) : 0;
            for (var i = 0; i < n; i++) sb.Append(" \n\r\t"[r.Next(4)]);
        }
        void Str(string s)
        {
            sb.Append('"');
            for (var k = 0; k < s.Length; k++)
            {
                var c = s[k];
                if (char.IsHighSurrogate(c))
                {
                    // A pair is written raw or as two escapes, never half and half (that would not be valid text).
                    sb.Append(r.Next(2) == 0 ? s.Substring(k, 2) : $"\\u{(int)c:x4}\\u{(int)s[k + 1]:X4}");
                    k++;
                    continue;
                }
                var mustEscape = c < 0x20 || c == '"' || c == '\\';
                var choice = r.Next(3);
                if (!mustEscape && choice > 0) sb.Append(c);
                else if (choice == 0) sb.Append(r.Next(2) == 0 ? $"\\u{(int)c:x4}" : $"\\u{(int)c:X4}");
                else sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", _ => $"\\u{(int)c:x4}" });
            }
            sb.Append('"');
        }
        void Go(J x)
        {
            Ws();
            switch (x)
            {
                case JNull: sb.Append("null"); break;
                case JBool b: sb.Append(b.Value ? "true" : "false"); break;
                case JInt n: sb.Append(n.Value.ToString(CultureInfo.InvariantCulture)); break;
                case JStr s: Str(s.Value); break;
                case JArr a:
                    sb.Append('[');
                    for (var i = 0; i < a.Items.Length; i++)
                    {
                        if (i > 0) sb.Append(',');
                        Go(a.Items[i]);
                    }
                    Ws();
                    sb.Append(']');
                    break;
                case JObj o:
                    sb.Append('{');
                    var members = o.Members.OrderBy(_ => r.Next()).ToArray();
                    for (var i = 0; i < members.Length; i++)
                    {
                        if (i > 0) sb.Append(',');
                        Ws();
                        Str(members[i].Key);
                        Ws();
                        sb.Append(':');
                        Go(members[i].Value);
                    }
                    Ws();
                    sb.Append('}');
                    break;
            }
            Ws();
        }
        Go(j);
        return sb.ToString();
    }

    /// <summary>The canonical text, written directly from SPEC.md §3 as an oracle.</summary>
    private static string Expected(J j) => j switch
    {
        JNull => "null",
        JBool b => b.Value ? "true" : "false",
        JInt n => n.Value.ToString(CultureInfo.InvariantCulture),
        JStr s => Quote(s.Value),
        JArr a => "[" + string.Join(",", a.Items.Select(Expected)) + "]",
        JObj o => "{" + string.Join(",", o.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => Quote(m.Key) + ":" + Expected(m.Value))) + "}",
        _ => throw new ArgumentOutOfRangeException(nameof(j)),
    };

    private static string Quote(string s) =>
        "\"" + string.Concat(s.Select(c => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            < ' ' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        })) + "\"";

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(Cases) })]
    public void Canonicalize_RandomTrees_MatchesTheOracleAndIsIdempotent((J Tree, int Seed) c)
    {
        var random = new Random(c.Seed);
        var text = Render(c.Tree, random);
        var canonical = CanonicalJson.Canonicalize(Utf8(text));

        canonical.Problems.Should().BeEmpty(text);
        System.Text.Encoding.UTF8.GetString(canonical.Value!).Should().Be(Expected(c.Tree), text);
        CanonicalJson.Canonicalize(canonical.Value!).Value.Should().Equal(canonical.Value, "idempotent");
        CanonicalJson.IsCanonical(canonical.Value!).Should().BeTrue();
        CanonicalJson.Canonicalize(Utf8(Render(c.Tree, random))).Value.Should().Equal(canonical.Value, "another rendering of the same tree");
    }

    // ----------------------------------------------------------------- Formats

    [Theory]
    [InlineData(0, "2027-03-01T09:15:00.000Z")]
    [InlineData(5, "2027-03-01T09:15:00.005Z")]
    [InlineData(50, "2027-03-01T09:15:00.050Z")]
    [InlineData(999, "2027-03-01T09:15:00.999Z")]
    public void Format_Instant_HasAlwaysThreeFractionalDigits(int milliseconds, string expected)
    {
        var instant = Instant.FromUtc(2027, 3, 1, 9, 15) + Duration.FromMilliseconds(milliseconds);

        Formats.Format(instant).Should().Be(expected);
        Formats.Instant.Parse(expected).Value.Should().Be(instant);
    }

    [Fact]
    public void Format_InstantBefore1970_IsUtcWithMilliseconds()
    {
        Formats.Format(Instant.FromUnixTimeMilliseconds(-1)).Should().Be("1969-12-31T23:59:59.999Z");
        Formats.Format(Instant.FromUtc(999, 1, 1, 0, 0)).Should().Be("0999-01-01T00:00:00.000Z");
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(9_999L)]
    [InlineData(10_001L)]
    [InlineData(-1L)]
    public void Format_InstantFinerThanAMillisecond_Throws(long ticks)
    {
        var instant = Instant.FromUtc(2027, 3, 1, 9, 15) + Duration.FromTicks(ticks);

        var act = () => Formats.Format(instant);

        act.Should().Throw<ArgumentException>();
        Formats.Format(Formats.TruncateToMillisecond(Instant.FromUtc(2027, 3, 1, 9, 15) + Duration.FromTicks(10_001)))
            .Should().Be("2027-03-01T09:15:00.001Z");
    }

    [Theory]
    [InlineData("2027-03-01T09:15:00Z")]
    [InlineData("2027-03-01T09:15:00.1Z")]
    [InlineData("2027-03-01T09:15:00.0001Z")]
    [InlineData("2027-03-01T12:15:00.000+03:00")]
    [InlineData("2027-03-01 09:15:00.000Z")]
    public void InstantPattern_AcceptsOnlyTheFixedForm(string text)
    {
        Formats.Instant.Parse(text).Success.Should().BeFalse();
    }

    [Fact]
    public void Format_DatesAndMonths_AreIso_InAnyCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            var hostile = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            hostile.DateTimeFormat.DateSeparator = ".";
            CultureInfo.CurrentCulture = hostile;

            Formats.Format(new LocalDate(2027, 9, 1)).Should().Be("2027-09-01");
            Formats.Format(new YearMonth(2024, 3)).Should().Be("2024-03");
            Formats.Format(Instant.FromUtc(2027, 3, 1, 9, 15)).Should().Be("2027-03-01T09:15:00.000Z");
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Format_RandomMillisecondInstants_RoundTripWithFixedWidth(Instant i)
    {
        var text = Formats.Format(i);
        text.Should().HaveLength(24).And.MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$");
        Formats.Instant.Parse(text).Value.Should().Be(i);
    }
}
