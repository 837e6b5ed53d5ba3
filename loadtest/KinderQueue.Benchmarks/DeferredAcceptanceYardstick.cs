using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;

namespace KinderQueue.Benchmarks;

/// <summary>
/// The allocate benchmark's yardstick: textbook applicant-proposing deferred acceptance over the
/// same round, the way the plain-Python yardstick does it, with the standard library's heap
/// (<see cref="PriorityQueue{TElement,TPriority}"/>) per program and a queue of free applicants.
/// </summary>
/// <remarks>
/// Everything the engine does besides matching is left out of the timing: the preference lists
/// are resolved to program indices and priority keys beforehand (with the public
/// <see cref="TierResolver"/> and <see cref="AgeCalculator"/>, and LINQ for the global order), and
/// nothing is published. So the ratio of the engine to this says what preparing from records and
/// publishing offers, waiting lists and explanations cost on top of the matching itself on the same
/// machine in the same run. Deferred acceptance ends in the same matching whatever the order of
/// proposals, and every applicant proposes down the list to the program that finally holds them, so
/// the proposals and the offers must equal the engine's: the benchmark checks both.
/// </remarks>
internal sealed class DeferredAcceptanceYardstick
{
    private readonly int[] _prefStart;
    private readonly int[] _prefProgram; // -1: no program for the applicant's group there
    private readonly long[] _prefKey;    // tier rank × applicants + global rank: smaller is better
    private readonly int[] _seats;

    private DeferredAcceptanceYardstick(int[] prefStart, int[] prefProgram, long[] prefKey, int[] seats)
    {
        _prefStart = prefStart;
        _prefProgram = prefProgram;
        _prefKey = prefKey;
        _seats = seats;
    }

    public int Applicants => _prefStart.Length - 1;

    public static DeferredAcceptanceYardstick Prepare(AllocationInput input)
    {
        var criteria = input.Criteria;
        var program = new Dictionary<(string Kindergarten, string Group), int>();
        var seats = new int[input.Programs.Length];
        for (var p = 0; p < seats.Length; p++)
        {
            program.Add((input.Programs[p].Kindergarten, input.Programs[p].Group), p);
            seats[p] = input.Programs[p].Seats;
        }
        // The applicants who compete (SPEC.md §7.3), in global order (registration instant, then sequence number).
        var competing = input.Applicants
            .Where(a => AgeCalculator.AgeOn(a.BirthMonth, input.StartDate) < criteria.AgeRule.ArchiveAge && a.DesiredStart <= input.StartDate)
            .Select(a => (Applicant: a, Group: AgeCalculator.GroupFor(criteria.AgeRule, a.BirthMonth, input.Year)))
            .Where(x => x.Group is not null)
            .OrderBy(x => x.Applicant.RegisteredAt).ThenBy(x => x.Applicant.Seq)
            .ToList();
        var tiers = new TierResolver(criteria, input.Kindergartens);
        var prefStart = new int[competing.Count + 1];
        var prefProgram = new List<int>();
        var prefKey = new List<long>();
        for (var rank = 0; rank < competing.Count; rank++)
        {
            var (a, group) = competing[rank];
            prefStart[rank] = prefProgram.Count;
            var ranks = tiers.ForApplicant(a);
            foreach (var kg in a.Preferences)
            {
                prefProgram.Add(program.GetValueOrDefault((kg, group!.Id), -1));
                prefKey.Add((long)ranks.RankAt(kg) * competing.Count + rank);
            }
        }
        prefStart[competing.Count] = prefProgram.Count;
        return new DeferredAcceptanceYardstick(prefStart, [.. prefProgram], [.. prefKey], seats);
    }

    /// <summary>Runs the matching; returns the proposals made and the applicants matched.</summary>
    public (long Proposals, int Matched) Run()
    {
        var n = Applicants;
        // Each program holds its admitted applicants in a heap with the worst key on top.
        var held = new PriorityQueue<int, long>?[_seats.Length];
        var next = new int[n];
        var free = new Queue<int>(n);
        for (var a = 0; a < n; a++)
        {
            next[a] = _prefStart[a];
            free.Enqueue(a);
        }
        long proposals = 0;
        var matched = 0;
        while (free.TryDequeue(out var a))
        {
            while (next[a] < _prefStart[a + 1])
            {
                var f = next[a]++;
                var p = _prefProgram[f];
                if (p < 0) continue;
                proposals++;
                if (_seats[p] == 0) continue;
                var heap = held[p] ??= new PriorityQueue<int, long>(_seats[p]);
                var key = _prefKey[f];
                if (heap.Count < _seats[p])
                {
                    heap.Enqueue(a, -key);
                    matched++;
                    break;
                }
                heap.TryPeek(out _, out var worst);
                if (key >= -worst) continue;
                free.Enqueue(heap.DequeueEnqueue(a, -key));
                break;
            }
        }
        return (proposals, matched);
    }
}
