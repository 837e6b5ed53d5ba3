using System.Collections.Immutable;
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
        Match(r);
        var applicants = input.Applicants;
        var deadline = input.Date.PlusDays(input.Criteria.Offer.DeadlineDays);
        var offers = new Offer[r.HeapCount.Sum()];
        var o = 0;
        for (var a = 0; a < r.ActiveCount; a++)
        {
            var assigned = r.Assigned[a];
            if (assigned < 0) continue;
            var p = r.PrefProgram[assigned];
            offers[o++] = new Offer(applicants[r.InputOfActive[a]].Number, r.ProgramKindergarten[p], r.ProgramGroup[p], deadline);
        }
        // Published order: by application number, ordinal (SPEC.md §7.5).
        Array.Sort(offers, (x, y) => string.CompareOrdinal(x.Number, y.Number));
        var archived = new List<string>();
        for (var i = 0; i < applicants.Length; i++)
        {
            if (r.StatusOfInput[i] == RoundStatus.Archived) archived.Add(applicants[i].Number);
        }
        archived.Sort(StringComparer.Ordinal);
        return new AllocationDecided(round, basis, input.Criteria.Version, input.Date, input.StartDate, r.Year,
            ImmutableArray.Create(offers), [.. archived]);
    }
}
