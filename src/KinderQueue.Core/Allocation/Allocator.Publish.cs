using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Allocation;

public static partial class Allocator
{
    /// <summary>
    /// Turns the matching into the published result (SPEC.md §7.5): offers, archived applicants and
    /// each program's waiting list in key order; the explanations stay in the round's arrays
    /// (<see cref="RoundExplanations"/>) until someone asks for one.
    /// </summary>
    /// <remarks>
    /// Competitors are never sorted: key order is tier, then global rank, and the flat preferences
    /// are laid out by global rank, so counting per (program, tier) in flat order gives every
    /// waiting-list place directly. Everything is read in memory order and written into its place,
    /// since visiting a million records in an order unrelated to their layout is slow.
    /// </remarks>
    private static AllocationResult Publish(RoundData r, int[] byNumber)
    {
        var criteria = r.Input.Criteria;
        var applicants = r.Input.Applicants;
        var tierCount = criteria.Tiers.Length;
        var tierIds = new string[tierCount];
        for (var t = 0; t < tierCount; t++) tierIds[t] = criteria.Tiers[t].Id;
        var programCount = r.Seats.Length;

        // The admitted preference with the worst key of each program: its owner holds the program.
        var lastAdmittedFlat = new int[programCount];
        for (var p = 0; p < programCount; p++)
            lastAdmittedFlat[p] = r.HeapCount[p] > 0 ? r.Assigned[r.ApplicantOfKey(r.Heap[r.HeapStart[p]])] : -1;

        // Pass 1, in flat order: the size of every (program, tier) bucket, how many in it are
        // waiting, and the rank in tier of each program's last admitted preference.
        var bucketCount = new int[checked(programCount * tierCount)];
        var waitingCount = new int[bucketCount.Length];
        var lastAdmittedRank = new int[programCount];
        for (var a = 0; a < r.ActiveCount; a++)
        {
            var assigned = r.Assigned[a];
            for (var f = r.PrefStart[a]; f < r.PrefStart[a + 1]; f++)
            {
                var p = r.PrefProgram[f];
                if (p < 0) continue;
                var bucket = p * tierCount + r.PrefTier[f];
                var rank = ++bucketCount[bucket];
                if (f == lastAdmittedFlat[p]) lastAdmittedRank[p] = rank;
                if (IsWaiting(assigned, f)) waitingCount[bucket]++;
            }
        }

        // Waiting lists: a program's buckets follow each other in tier order; waitingCount turns
        // into each bucket's next free place in its program's list.
        var waitlists = new string[programCount][];
        var lastAdmitted = new RankedKey?[programCount];
        for (var p = 0; p < programCount; p++)
        {
            var length = 0;
            for (var bucket = p * tierCount; bucket < (p + 1) * tierCount; bucket++)
            {
                var waiting = waitingCount[bucket];
                waitingCount[bucket] = length;
                length += waiting;
            }
            waitlists[p] = length == 0 ? [] : new string[length];
            var flat = lastAdmittedFlat[p];
            if (flat >= 0)
            {
                var owner = applicants[r.InputOfActive[r.ApplicantOfKey(r.Heap[r.HeapStart[p]])]];
                lastAdmitted[p] = new RankedKey(tierIds[r.PrefTier[flat]], owner.RegisteredAt, owner.Seq, lastAdmittedRank[p]);
            }
        }

        // Pass 2, in flat order again: every waiting preference into its place.
        for (var a = 0; a < r.ActiveCount; a++)
        {
            var assigned = r.Assigned[a];
            string? number = null;
            for (var f = r.PrefStart[a]; f < r.PrefStart[a + 1]; f++)
            {
                var p = r.PrefProgram[f];
                // Waiting here: got nothing, or got a preference listed below this one.
                if (p < 0 || !IsWaiting(assigned, f)) continue;
                number ??= applicants[r.InputOfActive[a]].Number;
                waitlists[p][waitingCount[p * tierCount + r.PrefTier[f]]++] = number;
            }
        }

        // Published order is by application number (ordinal), never by input order (SPEC.md §7.5).
        var n = applicants.Length;
        var placeBuffer = ArrayPool<int>.Shared.Rent(n);
        var place = placeBuffer.AsSpan(0, n);
        for (var k = 0; k < n; k++) place[byNumber[k]] = k;

        // Offers are made in flat order and put in their place, then gathered in that order.
        var deadline = r.Input.Date.PlusDays(criteria.Offer.DeadlineDays);
        var offerBuffer = ArrayPool<Offer?>.Shared.Rent(n);
        var offerAt = offerBuffer.AsSpan(0, n);
        offerAt.Clear();
        var offerCount = 0;
        for (var a = 0; a < r.ActiveCount; a++)
        {
            var assigned = r.Assigned[a];
            if (assigned < 0) continue;
            var p = r.PrefProgram[assigned];
            var i = r.InputOfActive[a];
            offerAt[place[i]] = new Offer(applicants[i].Number, r.ProgramKindergarten[p], r.ProgramGroup[p], deadline);
            offerCount++;
        }
        var offers = new Offer[offerCount];
        var o = 0;
        foreach (var offer in offerAt)
        {
            if (offer is not null) offers[o++] = offer;
        }
        offerAt.Clear(); // the pool must not keep the offers alive
        ArrayPool<Offer?>.Shared.Return(offerBuffer);

        // The archived are few: their places, sorted.
        var archivedPlaces = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (r.StatusOfInput[i] == RoundStatus.Archived) archivedPlaces.Add(place[i]);
        }
        ArrayPool<int>.Shared.Return(placeBuffer);
        archivedPlaces.Sort();
        var archived = new string[archivedPlaces.Count];
        for (var k = 0; k < archived.Length; k++) archived[k] = applicants[byNumber[archivedPlaces[k]]].Number;

        var programOrder = ProgramOrder(r);
        var programs = new ProgramOutcome[programCount];
        for (var k = 0; k < programCount; k++)
        {
            var p = programOrder[k];
            programs[k] = new ProgramOutcome(r.ProgramKindergarten[p], r.ProgramGroup[p], r.Seats[p], r.HeapCount[p],
                ImmutableCollectionsMarshal.AsImmutableArray(waitlists[p]));
        }

        var explanations = new RoundExplanations(r.Input, byNumber, r.StatusOfInput, r.GroupOfInput, r.ActiveIndexOfInput, r.InputOfActive,
            r.PrefStart, r.PrefProgram, r.PrefTier, r.Assigned, r.Seats, r.ProgramKindergarten, lastAdmitted);
        return new AllocationResult(criteria.Version, r.Input.Date, r.Input.StartDate, r.Year,
            ImmutableCollectionsMarshal.AsImmutableArray(offers), ImmutableCollectionsMarshal.AsImmutableArray(archived),
            ImmutableCollectionsMarshal.AsImmutableArray(programs), explanations, r.Proposals);
    }

    internal static bool IsWaiting(int assigned, int flat) => assigned < 0 || assigned > flat;

    /// <summary>
    /// Program indices by kindergarten, then group, ordinal (SPEC.md §7.5): the few distinct
    /// identifiers are sorted as strings, the programs by a key made of their ranks.
    /// </summary>
    private static int[] ProgramOrder(RoundData r)
    {
        var count = r.Seats.Length;
        var kgRank = OrdinalRanks(r.ProgramKindergarten);
        var groupRank = OrdinalRanks(r.ProgramGroup);
        var keys = new ulong[count];
        var order = new int[count];
        for (var p = 0; p < count; p++)
        {
            keys[p] = ((ulong)(uint)kgRank[p] << 32) | (uint)groupRank[p];
            order[p] = p;
        }
        // Keys are unique (a program appears once), so the unstable sort gives one order.
        Array.Sort(keys, order);
        return order;
    }

    /// <summary>For each string, the rank of its value among the distinct values, ordinal.</summary>
    private static int[] OrdinalRanks(string[] values)
    {
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in values) distinct.TryAdd(v, 0);
        var sorted = distinct.Keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        for (var k = 0; k < sorted.Length; k++) distinct[sorted[k]] = k;
        var ranks = new int[values.Length];
        for (var i = 0; i < values.Length; i++) ranks[i] = distinct[values[i]];
        return ranks;
    }

    /// <summary>The input indices in order of application number, and a number that appears twice, if any.</summary>
    private static (int[] Order, string? Duplicate) NumberOrder(ImmutableArray<Applicant> applicants)
    {
        var order = GC.AllocateUninitializedArray<int>(applicants.Length);
        for (var i = 0; i < order.Length; i++) order[i] = i;
        SortByNumber(applicants, order, out var duplicate);
        return (order, duplicate);
    }

    /// <summary>
    /// Sorts <paramref name="items"/> (input indices) by the applicants' application numbers, ordinal.
    /// Sorting strings with a comparison costs most of a second for a million applicants, so each
    /// number gets a 64-bit key from its first characters after the prefix all numbers share (8 bits
    /// per character when those are ASCII, else 16), padded with zeros. A smaller key means an
    /// ordinally smaller number; numbers with equal keys are compared in full (see <see cref="SortByKey"/>).
    /// <paramref name="duplicate"/> is a number that appears twice among the items, if any.
    /// </summary>
    private static void SortByNumber(ImmutableArray<Applicant> applicants, int[] items, out string? duplicate)
    {
        duplicate = null;
        var n = items.Length;
        var keysBuffer = ArrayPool<ulong>.Shared.Rent(n);
        var keys = keysBuffer.AsSpan(0, n);
        if (n > 0)
        {
            var common = applicants[items[0]].Number.AsSpan();
            for (var k = 1; k < n && !common.IsEmpty; k++) common = common[..common.CommonPrefixLength(applicants[items[k]].Number)];
            var skip = common.Length;
            var ascii = true;
            for (var k = 0; k < n && ascii; k++)
            {
                var window = applicants[items[k]].Number.AsSpan(skip);
                ascii = System.Text.Ascii.IsValid(window[..Math.Min(window.Length, sizeof(ulong))]);
            }
            var bits = ascii ? 8 : 16;
            var chars = 64 / bits;
            for (var k = 0; k < n; k++)
            {
                var window = applicants[items[k]].Number.AsSpan(skip);
                ulong key = 0;
                for (var c = 0; c < chars; c++) key = (key << bits) | (c < window.Length ? window[c] : 0u);
                keys[k] = key;
            }
        }
        SortByKey(keys, items, Comparer<int>.Create((x, y) => string.CompareOrdinal(applicants[x].Number, applicants[y].Number)));

        // Equal numbers have equal keys: only those are compared.
        for (var k = 1; k < n && duplicate is null; k++)
        {
            if (keys[k] == keys[k - 1] && applicants[items[k]].Number == applicants[items[k - 1]].Number)
                duplicate = applicants[items[k]].Number;
        }
        ArrayPool<ulong>.Shared.Return(keysBuffer);
    }
}
