using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Benchmarks;

/// <summary>
/// A year of a region's log for the dashboard benchmark, determined by (applications, seed): the
/// <see cref="RegionGenerator"/> region (kindergartens, seats, applicants) turned into events that the
/// fold accepts. Criteria, districts, kindergartens and the 2027 capacity in December 2026; the
/// applications submitted through April 2027 (registration instants as generated, never after the
/// entry; desired starts not before the entry's day) with reviews of the claims the generator marks
/// verified; the main round on 1 May for 1 September; 85 % of offers accepted, 10 % declined, the
/// rest expired; 90 % of acceptances enrolled in June; 0.3 % of waiting applications enrolled by court
/// order; 2 % withdrawn in July; a capacity correction in late September cutting 5 % of programs by
/// one seat, a re-allocation round on 1 October and its answers.
/// </summary>
/// <remarks>
/// Entries carry no payload bytes or chain hashes: the fold and the recorder read the decoded
/// event only, and the benchmark measures those, not encoding or hashing.
/// </remarks>
internal static class DashboardWorkload
{
    public static readonly LocalDate AsOf = new(2027, 11, 15);
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/Moscow"];
    // Codes of the published exceptional-basis list (SPEC.md §4.6): typed text is refused by the fold.
    private static readonly string[] LegalBases = ["court-decision", "prosecutor-order", "transfer"];

    public sealed record Log(List<(LogEntry Entry, LogEvent Event)> Entries, int Rejected, QueueState State);

    public static Log Generate(CriteriaDocument criteria, int applications, ulong seed)
    {
        var region = RegionGenerator.Generate(criteria, applications, seed);
        var rng = new SplitMix64(seed ^ 0xDA5B0A2DUL);
        var builder = new Builder();
        var at = On(new LocalDate(2026, 12, 1));
        builder.Add(at, new CriteriaPublished(criteria));
        foreach (var d in region.Kindergartens.Select(k => k.District).Distinct().Order(StringComparer.Ordinal))
            builder.Add(at, new DistrictRegistered(d, string.Create(CultureInfo.InvariantCulture, $"Район {d}")));
        foreach (var k in region.Kindergartens)
            builder.Add(at, new KindergartenRegistered(k.Id, string.Create(CultureInfo.InvariantCulture, $"Детский сад {k.Id}"), k.District, k.Catchment));
        var year = region.Year;
        builder.Add(at, new CapacityLoaded("annual-plan", [.. region.Programs.Select(p => new CapacityRow(p.Kindergarten, p.Group, year, p.Seats))]));

        // Submissions through January–April 2027, in the generator's order (by registration instant).
        var from = On(new LocalDate(2027, 1, 10));
        var span = (On(new LocalDate(2027, 4, 28)) - from).TotalTicks;
        var n = region.Applicants.Length;
        for (var i = 0; i < n; i++)
        {
            var a = region.Applicants[i];
            var entryAt = from + Duration.FromTicks((long)(span * i / Math.Max(1, n)));
            var today = entryAt.InZone(Zone).Date;
            var registeredAt = a.RegisteredAt < entryAt ? a.RegisteredAt : entryAt;
            var birth = a.BirthMonth <= new YearMonth(today.Year, today.Month) ? a.BirthMonth : new YearMonth(today.Year, today.Month);
            var channel = a.RegisteredAt < entryAt.Minus(Duration.FromDays(30)) && rng.Chance(3_000) ? "federal" : rng.Chance(2_500) ? "centre" : "portal";
            builder.Add(entryAt, new ApplicationSubmitted(a.Number, rng.Chance(1_000) ? "transfer" : "new", channel, registeredAt, birth, a.District,
                a.Preferences, a.DesiredStart < today ? today : a.DesiredStart, [.. a.Claims.Select(c => new PriorityClaim(c.Tier, c.Kindergarten))],
                new string('0', 64)));
            for (var c = 0; c < a.Claims.Length; c++)
            {
                if (a.Claims[c].Verified) builder.Add(entryAt, new ClaimReviewed(a.Number, c, true, "document-confirmed"));
            }
        }

        var main = builder.Round("2027-main", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1));
        var accepted = new List<string>();
        var unanswered = new List<string>();
        at = On(new LocalDate(2027, 5, 5));
        foreach (var o in main.Offers)
        {
            var draw = rng.Below(100);
            if (draw < 85)
            {
                builder.Add(at, new OfferResponded(o.Number, true));
                accepted.Add(o.Number);
            }
            else if (draw < 95) builder.Add(at, new OfferResponded(o.Number, false));
            else unanswered.Add(o.Number);
        }
        builder.Add(On(new LocalDate(2027, 5, 20)), new OffersExpired(new LocalDate(2027, 5, 20), [.. unanswered]));
        at = On(new LocalDate(2027, 6, 10));
        foreach (var number in accepted)
        {
            if (rng.Chance(9_000)) builder.Add(at, new EnrolmentConfirmed(number));
        }
        var waiting = builder.State.Applications.Values.Where(a => a.Status == ApplicationStatus.Waiting).Select(a => a.Number).ToList();
        foreach (var number in waiting)
        {
            var draw = rng.Below(1_000);
            if (draw < 3)
            {
                var a = builder.State.Applications[number];
                builder.Add(On(new LocalDate(2027, 6, 20)), new EnrolmentExceptional(number, a.Preferences[0], "junior", year, LegalBases[rng.Below(LegalBases.Length)]));
            }
            else if (draw < 23) builder.Add(On(new LocalDate(2027, 7, 12)), new ApplicationWithdrawn(number, "parent-request"));
        }

        var cuts = region.Programs.Where(p => p.Seats > 0 && rng.Chance(500)).Select(p => new CapacityRow(p.Kindergarten, p.Group, year, p.Seats - 1)).ToList();
        if (cuts.Count > 0) builder.Add(On(new LocalDate(2027, 9, 27)), new CapacityLoaded("correction", [.. cuts]));
        var october = builder.Round("2027-10", new LocalDate(2027, 10, 1), new LocalDate(2027, 10, 1));
        at = On(new LocalDate(2027, 10, 4));
        foreach (var o in october.Offers) builder.Add(at, new OfferResponded(o.Number, rng.Chance(8_000)));
        return new Log(builder.Entries, builder.Rejected, builder.State);
    }

    private static Instant On(LocalDate date) => date.At(new LocalTime(9, 0)).InZoneLeniently(Zone).ToInstant();

    /// <summary>Folds while it builds, so rounds are decided on the state so far and rejected events are left out.</summary>
    private sealed class Builder
    {
        public QueueState State { get; } = new();
        public List<(LogEntry Entry, LogEvent Event)> Entries { get; } = [];
        public int Rejected { get; private set; }

        public void Add(Instant at, LogEvent e)
        {
            var entry = new LogEntry(State.Size, at, "system:bench", e.Type, ReadOnlyMemory<byte>.Empty, LogEntry.GenesisPrev);
            if (State.Apply(entry, e) is null) Entries.Add((entry, e));
            else Rejected++;
        }

        public AllocationDecided Round(string id, LocalDate date, LocalDate startDate)
        {
            var decision = Rounds.Decide(State, id, date, startDate).GetValueOrThrow().Decision;
            Add(On(date), decision);
            return decision;
        }
    }
}
