using System.Collections.Immutable;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Allocation;

public static partial class Allocator
{
    /// <summary>
    /// Turns the matching into the published result (SPEC.md §7.5): offers, each program's
    /// waiting list in key order, and for every applicant the preferences above the one received
    /// with their own key against the last admitted key.
    /// </summary>
    private static AllocationResult Explain(RoundData r)
    {
        var programCount = r.Seats.Length;
        var totalPrefs = r.PrefProgram.Length;

        // Competitors of each program, sorted by key: bucket by program, then sort each bucket.
        var competitorStart = new int[programCount + 1];
        foreach (var p in r.PrefProgram)
        {
            if (p >= 0) competitorStart[p + 1]++;
        }
        for (var p = 0; p < programCount; p++) competitorStart[p + 1] += competitorStart[p];
        var competitorKey = new long[competitorStart[programCount]];
        var competitorFlat = new int[competitorKey.Length];
        var fill = (int[])competitorStart.Clone();
        var flatOwner = new int[totalPrefs];
        for (var a = 0; a < r.ActiveCount; a++)
        {
            for (var f = r.PrefStart[a]; f < r.PrefStart[a + 1]; f++)
            {
                flatOwner[f] = a;
                var p = r.PrefProgram[f];
                if (p < 0) continue;
                var at = fill[p]++;
                competitorKey[at] = r.PrefKey[f];
                competitorFlat[at] = f;
            }
        }
        var rankInTier = new int[totalPrefs];
        var lastAdmittedFlat = new int[programCount];
        var waitlists = new ImmutableArray<string>[programCount];
        for (var p = 0; p < programCount; p++)
        {
            var start = competitorStart[p];
            var length = competitorStart[p + 1] - start;
            Array.Sort(competitorKey, competitorFlat, start, length);
            var tier = -1;
            var count = 0;
            var waitlist = ImmutableArray.CreateBuilder<string>();
            for (var i = start; i < start + length; i++)
            {
                var t = r.TierOfKey(competitorKey[i]);
                if (t != tier)
                {
                    tier = t;
                    count = 0;
                }
                var f = competitorFlat[i];
                rankInTier[f] = ++count;
                var owner = flatOwner[f];
                var assigned = r.Assigned[owner];
                // Waiting here: got nothing, or got a preference listed below this one.
                if (assigned < 0 || assigned > f) waitlist.Add(r.Active[owner].Number);
            }
            waitlists[p] = waitlist.ToImmutable();
            lastAdmittedFlat[p] = -1;
            if (r.HeapCount[p] > 0)
            {
                var at = Array.BinarySearch(competitorKey, start, length, r.Heap[r.HeapStart[p]]);
                lastAdmittedFlat[p] = competitorFlat[at];
            }
        }

        RankedKey KeyOf(int flat)
        {
            var a = r.Active[flatOwner[flat]];
            return new RankedKey(r.Input.Criteria.Tiers[r.TierOfKey(r.PrefKey[flat])].Id, a.RegisteredAt, a.Seq, rankInTier[flat]);
        }

        var deadline = r.Input.Date.PlusDays(r.Input.Criteria.Offer.DeadlineDays);
        var offers = ImmutableArray.CreateBuilder<Offer>();
        var explanations = new ApplicantExplanation[r.Input.Applicants.Length];
        var archived = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < explanations.Length; i++)
        {
            var applicant = r.Input.Applicants[i];
            var a = r.ActiveIndexOfInput[i];
            if (a < 0)
            {
                if (r.StatusOfInput[i] == RoundStatus.Archived) archived.Add(applicant.Number);
                explanations[i] = new ApplicantExplanation(applicant.Number, r.StatusOfInput[i], null, null, []);
                continue;
            }
            var assigned = r.Assigned[a];
            var last = assigned >= 0 ? assigned : r.PrefStart[a + 1] - 1;
            var prefs = ImmutableArray.CreateBuilder<PreferenceExplanation>(Math.Max(0, last - r.PrefStart[a] + 1));
            for (var f = r.PrefStart[a]; f <= last; f++)
            {
                var kg = applicant.Preferences[f - r.PrefStart[a]];
                var p = r.PrefProgram[f];
                if (p < 0)
                {
                    prefs.Add(new PreferenceExplanation(kg, PreferenceOutcome.NoProgram, 0, null, null));
                    continue;
                }
                var lastAdmitted = lastAdmittedFlat[p] >= 0 ? KeyOf(lastAdmittedFlat[p]) : null;
                var outcome = f == assigned ? PreferenceOutcome.Offered
                    : r.Seats[p] == 0 ? PreferenceOutcome.NoSeats
                    : PreferenceOutcome.Outranked;
                prefs.Add(new PreferenceExplanation(kg, outcome, r.Seats[p], KeyOf(f), lastAdmitted));
            }
            string? offered = null;
            if (assigned >= 0)
            {
                var p = r.PrefProgram[assigned];
                offered = r.ProgramKindergarten[p];
                offers.Add(new Offer(applicant.Number, offered, r.ProgramGroup[p], deadline));
            }
            explanations[i] = new ApplicantExplanation(applicant.Number, assigned >= 0 ? RoundStatus.Offered : RoundStatus.Waitlisted,
                r.GroupOfInput[i], offered, prefs.MoveToImmutable());
        }

        // Published order is by application number (ordinal), never by input order (SPEC.md §7.5).
        Array.Sort(explanations, (x, y) => string.CompareOrdinal(x.Number, y.Number));
        for (var i = 1; i < explanations.Length; i++)
        {
            if (explanations[i].Number == explanations[i - 1].Number)
                throw new ArgumentException($"Application number {explanations[i].Number} appears twice.", nameof(r));
        }
        offers.Sort((x, y) => string.CompareOrdinal(x.Number, y.Number));
        archived.Sort(StringComparer.Ordinal);

        var programOrder = Enumerable.Range(0, programCount).ToArray();
        Array.Sort(programOrder, (x, y) =>
        {
            var c = string.CompareOrdinal(r.ProgramKindergarten[x], r.ProgramKindergarten[y]);
            return c != 0 ? c : string.CompareOrdinal(r.ProgramGroup[x], r.ProgramGroup[y]);
        });
        var programs = ImmutableArray.CreateBuilder<ProgramOutcome>(programCount);
        foreach (var p in programOrder)
            programs.Add(new ProgramOutcome(r.ProgramKindergarten[p], r.ProgramGroup[p], r.Seats[p], r.HeapCount[p], waitlists[p]));

        return new AllocationResult(r.Input.Criteria.Version, r.Input.Date, r.Input.StartDate, r.Year,
            offers.ToImmutable(), archived.ToImmutable(), programs.MoveToImmutable(), [.. explanations], r.Proposals);
    }
}
