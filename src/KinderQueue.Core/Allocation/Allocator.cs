using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using NodaTime;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// Applicant-proposing deferred acceptance (SPEC.md §7.4). The result is the applicant-optimal
/// stable matching, which does not depend on the order in which proposals are processed; the
/// input order of applicants and programs therefore cannot change the output.
/// </summary>
/// <remarks>
/// Performance: the matching itself is cheap; the cost is in preparing and publishing, and for a
/// million applicants in memory traffic and garbage collection as much as in computing.
/// Identifiers are therefore turned into small integers once (kindergartens, groups, districts),
/// everything per preference works on flat arrays read in order, orders are computed with
/// primitive keys (see <see cref="SortByKey"/>) instead of comparison delegates over records and
/// strings, scratch arrays come from the shared pool, and explanations are not built as records at
/// all: the result keeps the round's arrays and builds an applicant's explanation when asked
/// (<see cref="RoundExplanations"/>). Measured (loadtest/KinderQueue.Benchmarks, 1M applicants,
/// 2 virtual cores): 5.5 s at first, about 1.4 s with flat arrays and records per preference; see
/// the README's benchmark notes for the figures since.
/// </remarks>
public static partial class Allocator
{
    public static AllocationResult Allocate(AllocationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The order of application numbers depends on the input alone: for a large round it is
        // sorted on another core while this one prepares and matches. A task not started yet when
        // it is needed runs here (Wait runs it inline), so a busy pool only costs the parallelism.
        var byNumber = input.Applicants.Length >= ParallelNumberSortFrom
            ? Task.Run(() => NumberOrder(input.Applicants))
            : Task.FromResult(NumberOrder(input.Applicants));
        var round = RoundData.Prepare(input);
        try
        {
            Match(round);
            var (order, duplicate) = byNumber.GetAwaiter().GetResult();
            if (duplicate is not null) throw new ArgumentException($"Application number {duplicate} appears twice.", nameof(input));
            return Publish(round, order);
        }
        finally
        {
            round.ReturnScratch();
        }
    }

    // Below this many applicants a second thread costs more than the sort it would take over.
    private const int ParallelNumberSortFrom = 50_000;

    /// <summary>
    /// Each free applicant proposes to the next program on their list; a program keeps the best
    /// keys up to its seats in a max-heap and rejects the worst. Keys are unique (SPEC.md §7.2),
    /// so every comparison is strict. Applicants enter one after the other, and one displaced
    /// proposes on at once (McVitie and Wilson's order), so no list of free applicants is kept:
    /// any order of proposals ends in the same matching after the same proposals.
    /// </summary>
    private static void Match(RoundData r)
    {
        var next = r.Next;
        var prefStart = r.PrefStart;
        var prefProgram = r.PrefProgram;
        var prefTier = r.PrefTier;
        var seatsOf = r.Seats;
        var heapStartOf = r.HeapStart;
        var heapCount = r.HeapCount;
        var heap = r.Heap;
        var assigned = r.Assigned;
        long activeCount = r.ActiveCount;
        long proposals = 0;
        for (var entering = 0; entering < activeCount; entering++)
        {
            var a = entering;
            while (a >= 0)
            {
                var proposer = a;
                a = -1;
                var end = prefStart[proposer + 1];
                while (next[proposer] < end)
                {
                    var flat = next[proposer]++;
                    var p = prefProgram[flat];
                    if (p < 0) continue;
                    proposals++;
                    var seats = seatsOf[p];
                    if (seats == 0) continue;
                    var key = prefTier[flat] * activeCount + proposer; // the packed key (RoundData)
                    var start = heapStartOf[p];
                    var count = heapCount[p];
                    if (count < seats)
                    {
                        HeapPush(heap, start, count, key);
                        heapCount[p] = count + 1;
                        assigned[proposer] = flat;
                        break;
                    }
                    var worst = heap[start];
                    if (key >= worst) continue;
                    heap[start] = key;
                    SiftDown(heap, start, count);
                    a = (int)(worst % activeCount); // RoundData.ApplicantOfKey: the displaced proposes next
                    assigned[a] = -1;
                    assigned[proposer] = flat;
                    break;
                }
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
    /// Sorts <paramref name="items"/> by <paramref name="keys"/> (sorted along), then every run of
    /// equal keys by <paramref name="tieBreak"/>. When the keys are consistent with the wanted order
    /// (a smaller key means an earlier item) and <paramref name="tieBreak"/> is that order, the result
    /// is exactly that order, whatever the sort does with equal keys. The keys may be left in a
    /// packed form (see <see cref="RadixSort"/>) that orders and compares equal exactly as they did.
    /// </summary>
    private static void SortByKey(Span<ulong> keys, Span<int> items, IComparer<int> tieBreak)
    {
        // Inputs usually arrive in sequence order, which is nearly the order of registration:
        // one look tells whether the keys are sorted already.
        var sorted = true;
        for (var i = 1; i < keys.Length && sorted; i++) sorted = keys[i - 1] <= keys[i];
        if (!sorted) RadixSort(keys, items);
        for (var i = 0; i < keys.Length;)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j] == keys[i]) j++;
            if (j - i > 1) items.Slice(i, j - i).Sort(tieBreak);
            i = j;
        }
    }

    /// <summary>
    /// Least-significant-digit radix sort, stable. Only the bits in which some keys differ decide the
    /// order, so those are first packed together, in order (application numbers differ in 4 bits of
    /// each digit, instants of a few years in their lower 50 bits), and sorted in as few passes of at
    /// most 11 bits as cover them: counts of 2,048 digits stay in the fastest cache, where 16-bit digits
    /// spread every pass's writes over 65,536 places. For a million keys this is several times faster
    /// than a comparison sort of the same pairs. The keys are left packed.
    /// </summary>
    private static void RadixSort(Span<ulong> keys, Span<int> items)
    {
        var n = keys.Length;
        if (n < 2) return;
        ulong varying = 0;
        foreach (var key in keys) varying |= key ^ keys[0];
        if (varying == 0) return;
        int bits;
        if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
        {
            for (var i = 0; i < n; i++) keys[i] = System.Runtime.Intrinsics.X86.Bmi2.X64.ParallelBitExtract(keys[i], varying);
            bits = System.Numerics.BitOperations.PopCount(varying);
        }
        else
        {
            var low = System.Numerics.BitOperations.TrailingZeroCount(varying);
            for (var i = 0; i < n; i++) keys[i] >>= low;
            bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(varying) - low;
        }
        var passes = (bits + 10) / 11;
        var width = (bits + passes - 1) / passes;
        var mask = (1UL << width) - 1;

        var keysBuffer = System.Buffers.ArrayPool<ulong>.Shared.Rent(n);
        var itemsBuffer = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        try
        {
            var keysFrom = keys;
            var itemsFrom = items;
            var keysTo = keysBuffer.AsSpan(0, n);
            var itemsTo = itemsBuffer.AsSpan(0, n);
            Span<int> next = stackalloc int[1 << width];
            for (var pass = 0; pass < passes; pass++)
            {
                var shift = pass * width;
                next.Clear();
                foreach (var key in keysFrom) next[(int)((key >> shift) & mask)]++;
                var total = 0;
                for (var d = 0; d < next.Length; d++) (next[d], total) = (total, total + next[d]);
                for (var i = 0; i < n; i++)
                {
                    var at = next[(int)((keysFrom[i] >> shift) & mask)]++;
                    keysTo[at] = keysFrom[i];
                    itemsTo[at] = itemsFrom[i];
                }
                var keysSwap = keysFrom;
                keysFrom = keysTo;
                keysTo = keysSwap;
                var itemsSwap = itemsFrom;
                itemsFrom = itemsTo;
                itemsTo = itemsSwap;
            }
            if (passes % 2 == 1)
            {
                keysFrom.CopyTo(keys);
                itemsFrom.CopyTo(items);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<ulong>.Shared.Return(keysBuffer);
            System.Buffers.ArrayPool<int>.Shared.Return(itemsBuffer);
        }
    }

    /// <summary>
    /// The input turned into flat arrays: active applicants numbered by their global order
    /// (registration instant, then sequence number), each preference resolved to a program
    /// index and a packed key <c>tierRank × activeCount + globalRank</c>, which orders exactly as
    /// the priority key of SPEC.md §7.2 because globalRank already encodes the two tie-breaks.
    /// </summary>
    /// <remarks>
    /// The arrays the result keeps for its explanations are allocated with their exact size; the
    /// matching's scratch (<see cref="Next"/>, <see cref="Heap"/>) is rented from
    /// the shared pool and given back by <see cref="ReturnScratch"/>, so a service running rounds
    /// does not allocate it again, and the collector never has to clear it.
    /// </remarks>
    private sealed class RoundData
    {
        public required AllocationInput Input { get; init; }
        public required int Year { get; init; }
        public required int[] InputOfActive { get; init; }          // input index by global rank
        public required RoundStatus[] StatusOfInput { get; init; }   // per input applicant
        public required int[] GroupOfInput { get; init; }            // index into the criteria's groups, -1 when none
        public required int[] ActiveIndexOfInput { get; init; }      // -1 when not active
        public required string[] ProgramKindergarten { get; init; }
        public required string[] ProgramGroup { get; init; }
        public required int[] Seats { get; init; }
        public required int[] HeapStart { get; init; }
        public required int[] HeapCount { get; init; }
        public required int[] PrefStart { get; init; }              // ActiveCount + 1 offsets into the flat arrays
        public required int[] PrefProgram { get; init; }            // -1: no such program (tier unused)
        public required int[] PrefTier { get; init; }               // tier rank at that program
        public required int[] Assigned { get; init; }               // flat preference index, or -1
        public required long[] Heap { get; init; }                  // pooled, at least the total of seats
        public required int[] Next { get; init; }                   // pooled, at least ActiveCount
        public long Proposals { get; set; }

        public int ActiveCount => InputOfActive.Length;

        public int ApplicantOfKey(long key) => (int)(key % Math.Max(1, ActiveCount));

        public void ReturnScratch()
        {
            System.Buffers.ArrayPool<long>.Shared.Return(Heap);
            System.Buffers.ArrayPool<int>.Shared.Return(Next);
        }

        public static RoundData Prepare(AllocationInput input)
        {
            var criteria = input.Criteria;
            var year = input.Year;
            var groups = criteria.AgeRule.Groups;

            // Kindergartens and groups become small integers, so that resolving a preference to its
            // program is one string lookup (the kindergarten) and an array index, instead of hashing
            // a (kindergarten, group) pair of strings per preference.
            var kgIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var g = 0; g < groups.Length; g++) groupIndex.TryAdd(groups[g].Id, g);
            foreach (var k in input.Kindergartens) kgIndex.TryAdd(k.Id, kgIndex.Count);

            var programs = input.Programs;
            foreach (var p in programs)
            {
                Intern(kgIndex, p.Kindergarten);
                Intern(groupIndex, p.Group);
            }
            // programOf[kindergarten × groups + group]: the program index, or -1.
            var groupCount = groupIndex.Count;
            var programOf = new int[checked(kgIndex.Count * groupCount)];
            Array.Fill(programOf, -1);
            var kgs = new string[programs.Length];
            var programGroups = new string[programs.Length];
            var seats = new int[programs.Length];
            var heapStart = new int[programs.Length];
            var totalSeats = 0;
            for (var i = 0; i < programs.Length; i++)
            {
                var p = programs[i];
                ArgumentOutOfRangeException.ThrowIfNegative(p.Seats);
                ref var slot = ref programOf[kgIndex[p.Kindergarten] * groupCount + groupIndex[p.Group]];
                if (slot >= 0)
                    throw new ArgumentException($"Program ({p.Kindergarten}, {p.Group}) appears twice.", nameof(input));
                slot = i;
                kgs[i] = p.Kindergarten;
                programGroups[i] = p.Group;
                seats[i] = p.Seats;
                heapStart[i] = totalSeats;
                totalSeats = checked(totalSeats + p.Seats);
            }

            var applicants = input.Applicants;
            var n = applicants.Length;
            var status = new RoundStatus[n];
            var groupIndexOf = GC.AllocateUninitializedArray<int>(n);
            var byBirth = new BirthMonthCache(criteria.AgeRule, input.StartDate, year, groupIndex);
            var m = 0;
            long totalPrefs = 0;
            // Inputs usually list applicants in sequence order, which is nearly always the global order
            // (below): noticed here, it spares sorting them.
            var inGlobalOrder = true;
            Applicant? previous = null;
            for (var i = 0; i < n; i++)
            {
                var a = applicants[i];
                // Order matters and is part of the spec (§7.3): archive, then defer, then age group.
                groupIndexOf[i] = -1;
                int g;
                if (byBirth.Archived(a.BirthMonth)) status[i] = RoundStatus.Archived;
                else if (a.DesiredStart > input.StartDate) status[i] = RoundStatus.Deferred;
                else if ((g = byBirth.Group(a.BirthMonth)) < 0) status[i] = RoundStatus.NoAgeGroup;
                else
                {
                    groupIndexOf[i] = g;
                    status[i] = RoundStatus.Waitlisted;
                    m++;
                    totalPrefs += a.Preferences.Length;
                    if (inGlobalOrder && previous is not null) inGlobalOrder = GlobalOrder(previous, a) < 0;
                    previous = a;
                }
            }
            var order = GC.AllocateUninitializedArray<int>(m);
            for (int i = 0, r = 0; i < n; i++)
            {
                if (status[i] == RoundStatus.Waitlisted) order[r++] = i;
            }

            // Global order: registration instant, then log sequence number (unique), SPEC.md §7.2.
            // Sorted on the instant's tick count (a long, monotone in the instant); equal tick counts
            // are then ordered by the exact instant and the sequence number.
            if (!inGlobalOrder)
            {
                var ticksBuffer = System.Buffers.ArrayPool<ulong>.Shared.Rent(m);
                var ticks = ticksBuffer.AsSpan(0, m);
                for (var r = 0; r < m; r++)
                {
                    // Flipping the sign bit maps the order of signed tick counts onto unsigned keys.
                    ticks[r] = unchecked((ulong)applicants[order[r]].RegisteredAt.ToUnixTimeTicks() ^ (1UL << 63));
                }
                SortByKey(ticks, order, Comparer<int>.Create((x, y) => GlobalOrder(applicants[x], applicants[y])));
                System.Buffers.ArrayPool<ulong>.Shared.Return(ticksBuffer);
            }

            var tiers = new TierResolver(criteria, input.Kindergartens);
            var catchments = new CatchmentIndex(input.Kindergartens, kgIndex, tiers, criteria);
            var activeIndexOfInput = new int[n];
            Array.Fill(activeIndexOfInput, -1);
            var prefStart = GC.AllocateUninitializedArray<int>(m + 1);
            // Both arrays are written for every preference below; skipping the zeroing of tens of
            // megabytes is measurable.
            var prefProgram = GC.AllocateUninitializedArray<int>(checked((int)totalPrefs));
            var prefTier = GC.AllocateUninitializedArray<int>(prefProgram.Length);
            _ = checked((long)criteria.Tiers.Length * Math.Max(1, m)); // every packed key fits in a long
            var flat = 0;
            for (var r = 0; r < m; r++)
            {
                var i = order[r];
                var a = applicants[i];
                var g = groupIndexOf[i];
                activeIndexOfInput[i] = r;
                prefStart[r] = flat;
                // Claims are rare; an applicant with any goes through TierResolver, which owns the
                // claim rules. Everybody else has the default tier, or the catchment tier inside a
                // kindergarten's catchment, which the integer index answers without hashing strings.
                var withClaims = a.Claims.Length != 0;
                var ranks = withClaims ? tiers.ForApplicant(a) : default;
                var district = withClaims ? -1 : catchments.District(a.District);
                foreach (var kg in a.Preferences)
                {
                    var p = kgIndex.TryGetValue(kg, out var k) ? programOf[k * groupCount + g] : -1;
                    prefProgram[flat] = p;
                    // No program: never proposed to, never explained with a key.
                    prefTier[flat] = p < 0 ? 0 : withClaims ? ranks.RankAt(kg) : catchments.RankWithoutClaims(k, district);
                    flat++;
                }
            }
            prefStart[m] = flat;

            var next = System.Buffers.ArrayPool<int>.Shared.Rent(m);
            Array.Copy(prefStart, next, m);
            var assigned = GC.AllocateUninitializedArray<int>(m);
            Array.Fill(assigned, -1);
            return new RoundData
            {
                Input = input,
                Year = year,
                InputOfActive = order,
                StatusOfInput = status,
                GroupOfInput = groupIndexOf,
                ActiveIndexOfInput = activeIndexOfInput,
                ProgramKindergarten = kgs,
                ProgramGroup = programGroups,
                Seats = seats,
                HeapStart = heapStart,
                HeapCount = new int[programs.Length],
                Heap = System.Buffers.ArrayPool<long>.Shared.Rent(totalSeats),
                PrefStart = prefStart,
                PrefProgram = prefProgram,
                PrefTier = prefTier,
                Next = next,
                Assigned = assigned,
            };
        }

        /// <summary>The global order of SPEC.md §7.2: registration instant, then log sequence number.</summary>
        private static int GlobalOrder(Applicant x, Applicant y)
        {
            var c = x.RegisteredAt.CompareTo(y.RegisteredAt);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }

        private static int Intern(Dictionary<string, int> index, string id)
        {
            if (!index.TryGetValue(id, out var i)) index.Add(id, i = index.Count);
            return i;
        }
    }

    /// <summary>
    /// The age checks of SPEC.md §7.3 depend only on the birth month, and a region has a few dozen
    /// distinct birth months among its applicants: each is computed once, and months of the ISO
    /// calendar in the century and more before the start date are then found by index, not by hashing.
    /// </summary>
    private sealed class BirthMonthCache(AgeRule rule, LocalDate startDate, int year, Dictionary<string, int> groupIndex)
    {
        private const int WindowMonths = 128 * 12;
        private const int Unknown = int.MinValue;
        private readonly int _firstYear = startDate.Year - 127;
        private readonly int[] _archived = Filled(WindowMonths, Unknown); // 1 archived, 0 not
        private readonly int[] _group = Filled(WindowMonths, Unknown);    // index in the criteria, -1 none
        private readonly Dictionary<YearMonth, bool> _otherArchived = [];
        private readonly Dictionary<YearMonth, int> _otherGroup = [];

        public bool Archived(YearMonth birth)
        {
            var at = Offset(birth);
            if (at >= 0 && _archived[at] != Unknown) return _archived[at] == 1;
            if (at < 0 && _otherArchived.TryGetValue(birth, out var known)) return known;
            var archived = AgeCalculator.AgeOn(birth, startDate) >= rule.ArchiveAge;
            if (at >= 0) _archived[at] = archived ? 1 : 0;
            else _otherArchived.Add(birth, archived);
            return archived;
        }

        /// <summary>The index in the criteria of the age group in the enrolment year, or -1 when none takes the child.</summary>
        public int Group(YearMonth birth)
        {
            var at = Offset(birth);
            if (at >= 0 && _group[at] != Unknown) return _group[at];
            if (at < 0 && _otherGroup.TryGetValue(birth, out var known)) return known;
            var group = AgeCalculator.GroupFor(rule, birth, year);
            var index = group is null ? -1 : groupIndex[group.Id];
            if (at >= 0) _group[at] = index;
            else _otherGroup.Add(birth, index);
            return index;
        }

        // The month's place in the window, or -1 outside it (or in another calendar).
        private int Offset(YearMonth birth)
        {
            var at = (birth.Year - _firstYear) * 12 + birth.Month - 1;
            return at >= 0 && at < WindowMonths && birth.Calendar == CalendarSystem.Iso ? at : -1;
        }

        private static int[] Filled(int length, int value)
        {
            var array = new int[length];
            Array.Fill(array, value);
            return array;
        }
    }

    /// <summary>
    /// The tier of an applicant without claims at a kindergarten, as <see cref="TierResolver"/>
    /// defines it: the catchment tier where the kindergarten's catchment contains the applicant's
    /// district (and the criteria have a catchment tier), otherwise the default tier. Districts are
    /// numbered, catchments are small arrays of district numbers.
    /// </summary>
    private sealed class CatchmentIndex
    {
        private readonly Dictionary<string, int> _districts = new(StringComparer.Ordinal);
        private readonly int[][] _catchmentOf; // by kindergarten index
        private readonly int _defaultRank;
        private readonly int _catchmentRank;

        public CatchmentIndex(ImmutableArray<KindergartenInfo> kindergartens, Dictionary<string, int> kgIndex, TierResolver tiers, CriteriaDocument criteria)
        {
            _defaultRank = criteria.Tiers.Length - 1;
            _catchmentRank = Math.Min(_defaultRank, tiers.CatchmentRank);
            _catchmentOf = new int[kgIndex.Count][];
            Array.Fill(_catchmentOf, []);
            // As in TierResolver, a kindergarten listed twice keeps its last catchment.
            foreach (var k in kindergartens)
            {
                var set = new HashSet<int>();
                foreach (var d in k.Catchment)
                {
                    if (!_districts.TryGetValue(d, out var index)) _districts.Add(d, index = _districts.Count);
                    set.Add(index);
                }
                _catchmentOf[kgIndex[k.Id]] = [.. set];
            }
        }

        /// <summary>The district's number, or -1 when no catchment contains it.</summary>
        public int District(string district) => _districts.GetValueOrDefault(district, -1);

        public int RankWithoutClaims(int kindergarten, int district)
        {
            if (district < 0 || _catchmentRank == _defaultRank) return _defaultRank;
            return Array.IndexOf(_catchmentOf[kindergarten], district) >= 0 ? _catchmentRank : _defaultRank;
        }
    }
}
