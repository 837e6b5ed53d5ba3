using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Public;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>The order-statistic treap against a sorted list: same members, ranks and ranges after any inserts and removals.</summary>
public sealed class QueueTreeTests
{
    /// <summary>Inserts three times as often as removals, over few ranks and minutes so that keys tie.</summary>
    internal static class Steps
    {
        public static Arbitrary<(bool Insert, int Rank, int Minute, int Seq, int Pick)[]> Ops() =>
            Gen.ArrayOf(from insert in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
                        from rank in Gen.Choose(0, 3)
                        from minute in Gen.Choose(0, 20)
                        from seq in Gen.Choose(0, 200)
                        from pick in Gen.Choose(0, 1000)
                        select (insert, rank, minute, seq, pick)).ToArbitrary();
    }

    private static PriorityKey Key(int rank, int minute, long seq) => new(rank, Instant.FromUtc(2027, 1, 1, 0, 0) + Duration.FromMinutes(minute), seq);

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(Steps) })]
    public void Tree_RandomInsertsAndRemovals_MatchASortedList((bool Insert, int Rank, int Minute, int Seq, int Pick)[] steps)
    {
        var tree = new QueueTree();
        var model = new List<(PriorityKey Key, int Value)>();
        foreach (var (insert, rank, minute, seq, pick) in steps)
        {
            if (insert)
            {
                var key = Key(rank, minute, seq);
                // Seqs are unique in a queue: one member per application.
                if (model.Any(m => m.Key.Seq == seq)) continue;
                tree.Insert(key, seq);
                model.Add((key, seq));
                model.Sort((a, b) => a.Key.CompareTo(b.Key));
            }
            else if (model.Count > 0)
            {
                var victim = model[pick % model.Count];
                tree.Remove(victim.Key).Should().BeTrue();
                model.Remove(victim);
            }
            tree.Count.Should().Be(model.Count);
        }
        tree.InOrder().Should().Equal(model);
        foreach (var probe in new[] { Key(0, 0, -1), Key(1, 10, 100), Key(3, 20, 201), Key(2, 5, 50) }.Concat(model.Select(m => m.Key)))
            tree.CountLess(probe).Should().Be(model.Count(m => m.Key < probe));
        for (var i = 0; i < model.Count; i++)
        {
            for (var j = i; j < Math.Min(model.Count, i + 4); j++)
            {
                var range = new List<(int Rank, int Value)>();
                tree.Between(model[i].Key, model[j].Key, range);
                range.Should().Equal(Enumerable.Range(i + 1, Math.Max(0, j - i - 1)).Select(k => (k, model[k].Value)));
            }
        }
        var all = new List<(int Rank, int Value)>();
        tree.Between(null, null, all);
        all.Should().Equal(model.Select((m, k) => (k, m.Value)));
    }

    [Fact]
    public void Tree_SameKeyTwice_IsRefused()
    {
        var tree = new QueueTree();
        tree.Insert(Key(0, 0, 1), 1);

        var again = () => tree.Insert(Key(0, 0, 1), 2);

        again.Should().Throw<InvalidOperationException>();
        tree.Remove(Key(0, 0, 2)).Should().BeFalse();
    }
}
