using System.Collections.Immutable;
using System.Runtime.InteropServices;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Allocation;

public static partial class Allocator
{
    /// <summary>
    /// Turns the matching into the published result (SPEC.md §7.5): offers, each program's
    /// waiting list in key order, and for every applicant the preferences above the one received
    /// with their own key against the last admitted key.
    /// </summary>
    /// <remarks>
    /// Every applicant gets records of their own, so this is where the allocation spends most of
    /// its time, and it avoids everything else: competitors are never sorted (key order is tier,
    /// then global rank, and the flat preferences are laid out by global rank, so counting per
    /// (program, tier) in flat order gives every rank in tier and waiting-list place directly),
    /// a program's last admitted key is one record all explanations share, arrays have their exact
    /// size and are wrapped without copying, and explanations are placed straight into publication
    /// order instead of being sorted afterwards.
    /// </remarks>
    private static AllocationResult Explain(RoundData r)
    {
        var criteria = r.Input.Criteria;
        var applicants = r.Input.Applicants;
        var tierCount = criteria.Tiers.Length;
        var tierIds = new string[tierCount];
        for (var t = 0; t < tierCount; t++) tierIds[t] = criteria.Tiers[t].Id;
        var groupIds = new string[criteria.AgeRule.Groups.Length];
        for (var g = 0; g < groupIds.Length; g++) groupIds[g] = criteria.AgeRule.Groups[g].Id;
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
            waitlists[p] = new string[length];
            var flat = lastAdmittedFlat[p];
            if (flat >= 0) lastAdmitted[p] = OwnKey(r, tierIds, r.ApplicantOfKey(r.Heap[r.HeapStart[p]]), flat, lastAdmittedRank[p]);
        }

        // Published order is by application number (ordinal), never by input order (SPEC.md §7.5).
        // Everything below writes into its place in that order; nothing reads in that order, as
        // visiting a million records in an order unrelated to their memory layout is slow.
        var place = PlaceByNumber(applicants, out var duplicate);
        if (duplicate is not null) throw new ArgumentException($"Application number {duplicate} appears twice.", nameof(r));

        // Pass 2, in flat order again: ranks in tier and waiting-list places by counting, and each
        // active applicant's explanation, put in its place.
        var explanations = new ApplicantExplanation[applicants.Length];
        var offerAt = new Offer?[applicants.Length];
        var deadline = r.Input.Date.PlusDays(criteria.Offer.DeadlineDays);
        Array.Clear(bucketCount);
        for (var a = 0; a < r.ActiveCount; a++)
        {
            var i = r.InputOfActive[a];
            var applicant = applicants[i];
            var assigned = r.Assigned[a];
            var first = r.PrefStart[a];
            var last = assigned >= 0 ? assigned : r.PrefStart[a + 1] - 1;
            var prefs = new PreferenceExplanation[Math.Max(0, last - first + 1)];
            for (var f = first; f < r.PrefStart[a + 1]; f++)
            {
                var p = r.PrefProgram[f];
                if (p < 0)
                {
                    if (f <= last) prefs[f - first] = new PreferenceExplanation(applicant.Preferences[f - first], PreferenceOutcome.NoProgram, 0, null, null);
                    continue;
                }
                var bucket = p * tierCount + r.PrefTier[f];
                var rank = ++bucketCount[bucket];
                // Waiting here: got nothing, or got a preference listed below this one.
                if (IsWaiting(assigned, f)) waitlists[p][waitingCount[bucket]++] = applicant.Number;
                if (f > last) continue;
                var outcome = f == assigned ? PreferenceOutcome.Offered
                    : r.Seats[p] == 0 ? PreferenceOutcome.NoSeats
                    : PreferenceOutcome.Outranked;
                prefs[f - first] = new PreferenceExplanation(applicant.Preferences[f - first], outcome, r.Seats[p],
                    OwnKey(r, tierIds, a, f, rank), lastAdmitted[p]);
            }
            string? offered = null;
            if (assigned >= 0)
            {
                var p = r.PrefProgram[assigned];
                offered = r.ProgramKindergarten[p];
                offerAt[place[i]] = new Offer(applicant.Number, offered, r.ProgramGroup[p], deadline);
            }
            explanations[place[i]] = new ApplicantExplanation(applicant.Number, assigned >= 0 ? RoundStatus.Offered : RoundStatus.Waitlisted,
                groupIds[r.GroupOfInput[i]], offered, ImmutableCollectionsMarshal.AsImmutableArray(prefs));
        }

        // The applicants who did not compete, in input order; the archived are few, sorted by place.
        var archivedPlaces = new List<int>();
        for (var i = 0; i < applicants.Length; i++)
        {
            if (r.ActiveIndexOfInput[i] >= 0) continue;
            explanations[place[i]] = new ApplicantExplanation(applicants[i].Number, r.StatusOfInput[i], null, null, []);
            if (r.StatusOfInput[i] == RoundStatus.Archived) archivedPlaces.Add(place[i]);
        }
        archivedPlaces.Sort();
        var archived = ImmutableArray.CreateBuilder<string>(archivedPlaces.Count);
        foreach (var k in archivedPlaces) archived.Add(explanations[k].Number);
        var offers = ImmutableArray.CreateBuilder<Offer>(r.HeapCount.Sum());
        foreach (var offer in offerAt)
        {
            if (offer is not null) offers.Add(offer);
        }

        var programOrder = new int[programCount];
        for (var p = 0; p < programCount; p++) programOrder[p] = p;
        Array.Sort(programOrder, (x, y) =>
        {
            var c = string.CompareOrdinal(r.ProgramKindergarten[x], r.ProgramKindergarten[y]);
            return c != 0 ? c : string.CompareOrdinal(r.ProgramGroup[x], r.ProgramGroup[y]);
        });
        var programs = new ProgramOutcome[programCount];
        for (var k = 0; k < programCount; k++)
        {
            var p = programOrder[k];
            programs[k] = new ProgramOutcome(r.ProgramKindergarten[p], r.ProgramGroup[p], r.Seats[p], r.HeapCount[p],
                ImmutableCollectionsMarshal.AsImmutableArray(waitlists[p]));
        }

        return new AllocationResult(criteria.Version, r.Input.Date, r.Input.StartDate, r.Year,
            offers.MoveToImmutable(), archived.MoveToImmutable(), ImmutableCollectionsMarshal.AsImmutableArray(programs),
            ImmutableCollectionsMarshal.AsImmutableArray(explanations), r.Proposals);
    }

    private static bool IsWaiting(int assigned, int flat) => assigned < 0 || assigned > flat;

    private static RankedKey OwnKey(RoundData r, string[] tierIds, int a, int flat, int rankInTier)
    {
        var applicant = r.Input.Applicants[r.InputOfActive[a]];
        return new RankedKey(tierIds[r.PrefTier[flat]], applicant.RegisteredAt, applicant.Seq, rankInTier);
    }

    /// <summary>
    /// For each input applicant, the place of their application number in ordinal order. Sorting
    /// strings with a comparison costs most of a second for a million applicants, so each number
    /// gets a 64-bit key from its first characters after the prefix all numbers share (8 bits per
    /// character when those are ASCII, else 16), padded with zeros. A smaller key means an ordinally
    /// smaller number; numbers with equal keys are compared in full (see <see cref="SortByKey"/>).
    /// </summary>
    private static int[] PlaceByNumber(ImmutableArray<Applicant> applicants, out string? duplicate)
    {
        duplicate = null;
        var n = applicants.Length;
        var order = GC.AllocateUninitializedArray<int>(n);
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = GC.AllocateUninitializedArray<ulong>(n);
        if (n > 0)
        {
            var common = applicants[0].Number.AsSpan();
            for (var i = 1; i < n && !common.IsEmpty; i++) common = common[..common.CommonPrefixLength(applicants[i].Number)];
            var skip = common.Length;
            var ascii = true;
            for (var i = 0; i < n && ascii; i++)
            {
                var window = applicants[i].Number.AsSpan(skip);
                ascii = System.Text.Ascii.IsValid(window[..Math.Min(window.Length, sizeof(ulong))]);
            }
            var bits = ascii ? 8 : 16;
            var chars = 64 / bits;
            for (var i = 0; i < n; i++)
            {
                var window = applicants[i].Number.AsSpan(skip);
                ulong key = 0;
                for (var c = 0; c < chars; c++) key = (key << bits) | (c < window.Length ? window[c] : 0u);
                keys[i] = key;
            }
        }
        SortByKey(keys, order, Comparer<int>.Create((x, y) => string.CompareOrdinal(applicants[x].Number, applicants[y].Number)));

        var place = GC.AllocateUninitializedArray<int>(n);
        for (var k = 0; k < n; k++)
        {
            place[order[k]] = k;
            // Equal numbers have equal keys: only those are compared.
            if (k > 0 && keys[k] == keys[k - 1] && applicants[order[k]].Number == applicants[order[k - 1]].Number)
                duplicate ??= applicants[order[k]].Number;
        }
        return place;
    }
}
