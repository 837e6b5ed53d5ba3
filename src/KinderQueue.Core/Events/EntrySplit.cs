using System.Collections.Immutable;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Events;

/// <summary>
/// The entries the service writes for one event (SPEC.md §8.5). An entry bundle of the tiled log holds at
/// most 65,535 bytes per entry, and three events grow with the region: a round's decision (cut into parts
/// by <see cref="DecisionParts"/>), a capacity load (rows) and an expiry (numbers). The last two are lists
/// of independent items, so they become several events of the same type, each at most
/// <see cref="DecisionParts.MaxPayloadBytes"/> bytes, appended in one transaction: the fold and a validator
/// need nothing new for them (loading rows in two entries sets the same seats as in one).
/// </summary>
public static class EntrySplit
{
    public static IReadOnlyList<LogEvent> ForEntries(LogEvent e, int maxPayloadBytes = DecisionParts.MaxPayloadBytes) => e switch
    {
        AllocationDecided d => DecisionParts.Split(d, maxPayloadBytes).GetValueOrThrow(),
        CapacityLoaded c => Chunks(e, c.Rows, maxPayloadBytes, RowLength, rows => c with { Rows = rows }),
        OffersExpired x => Chunks(e, x.Numbers, maxPayloadBytes, DecisionParts.Length, numbers => x with { Numbers = numbers }),
        _ => [e],
    };

    private static List<LogEvent> Chunks<T>(LogEvent whole, ImmutableArray<T> items, int max,
        Func<CanonicalJsonWriter, T, int> length, Func<ImmutableArray<T>, LogEvent> with)
    {
        if (EventCodec.Encode(whole).Length <= max) return [whole];
        var w = new CanonicalJsonWriter(128);
        var empty = EventCodec.Encode(with([])).Length;
        var chunks = new List<LogEvent>();
        int start = 0;
        long size = empty;
        for (var i = 0; i < items.Length; i++)
        {
            // Items of a JSON array are joined by one comma each.
            var cost = length(w, items[i]) + (i > start ? 1 : 0);
            if (size + cost > max && i > start)
            {
                chunks.Add(with(items[start..i]));
                start = i;
                size = empty;
                cost -= 1;
            }
            size += cost;
            if (size > max) throw new InvalidOperationException($"One item of a {whole.Type} is larger than an entry may be ({max} bytes).");
        }
        chunks.Add(with(items[start..]));
        return chunks;
    }

    private static int RowLength(CanonicalJsonWriter w, CapacityRow row)
    {
        w.Reset();
        w.StartArray();
        EventCodec.WriteCapacityRow(w, row);
        w.EndArray();
        return w.WrittenSpan.Length - 2;
    }
}
