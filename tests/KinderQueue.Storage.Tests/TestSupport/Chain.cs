using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>Builds entries with Core's <see cref="LogChain"/> and checks stored logs the way a validator would.</summary>
internal static class Chain
{
    /// <summary>Entries for <paramref name="events"/>, one millisecond-truncated second apart from <paramref name="start"/>.</summary>
    public static List<StoredEntry> Build(IEnumerable<(string Actor, LogEvent Event)> events, Instant start, LogChain? chain = null)
    {
        chain ??= new LogChain();
        var list = new List<StoredEntry>();
        var at = start;
        foreach (var (actor, e) in events)
        {
            var (entry, _, hash) = chain.Append(at, actor, e);
            list.Add(StoredEntry.From(entry, hash));
            at += Duration.FromMilliseconds(1_234);
        }
        return list;
    }

    /// <summary>The region's setup followed by <paramref name="applications"/> submissions.</summary>
    public static List<StoredEntry> Sample(int applications, Instant? start = null, LogChain? chain = null)
    {
        var at = start ?? Region.Start;
        var events = new List<(string, LogEvent)>();
        events.AddRange(Region.Setup(at).Select(e => (Region.Staff, e)));
        for (var i = 0; i < applications; i++)
            events.Add((i % 2 == 0 ? Region.Parent : Region.Centre, Region.Application(Region.Number(i), at, i).Event));
        return Build(events, at, chain);
    }

    /// <summary>
    /// Checks a whole log from entry 0: consecutive seqs, each prev equal to the previous entry's hash,
    /// each stored hash equal to SHA-256(0x00 ‖ entry bytes) recomputed here, each payload canonical.
    /// Returns the Merkle root over the recomputed leaves.
    /// </summary>
    public static byte[] Verify(IReadOnlyList<StoredEntry> entries)
    {
        var prev = LogEntry.GenesisPrev.ToArray();
        var leaves = new List<byte[]>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            e.Seq.Should().Be(i, "seqs run from 0 without gaps");
            e.Prev.Should().Equal(prev, "entry {0} links to the hash of entry {1}", i, i - 1);
            var leaf = MerkleHash.Leaf(e.ToLogEntry().ToBytes());
            e.Hash.Should().Equal(leaf, "the stored hash of entry {0} is the hash of its bytes", i);
            EventCodec.Decode(e.Type, e.Payload).Success.Should().BeTrue("entry {0} has a canonical payload", i);
            leaves.Add(leaf);
            prev = leaf;
        }
        return MerkleTree.Root(leaves, leaves.Count);
    }

    /// <summary>Field by field, bytes compared exactly.</summary>
    public static void ShouldBeSameEntry(this StoredEntry actual, StoredEntry expected)
    {
        actual.Seq.Should().Be(expected.Seq);
        actual.At.Should().Be(expected.At, "entry {0} at", expected.Seq);
        actual.Actor.Should().Be(expected.Actor, "entry {0} actor", expected.Seq);
        actual.Type.Should().Be(expected.Type, "entry {0} type", expected.Seq);
        actual.Payload.Should().Equal(expected.Payload, "entry {0} payload", expected.Seq);
        actual.Prev.Should().Equal(expected.Prev, "entry {0} prev", expected.Seq);
        actual.Hash.Should().Equal(expected.Hash, "entry {0} hash", expected.Seq);
    }

    public static void ShouldBeSameEntries(this IReadOnlyList<StoredEntry> actual, IReadOnlyList<StoredEntry> expected)
    {
        actual.Select(e => e.Seq).Should().Equal(expected.Select(e => e.Seq));
        for (var i = 0; i < expected.Count; i++) actual[i].ShouldBeSameEntry(expected[i]);
    }

    public static async Task<List<StoredEntry>> ReadAllAsync(this ILogStore store, CancellationToken ct)
    {
        var list = new List<StoredEntry>();
        await foreach (var e in store.ReadAsync(0, long.MaxValue, ct)) list.Add(e);
        return list;
    }

    public static async Task<List<StoredEntry>> ReadRangeAsync(this ILogStore store, long from, long to, CancellationToken ct)
    {
        var list = new List<StoredEntry>();
        await foreach (var e in store.ReadAsync(from, to, ct)) list.Add(e);
        return list;
    }

    /// <summary>Appends and commits in one write session.</summary>
    public static async Task AppendCommittedAsync(this ILogStore store, IReadOnlyList<StoredEntry> entries, CancellationToken ct,
        IReadOnlyList<StoredResponse>? responses = null, IReadOnlyList<PrivateRecord>? records = null)
    {
        await using var session = await store.BeginWriteAsync(ct);
        await session.AppendAsync(entries, responses ?? [], records ?? [], Region.Start, ct);
        await session.CommitAsync(ct);
    }
}
