using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Tests.Log;

public sealed class LogEntryEncoderTests
{
    [Fact]
    public void Spec_example_entries_encode_to_the_published_bytes_and_hashes()
    {
        using var encoder = new LogEntryEncoder();
        Span<byte> hash = stackalloc byte[32];

        var bytes = encoder.Encode(0, Instant.FromUtc(2027, 1, 15, 9, 0), "department:7f3a9c21", "district.registered",
            """{"id":"central","name":"Central"}"""u8.ToArray(), new byte[32], hash);

        System.Text.Encoding.UTF8.GetString(bytes).Should().Be(
            """{"actor":"department:7f3a9c21","at":"2027-01-15T09:00:00.000Z","payload":{"id":"central","name":"Central"},"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"type":"district.registered"}""");
        Convert.ToHexStringLower(hash).Should().Be("af7917b196f3f34b5570a2fa7506760197d3e1877a4b754f6734dbde058342c6");
    }

    [Fact]
    public void Property_bytes_and_hash_equal_LogEntry_and_MerkleHash()
    {
        // Strings with escapes, non-ASCII and astral characters; instants of any year (the fast date path covers 1..9999).
        var text = Gen.Elements("a", "Z", "-", ":", "\"", "\\", "\n", "\u0001", "\u007f", "é", "Петрова", "€", "😀", " ", "/")
            .ArrayOf().Select(parts => string.Concat(parts));
        var cases =
            from seq in Gen.Choose(0, int.MaxValue)
            from ms in Gen.Choose(int.MinValue, int.MaxValue)
            from scale in Gen.Elements(1L, 1_000L, 100_000L)
            from ticks in Gen.Choose(0, 9_999)
            from actor in text
            from type in text
            from payload in text
            from prevSeed in Gen.Choose(0, int.MaxValue)
            select (Seq: (long)seq * 3, At: Instant.FromUnixTimeMilliseconds(ms * scale).PlusTicks(ticks), Actor: actor, Type: type,
                Payload: System.Text.Encoding.UTF8.GetBytes($"{{\"s\":{System.Text.Json.JsonSerializer.Serialize(payload)}}}"), Prev: System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(prevSeed)));

        using var encoder = new LogEntryEncoder();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var expected = new LogEntry(c.Seq, NodaTime.Instant.FromUnixTimeMilliseconds(c.At.ToUnixTimeMilliseconds()), c.Actor, c.Type, c.Payload, c.Prev).ToBytes();
            var hash = new byte[32];

            var bytes = encoder.Encode(c.Seq, c.At, c.Actor, c.Type, c.Payload, c.Prev, hash).ToArray();

            System.Text.Encoding.UTF8.GetString(bytes).Should().Be(System.Text.Encoding.UTF8.GetString(expected));
            hash.Should().Equal(MerkleHash.Leaf(expected));
        }));
    }

    [Fact]
    public void More_distinct_actors_than_it_caches_still_encode_correctly()
    {
        using var encoder = new LogEntryEncoder();
        var hash = new byte[32];
        for (var i = 0; i < 10_000; i++)
        {
            var actor = $"parent:{i:x16}";
            var expected = new LogEntry(i, Instant.FromUtc(2027, 1, 1, 0, 0), actor, "t", "{}"u8.ToArray(), new byte[32]).ToBytes();
            encoder.Encode(i, Instant.FromUtc(2027, 1, 1, 0, 0), actor, "t", "{}"u8.ToArray(), new byte[32], hash).ToArray().Should().Equal(expected);
        }
    }
}
