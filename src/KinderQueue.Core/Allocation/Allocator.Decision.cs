using System.Collections.Immutable;
using System.Runtime.InteropServices;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Allocation;

public static partial class Allocator
{
    /// <summary>
    /// The decision of a round alone (SPEC.md §8.4: offers and archived, §7.5 order) without the
    /// explanations and waiting lists of <see cref="Allocate"/>: what a validator recomputes for every
    /// decision of a log. The same preparation and matching as <see cref="Allocate"/>, so the same
    /// offers; the tests compare both on random inputs.
    /// </summary>
    public static AllocationDecided Decide(AllocationInput input, string round, long basis)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = RoundData.Prepare(input);
        int[] offered;
        try
        {
            Match(r);
            offered = new int[r.HeapCount.Sum()];
            var o = 0;
            for (var a = 0; a < r.ActiveCount; a++)
            {
                if (r.Assigned[a] >= 0) offered[o++] = r.InputOfActive[a];
            }
        }
        finally
        {
            r.ReturnScratch();
        }
        // Published order: by application number, ordinal (SPEC.md §7.5).
        var applicants = input.Applicants;
        SortByNumber(applicants, offered, out _);
        var deadline = input.Date.PlusDays(input.Criteria.Offer.DeadlineDays);
        var offers = new Offer[offered.Length];
        for (var k = 0; k < offers.Length; k++)
        {
            var i = offered[k];
            var p = r.PrefProgram[r.Assigned[r.ActiveIndexOfInput[i]]];
            offers[k] = new Offer(applicants[i].Number, r.ProgramKindergarten[p], r.ProgramGroup[p], deadline);
        }
        var archived = new List<string>();
        for (var i = 0; i < applicants.Length; i++)
        {
            if (r.StatusOfInput[i] == RoundStatus.Archived) archived.Add(applicants[i].Number);
        }
        archived.Sort(StringComparer.Ordinal);
        return new AllocationDecided(round, basis, input.Criteria.Version, input.Date, input.StartDate, r.Year,
            ImmutableCollectionsMarshal.AsImmutableArray(offers), [.. archived]);
    }
}
