using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Benchmarks;

/// <summary>
/// A whole public log for the positions benchmark, determined by (applications, seed, shape):
/// every event is offered to the fold while generating and only accepted ones are kept, so the
/// log replays without a rejection.
/// </summary>
/// <remarks>
/// Region: criteria published in December 2026; N/100 kindergartens along a line in N/1000
/// districts (catchment: their own district); seats for 2027 in every (kindergarten, group) for
/// about 40 % of the applications. Applications: 1–5 preferences around home, ages 1–6, 1 %
/// extraordinary, 8 % first, 5 % sibling claims (80 % verified on review), 40 % wanting to
/// start on 1 September. Two shapes:
/// <list type="bullet">
/// <item><c>day</c>: what <c>--demo</c> does on start, on one day: every application imported in
/// registration order (instants over three years), claims reviewed, 5 % withdrawn, one round,
/// 60 % of offers accepted, 15 % declined.</item>
/// <item><c>year</c>: 2027 day by day: submissions spread over the year (3 % backdated by the
/// federal portal), reviews 3–10 days later, 5 % preference changes, 5 % withdrawals, the main
/// round on 15 May and monthly rounds from June, answers within 9 days (70 % accept, 15 %
/// decline, 15 % let the offer expire, expired the next morning), enrolments, a capacity reload
/// on 1 October and the new enrolment year on 1 September.</item>
/// </list>
/// </remarks>
internal sealed class PositionsWorkload
{
    private const string Actor = "department:7f3a9c21";
    private static readonly LocalDate September = new(2027, 9, 1);
    private static readonly LocalDate YearEnd = new(2027, 12, 31);
    private static readonly LocalDate FirstDay = new(2027, 1, 11);

    private readonly SplitMix64 _rng;
    private readonly CriteriaDocument _criteria;
    private readonly QueueState _state = new();
    private readonly LogChain _chain = new();
    private readonly List<(LogEntry Entry, LogEvent Event)> _log = [];
    private readonly SortedDictionary<LocalDate, List<Func<LogEvent?>>> _agenda = [];
    private readonly string[] _kindergartens;
    private readonly string[] _districts;
    private Instant _clock;
    private int _numbers;

    public int Rejected { get; private set; }

    private PositionsWorkload(CriteriaDocument criteria, int applications, ulong seed)
    {
        _rng = new SplitMix64(seed);
        _criteria = criteria;
        _kindergartens = [.. Enumerable.Range(0, Math.Max(10, applications / 100)).Select(k => string.Create(CultureInfo.InvariantCulture, $"kg-{k:D4}"))];
        _districts = [.. Enumerable.Range(0, Math.Max(3, applications / 1000)).Select(d => string.Create(CultureInfo.InvariantCulture, $"d-{d:D2}"))];
    }

    public static (List<(LogEntry Entry, LogEvent Event)> Log, int Rejected) Generate(CriteriaDocument criteria, int applications, ulong seed, bool oneDay)
    {
        var w = new PositionsWorkload(criteria, applications, seed);
        w.Register();
        if (oneDay) w.OneDay(applications);
        else w.OneYear(applications);
        return (w._log, w.Rejected);
    }

    private void Register()
    {
        _clock = Instant.FromUtc(2026, 12, 1, 6, 0);
        Append(new CriteriaPublished(_criteria));
        foreach (var d in _districts) Append(new DistrictRegistered(d, d));
        for (var k = 0; k < _kindergartens.Length; k++)
        {
            var district = DistrictOf(k);
            Append(new KindergartenRegistered(_kindergartens[k], _kindergartens[k], district, [district]));
        }
        Append(new CapacityLoaded("annual-plan", [.. Seats(2027, 0)]));
    }

    /// <summary>Seats per (kindergarten, group): about 0.4 × N in all, more for the younger groups.</summary>
    private IEnumerable<CapacityRow> Seats(int year, int salt)
    {
        // 0.4 × N seats over N/100 kindergartens is 40 per kindergarten, shared by these weights (sum 20).
        int[] weight = [8, 5, 3, 2, 2];
        for (var k = 0; k < _kindergartens.Length; k++)
        {
            for (var g = 0; g < _criteria.AgeRule.Groups.Length; g++)
            {
                var mean = 40 * weight[Math.Min(g, weight.Length - 1)] / 20;
                yield return new CapacityRow(_kindergartens[k], _criteria.AgeRule.Groups[g].Id, year, Math.Max(0, mean / 2 + _rng.Below(mean + 1) + salt));
            }
        }
    }

    private string DistrictOf(int kindergarten) => _districts[(int)((long)kindergarten * _districts.Length / _kindergartens.Length)];

    private void OneDay(int applications)
    {
        _clock = FirstDay.AtMidnight().InUtc().ToInstant() + Duration.FromHours(5);
        // Imported in registration order, as --demo does: instants over the three years before.
        var from = Instant.FromUtc(2024, 1, 10, 0, 0);
        var span = (_clock - from).BclCompatibleTicks / Math.Max(1, applications);
        var numbers = new List<string>();
        for (var i = 0; i < applications; i++)
        {
            var registeredAt = from + Duration.FromTicks(span * i + _rng.Below(1000L) * NodaConstants.TicksPerMillisecond);
            if (Submit(FirstDay, registeredAt, (int)(i * 1000L / applications)) is { } n) numbers.Add(n);
        }
        foreach (var a in numbers.Select(n => _state.Applications[n]).Where(a => a.Claims.Length > 0).ToList())
        {
            for (var c = 0; c < a.Claims.Length; c++) Append(Review(a.Number, c, _rng.Chance(8_000)));
        }
        foreach (var n in numbers.Where(_ => _rng.Chance(500)).ToList()) Append(new ApplicationWithdrawn(n, "parent-request"));
        var round = Rounds.Decide(_state, "demo", FirstDay, September).GetValueOrThrow();
        Append(round.Decision);
        foreach (var o in round.Decision.Offers)
        {
            var draw = _rng.Below(100);
            if (draw < 75) Append(new OfferResponded(o.Number, draw < 60));
        }
    }

    private void OneYear(int applications)
    {
        var days = Period.DaysBetween(FirstDay, YearEnd) + 1;
        var rounds = 0;
        for (var day = FirstDay; day <= YearEnd; day = day.PlusDays(1))
        {
            _clock = day.AtMidnight().InUtc().ToInstant() + Duration.FromHours(5);
            // Morning: offers whose deadline passed.
            var expired = _state.Applications.Values.Where(a => a.Status == ApplicationStatus.Offered && a.Placement!.Deadline < day)
                .Select(a => a.Number).Order(StringComparer.Ordinal).ToImmutableArray();
            if (expired.Length > 0) Append(new OffersExpired(day, expired));
            if (day == new LocalDate(2027, 10, 1)) Append(new CapacityLoaded("renovation", [.. Seats(2027, 1).Where(_ => _rng.Chance(3_000))]));
            if (_agenda.Remove(day, out var due))
            {
                foreach (var make in due)
                {
                    if (make() is { } e) Append(e);
                }
            }
            var today = (int)((long)applications * (Period.DaysBetween(FirstDay, day) + 1) / days) - _numbers;
            for (var i = 0; i < today; i++)
            {
                var registeredAt = _rng.Chance(300) ? _clock - Duration.FromDays(1 + _rng.Below(700)) : _clock;
                Submit(day, registeredAt, 0);
            }
            var roundDay = day == new LocalDate(2027, 5, 15) || (day.Day == 1 && day.Month >= 6);
            if (roundDay)
            {
                var start = day > September ? day : September;
                var outcome = Rounds.Decide(_state, $"round-{++rounds}", day, start);
                if (outcome.Success && Append(outcome.Value!.Decision)) Answer(day, outcome.Value.Decision);
            }
        }
    }

    /// <summary>Schedules the answers to a round's offers: accept, decline, or nothing (then it expires).</summary>
    private void Answer(LocalDate day, AllocationDecided decision)
    {
        foreach (var o in decision.Offers)
        {
            var draw = _rng.Below(100);
            var when = day.PlusDays(1 + _rng.Below(9));
            if (draw >= 85) continue;
            var accept = draw < 70;
            Schedule(when, () => _state.Applications[o.Number].Status == ApplicationStatus.Offered ? new OfferResponded(o.Number, accept) : null);
            if (accept)
            {
                var enrol = when > September ? when.PlusDays(7) : September;
                Schedule(enrol, () => _state.Applications[o.Number].Status == ApplicationStatus.Accepted ? new EnrolmentConfirmed(o.Number) : null);
            }
        }
    }

    private string? Submit(LocalDate day, Instant registeredAt, int ageSalt)
    {
        var number = string.Create(CultureInfo.InvariantCulture, $"A-{++_numbers:D6}");
        var home = _rng.Below(_kindergartens.Length);
        var prefCount = 1 + _rng.Below(5);
        var prefs = new List<string>();
        for (var attempts = 0; prefs.Count < prefCount && attempts < 50; attempts++)
        {
            var offset = _rng.Below(7) + _rng.Below(7) - 6;
            var kg = _kindergartens[Math.Clamp(home + offset, 0, _kindergartens.Length - 1)];
            if (!prefs.Contains(kg)) prefs.Add(kg);
        }
        var claims = ImmutableArray<PriorityClaim>.Empty;
        var claimDraw = _rng.Below(100);
        if (claimDraw < 1) claims = [new PriorityClaim("extraordinary", null)];
        else if (claimDraw < 9) claims = [new PriorityClaim("first", null)];
        else if (claimDraw < 14) claims = [new PriorityClaim("sibling", prefs[0])];
        // 12..76 months old today: from the early group to the oldest who may still apply.
        var birth = new YearMonth(day.Year, day.Month).PlusMonths(-(12 + (_rng.Below(40) + _rng.Below(26) + ageSalt) % 65));
        var desired = _rng.Chance(4_000) && September > day ? September : day;
        var e = new ApplicationSubmitted(number, "new", _rng.Chance(2_000) ? "centre" : "portal", Encoding(registeredAt), birth,
            DistrictOf(home), [.. prefs], desired, claims, new string('a', 64));
        if (!Append(e)) return null;
        for (var c = 0; c < claims.Length; c++)
        {
            var claim = c;
            Schedule(day.PlusDays(3 + _rng.Below(8)), () => _state.Applications[number].IsClosed ? null : Review(number, claim, _rng.Chance(8_000)));
        }
        if (_rng.Chance(500))
        {
            Schedule(day.PlusDays(10 + _rng.Below(110)), () =>
            {
                var a = _state.Applications[number];
                if (a.Status is not (ApplicationStatus.Waiting or ApplicationStatus.Paused)) return null;
                var extra = _kindergartens[_rng.Below(_kindergartens.Length)];
                ImmutableArray<string> changed = a.Preferences.Contains(extra) || a.Preferences.Length == 5 ? [.. a.Preferences.Reverse()] : [.. a.Preferences, extra];
                var when = _state.LocalDate(_clock);
                return new ApplicationChanged(number, changed, a.DesiredStart < when ? when : a.DesiredStart);
            });
        }
        if (_rng.Chance(500)) Schedule(day.PlusDays(5 + _rng.Below(200)), () => _state.Applications[number].IsClosed ? null : new ApplicationWithdrawn(number, "parent-request"));
        return number;
    }

    /// <summary>A claim review with a code of the published claim-review list (SPEC.md §4.6), as the fold requires.</summary>
    private static ClaimReviewed Review(string number, int claim, bool verified) =>
        new(number, claim, verified, verified ? "document-confirmed" : "document-missing");

    private static Instant Encoding(Instant at) => Instant.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private void Schedule(LocalDate day, Func<LogEvent?> make)
    {
        if (day > YearEnd) return;
        if (!_agenda.TryGetValue(day, out var list)) _agenda[day] = list = [];
        list.Add(make);
    }

    /// <summary>Appends the entries the service writes for the event (a large decision, load or expiry in several, SPEC.md §8.5).</summary>
    private bool Append(LogEvent e)
    {
        var parts = EntrySplit.ForEntries(e);
        if (parts.Count == 1) return AppendEntry(e);
        foreach (var part in parts)
        {
            if (!AppendEntry(part)) return false;
        }
        return true;
    }

    private bool AppendEntry(LogEvent e)
    {
        var at = Instant.FromUnixTimeMilliseconds(_clock.ToUnixTimeMilliseconds());
        var entry = new LogEntry(_state.Size, at, Actor, e.Type, EventCodec.Encode(e), _chain.Head.ToArray());
        if (_state.Apply(entry, e) is not null)
        {
            Rejected++;
            return false;
        }
        _chain.Append(at, Actor, e);
        _log.Add((entry, e));
        _clock += Duration.FromSeconds(1);
        return true;
    }
}
