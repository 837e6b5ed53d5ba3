using System.Collections.Immutable;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Events;

/// <summary>
/// How a decision is cut into entries (SPEC.md §8.5). A tiled log's entry bundle (c2sp.org/tlog-tiles)
/// holds at most 65,535 bytes per entry, and a region's round names tens of thousands of applicants,
/// so a decision whose payload is larger than <see cref="MaxPayloadBytes"/> is written as parts: the
/// <c>allocation.decided</c> entry with the first items and <c>parts</c>, then
/// <c>allocation.continued</c> entries. The cut is greedy over the offers and then the archived
/// numbers, in the decision's order, so there is exactly one way to write a decision and a validator
/// compares the parts it recomputes byte for byte.
/// </summary>
public static class DecisionParts
{
    /// <summary>
    /// The largest payload of one part. The rest of an entry's bytes (§6.1: seq, at, prev, type and
    /// the quoted actor) is under 200 bytes plus the actor, so an entry stays under 65,535 bytes for any
    /// actor up to 1,300 bytes.
    /// </summary>
    public const int MaxPayloadBytes = 64_000;

    /// <summary>
    /// The entries' events of a decision: the decision itself when its payload fits, otherwise the first
    /// part (with <see cref="AllocationDecided.Parts"/>) and the continued parts. Fails only if one
    /// offer or number is by itself too large for a part.
    /// </summary>
    public static Parsed<IReadOnlyList<LogEvent>> Split(AllocationDecided whole, int maxPayloadBytes = MaxPayloadBytes)
    {
        var single = whole with { Parts = 1 };
        if (EventCodec.Encode(single).Length <= maxPayloadBytes) return Parsed<IReadOnlyList<LogEvent>>.Ok(new LogEvent[] { single });

        var w = new CanonicalJsonWriter(128);
        var offerBytes = whole.Offers.Select(o => Length(w, o)).ToArray();
        var archivedBytes = whole.Archived.Select(n => Length(w, n)).ToArray();
        // The first part's size depends on the number of parts it names; a longer number can only
        // need more parts, so this settles in a step or two.
        var parts = 2;
        while (true)
        {
            var cut = Cut(whole, parts, offerBytes, archivedBytes, maxPayloadBytes);
            if (cut is null)
                return Parsed<IReadOnlyList<LogEvent>>.Fail("$", "decision.too-large",
                    $"Round '{whole.Round}' names an offer or application number longer than a part of {maxPayloadBytes} bytes can hold.");
            if (cut.Count == parts) return Parsed<IReadOnlyList<LogEvent>>.Ok(Build(whole, cut));
            parts = cut.Count;
        }
    }

    /// <summary>The number of offers and of archived numbers in each part of a cut.</summary>
    public readonly record struct PartSize(int Offers, int Archived);

    /// <summary>The sizes of the parts <see cref="Split"/> makes (one part when the decision fits in one entry).</summary>
    public static IReadOnlyList<PartSize>? Sizes(AllocationDecided whole, int maxPayloadBytes = MaxPayloadBytes)
    {
        var split = Split(whole, maxPayloadBytes);
        if (!split.Success) return null;
        return split.Value!.Select(e => e switch
        {
            AllocationDecided d => new PartSize(d.Offers.Length, d.Archived.Length),
            AllocationContinued c => new PartSize(c.Offers.Length, c.Archived.Length),
            _ => throw new InvalidOperationException(),
        }).ToArray();
    }

    private static List<PartSize>? Cut(AllocationDecided whole, int parts, int[] offerBytes, int[] archivedBytes, int max)
    {
        var sizes = new List<PartSize>();
        int o = 0, a = 0;
        while (o < offerBytes.Length || a < archivedBytes.Length || sizes.Count == 0)
        {
            var index = sizes.Count;
            long size = index == 0
                ? EventCodec.Encode(whole with { Offers = [], Archived = [], Parts = parts }).Length
                : EventCodec.Encode(new AllocationContinued(whole.Round, index, [], [])).Length;
            int takenOffers = 0, takenArchived = 0;
            // An array's items are joined by one comma each: n items cost their bytes and n − 1.
            while (o < offerBytes.Length && Fits(size + offerBytes[o] + (takenOffers > 0 ? 1 : 0), max, takenOffers + takenArchived))
            {
                size += offerBytes[o++] + (takenOffers++ > 0 ? 1 : 0);
            }
            if (o == offerBytes.Length)
            {
                while (a < archivedBytes.Length && Fits(size + archivedBytes[a] + (takenArchived > 0 ? 1 : 0), max, takenOffers + takenArchived))
                {
                    size += archivedBytes[a++] + (takenArchived++ > 0 ? 1 : 0);
                }
            }
            if (size > max) return null;
            if (takenOffers + takenArchived == 0 && (o < offerBytes.Length || a < archivedBytes.Length)) return null;
            sizes.Add(new PartSize(takenOffers, takenArchived));
        }
        return sizes;
    }

    // A part takes an item if it still fits; an empty part takes its first item regardless, and the caller
    // refuses the cut if that item alone is too large.
    private static bool Fits(long size, int max, int taken) => size <= max || taken == 0;

    private static LogEvent[] Build(AllocationDecided whole, List<PartSize> sizes)
    {
        var events = new List<LogEvent>(sizes.Count);
        int o = 0, a = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            var offers = whole.Offers.Slice(o, sizes[i].Offers);
            var archived = whole.Archived.Slice(a, sizes[i].Archived);
            o += sizes[i].Offers;
            a += sizes[i].Archived;
            events.Add(i == 0
                ? whole with { Offers = offers, Archived = archived, Parts = sizes.Count }
                : new AllocationContinued(whole.Round, i, offers, archived));
        }
        return [.. events];
    }

    private static int Length(CanonicalJsonWriter w, Offer o)
    {
        w.Reset();
        w.StartArray();
        EventCodec.WriteOffer(w, o);
        w.EndArray();
        return w.WrittenSpan.Length - 2;
    }

    /// <summary>The canonical bytes of one JSON string (an item of a string array), as <see cref="EntrySplit"/> also counts them.</summary>
    internal static int Length(CanonicalJsonWriter w, string number)
    {
        w.Reset();
        w.String(number);
        return w.WrittenSpan.Length;
    }
}
