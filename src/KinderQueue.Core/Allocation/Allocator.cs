using System.Collections.Immutable;
using KinderQueue.Core.Criteria;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// Applicant-proposing deferred acceptance (SPEC.md §7.4). The result is the applicant-optimal
/// stable matching, which does not depend on the order in which proposals are processed; the
/// input order of applicants and programs therefore cannot change the output.
/// </summary>
public static partial class Allocator
{
    public static AllocationResult Allocate(AllocationInput input)
    {
        var round = RoundData.Prepare(input);
        Match(round);
        return Explain(round);
    }

    /// <summary>
    /// Each free applicant proposes to the next program on their list; a program keeps the best
    /// keys up to its seats in a max-heap and rejects the worst. Keys are unique (SPEC.md §7.2),
    /// so every comparison is strict.
    /// </summary>
    private static void Match(RoundData r)
    {
        var free = new Stack<int>(r.ActiveCount);
        for (var a = r.ActiveCount - 1; a >= 0; a--) free.Push(a);
        long proposals = 0;
        while (free.Count > 0)
        {
            var a = free.Pop();
            var end = r.PrefStart[a + 1];
            while (r.Next[a] < end)
            {
                var flat = r.Next[a]++;
                var p = r.PrefProgram[flat];
                if (p < 0) continue;
                proposals++;
                var seats = r.Seats[p];
                if (seats == 0) continue;
                var key = r.PrefKey[flat];
                var start = r.HeapStart[p];
                var count = r.HeapCount[p];
                if (count < seats)
                {
                    HeapPush(r.Heap, start, count, key);
                    r.HeapCount[p] = count + 1;
                    r.Assigned[a] = flat;
                    break;
                }
                var worst = r.Heap[start];
                if (key >= worst) continue;
                r.Heap[start] = key;
                SiftDown(r.Heap, start, count);
                var displaced = r.ApplicantOfKey(worst);
                r.Assigned[displaced] = -1;
                free.Push(displaced);
                r.Assigned[a] = flat;
                break;
            }
        }
        r.Proposals = proposals;
    }

    // A max-heap of keys in Heap[start .. start+count), largest (worst) at start.
    private static void HeapPush(long[] heap, int start, int count, long key)
    {
        var i = count;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[start + parent] >= key) break;
            heap[start + i] = heap[start + parent];
            i = parent;
        }
        heap[start + i] = key;
    }

    private static void SiftDown(long[] heap, int start, int count)
    {
        var i = 0;
        var key = heap[start];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && heap[start + child + 1] > heap[start + child]) child++;
            if (heap[start + child] <= key) break;
            heap[start + i] = heap[start + child];
            i = child;
        }
        heap[start + i] = key;
    }

    /// <summary>
    /// The input turned into flat arrays: active applicants numbered by their global order
    /// (registration instant, then sequence number), each preference resolved to a program
    /// index and a packed key <c>tierRank × activeCount + globalRank</c>, which orders exactly as
    /// the priority key of SPEC.md §7.2 because globalRank already encodes the two tie-breaks.
    /// </summary>
    private sealed class RoundData
    {
        public required AllocationInput Input { get; init; }
        public required int Year { get; init; }
        public required Applicant[] Active { get; init; }           // by global rank
        public required RoundStatus[] StatusOfInput { get; init; }   // per input applicant
        public required string?[] GroupOfInput { get; init; }
        public required int[] ActiveIndexOfInput { get; init; }      // -1 when not active
        public required string[] ProgramKindergarten { get; init; }
        public required string[] ProgramGroup { get; init; }
        public required int[] Seats { get; init; }
        public required int[] HeapStart { get; init; }
        public required int[] HeapCount { get; init; }
        public required long[] Heap { get; init; }
        public required int[] PrefStart { get; init; }              // ActiveCount + 1 offsets into the flat arrays
        public required int[] PrefProgram { get; init; }
        public required long[] PrefKey { get; init; }
        public required int[] Next { get; init; }
        public required int[] Assigned { get; init; }               // flat preference index, or -1
        public long Proposals { get; set; }

        public int ActiveCount => Active.Length;

        public int ApplicantOfKey(long key) => (int)(key % Math.Max(1, ActiveCount));

        public int TierOfKey(long key) => (int)(key / Math.Max(1, ActiveCount));

        public static RoundData Prepare(AllocationInput input)
        {
            var criteria = input.Criteria;
            var year = input.Year;
            var programIndex = new Dictionary<(string Kindergarten, string Group), int>();
            var programs = input.Programs;
            var kgs = new string[programs.Length];
            var groups = new string[programs.Length];
            var seats = new int[programs.Length];
            var heapStart = new int[programs.Length];
            var totalSeats = 0;
            for (var i = 0; i < programs.Length; i++)
            {
                var p = programs[i];
                ArgumentOutOfRangeException.ThrowIfNegative(p.Seats);
                if (!programIndex.TryAdd((p.Kindergarten, p.Group), i))
                    throw new ArgumentException($"Program ({p.Kindergarten}, {p.Group}) appears twice.", nameof(input));
                kgs[i] = p.Kindergarten;
                groups[i] = p.Group;
                seats[i] = p.Seats;
                heapStart[i] = totalSeats;
                totalSeats = checked(totalSeats + p.Seats);
            }

            var n = input.Applicants.Length;
            var status = new RoundStatus[n];
            var groupOf = new string?[n];
            var activeInput = new List<int>(n);
            var archiveAge = criteria.AgeRule.ArchiveAge;
            for (var i = 0; i < n; i++)
            {
                var a = input.Applicants[i];
                // Order matters and is part of the spec (§7.3): archive, then defer, then age group.
                if (AgeCalculator.AgeOn(a.BirthMonth, input.StartDate) >= archiveAge)
                {
                    status[i] = RoundStatus.Archived;
                    continue;
                }
                if (a.DesiredStart > input.StartDate)
                {
                    status[i] = RoundStatus.Deferred;
                    continue;
                }
                var group = AgeCalculator.GroupFor(criteria.AgeRule, a.BirthMonth, year);
                if (group is null)
                {
                    status[i] = RoundStatus.NoAgeGroup;
                    continue;
                }
                groupOf[i] = group.Id;
                status[i] = RoundStatus.Waitlisted;
                activeInput.Add(i);
            }

            // Global order: registration instant, then log sequence number (unique), SPEC.md §7.2.
            activeInput.Sort((x, y) =>
            {
                var ax = input.Applicants[x];
                var ay = input.Applicants[y];
                var c = ax.RegisteredAt.CompareTo(ay.RegisteredAt);
                return c != 0 ? c : ax.Seq.CompareTo(ay.Seq);
            });
            var m = activeInput.Count;
            var active = new Applicant[m];
            var activeIndexOfInput = new int[n];
            Array.Fill(activeIndexOfInput, -1);
            var prefStart = new int[m + 1];
            var totalPrefs = 0;
            for (var r = 0; r < m; r++)
            {
                active[r] = input.Applicants[activeInput[r]];
                activeIndexOfInput[activeInput[r]] = r;
                prefStart[r] = totalPrefs;
                totalPrefs += active[r].Preferences.Length;
            }
            prefStart[m] = totalPrefs;

            var tiers = new TierResolver(criteria, input.Kindergartens);
            var prefProgram = new int[totalPrefs];
            var prefKey = new long[totalPrefs];
            for (var r = 0; r < m; r++)
            {
                var a = active[r];
                var group = groupOf[activeInput[r]]!;
                var ranks = tiers.ForApplicant(a);
                for (var j = 0; j < a.Preferences.Length; j++)
                {
                    var kg = a.Preferences[j];
                    var flat = prefStart[r] + j;
                    prefProgram[flat] = programIndex.TryGetValue((kg, group), out var p) ? p : -1;
                    prefKey[flat] = checked((long)ranks.RankAt(kg) * m + r);
                }
            }

            var next = new int[m];
            Array.Copy(prefStart, next, m);
            var assigned = new int[m];
            Array.Fill(assigned, -1);
            return new RoundData
            {
                Input = input,
                Year = year,
                Active = active,
                StatusOfInput = status,
                GroupOfInput = groupOf,
                ActiveIndexOfInput = activeIndexOfInput,
                ProgramKindergarten = kgs,
                ProgramGroup = groups,
                Seats = seats,
                HeapStart = heapStart,
                HeapCount = new int[programs.Length],
                Heap = new long[totalSeats],
                PrefStart = prefStart,
                PrefProgram = prefProgram,
                PrefKey = prefKey,
                Next = next,
                Assigned = assigned,
            };
        }
    }
}
