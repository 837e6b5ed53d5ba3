using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Events;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>A random region's log and the day its dashboard is built; the failure message names the seed.</summary>
public sealed record RegionCase(int Seed, int Size, RecordedLog Log, LocalDate AsOf)
{
    public override string ToString() =>
        $"RandomRegion.Generate(seed: {Seed}, size: {Size}): {Log.State.Size} entries, {Log.State.Applications.Count} applications, asOf {AsOf:uuuu-MM-dd}";
}

/// <summary>The random regions of the [Property] tests: <see cref="RandomRegion.Cases"/> with sizes 0..40, as the region properties have always used.</summary>
internal static class RegionArbitrary
{
    public static Arbitrary<RegionCase> Cases() => RandomRegion.Cases(maxSize: 40).ToArbitrary();
}

/// <summary>
/// Random valid logs of small regions (1–3 districts, 1–6 kindergartens, up to a few dozen
/// applications), so that most cells of the dashboard are small: a year of submissions through every
/// channel, claim reviews, a main round in May and a re-allocation round in October (with capacity
/// cuts shortly before it), answers, expiries, enrolments, court-ordered enrolments, withdrawals and
/// changes of paused applications. Events the fold rejects are simply left out.
/// </summary>
internal static class RandomRegion
{
    private static readonly string[] Groups = ["early", "junior", "middle", "senior", "preparatory"];
    private static readonly string[] LegalBases = ["court-decision", "prosecutor-order", "transfer"];
    private static readonly LocalDate[] AsOfDates = [new(2027, 3, 15), new(2027, 6, 15), new(2027, 10, 20), new(2027, 12, 1), new(2028, 2, 1)];

    public static Gen<RegionCase> Cases(int maxSize) =>
        from seed in Gen.Choose(0, int.MaxValue - 1)
        from size in Gen.Choose(0, maxSize)
        select Generate(seed, size);

    public static RegionCase Generate(int seed, int size)
    {
        var rng = new Random(seed);
        var log = new RecordedLog();
        log.Ok(RecordedLog.On(2026, 12, 1), new CriteriaPublished(DefaultCriteria.Value));
        var districtCount = rng.Next(1, 4);
        for (var d = 1; d <= districtCount; d++) log.Ok(RecordedLog.On(2026, 12, 2, d), new DistrictRegistered($"d{d}", $"Район {d}"));
        var kgCount = rng.Next(1, 7);
        var kgs = new string[kgCount];
        for (var k = 0; k < kgCount; k++)
        {
            kgs[k] = $"kg-{k + 1}";
            var catchment = Enumerable.Range(1, districtCount).Where(_ => rng.Next(3) == 0).Select(d => $"d{d}").ToArray();
            log.Ok(RecordedLog.On(2026, 12, 3, k), new KindergartenRegistered(kgs[k], $"Детский сад № {k + 1}", $"d{rng.Next(1, districtCount + 1)}", [.. catchment]));
        }
        log.Ok(RecordedLog.On(2026, 12, 4), new CapacityLoaded("annual-plan", [.. Capacity(rng, kgs, 2027)]));

        var numbers = new List<string>();
        var day = new LocalDate(2027, 1, 10);
        var minute = 0;
        Instant Next(LocalDate until)
        {
            // Time moves forward: a few entries a day, never past the phase's last day.
            if (rng.Next(3) == 0 && day < until) day = day.PlusDays(rng.Next(1, 6));
            if (day > until) day = until;
            return RecordedLog.On(day, minute++ % 600);
        }

        // Phase 1, January to April: submissions, reviews, a few withdrawals.
        for (var i = 0; i < size; i++)
        {
            Submit(rng, log, Next(new LocalDate(2027, 4, 28)), $"A-{i + 1}", kgs, districtCount, numbers);
            if (rng.Next(4) == 0) Review(rng, log, Next(new LocalDate(2027, 4, 28)), numbers);
            if (rng.Next(12) == 0) Withdraw(rng, log, Next(new LocalDate(2027, 4, 28)), numbers);
        }
        var main = log.Round("2027-main", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1));

        // Phase 2, May to August: answers, expiries, enrolments, exceptions, late submissions, changes.
        day = new LocalDate(2027, 5, 2);
        var answered = new HashSet<string>();
        foreach (var o in main.Offers)
        {
            if (rng.Next(5) == 0) continue; // no answer: expires
            answered.Add(o.Number);
            log.Try(Next(new LocalDate(2027, 5, 10)), new OfferResponded(o.Number, rng.Next(4) != 0));
        }
        day = new LocalDate(2027, 5, 20);
        log.Try(RecordedLog.On(day), new OffersExpired(day, [.. main.Offers.Select(o => o.Number).Where(n => !answered.Contains(n))]));
        foreach (var o in main.Offers)
        {
            if (rng.Next(6) != 0) log.Try(Next(new LocalDate(2027, 6, 30)), new EnrolmentConfirmed(o.Number));
        }
        for (var i = 0; i < size / 3; i++)
        {
            var at = Next(new LocalDate(2027, 8, 20));
            switch (rng.Next(5))
            {
                case 0:
                    Submit(rng, log, at, $"B-{i + 1}", kgs, districtCount, numbers);
                    break;
                case 1:
                    if (numbers.Count > 0)
                        log.Try(at, new EnrolmentExceptional(numbers[rng.Next(numbers.Count)], kgs[rng.Next(kgCount)], Groups[rng.Next(3)],
                            rng.Next(4) == 0 ? 2026 : 2027, LegalBases[rng.Next(LegalBases.Length)]));
                    break;
                case 2:
                    if (numbers.Count > 0)
                    {
                        var n = numbers[rng.Next(numbers.Count)];
                        log.Try(at, new ApplicationChanged(n, [kgs[rng.Next(kgCount)]], day.PlusDays(rng.Next(0, 60))));
                    }
                    break;
                case 3:
                    Withdraw(rng, log, at, numbers);
                    break;
                default:
                    Review(rng, log, at, numbers);
                    break;
            }
        }

        // Phase 3, September to November: capacity cut days before a re-allocation round, answers.
        day = new LocalDate(2027, 9, 20);
        log.Try(RecordedLog.On(new LocalDate(2027, 9, 27 - rng.Next(0, 10))), new CapacityLoaded("correction",
            [.. Capacity(rng, kgs, 2027).Select(r => r with { Seats = Math.Max(0, r.Seats - rng.Next(0, 3)) })]));
        var october = log.Round("2027-10", new LocalDate(2027, 10, 1), new LocalDate(2027, 10, 1));
        day = new LocalDate(2027, 10, 2);
        foreach (var o in october.Offers)
        {
            log.Try(Next(new LocalDate(2027, 10, 10)), new OfferResponded(o.Number, rng.Next(3) != 0));
            if (rng.Next(2) == 0) log.Try(Next(new LocalDate(2027, 11, 20)), new EnrolmentConfirmed(o.Number));
        }
        for (var i = 0; i < size / 4; i++) Submit(rng, log, Next(new LocalDate(2027, 11, 25)), $"C-{i + 1}", kgs, districtCount, numbers);

        return new RegionCase(seed, size, log, AsOfDates[rng.Next(AsOfDates.Length)]);
    }

    private static IEnumerable<CapacityRow> Capacity(Random rng, string[] kgs, int year) =>
        from kg in kgs
        from g in Groups
        where rng.Next(10) < 7
        select new CapacityRow(kg, g, year, rng.Next(0, 7));

    private static void Submit(Random rng, RecordedLog log, Instant at, string number, string[] kgs, int districtCount, List<string> numbers)
    {
        var date = at.InZone(RecordedLog.Moscow).Date;
        // Ages 1–6 at the 2027 cut-off, sometimes too young for any group.
        var birth = new YearMonth(2020, 9).PlusMonths(rng.Next(0, 84));
        if (birth > new YearMonth(date.Year, date.Month)) birth = new YearMonth(date.Year, date.Month);
        var prefs = kgs.OrderBy(_ => rng.Next()).Take(rng.Next(1, Math.Min(3, kgs.Length) + 1)).ToArray();
        var claims = rng.Next(10) switch
        {
            0 => new[] { new PriorityClaim("extraordinary", null) },
            1 or 2 => [new PriorityClaim("first", null)],
            3 or 4 => [new PriorityClaim("sibling", prefs[rng.Next(prefs.Length)])],
            _ => [],
        };
        var (channel, registeredAt) = rng.Next(10) switch
        {
            < 6 => ("portal", at),
            < 8 => ("centre", rng.Next(2) == 0 ? at : at - Duration.FromMinutes(rng.Next(1, 300))),
            _ => ("federal", at - Duration.FromDays(rng.Next(1, 700))),
        };
        var desired = date.PlusDays(rng.Next(0, 10) < 7 ? rng.Next(0, 200) : rng.Next(200, 500));
        var e = new ApplicationSubmitted(number, rng.Next(10) == 0 ? "transfer" : "new", channel, registeredAt, birth,
            $"d{rng.Next(1, districtCount + 1)}", [.. prefs], desired, [.. claims], new string('0', 64));
        if (log.Try(at, e) is null) numbers.Add(number);
    }

    private static void Review(Random rng, RecordedLog log, Instant at, List<string> numbers)
    {
        if (numbers.Count == 0) return;
        var n = numbers[rng.Next(numbers.Count)];
        if (log.State.Applications[n].Claims.Length == 0) return;
        log.Try(at, new ClaimReviewed(n, 0, rng.Next(4) != 0, rng.Next(4) != 0 ? "document-confirmed" : "not-eligible"));
    }

    private static void Withdraw(Random rng, RecordedLog log, Instant at, List<string> numbers)
    {
        if (numbers.Count == 0) return;
        log.Try(at, new ApplicationWithdrawn(numbers[rng.Next(numbers.Count)], "parent-request"));
    }
}
