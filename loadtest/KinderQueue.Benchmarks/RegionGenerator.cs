using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using NodaTime;

namespace KinderQueue.Benchmarks;

/// <summary>
/// A synthetic region for one allocation round, determined entirely by (applicants, seed).
/// </summary>
/// <remarks>
/// Shape (all shares approximate):
/// <list type="bullet">
/// <item>kindergartens placed along a line (the "city"); districts are equal slices of it, so
/// a kindergarten's catchment (its own district) covers the applicants living near it;</item>
/// <item>about N/20 programs: each kindergarten offers each age group of the criteria with 92 %
/// probability; total seats about 60 % of N, weighted towards the younger groups, 3 % of programs
/// with no free seat;</item>
/// <item>1-5 preferences per applicant, drawn around the applicant's home with a bell-shaped
/// spread, so neighbouring kindergartens compete for the same children;</item>
/// <item>claims: 1 % extraordinary, 8 % first, 5 % sibling at a listed kindergarten, the rest
/// none; 80 % of claims verified;</item>
/// <item>birth months spread over ages 1-6 at the cut-off (more young children), 2 % too young
/// (no age group), 1 % too old (archived);</item>
/// <item>10 % want to start after the round's start date (deferred);</item>
/// <item>registration instants over three years, 2 % sharing the exact instant of an earlier
/// applicant (batch imports), so the sequence-number tie-break is exercised.</item>
/// </list>
/// </remarks>
internal static class RegionGenerator
{
    public static readonly LocalDate RoundDate = new(2027, 5, 1);
    public static readonly LocalDate StartDate = new(2027, 9, 1);
    private static readonly Instant RegistrationFrom = Instant.FromUtc(2024, 5, 1, 0, 0);
    private static readonly Instant RegistrationTo = RoundDate.AtMidnight().InUtc().ToInstant();

    // Positions on the city line are integers in [0, 2^20).
    private const int PositionBits = 20;

    // Seat weight per age group, in the criteria's group order (early covers two ages).
    private static readonly int[] GroupSeatWeight = [160, 100, 60, 50, 40];

    // Share (per 10,000) of applicants by age at the cut-off date 1..6; the rest is too young/old.
    private static readonly int[] AgeShare = [2400, 2400, 1900, 1200, 1000, 800];

    public static AllocationInput Generate(CriteriaDocument criteria, int applicantCount, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(applicantCount);
        var rng = new SplitMix64(seed);
        var groups = criteria.AgeRule.Groups;

        var districtCount = applicantCount / 20_000 + 3;
        var districts = new string[districtCount];
        for (var d = 0; d < districtCount; d++) districts[d] = string.Create(CultureInfo.InvariantCulture, $"d-{d:D2}");

        // Five groups × 92 % ≈ 4.6 programs per kindergarten → N/20 programs for N/92 kindergartens.
        var kgCount = Math.Max(2, (applicantCount + 91) / 92);
        var kgIds = new string[kgCount];
        var kindergartens = ImmutableArray.CreateBuilder<KindergartenInfo>(kgCount);
        for (var k = 0; k < kgCount; k++)
        {
            var position = (int)(((long)k << PositionBits) / kgCount) + rng.Below(Math.Max(1, (1 << PositionBits) / kgCount));
            var district = districts[DistrictAt(position, districtCount)];
            kgIds[k] = string.Create(CultureInfo.InvariantCulture, $"kg-{k:D5}");
            kindergartens.Add(new KindergartenInfo(kgIds[k], district, [district]));
        }

        var programs = GeneratePrograms(rng, kgIds, groups, applicantCount);
        var applicants = GenerateApplicants(rng, seed, applicantCount, districts, kgIds);
        return new AllocationInput(criteria, RoundDate, StartDate, kindergartens.MoveToImmutable(), programs, applicants);
    }

    private static int DistrictAt(int position, int districtCount) => (int)(((long)position * districtCount) >> PositionBits);

    private static ImmutableArray<ProgramSeats> GeneratePrograms(SplitMix64 rng, string[] kgIds, ImmutableArray<AgeGroup> groups, int applicantCount)
    {
        var kgOf = new List<int>();
        var groupOf = new List<int>();
        var weight = new List<long>();
        long totalWeight = 0;
        for (var k = 0; k < kgIds.Length; k++)
        {
            var size = 50 + rng.Below(101); // kindergartens differ in size: 0.5×..1.5×
            for (var g = 0; g < groups.Length; g++)
            {
                if (!rng.Chance(9_200)) continue;
                var w = rng.Chance(300) ? 0 : (long)size * GroupSeatWeight[Math.Min(g, GroupSeatWeight.Length - 1)] * (75 + rng.Below(51));
                kgOf.Add(k);
                groupOf.Add(g);
                weight.Add(w);
                totalWeight += w;
            }
        }

        // Seats proportional to weight, scaled so the region has about 0.6 × N free seats.
        var targetSeats = applicantCount * 6L / 10;
        var programs = ImmutableArray.CreateBuilder<ProgramSeats>(kgOf.Count);
        for (var i = 0; i < kgOf.Count; i++)
        {
            var seats = totalWeight == 0 ? 0 : (int)((weight[i] * targetSeats + totalWeight / 2) / totalWeight);
            programs.Add(new ProgramSeats(kgIds[kgOf[i]], groups[groupOf[i]].Id, seats));
        }
        return programs.MoveToImmutable();
    }

    /// <summary>
    /// Draws the applicants into compact drafts (numbers, indices and values, no records), then builds
    /// the records once, in sequence order. Drafting records and copying them doubled the memory the
    /// benchmark measures before the engine ran.
    /// </summary>
    private static ImmutableArray<Applicant> GenerateApplicants(SplitMix64 rng, ulong seed, int n, string[] districts, string[] kgIds)
    {
        var kgCount = kgIds.Length;
        // Spread of the preference draw, in kindergartens: people look at a few dozen around home.
        const int Spread = 6;
        var numberOffset = seed % 10_000_000_000UL;

        var registered = new Instant[n];
        var drafts = new Draft[n];
        var preferences = new List<int>(n * 4); // kindergarten indices, Draft.FirstPreference on
        Span<int> picked = stackalloc int[5];
        for (var i = 0; i < n; i++)
        {
            var position = rng.Below(1 << PositionBits);
            var district = DistrictAt(position, districts.Length);
            var home = (int)(((long)position * kgCount) >> PositionBits);

            var prefCount = Math.Min(kgCount, PreferenceCount(rng.Below(100)));
            var firstPreference = preferences.Count;
            for (var j = 0; j < prefCount; j++)
            {
                int k;
                var attempts = 0;
                do
                {
                    // Irwin-Hall of four uniforms: bell-shaped around home without floating point.
                    var offset = rng.Below(2 * Spread + 1) + rng.Below(2 * Spread + 1) + rng.Below(2 * Spread + 1) + rng.Below(2 * Spread + 1) - 4 * Spread;
                    k = attempts++ < 20 ? Math.Clamp(home + offset, 0, kgCount - 1) : rng.Below(kgCount);
                } while (picked[..j].Contains(k));
                picked[j] = k;
                preferences.Add(k);
            }

            var claims = ImmutableArray<ApplicantClaim>.Empty;
            var claimDraw = rng.Below(10_000);
            if (claimDraw < 100) claims = [new ApplicantClaim("extraordinary", null, rng.Chance(8_000))];
            else if (claimDraw < 900) claims = [new ApplicantClaim("first", null, rng.Chance(8_000))];
            else if (claimDraw < 1_400) claims = [new ApplicantClaim("sibling", kgIds[preferences[firstPreference + rng.Below(prefCount)]], rng.Chance(8_000))];

            var birth = BirthMonth(rng);
            // Nobody registers before the birth month; identical instants model batch imports.
            var birthInstant = new LocalDate(birth.Year, birth.Month, 1).AtMidnight().InUtc().ToInstant();
            var from = birthInstant > RegistrationFrom ? birthInstant : RegistrationFrom;
            var at = i > 0 && rng.Chance(200) && registered[rng.Below(i)] is var earlier && earlier >= from
                ? earlier
                : from + Duration.FromMilliseconds(rng.Below(Math.Max(1, RegistrationTo.ToUnixTimeMilliseconds() - from.ToUnixTimeMilliseconds())));
            registered[i] = at;

            var desired = rng.Chance(1_000) ? StartDate.PlusDays(1 + rng.Below(365)) : StartDate.PlusDays(-rng.Below(730));

            // Application numbers look random but are a bijection of i, hence unique.
            var number = unchecked(((ulong)i * 6_364_136_223UL + numberOffset) % 10_000_000_000UL);
            drafts[i] = new Draft(number, birth, district, firstPreference, prefCount, desired, claims);
        }

        // Log sequence numbers follow registration order (the submission was logged when it
        // arrived), with gaps for the other events in between.
        // The comparison is a total order (index breaks ties), so the result does not depend on
        // the sort algorithm of the runtime.
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            var c = registered[x].CompareTo(registered[y]);
            return c != 0 ? c : x.CompareTo(y);
        });

        // Like RoundBuilder, which lists waiting applications by sequence number from the folded
        // log: the input is in sequence order, and its records, numbers and preference lists are
        // allocated in that order, as a fold allocates them. (The result does not depend on the
        // input order; its memory layout does affect the speed. --shuffle measures the opposite.)
        var result = new Applicant[n];
        for (var rank = 0; rank < n; rank++)
        {
            var i = order[rank];
            var d = drafts[i];
            var number = string.Create(CultureInfo.InvariantCulture, $"KQ-{d.Number:D10}");
            var prefs = new string[d.PreferenceCount];
            for (var j = 0; j < prefs.Length; j++) prefs[j] = kgIds[preferences[d.FirstPreference + j]];
            result[rank] = new Applicant(number, 100 + rank + rank / 7, registered[i], d.BirthMonth, districts[d.District],
                ImmutableCollectionsMarshal.AsImmutableArray(prefs), d.DesiredStart, d.Claims);
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    private readonly record struct Draft(ulong Number, YearMonth BirthMonth, int District, int FirstPreference, int PreferenceCount,
        LocalDate DesiredStart, ImmutableArray<ApplicantClaim> Claims);

    /// <summary>The same region with its applicants in a seeded random order and freshly allocated, so their records lie scattered in memory.</summary>
    public static AllocationInput Shuffle(AllocationInput input, ulong seed)
    {
        var rng = new SplitMix64(seed ^ 0x5DEECE66DUL);
        var applicants = input.Applicants.ToArray();
        for (var i = applicants.Length - 1; i > 0; i--)
        {
            var j = rng.Below(i + 1);
            (applicants[i], applicants[j]) = (applicants[j], applicants[i]);
        }
        for (var i = 0; i < applicants.Length; i++)
        {
            var a = applicants[i];
            applicants[i] = a with { Number = new string(a.Number), Preferences = [.. a.Preferences] };
        }
        return input with { Applicants = ImmutableArray.Create(applicants) };
    }

    private static int PreferenceCount(int percentile) => percentile switch
    {
        < 10 => 1,
        < 25 => 2,
        < 50 => 3,
        < 70 => 4,
        _ => 5,
    };

    private static YearMonth BirthMonth(SplitMix64 rng)
    {
        // Age a at the cut-off 2027-09-01 ⇔ born between (2026 - a)-09 and (2027 - a)-08
        // (the rule counts a child as born on the last day of the birth month).
        var draw = rng.Below(10_000);
        if (draw < 200) return new YearMonth(2026, 9).PlusMonths(rng.Below(8));   // too young: no group
        if (draw < 300) return new YearMonth(2019, 9).PlusMonths(rng.Below(12));  // 7 by the start: archived
        draw = rng.Below(AgeShare.Sum());
        var age = 1;
        var upTo = AgeShare[0];
        while (draw >= upTo)
        {
            upTo += AgeShare[age];
            age++;
        }
        return new YearMonth(2026 - age, 9).PlusMonths(rng.Below(12));
    }
}
