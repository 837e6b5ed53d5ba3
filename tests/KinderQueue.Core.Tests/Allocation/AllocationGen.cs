using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Allocation;

/// <summary>An allocation input whose failure message is the scenario JSON, so a counter-example can be replayed with <c>kq allocate</c>.</summary>
public sealed record AllocationCase(AllocationInput Input)
{
    public override string ToString() => System.Text.Encoding.UTF8.GetString(ScenarioWriter.ToJson(Input));
}

/// <summary>Random valid allocation inputs under the default criteria (the rules of ScenarioJson hold for all of them).</summary>
internal static class AllocationGen
{
    public static readonly string[] Groups = ["early", "junior", "middle", "senior", "preparatory"];

    // A small set of registration instants, so that ties on the instant are common and the sequence number decides.
    private static readonly Instant[] RegistrationInstants =
    [
        Instant.FromUtc(2026, 1, 10, 9, 0),
        Instant.FromUtc(2026, 1, 10, 9, 0) + Duration.FromMilliseconds(1),
        Instant.FromUtc(2026, 6, 1, 12, 30),
        Instant.FromUtc(2027, 2, 1, 6, 0),
    ];

    // Enrolment years 2026, 2027 and 2028, with start dates on and around the 1 September cut-off.
    private static readonly LocalDate[] StartDates =
        [new(2027, 6, 1), new(2027, 9, 1), new(2027, 11, 15), new(2028, 3, 1), new(2028, 8, 31), new(2028, 9, 1)];

    public static Gen<AllocationCase> Cases =>
        from startDate in Gen.Elements(StartDates)
        from daysBefore in Gen.Choose(0, 150)
        from districtCount in Gen.Choose(1, 3)
        from kgCount in Gen.Choose(1, 8)
        from kgs in Gen.ArrayOf(Kindergarten(districtCount), kgCount)
        from programs in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(-1)), (3, Gen.Choose(0, 4))), kgCount * Groups.Length)
        from applicantCount in Gen.Choose(0, 60)
        from numbers in Gen.Shuffle(Enumerable.Range(1, applicantCount).ToArray())
        from seqs in Gen.Shuffle(Enumerable.Range(0, applicantCount).Select(i => 3L * i + 5).ToArray())
        from applicants in Gen.ArrayOf(Applicant(startDate, districtCount, kgCount), applicantCount)
        select Build(startDate, daysBefore, kgs, programs, numbers, seqs, applicants);

    public static Arbitrary<AllocationCase> Arbitrary => Cases.ToArbitrary();

    private static Gen<(string District, string[] Catchment)> Kindergarten(int districtCount) =>
        from district in Gen.Choose(1, districtCount)
        from catchment in Gen.SubListOf(Enumerable.Range(1, districtCount).ToArray())
        select ($"d{district}", catchment.Select(d => $"d{d}").ToArray());

    private sealed record ApplicantDraft(Instant RegisteredAt, int BirthYearOffset, int BirthMonth, string District,
        string[] Preferences, int DesiredOffset, ApplicantClaim[] Claims);

    private static Gen<ApplicantDraft> Applicant(LocalDate startDate, int districtCount, int kgCount) =>
        from registeredAt in Gen.Elements(RegistrationInstants)
        // Born 0..8 years before the enrolment year: ages -1..8 at the cut-off, so some are too young and some too old.
        from birthYearOffset in Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 6)), (2, Gen.Choose(7, 8)))
        from birthMonth in Gen.Choose(1, 12)
        from district in Gen.Choose(1, districtCount)
        from prefCount in Gen.Choose(1, Math.Min(5, kgCount))
        from order in Gen.Shuffle(Enumerable.Range(1, kgCount).ToArray())
        from desired in Gen.Frequency((5, Gen.Choose(-400, 0)), (1, Gen.Choose(1, 400)))
        from claimCount in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 3)))
        from claims in Gen.ArrayOf(Claim(kgCount), claimCount)
        select new ApplicantDraft(registeredAt, birthYearOffset, birthMonth, $"d{district}",
            order.Take(prefCount).Select(KgId).ToArray(), desired, claims);

    private static Gen<ApplicantClaim> Claim(int kgCount) =>
        from kind in Gen.Choose(0, 2)
        from kg in Gen.Choose(1, kgCount)
        from verified in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
        select kind switch
        {
            0 => new ApplicantClaim("extraordinary", null, verified),
            1 => new ApplicantClaim("first", null, verified),
            _ => new ApplicantClaim("sibling", KgId(kg), verified),
        };

    public static string KgId(int i) => $"kg-{i}";

    private static AllocationCase Build(LocalDate startDate, int daysBefore, (string District, string[] Catchment)[] kgs,
        int[] programSeats, int[] numbers, long[] seqs, ApplicantDraft[] drafts)
    {
        var criteria = DefaultCriteria.Value;
        var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, startDate);
        var kindergartens = kgs.Select((k, i) => new KindergartenInfo(KgId(i + 1), k.District, [.. k.Catchment])).ToImmutableArray();
        var programs = ImmutableArray.CreateBuilder<ProgramSeats>();
        for (var k = 0; k < kgs.Length; k++)
        {
            for (var g = 0; g < Groups.Length; g++)
            {
                var seats = programSeats[k * Groups.Length + g];
                if (seats >= 0) programs.Add(new ProgramSeats(KgId(k + 1), Groups[g], seats));
            }
        }
        var applicants = drafts.Select((d, i) => new Applicant(
            $"A-{numbers[i]:D4}",
            seqs[i],
            d.RegisteredAt,
            new YearMonth(year - d.BirthYearOffset, d.BirthMonth),
            d.District,
            [.. d.Preferences],
            startDate.PlusDays(d.DesiredOffset),
            [.. d.Claims])).ToImmutableArray();
        return new AllocationCase(new AllocationInput(criteria, startDate.PlusDays(-daysBefore), startDate, kindergartens, programs.ToImmutable(), applicants));
    }
}

/// <summary>Writes an allocation input in the scenario format of ScenarioJson (criteria inline), canonical.</summary>
internal static class ScenarioWriter
{
    public static byte[] ToJson(AllocationInput input)
    {
        var w = new CanonicalJsonWriter(4096);
        w.StartObject();
        w.Key("applicants");
        w.StartArray();
        foreach (var a in input.Applicants)
        {
            w.StartObject();
            w.Property("birthMonth", Formats.Format(a.BirthMonth));
            w.Key("claims");
            w.StartArray();
            foreach (var c in a.Claims)
            {
                w.StartObject();
                if (c.Kindergarten is not null) w.Property("kindergarten", c.Kindergarten);
                w.Property("tier", c.Tier);
                w.Property("verified", c.Verified);
                w.EndObject();
            }
            w.EndArray();
            w.Property("desiredStart", Formats.Format(a.DesiredStart));
            w.Property("district", a.District);
            w.Property("number", a.Number);
            w.StringArray("preferences", a.Preferences);
            w.Property("registeredAt", Formats.Format(a.RegisteredAt));
            w.Property("seq", a.Seq);
            w.EndObject();
        }
        w.EndArray();
        w.Key("criteria");
        CriteriaJson.Write(w, input.Criteria);
        w.Property("date", Formats.Format(input.Date));
        w.Key("kindergartens");
        w.StartArray();
        foreach (var k in input.Kindergartens)
        {
            w.StartObject();
            w.StringArray("catchment", k.Catchment);
            w.Property("district", k.District);
            w.Property("id", k.Id);
            w.EndObject();
        }
        w.EndArray();
        w.Key("programs");
        w.StartArray();
        foreach (var p in input.Programs)
        {
            w.StartObject();
            w.Property("group", p.Group);
            w.Property("kindergarten", p.Kindergarten);
            w.Property("seats", p.Seats);
            w.EndObject();
        }
        w.EndArray();
        w.Property("startDate", Formats.Format(input.StartDate));
        w.EndObject();
        return w.ToArray();
    }
}
