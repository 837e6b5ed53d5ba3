using System.Text;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Tests.Log;

/// <summary>
/// LogHasher must be indistinguishable from appending entry by entry with LogChain and folding the
/// hashes into a Merkle tree: same bytes, same hashes, same head, same root.
/// </summary>
public sealed class LogHasherTests
{
    private const int Batch = LogHasher.BatchSize;
    private const int Parallel = LogHasher.ParallelThreshold;

    public static TheoryData<int> Sizes => new()
    {
        0, 1, 2, 3, 7, 64,
        Batch - 1, Batch, Batch + 1,
        Parallel - 1, Parallel, Parallel + 1,           // the switch to the pipelined path
        Parallel + Batch - 1, Parallel + Batch,         // batch boundaries inside the pipeline
        3 * Parallel + 17,
    };

    // SIMD lanes per node group (NodeHasher.Width, internal): 1 = no SIMD, 8 = 256-bit, 16 = AVX-512.
    // A width the machine lacks falls back to the scalar path, so every value is valid everywhere.
    public static TheoryData<int> Widths => new() { 1, 8, 16 };

    public static TheoryData<int, int> SizesAndWidths()
    {
        var data = new TheoryData<int, int>();
        foreach (var size in Sizes)
        {
            foreach (var width in Widths) data.Add(size, width);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Matches_LogChain_and_MerkleTree_from_genesis(int count)
    {
        var entries = RandomEntries(new Random(count), count);

        var batch = LogHasher.Append(entries);

        AssertSameAsChain(new LogChain(), [], batch, entries);
    }

    [Theory]
    [MemberData(nameof(SizesAndWidths))]
    public void Every_SIMD_width_gives_the_same_log(int count, int width)
    {
        var entries = RandomEntries(new Random(count + 1), count);

        var batch = LogHasher.Append(entries, (NodeHasher.Width)width);

        AssertSameAsChain(new LogChain(), [], batch, entries);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Node_hashes_in_lanes_equal_SHA256_including_partial_groups_and_in_place(int width)
    {
        var random = new Random(42);
        for (var count = 0; count <= 40; count++)
        {
            var children = new byte[count * 64];
            random.NextBytes(children);
            var expected = new byte[count * 32];
            for (var i = 0; i < count; i++)
                MerkleHash.Node(children.AsSpan(64 * i, 32), children.AsSpan(64 * i + 32, 32), expected.AsSpan(32 * i, 32));

            var parents = new byte[count * 32];
            NodeHasher.HashPairs(children, parents, count, (NodeHasher.Width)width);
            parents.Should().Equal(expected, $"{count} pairs");

            NodeHasher.HashPairs(children, children, count, (NodeHasher.Width)width);
            children.AsSpan(0, count * 32).ToArray().Should().Equal(expected, $"{count} pairs in place");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Compact_range_matches_MerkleTree_for_any_run_lengths(int width)
    {
        var random = new Random(7);
        var leaves = Enumerable.Range(0, 5000).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
        var flat = leaves.SelectMany(l => l).ToArray();
        var range = new LogHasher.CompactRange((NodeHasher.Width)width);
        var size = 0;
        while (size < leaves.Count)
        {
            // Runs of every shape: single leaves, odd lengths, several batches at once.
            var run = Math.Min(leaves.Count - size, random.Next(4) switch { 0 => 1, 1 => random.Next(2, 40), 2 => LogHasher.BatchSize, _ => random.Next(1, 3 * LogHasher.BatchSize) });
            range.Fold(flat.AsSpan(size * 32, run * 32));
            size += run;
            range.Size.Should().Be(size);
            range.Root().Should().Equal(MerkleTree.Root(leaves, size), $"size {size}");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(5, Batch)]
    [InlineData(Batch + 3, Parallel + 5)]
    [InlineData(1000, 3)]
    public void Continues_an_existing_log(int existing, int count)
    {
        var random = new Random(existing * 31 + count);
        var chain = new LogChain();
        var tree = new MerkleAccumulator();
        var previous = new List<byte[]>();
        foreach (var e in RandomEntries(random, existing))
        {
            var (_, _, hash) = chain.Append(e.At, e.Actor, e.Type, e.Payload.ToArray());
            tree.Append(hash);
            previous.Add(hash);
        }
        var entries = RandomEntries(random, count);

        var batch = LogHasher.Append(chain.Size, chain.Head, tree, entries);

        tree.Size.Should().Be(existing + count);
        AssertSameAsChain(chain, previous, batch, entries);
    }

    [Fact]
    public void Encodes_awkward_text_instants_and_sequence_numbers_like_LogEntry()
    {
        string[] texts =
        [
            "portal", "", "quote\"back\\slash", "tab\tnew\nline\u0001\u001f", "оператор Иванова", "emoji \U0001F600", "del\u007f",
        ];
        Instant[] instants =
        [
            Instant.FromUnixTimeTicks(0),
            Instant.FromUnixTimeTicks(-1),                                  // truncates to the millisecond before the epoch
            Instant.FromUtc(2027, 3, 1, 9, 15).PlusTicks(12_345_678),       // sub-millisecond part is dropped
            Instant.FromUtc(2024, 2, 29, 23, 59, 59).PlusTicks(9_990_000),  // leap day
            Instant.FromUtc(1900, 3, 1, 0, 0),
            Instant.FromUtc(1, 1, 1, 0, 0),
            Instant.FromUtc(9999, 12, 31, 23, 59, 59).PlusTicks(9_999_999),
            Instant.FromUtc(0, 6, 1, 12, 0),                                 // outside 1..9999: general formatter
            Instant.MinValue,
            Instant.MaxValue,
        ];
        var entries = new List<PendingEntry>();
        foreach (var at in instants)
        {
            foreach (var text in texts)
                entries.Add(new PendingEntry(at, text, "type " + text, System.Text.Encoding.UTF8.GetBytes("{\"x\":\"" + at.ToUnixTimeTicks() + "\"}")));
        }
        var tree = new MerkleAccumulator();
        // The tree must say the same size as the chain; fill it with arbitrary leaves.
        var filler = new List<byte[]>();
        for (var i = 0; i < 5; i++)
        {
            filler.Add(MerkleHash.Leaf([(byte)i]));
            tree.Append(filler[^1]);
        }
        var chain = new LogChain(5, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

        var batch = LogHasher.Append(chain.Size, chain.Head, tree, entries);

        AssertSameAsChain(chain, filler, batch, entries);
    }

    [Fact]
    public void Refuses_to_hand_out_bytes_of_an_entry_changed_after_hashing()
    {
        var entries = RandomEntries(new Random(3), 10);
        var batch = LogHasher.Append(entries);

        entries[4] = entries[4] with { Actor = entries[4].Actor + "!" };

        ((Action)(() => batch.EntryBytes(4))).Should().Throw<InvalidOperationException>();
        batch.EntryBytes(3).Should().NotBeEmpty();
    }

    [Fact]
    public void Rejects_bad_text_before_touching_the_tree()
    {
        var entries = RandomEntries(new Random(9), Parallel + 10);
        entries[Parallel + 5] = entries[Parallel + 5] with { Actor = "lone \ud800 surrogate" };
        var tree = new MerkleAccumulator();

        var act = () => LogHasher.Append(0, new byte[32], tree, entries);

        act.Should().Throw<ArgumentException>();
        tree.Size.Should().Be(0);
    }

    [Fact]
    public void Rejects_a_tree_of_another_size_and_a_bad_head()
    {
        var tree = new MerkleAccumulator();
        tree.Append(new byte[32]);

        ((Action)(() => LogHasher.Append(2, new byte[32], tree, []))).Should().Throw<ArgumentException>();
        ((Action)(() => LogHasher.Append(1, new byte[31], tree, []))).Should().Throw<ArgumentException>();
        tree.Size.Should().Be(1);
    }

    private static void AssertSameAsChain(LogChain chain, List<byte[]> previousLeaves, LogHashBatch batch, IReadOnlyList<PendingEntry> entries)
    {
        var startSize = chain.Size;
        batch.StartSize.Should().Be(startSize);
        batch.Count.Should().Be(entries.Count);
        var leaves = new List<byte[]>(previousLeaves);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var (entry, bytes, hash) = chain.Append(e.At, e.Actor, e.Type, e.Payload.ToArray());
            entry.Seq.Should().Be(startSize + i);
            // The bytes the fast writer hashed, not only the bytes handed out, must be LogEntry's.
            var hashed = batch.HashedBytes(i);
            if (!hashed.AsSpan().SequenceEqual(bytes))
                System.Text.Encoding.UTF8.GetString(hashed).Should().Be(System.Text.Encoding.UTF8.GetString(bytes), $"entry {i}");
            batch.EntryHash(i).ToArray().Should().Equal(hash, $"hash of entry {i}");
            if (i < 50 || i % 97 == 0)
            {
                batch.EntryBytes(i).Should().Equal(bytes);
                var own = batch.Entry(i);
                (own.Seq, own.At, own.Actor, own.Type).Should().Be((entry.Seq, entry.At, entry.Actor, entry.Type));
                own.Payload.ToArray().Should().Equal(entry.Payload.ToArray());
                own.Prev.ToArray().Should().Equal(entry.Prev.ToArray());
            }
            leaves.Add(hash);
        }
        batch.Size.Should().Be(chain.Size);
        batch.Head.ToArray().Should().Equal(chain.Head.ToArray());
        batch.Root.ToArray().Should().Equal(MerkleTree.Root(leaves, leaves.Count));
    }

    private static List<PendingEntry> RandomEntries(Random random, int count)
    {
        string[] actors = ["portal", "centre:operator-17", "federal-import", "staff:Петрова", "svc \"quoted\""];
        string[] types = ["application.submitted", "claim.reviewed", "application.changed", "offer.responded"];
        var at = Instant.FromUtc(2026, 1, 1, 0, 0).PlusTicks(random.NextInt64(0, 10_000_000_000_000));
        var entries = new List<PendingEntry>(count);
        for (var i = 0; i < count; i++)
        {
            // Mostly increasing, sometimes equal, sometimes with a sub-millisecond part to truncate.
            at = at.PlusTicks(random.Next(4) switch { 0 => 0, 1 => random.Next(1, 10_000), _ => random.NextInt64(0, 600_000_000) });
            var payloadLength = random.Next(0, 400);
            var payload = new StringBuilder("{\"n\":\"");
            for (var j = 0; j < payloadLength; j++) payload.Append((char)('a' + random.Next(26)));
            payload.Append("\"}");
            // A new string object now and then, so the text caches see equal but distinct strings.
            var actor = random.Next(10) == 0 ? new string(actors[random.Next(actors.Length)].AsSpan()) : actors[random.Next(actors.Length)];
            entries.Add(new PendingEntry(at, actor, types[random.Next(types.Length)], System.Text.Encoding.UTF8.GetBytes(payload.ToString())));
        }
        return entries;
    }
}
