using System.Collections.Immutable;
using KinderQueue.Api.Commands;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Api.Demo;

internal sealed record DemoDistrict(string Id, string Name, ImmutableArray<string> Neighbours, int Share);

internal sealed record DemoKindergarten(string Id, string Name, string District, ImmutableArray<string> Catchment, int Popularity);

/// <summary>How the department answers one claim; claims without a review stay pending.</summary>
internal sealed record DemoReview(int Claim, bool Verified, string Reason);

internal sealed record DemoApplication(string Number, SubmissionInput Input, ImmutableArray<DemoReview> Reviews, string? WithdrawalReason);

/// <summary>The seats of one enrolment year, one load per district as district offices send them.</summary>
internal sealed record DemoCapacity(int Year, ImmutableArray<CapacityLoaded> Loads);

/// <summary>
/// The whole synthetic region, decided before anything is appended: a pure function of the seed,
/// the criteria and the days the simulated history starts and ends (ages and dates are relative to them).
/// Applications registered before <see cref="Start"/> are the register the service takes over; the
/// others arrive during the simulated year.
/// </summary>
internal sealed record DemoPlan(
    CriteriaDocument Criteria,
    LocalDate Start,
    LocalDate Today,
    int Year,
    ImmutableArray<DemoDistrict> Districts,
    ImmutableArray<DemoKindergarten> Kindergartens,
    ImmutableArray<DemoCapacity> Capacity,
    ImmutableArray<DemoApplication> Applications)
{
    public const int KindergartenCount = 100;
    public const int ApplicationCount = 10_000;

    /// <summary>Free seats in the region as a share of applications, per 10,000, for an enrolment year loaded before it begins.</summary>
    private const int SeatShare = 4_000;

    /// <summary>
    /// The same for the year already under way when the history starts: in December most groups are
    /// full, so a few vacancies are left and most children wait for the main intake in September
    /// (without this the first round placed most of the register at once and every waiting time
    /// read the same 34 days).
    /// </summary>
    private const int VacancyShare = 1_000;

    private const int MaxSeatsPerProgram = 25;

    /// <summary>Seat weight per age group in the criteria's order: the younger groups take in most children.</summary>
    private static readonly int[] GroupSeatWeight = [160, 100, 60, 50, 40];

    /// <summary>Applicants per 10,000 by age at the cut-off date (0 = too young for any group this year).</summary>
    private static readonly int[] AgeShare = [150, 2_200, 2_200, 1_900, 1_300, 1_100, 900];

    private static readonly int[] ExtraordinaryWeights = [1, 1, 1, 1, 3];
    private static readonly string[] Extraordinary = ["judge", "prosecutor", "investigator", "chernobyl", "fallen-serviceman"];
    private static readonly int[] FirstWeights = [3, 2, 1, 2, 4];
    private static readonly string[] First = ["serviceman", "police", "penitentiary-fire-customs", "disability", "large-family"];

    private static readonly int[] PreferenceCountWeights = [10, 15, 25, 20, 30];

    private const string NumberAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>The seats of <see cref="Year"/>, the enrolment year of today.</summary>
    public ImmutableArray<CapacityLoaded> CapacityLoads => Capacity.FirstOrDefault(c => c.Year == Year)?.Loads ?? [];

    public static DemoPlan Create(CriteriaDocument criteria, LocalDate start, LocalDate today, ulong seed)
    {
        var root = new SplitMix64(seed);
        var regionRng = root.Fork(1);
        var capacityRng = root.Fork(2);
        var applicationRng = root.Fork(3);
        var zone = DateTimeZoneProviders.Tzdb[criteria.TimeZone];
        var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, today);

        var districts = DemoNames.Districts.Select(d => new DemoDistrict(d.Id, d.Name, [.. d.Neighbours], d.Share)).ToImmutableArray();
        var kindergartens = CreateKindergartens(regionRng, districts);
        // Every enrolment year the simulated history runs through has its own seats.
        var capacity = Enumerable.Range(AgeCalculator.EnrolmentYear(criteria.AgeRule, start), year - AgeCalculator.EnrolmentYear(criteria.AgeRule, start) + 1)
            .Select(y => new DemoCapacity(y, CreateCapacity(capacityRng.Fork((ulong)y), criteria, districts, kindergartens, y,
                y == AgeCalculator.EnrolmentYear(criteria.AgeRule, start) ? VacancyShare : SeatShare)))
            .ToImmutableArray();
        var applications = CreateApplications(applicationRng, criteria, zone, start, today, districts, kindergartens);
        return new DemoPlan(criteria, start, today, year, districts, kindergartens, capacity, applications);
    }

    private static ImmutableArray<DemoKindergarten> CreateKindergartens(SplitMix64 rng, ImmutableArray<DemoDistrict> districts)
    {
        // Numbers run across the city as they do in real ones, with gaps where a kindergarten closed.
        var numbers = new HashSet<int>();
        var result = ImmutableArray.CreateBuilder<DemoKindergarten>(KindergartenCount);
        var totalShare = districts.Sum(d => d.Share);
        foreach (var district in districts)
        {
            var count = KindergartenCount * district.Share / totalShare;
            for (var i = 0; i < count; i++)
            {
                int number;
                do number = rng.Between(1, KindergartenCount * 5 / 2); while (!numbers.Add(number));
                var catchment = rng.Chance(2_500)
                    ? ImmutableArray.Create(district.Id, rng.Pick(district.Neighbours))
                    : [district.Id];
                result.Add(new DemoKindergarten($"ds-{number}", $"Детский сад №{number} «{rng.Pick(DemoNames.Kindergartens)}»",
                    district.Id, catchment, rng.Weighted([30, 35, 25, 10]) + 1));
            }
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// Seats for every kindergarten × age group of the enrolment year: proportional to the
    /// kindergarten's size and the group's intake, a few with no free seat, at most 25, in total
    /// <paramref name="share"/> per 10,000 of the applications. One load per district, as district offices send them.
    /// </summary>
    private static ImmutableArray<CapacityLoaded> CreateCapacity(SplitMix64 rng, CriteriaDocument criteria,
        ImmutableArray<DemoDistrict> districts, ImmutableArray<DemoKindergarten> kindergartens, int year, int share)
    {
        var groups = criteria.AgeRule.Groups;
        var weights = new long[kindergartens.Length, groups.Length];
        long totalWeight = 0;
        for (var k = 0; k < kindergartens.Length; k++)
        {
            var size = rng.Between(50, 150);
            for (var g = 0; g < groups.Length; g++)
            {
                var w = rng.Chance(400) ? 0 : (long)size * GroupSeatWeight[Math.Min(g, GroupSeatWeight.Length - 1)] * rng.Between(75, 125);
                weights[k, g] = w;
                totalWeight += w;
            }
        }
        // The cap of 25 seats cuts the largest programs; raise the scale until the total is reached.
        var target = (long)ApplicationCount * share / 10_000;
        var scale = target;
        var seats = new int[kindergartens.Length, groups.Length];
        for (var round = 0; round < 8; round++)
        {
            long total = 0;
            for (var k = 0; k < kindergartens.Length; k++)
            {
                for (var g = 0; g < groups.Length; g++)
                {
                    seats[k, g] = (int)Math.Min(MaxSeatsPerProgram, (weights[k, g] * scale + totalWeight / 2) / totalWeight);
                    total += seats[k, g];
                }
            }
            if (total >= target || total == 0) break;
            scale = scale * target / total + 1;
        }

        var loads = ImmutableArray.CreateBuilder<CapacityLoaded>(districts.Length);
        foreach (var district in districts)
        {
            var rows = ImmutableArray.CreateBuilder<CapacityRow>();
            for (var k = 0; k < kindergartens.Length; k++)
            {
                if (kindergartens[k].District != district.Id) continue;
                for (var g = 0; g < groups.Length; g++) rows.Add(new CapacityRow(kindergartens[k].Id, groups[g].Id, year, seats[k, g]));
            }
            loads.Add(new CapacityLoaded("annual-plan", rows.ToImmutable()));
        }
        return loads.ToImmutable();
    }

    private static ImmutableArray<DemoApplication> CreateApplications(SplitMix64 rng, CriteriaDocument criteria, DateTimeZone zone,
        LocalDate start, LocalDate today, ImmutableArray<DemoDistrict> districts, ImmutableArray<DemoKindergarten> kindergartens)
    {
        var rule = criteria.AgeRule;
        var year = AgeCalculator.EnrolmentYear(rule, today);
        var birthMonths = BirthMonthsByAge(rule, today, year);
        var ageWeights = Enumerable.Range(0, birthMonths.Length)
            .Select(a => birthMonths[a].Count == 0 ? 0 : AgeShare[Math.Min(a, AgeShare.Length - 1)]).ToArray();
        var byDistrict = districts.ToDictionary(d => d.Id, d => kindergartens.Where(k => k.District == d.Id).ToArray(), StringComparer.Ordinal);
        var districtIds = districts.Select(d => d.Id).ToArray();
        var districtWeights = districts.Select(d => d.Share).ToArray();
        var earliestRegistration = today.PlusYears(-3);
        var maxPreferences = Math.Min(criteria.MaxPreferences, PreferenceCountWeights.Length);

        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var drafts = new List<(Instant At, DemoApplication Application)>(ApplicationCount);
        var federalInstants = new List<Instant>();
        for (var i = 0; i < ApplicationCount; i++)
        {
            var number = NewNumber(rng, numbers);
            var district = districts[rng.Weighted(districtWeights)];

            // Birth: the age group follows from the month; the exact day stays private.
            var age = rng.Weighted(ageWeights);
            var month = rng.Pick(birthMonths[age]);
            var birth = new LocalDate(month.Year, month.Month, rng.Between(1, month.Calendar.GetDaysInMonth(month.Year, month.Month)));
            if (birth > today.PlusDays(-7)) birth = today.PlusDays(-7 - rng.Below(21));
            var birthMonth = new YearMonth(birth.Year, birth.Month);

            var channel = rng.Weighted([65, 25, 10]) switch { 0 => "portal", 1 => "centre", _ => "federal" };
            var at = RegisteredAt(rng, zone, channel, Later(earliestRegistration, birth.PlusDays(rng.Between(1, 6))), today.PlusDays(-1));
            // The federal portal hands over applications in batches that share one instant; the log order breaks the tie.
            // (Only in the register taken over: during the simulated year the portal hands each one over as it comes.)
            if (channel == "federal" && at.InZone(zone).Date < start)
            {
                if (federalInstants.Count > 0 && rng.Chance(2_000) && federalInstants[rng.Below(federalInstants.Count)] is var shared
                    && shared >= birth.PlusDays(1).AtStartOfDayInZone(zone).ToInstant()) at = shared;
                federalInstants.Add(at);
            }

            // Most want a seat as soon as possible (from the day the application reaches the log: the
            // register's at the start); about one in ten from a later date, often the next September.
            var submitted = Later(at.InZone(zone).Date, start);
            var desired = submitted;
            var tooYoung = AgeCalculator.GroupFor(rule, birthMonth, year) is null;
            if (rng.Chance(tooYoung ? 6_000 : 1_000))
                desired = rng.Below(2) == 0 ? AgeCalculator.CutoffDate(rule, AgeCalculator.EnrolmentYear(rule, submitted) + 1) : submitted.PlusDays(rng.Between(14, 300));
            if (AgeCalculator.AgeOn(birthMonth, desired) >= rule.ArchiveAge) desired = submitted;

            var preferences = Preferences(rng, district, byDistrict, districtIds, kindergartens, rng.Weighted(PreferenceCountWeights[..maxPreferences]) + 1);
            var (claims, reviews) = Claims(rng, preferences, at.InZone(zone).Date);
            var (child, parent) = DemoNames.Family(rng);
            var input = new SubmissionInput(
                child, birth, parent,
                rng.Chance(8_500) ? DemoNames.Phone(rng) : null,
                rng.Chance(3_500) ? $"demo{i:D5}@example.org" : null,
                district.Id, preferences, desired, claims,
                rng.Chance(400) ? "transfer" : "new",
                channel, at);
            var withdrawal = rng.Chance(100) ? rng.Pick(DemoNames.WithdrawalReasons) : null;
            drafts.Add((at, new DemoApplication(number, input, reviews, withdrawal)));
        }
        // A migration imports the old register in order of registration, so the log order follows it.
        return [.. drafts.Select((d, i) => (d.At, d.Application, i)).OrderBy(d => d.At).ThenBy(d => d.i).Select(d => d.Application)];
    }

    private static LocalDate Later(LocalDate a, LocalDate b) => a > b ? a : b;

    /// <summary>Birth months by age in full years at the cut-off (0 also holds the months after it), of children under the archive age today.</summary>
    private static List<YearMonth>[] BirthMonthsByAge(AgeRule rule, LocalDate today, int year)
    {
        var byAge = Enumerable.Range(0, rule.ArchiveAge).Select(_ => new List<YearMonth>()).ToArray();
        for (var m = new YearMonth(today.Year, today.Month); AgeCalculator.AgeOn(m, today) < rule.ArchiveAge; m = m.PlusMonths(-1))
        {
            var age = Math.Clamp(AgeCalculator.AgeAtCutoff(rule, m, year), 0, rule.ArchiveAge - 1);
            byAge[age].Add(m);
        }
        return byAge;
    }

    private static string NewNumber(SplitMix64 rng, HashSet<string> taken)
    {
        Span<char> chars = stackalloc char[14];
        while (true)
        {
            "KQ-".AsSpan().CopyTo(chars);
            for (var i = 3; i < 14; i++) chars[i] = i == 8 ? '-' : NumberAlphabet[rng.Below(NumberAlphabet.Length)];
            var number = new string(chars);
            if (taken.Add(number)) return number;
        }
    }

    /// <summary>
    /// A registration instant between two dates (inclusive) at an hour that fits the channel: the
    /// portal from early morning to midnight, service centres in office hours, the federal portal at any time.
    /// </summary>
    private static Instant RegisteredAt(SplitMix64 rng, DateTimeZone zone, string channel, LocalDate from, LocalDate to)
    {
        if (from > to) from = to;
        var day = from.PlusDays(rng.Below(Period.DaysBetween(from, to) + 1));
        var (startHour, hours) = channel switch { "portal" => (7, 17), "centre" => (9, 9), _ => (0, 24) };
        var millis = rng.Below((long)hours * 3_600_000);
        return day.At(new LocalTime(startHour, 0)).InZoneLeniently(zone).ToInstant() + Duration.FromMilliseconds(millis);
    }

    /// <summary>1–5 kindergartens: mostly in the home district, some next door, a few across the city; popular ones more often.</summary>
    private static ImmutableArray<string> Preferences(SplitMix64 rng, DemoDistrict home, Dictionary<string, DemoKindergarten[]> byDistrict,
        string[] districtIds, ImmutableArray<DemoKindergarten> all, int count)
    {
        var chosen = new List<string>(count);
        var attempts = 0;
        while (chosen.Count < count)
        {
            var where = rng.Below(100);
            var pool = where < 70 ? byDistrict[home.Id]
                : where < 93 ? byDistrict[rng.Pick(home.Neighbours)]
                : byDistrict[rng.Pick(districtIds)];
            if (attempts++ > 50) pool = [.. all];
            var k = pool[rng.Weighted(pool.Select(p => p.Popularity).ToArray())];
            if (!chosen.Contains(k.Id)) chosen.Add(k.Id);
        }
        return [.. chosen];
    }

    /// <summary>
    /// About 1 % extraordinary, 8 % first priority, 5 % a sibling at a listed kindergarten (some large
    /// families claim both). About 80 % of claims are verified, 8 % rejected, the rest still pending.
    /// </summary>
    private static (ImmutableArray<ClaimInput> Claims, ImmutableArray<DemoReview> Reviews) Claims(SplitMix64 rng, ImmutableArray<string> preferences, LocalDate registered)
    {
        var claims = new List<ClaimInput>();
        var draw = rng.Below(10_000);
        if (draw < 100) claims.Add(Claim(rng, Extraordinary[rng.Weighted(ExtraordinaryWeights)], null, registered));
        else if (draw < 900)
        {
            var category = First[rng.Weighted(FirstWeights)];
            claims.Add(Claim(rng, category, null, registered));
            if (category == "large-family" && rng.Chance(3_000)) claims.Add(Claim(rng, "sibling", Sibling(rng, preferences), registered));
        }
        else if (draw < 1_400) claims.Add(Claim(rng, "sibling", Sibling(rng, preferences), registered));

        var reviews = ImmutableArray.CreateBuilder<DemoReview>();
        for (var c = 0; c < claims.Count; c++)
        {
            var outcome = rng.Below(10_000);
            if (outcome < 8_000) reviews.Add(new DemoReview(c, true, rng.Pick(DemoNames.VerifiedReasons)));
            else if (outcome < 8_800) reviews.Add(new DemoReview(c, false, DemoNames.RejectedReason(claims[c].Category, rng)));
        }
        return ([.. claims], reviews.ToImmutable());
    }

    private static string Sibling(SplitMix64 rng, ImmutableArray<string> preferences) =>
        rng.Below(2) == 0 ? preferences[0] : rng.Pick(preferences);

    private static ClaimInput Claim(SplitMix64 rng, string category, string? kindergarten, LocalDate registered) =>
        new(category, kindergarten, DemoNames.Documents(category, rng, registered.PlusDays(-rng.Between(1, 60))));
}
