using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Tests.Log;

public sealed class CheckpointTests
{
    // The worked example of the spec draft (algorithm-spec/SPEC.md §11.2): a checkpoint of the
    // two-entry log of SPEC.md §6.4 under a fixed test key, signed once by an independent implementation
    // (Python `cryptography`); its private key was thrown away, so only verification can be checked.
    private const string ExampleSpki =
        "3059301306072a8648ce3d020106082a8648ce3d030107034200048f9195e4241090f67b7034dc22a3496360e45dd483d1f9593b14727f01924488642bde175cfc2214c471b9f90cd4e7ca06d8711822a61c9088ccc144a2324553";
    private const string ExampleLogId = "3cb9b24b95510e5539cb84045264cab984d6e994ca4bcf5eae14f044645f2999";
    private const string ExampleRoot = "890abe74ba4607b7e233af0b8efaedb4ee2855717ba8aa25eeca51dad455960a";
    private const string ExampleHead = "309227ac090e53e7f529997859dfcfc839ec4a9b1866a6391f07848bec096ddd";
    private const string ExampleSigned =
        """{"head":"309227ac090e53e7f529997859dfcfc839ec4a9b1866a6391f07848bec096ddd","logId":"3cb9b24b95510e5539cb84045264cab984d6e994ca4bcf5eae14f044645f2999","root":"890abe74ba4607b7e233af0b8efaedb4ee2855717ba8aa25eeca51dad455960a","size":2,"time":"2027-01-15T09:00:02.000Z"}""";
    private const string ExampleSignature = "Agz9JSVy9aZtiBY+96NwAH64moz8LyAq3DjzuyoYDq75tVpiWzFZgS1P8B6YDT0EnoleYU2X7uSu4wrOwc9OXg==";

    private static readonly Instant ExampleTime = Instant.FromUtc(2027, 1, 15, 9, 0, 2);

    private static Checkpoint Example() =>
        new(ExampleLogId, 2, Convert.FromHexString(ExampleRoot), Convert.FromHexString(ExampleHead), ExampleTime);

    // ----------------------------------------------------------------- the spec example

    [Fact]
    public void Spec_example_has_the_published_bytes_and_its_signature_verifies()
    {
        var spki = Convert.FromHexString(ExampleSpki);
        CheckpointKey.IsP256Spki(spki).Should().BeTrue();
        CheckpointKey.LogId(spki).Should().Be(ExampleLogId);

        var checkpoint = Example();
        System.Text.Encoding.UTF8.GetString(checkpoint.SignedBytes()).Should().Be(ExampleSigned);
        checkpoint.SignedBytes().Should().HaveCount(267);
        checkpoint.Verify(ExampleSignature, spki).Should().BeTrue();

        // The published document is the same object with "signature" between "root" and "size".
        var published = new SignedCheckpoint(checkpoint, ExampleSignature).ToJson();
        System.Text.Encoding.UTF8.GetString(published).Should().Be(ExampleSigned.Replace(",\"size\"", $",\"signature\":\"{ExampleSignature}\",\"size\"", StringComparison.Ordinal));
        SignedCheckpoint.Parse(published).GetValueOrThrow().Verify(spki).Should().BeTrue();
    }

    [Fact]
    public void Spec_example_root_and_head_are_those_of_the_two_entry_log()
    {
        var chain = new LogChain();
        var (_, _, h0) = chain.Append(Instant.FromUtc(2027, 1, 15, 9, 0), "department:7f3a9c21", "district.registered",
            """{"id":"central","name":"Central"}"""u8.ToArray());
        var (_, _, h1) = chain.Append(Instant.FromUtc(2027, 1, 15, 9, 0, 1) + Duration.FromNanoseconds(250_999_999), "department:7f3a9c21",
            "kindergarten.registered", """{"catchment":["central"],"district":"central","id":"kg-a","name":"Kindergarten No. 1"}"""u8.ToArray());

        Convert.ToHexStringLower(chain.Head).Should().Be(ExampleHead);
        Convert.ToHexStringLower(MerkleTree.Root([h0, h1], 2)).Should().Be(ExampleRoot);
    }

    // ----------------------------------------------------------------- sign, verify, tamper

    [Fact]
    public void Signed_checkpoint_verifies_and_every_changed_field_fails()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var checkpoint = new Checkpoint(CheckpointKey.LogId(spki), 1234, Hash(1), Hash(2), ExampleTime);
        var signature = Sign(key, checkpoint);

        checkpoint.Verify(signature, spki).Should().BeTrue();

        var changed = new (string What, Checkpoint Checkpoint)[]
        {
            ("size + 1", new(checkpoint.LogId, 1235, checkpoint.Root, checkpoint.Head, checkpoint.Time)),
            ("size 0", new(checkpoint.LogId, 0, checkpoint.Root, checkpoint.Head, checkpoint.Time)),
            ("root", new(checkpoint.LogId, 1234, Flip(checkpoint.Root.ToArray(), 31), checkpoint.Head, checkpoint.Time)),
            ("head", new(checkpoint.LogId, 1234, checkpoint.Root, Flip(checkpoint.Head.ToArray(), 0), checkpoint.Time)),
            ("root and head swapped", new(checkpoint.LogId, 1234, checkpoint.Head, checkpoint.Root, checkpoint.Time)),
            ("time + 1 ms", new(checkpoint.LogId, 1234, checkpoint.Root, checkpoint.Head, checkpoint.Time + Duration.FromMilliseconds(1))),
        };
        foreach (var (what, other) in changed) other.Verify(signature, spki).Should().BeFalse(what);

        var sig = Convert.FromBase64String(signature);
        for (var i = 0; i < sig.Length; i++)
            checkpoint.Verify(Convert.ToBase64String(Flip(sig, i)), spki).Should().BeFalse($"signature byte {i} flipped");
    }

    [Fact]
    public void Another_key_or_a_checkpoint_naming_another_key_fails()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var otherSpki = other.ExportSubjectPublicKeyInfo();
        var checkpoint = new Checkpoint(CheckpointKey.LogId(spki), 7, Hash(3), Hash(4), ExampleTime);
        var signature = Sign(key, checkpoint);

        checkpoint.Verify(signature, otherSpki).Should().BeFalse("verified with another key");

        // Signed by the other key but naming the first: the signature fails under the first key,
        // and the other key is not the one the checkpoint names.
        var impostor = Sign(other, checkpoint);
        checkpoint.Verify(impostor, spki).Should().BeFalse();
        checkpoint.Verify(impostor, otherSpki).Should().BeFalse("the logId names another key");
        CheckpointKey.Verify(otherSpki, checkpoint.SignedBytes(), impostor).Should().BeTrue("the signature itself is good; only the naming fails");
    }

    [Fact]
    public void Malformed_signatures_and_keys_fail_without_throwing()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var checkpoint = new Checkpoint(CheckpointKey.LogId(spki), 7, Hash(3), Hash(4), ExampleTime);
        var signature = Sign(key, checkpoint);
        var der = key.SignData(checkpoint.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var raw = Convert.FromBase64String(signature);

        var signatures = new (string What, string? Signature)[]
        {
            ("null", null),
            ("empty", ""),
            ("not base64", new string('!', 88)),
            ("DER instead of P1363", Convert.ToBase64String(der)),
            ("63 bytes", Convert.ToBase64String(raw[..63])),
            ("65 bytes", Convert.ToBase64String([.. raw, 0])),
            ("unpadded", signature.TrimEnd('=')),
            ("with a line break", signature[..40] + "\n" + signature[40..]),
            ("URL-safe alphabet", signature.Replace('+', '-').Replace('/', '_')),
            ("non-zero bits before the padding", signature[..85] + NextBase64Char(signature[85]) + "=="),
            ("all zero", Convert.ToBase64String(new byte[64])),
        };
        foreach (var (what, s) in signatures)
        {
            if (s == signature) continue; // a replacement that changed nothing (no '+' or '/' in this signature)
            checkpoint.Verify(s, spki).Should().BeFalse(what);
        }

        var keys = new (string What, byte[] Spki)[]
        {
            ("empty", []),
            ("truncated", spki[..90]),
            ("P-384", p384.ExportSubjectPublicKeyInfo()),
            ("point not on the curve", Flip(spki, 90)),
            ("garbage of the right length", [.. CheckpointKey.SpkiPrefix, .. new byte[64]]),
        };
        foreach (var (what, k) in keys)
        {
            checkpoint.Verify(signature, k).Should().BeFalse(what);
            CheckpointKey.Verify(k, checkpoint.SignedBytes(), signature).Should().BeFalse(what);
        }
    }

    [Fact]
    public void Keys_exported_by_the_platform_have_the_one_accepted_form()
    {
        for (var i = 0; i < 20; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var spki = key.ExportSubjectPublicKeyInfo();
            spki.Should().HaveCount(CheckpointKey.SpkiLength);
            CheckpointKey.IsP256Spki(spki).Should().BeTrue();
        }
    }

    // ----------------------------------------------------------------- parsing the published form

    [Fact]
    public void Parse_round_trips_and_refuses_every_other_spelling()
    {
        var published = System.Text.Encoding.UTF8.GetString(new SignedCheckpoint(Example(), ExampleSignature).ToJson());
        var parsed = SignedCheckpoint.Parse(System.Text.Encoding.UTF8.GetBytes(published)).GetValueOrThrow();
        parsed.ToJson().Should().Equal(System.Text.Encoding.UTF8.GetBytes(published));
        parsed.Signature.Should().Be(ExampleSignature);
        parsed.Checkpoint.Size.Should().Be(2);
        parsed.Checkpoint.Time.Should().Be(ExampleTime);

        var bad = new (string What, string Text, string Code)[]
        {
            ("white space", published.Replace(",", ", ", StringComparison.Ordinal), "checkpoint.not-canonical"),
            ("keys out of order", Reorder(published), "checkpoint.not-canonical"),
            ("an extra member", published.Replace("{", "{\"extra\":1,", StringComparison.Ordinal), "checkpoint.not-canonical"),
            ("upper-case hex", published.Replace(ExampleRoot, ExampleRoot.ToUpperInvariant(), StringComparison.Ordinal), "checkpoint.hash"),
            ("short root", published.Replace(ExampleRoot, ExampleRoot[2..], StringComparison.Ordinal), "checkpoint.hash"),
            ("negative size", published.Replace("\"size\":2", "\"size\":-2", StringComparison.Ordinal), "field.range"),
            ("size as text", published.Replace("\"size\":2", "\"size\":\"2\"", StringComparison.Ordinal), "field.type"),
            ("time with an offset", published.Replace("09:00:02.000Z", "12:00:02.000+03:00", StringComparison.Ordinal), "field.instant"),
            ("no signature", published.Replace($",\"signature\":\"{ExampleSignature}\"", "", StringComparison.Ordinal), "field.missing"),
            ("not JSON", published[..^1], "json.malformed"),
            ("an array", "[]", "field.type"),
        };
        foreach (var (what, text, code) in bad)
        {
            var result = SignedCheckpoint.Parse(System.Text.Encoding.UTF8.GetBytes(text));
            result.Success.Should().BeFalse(what);
            result.Problems.Select(p => p.Code).Should().Contain(code, what);
        }
    }

    [Fact]
    public void Property_any_flipped_bit_of_a_published_checkpoint_fails_to_parse_or_to_verify()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var logId = CheckpointKey.LogId(spki);
        var cases =
            from size in Gen.Choose(0, int.MaxValue)
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from ms in Gen.Choose(0, int.MaxValue)
            from position in Gen.Choose(0, 400)
            from bit in Gen.Choose(0, 7)
            select (Size: (long)size * 3, Seed: seed, Time: Instant.FromUnixTimeMilliseconds(1_700_000_000_000L + ms), Position: position, Bit: bit);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var checkpoint = new Checkpoint(logId, c.Size, Hash(c.Seed), Hash(c.Seed + 1), c.Time);
            var json = new SignedCheckpoint(checkpoint, Sign(key, checkpoint)).ToJson();
            SignedCheckpoint.Parse(json).GetValueOrThrow().Verify(spki).Should().BeTrue();

            var tampered = (byte[])json.Clone();
            tampered[c.Position % json.Length] ^= (byte)(1 << c.Bit);
            var parsed = SignedCheckpoint.Parse(tampered);
            (parsed.Success && parsed.Value!.Verify(spki)).Should().BeFalse($"byte {c.Position % json.Length} bit {c.Bit} flipped");
        }));
    }

    [Fact]
    public void Construction_refuses_malformed_fields_and_keeps_millisecond_time()
    {
        ((Action)(() => _ = new Checkpoint("ABC", 1, Hash(1), Hash(2), ExampleTime))).Should().Throw<ArgumentException>();
        ((Action)(() => _ = new Checkpoint(ExampleLogId, -1, Hash(1), Hash(2), ExampleTime))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new Checkpoint(ExampleLogId, 1, Hash(1).AsSpan(1), Hash(2), ExampleTime))).Should().Throw<ArgumentException>();
        new Checkpoint(ExampleLogId, 1, Hash(1), Hash(2), ExampleTime + Duration.FromNanoseconds(999_999)).Time.Should().Be(ExampleTime);
        Formats.Format(new Checkpoint(ExampleLogId, 0, MerkleHash.EmptyRoot, new byte[32], ExampleTime).Time).Should().Be("2027-01-15T09:00:02.000Z");
    }

    // ----------------------------------------------------------------- helpers

    private static string Sign(ECDsa key, Checkpoint checkpoint) =>
        Convert.ToBase64String(key.SignData(checkpoint.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private static byte[] Hash(int seed) => SHA256.HashData(BitConverter.GetBytes(seed));

    private static byte[] Flip(byte[] bytes, int position)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] ^= 0x01;
        return copy;
    }

    private static char NextBase64Char(char c)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        // The last character before "==" carries 2 bits of data and 4 zero bits: +1 sets a zero bit.
        return alphabet[(alphabet.IndexOf(c, StringComparison.Ordinal) + 1) % 64];
    }

    private static string Reorder(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var props = doc.RootElement.EnumerateObject().Reverse().Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}");
        return "{" + string.Join(",", props) + "}";
    }
}
