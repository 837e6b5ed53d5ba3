using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Signals;

/// <summary>The rules of SPEC.md §17.3, each kept incrementally.</summary>
public sealed partial class SignalLedger
{
    // Raw facts the rules look back on, kept whatever the thresholds (they are small: one item per
    // capacity cut, verified claim, staff change).
    private readonly Dictionary<ProgramId, int> _capacity = new();
    private readonly List<(long Seq, LocalDate Date, int Year, long Seats)> _cuts = [];
    private readonly Dictionary<string, List<(long Seq, LocalDate Date, int Claim)>> _verifiedClaims = new(StringComparer.Ordinal);
    private readonly List<(long Seq, LocalDate Date, string Actor)> _staffChanges = [];
    private readonly Dictionary<(string Kindergarten, int Year), LocalDate> _firstLoad = new();
    private readonly Dictionary<string, (long Seq, LocalDate Date)> _registered = new(StringComparer.Ordinal);

    // Counters of the count rules, with the entries counted while the signal is not raised yet.
    private readonly Dictionary<(string Channel, string Actor, YearMonth Month), Pending> _backdated = new();
    private readonly Dictionary<YearMonth, long> _verifiedInMonth = new();
    private readonly Dictionary<(string Actor, YearMonth Month), Pending> _verifiedByStaff = new();
    private readonly Dictionary<(string Kindergarten, YearMonth Month), Pending> _verifiedAtKindergarten = new();
    private readonly Dictionary<(string Kindergarten, int Year), Pending> _exceptional = new();
    // Capacity-not-loaded signals still waiting for their load: (kindergarten, year) → the deadline.
    private readonly Dictionary<(string Kindergarten, int Year), LocalDate> _lateOpen = new();

    private LocalDate? _latestDate;
    private bool _roundSeen;

    /// <summary>A count and, until its signal is raised, the entries counted.</summary>
    private sealed class Pending
    {
        public long Count;
        public List<long> Seqs { get; } = [];
    }

    private void ObserveRules(LogEntry entry, LogEvent e, QueueState after, LocalDate date, SignalThresholds? t)
    {
        switch (e)
        {
            case KindergartenRegistered k:
                _registered.TryAdd(k.Id, (entry.Seq, date));
                break;
            case CapacityLoaded c:
                ObserveCapacity(entry, date, c);
                break;
            case ApplicationSubmitted a:
                if (t is not null) Backdated(entry, a, date, t);
                break;
            case ClaimReviewed r when r.Verified:
                ClaimVerified(entry, r, after, date, t);
                break;
            case ApplicationChanged or ApplicationWithdrawn when IsStaff(entry.Actor):
                _staffChanges.Add((entry.Seq, date, entry.Actor));
                break;
            case EnrolmentExceptional x:
                if (t is not null) Exceptional(entry, x, after, t);
                break;
            case AllocationDecided d:
                if (t is not null) Round(entry, d, after, t);
                _roundSeen = true;
                break;
        }
        if (t is not null)
        {
            Deadlines(entry, after, date, t);
            PositionLoss(entry, date, t);
        }
        if (_latestDate is not { } latest || date > latest) _latestDate = date;
    }

    /// <summary>
    /// Staff act under their role's pseudonym; parents, the service itself and the federal portal's
    /// account (which relays what parents do there) are not staff (SPEC.md §6.1, §17.3.8).
    /// </summary>
    public static bool IsStaff(string actor)
    {
        var colon = actor.IndexOf(':', StringComparison.Ordinal);
        var role = colon < 0 ? actor : actor[..colon];
        return role is not ("parent" or "system" or "federal-portal");
    }

    /// <summary>Counts an entry for a count rule; true with the pending entries when the count passes <paramref name="max"/>.</summary>
    private static bool Count(Pending p, long seq, long max, out List<long> seqs)
    {
        p.Count++;
        p.Seqs.Add(seq);
        seqs = p.Seqs;
        return p.Count > max;
    }

    private static void Flush(Pending p) => p.Seqs.Clear();

    private static YearMonth MonthOf(LocalDate date) => new(date.Year, date.Month);

    // §17.3.1 (raw facts): seats removed per enrolment year by one load.
    private void ObserveCapacity(LogEntry entry, LocalDate date, CapacityLoaded c)
    {
        var cuts = new SortedDictionary<int, long>();
        foreach (var row in c.Rows)
        {
            var id = new ProgramId(row.Kindergarten, row.Group, row.Year);
            if (_capacity.TryGetValue(id, out var before) && row.Seats < before)
                cuts[row.Year] = cuts.GetValueOrDefault(row.Year) + before - row.Seats;
            _capacity[id] = row.Seats;
            _firstLoad.TryAdd((row.Kindergarten, row.Year), date);
            // §17.3.5: a late load joins the signal that its absence raised.
            if (_lateOpen.Remove((row.Kindergarten, row.Year), out var deadline))
            {
                var late = FindSignal(SignalKinds.CapacityNotLoaded, row.Kindergarten, row.Year);
                if (late is not null) Hit(entry, SignalKinds.CapacityNotLoaded, late.Subject, Period.DaysBetween(deadline, date), 0, []);
            }
        }
        foreach (var (year, seats) in cuts) _cuts.Add((entry.Seq, date, year, seats));
    }

    private Record? FindSignal(string kind, string kindergarten, int year) =>
        _records.FirstOrDefault(r => r.Kind == kind && r.Subject.Kindergarten == kindergarten && r.Subject.Year == year);

    // §17.3.2: registrations recorded by staff and dated earlier than their entry by more than the published gap, per channel, actor and month.
    private void Backdated(LogEntry entry, ApplicationSubmitted a, LocalDate date, SignalThresholds t)
    {
        // Before the first round the log loads the queue that existed before the service (a migration):
        // its registrations keep their historical instants by design.
        if (!_roundSeen) return;
        // Only staff can date a registration: the federal portal relays the instant the parent
        // registered there (legitimately earlier), and a parent's own submission is dated now.
        if (!IsStaff(entry.Actor)) return;
        if (entry.At - a.RegisteredAt <= Duration.FromHours(t.BackdateMinHours)) return;
        var key = (a.Channel, entry.Actor, MonthOf(date));
        if (!_backdated.TryGetValue(key, out var p)) _backdated[key] = p = new Pending();
        if (!Count(p, entry.Seq, t.BackdateMaxCount, out var seqs)) return;
        Hit(entry, SignalKinds.BackdatedRegistrations, new SignalSubject(Actor: entry.Actor, Channel: a.Channel, Month: key.Item3),
            p.Count, t.BackdateMaxCount, seqs);
        Flush(p);
    }

    // §17.3.3 and §17.3.4 (raw facts).
    private void ClaimVerified(LogEntry entry, ClaimReviewed r, QueueState after, LocalDate date, SignalThresholds? t)
    {
        if (!_verifiedClaims.TryGetValue(r.Number, out var list)) _verifiedClaims[r.Number] = list = [];
        list.Add((entry.Seq, date, r.Claim));
        if (t is null) return;

        var month = MonthOf(date);
        var region = _verifiedInMonth[month] = _verifiedInMonth.GetValueOrDefault(month) + 1;
        var app = after.Applications[r.Number];
        var kg = app.Claims[r.Claim].Kindergarten ?? app.Preferences[0];

        var staffKey = (entry.Actor, month);
        if (!_verifiedByStaff.TryGetValue(staffKey, out var staff)) _verifiedByStaff[staffKey] = staff = new Pending();
        Count(staff, entry.Seq, long.MaxValue, out _);
        if (staff.Count > t.ClaimBurstMaxCount && staff.Count * 100 > (long)t.ClaimBurstStaffSharePercent * region)
        {
            Hit(entry, SignalKinds.ClaimBurstStaff, new SignalSubject(Actor: entry.Actor, Month: month), staff.Count, t.ClaimBurstMaxCount, staff.Seqs);
            Flush(staff);
        }

        var kgKey = (kg, month);
        if (!_verifiedAtKindergarten.TryGetValue(kgKey, out var atKg)) _verifiedAtKindergarten[kgKey] = atKg = new Pending();
        Count(atKg, entry.Seq, long.MaxValue, out _);
        if (atKg.Count > t.ClaimBurstMaxCount && atKg.Count * 100 > (long)t.ClaimBurstKindergartenSharePercent * region)
        {
            Hit(entry, SignalKinds.ClaimBurstKindergarten, new SignalSubject(District: DistrictOf(after, kg), Kindergarten: kg, Month: month),
                atKg.Count, t.ClaimBurstMaxCount, atKg.Seqs);
            Flush(atKg);
        }
    }

    private static string? DistrictOf(QueueState state, string kindergarten) =>
        state.Kindergartens.TryGetValue(kindergarten, out var k) ? k.District : null;

    // §17.3.6: enrolments outside the algorithm at one kindergarten for one year.
    private void Exceptional(LogEntry entry, EnrolmentExceptional x, QueueState after, SignalThresholds t)
    {
        var key = (x.Kindergarten, x.Year);
        if (!_exceptional.TryGetValue(key, out var p)) _exceptional[key] = p = new Pending();
        if (!Count(p, entry.Seq, t.ExceptionalMaxPerKindergartenYear, out var seqs)) return;
        Hit(entry, SignalKinds.ExceptionalEnrolments, new SignalSubject(District: DistrictOf(after, x.Kindergarten), Kindergarten: x.Kindergarten, Year: x.Year),
            p.Count, t.ExceptionalMaxPerKindergartenYear, seqs);
        Flush(p);
    }

    /// <summary>Within the window before a round: in the prefix it was computed on, dated no earlier than <paramref name="days"/> before its date.</summary>
    private static bool BeforeRound(long seq, LocalDate date, AllocationDecided d, int days) =>
        seq < d.Basis && date >= d.Date.PlusDays(-days);

    // §17.3.1, §17.3.4, §17.3.7: the rules a round raises.
    private void Round(LogEntry entry, AllocationDecided d, QueueState after, SignalThresholds t)
    {
        var round = new SignalSubject(Round: d.Round, Year: d.Year);

        var cutSeqs = new List<long>();
        long seats = 0;
        foreach (var cut in _cuts)
        {
            if (cut.Year != d.Year || !BeforeRound(cut.Seq, cut.Date, d, t.CapacityCutWindowDays)) continue;
            cutSeqs.Add(cut.Seq);
            seats += cut.Seats;
        }
        if (seats > t.CapacityCutMinSeats) Hit(entry, SignalKinds.CapacityCutBeforeRound, round, seats, t.CapacityCutMinSeats, cutSeqs);

        LateClaims(entry, d, after, t, round);

        foreach (var g in _staffChanges
                     .Where(c => BeforeRound(c.Seq, c.Date, d, t.StaffChangeWindowDays))
                     .GroupBy(c => c.Actor, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var seqs = g.Select(c => c.Seq).ToList();
            if (seqs.Count > t.StaffChangeMaxCount)
                Hit(entry, SignalKinds.StaffChangesBeforeRound, new SignalSubject(Actor: g.Key, Round: d.Round, Year: d.Year), seqs.Count, t.StaffChangeMaxCount, seqs);
        }
    }

    /// <summary>
    /// §17.3.4: offers of this round to applications with a claim verified within the window before
    /// it, where that claim is what gave the application its tier at the offered kindergarten.
    /// </summary>
    private void LateClaims(LogEntry entry, AllocationDecided d, QueueState after, SignalThresholds t, SignalSubject round)
    {
        var criteria = after.CriteriaInForce(d.Date);
        if (criteria is null || d.Offers.IsEmpty) return;
        TierResolver? resolver = null;
        var seqs = new List<long>();
        var offers = 0;
        foreach (var o in d.Offers)
        {
            if (!_verifiedClaims.TryGetValue(o.Number, out var reviews)) continue;
            var late = reviews.Where(v => BeforeRound(v.Seq, v.Date, d, t.LateClaimWindowDays)).ToList();
            if (late.Count == 0) continue;
            resolver ??= new TierResolver(criteria, after.Kindergartens.Values.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)));
            var app = RoundBuilder.ToApplicant(after.Applications[o.Number]);
            var with = resolver.ForApplicant(app).RankAt(o.Kindergarten);
            var lateClaims = late.Select(v => v.Claim).ToHashSet();
            var without = resolver.ForClaims(app.District, [.. app.Claims.Select((c, i) => lateClaims.Contains(i) ? c with { Verified = false } : c)]).RankAt(o.Kindergarten);
            if (with >= without) continue;
            offers++;
            seqs.AddRange(late.Select(v => v.Seq));
        }
        if (offers > t.LateClaimMaxCount) Hit(entry, SignalKinds.ClaimVerifiedBeforeOffer, round, offers, t.LateClaimMaxCount, seqs);
    }

    /// <summary>
    /// §17.3.5: when the log's date first passes a year's capacity deadline, every kindergarten
    /// registered by then that has loaded no seats for that enrolment year.
    /// </summary>
    private void Deadlines(LogEntry entry, QueueState after, LocalDate date, SignalThresholds t)
    {
        if (_latestDate is not { } latest || date <= latest) return;
        for (var year = latest.Year; year <= date.Year; year++)
        {
            var deadline = new LocalDate(year, t.CapacityDeadlineMonth, t.CapacityDeadlineDay);
            if (deadline < latest || deadline >= date) continue;
            foreach (var kg in after.Kindergartens.Values.OrderBy(k => k.Id, StringComparer.Ordinal))
            {
                if (!_registered.TryGetValue(kg.Id, out var reg) || reg.Date > deadline) continue;
                if (_firstLoad.TryGetValue((kg.Id, year), out var loaded) && loaded <= deadline) continue;
                Hit(entry, SignalKinds.CapacityNotLoaded, new SignalSubject(District: kg.District, Kindergarten: kg.Id, Year: year),
                    Period.DaysBetween(deadline, date), 0, [reg.Seq]);
                if (!_firstLoad.ContainsKey((kg.Id, year))) _lateOpen[(kg.Id, year)] = deadline;
            }
        }
    }

    // §17.3.9: many applications losing many places through one entry.
    private void PositionLoss(LogEntry entry, LocalDate date, SignalThresholds t)
    {
        var losing = _queues.ApplicationsLosingMoreThan(t.PositionLossMinPlaces);
        if (losing > t.PositionLossMaxApplicants)
            Hit(entry, SignalKinds.MassPositionLoss, new SignalSubject(Actor: entry.Actor, Month: MonthOf(date)), losing, t.PositionLossMaxApplicants, []);
    }
}
