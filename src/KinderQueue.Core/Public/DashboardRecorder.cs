using System.Runtime.InteropServices;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Follows the fold and keeps what the final state does not (SPEC.md §13.3): the monthly flows and
/// the waiting count at each month's end, the first offer of each application with its waiting time,
/// declines and expiries, submissions by channel and how many were backdated, the legal bases of
/// exceptional enrolments, and capacity cuts shortly before each round. Memory is O(applications +
/// months + rounds), never O(entries); <see cref="Observe"/> does O(1) work per application the entry names.
/// </summary>
/// <remarks>
/// Call <see cref="Observe"/> once for every entry, in log order, right after
/// <see cref="QueueState.Apply"/> accepted it, with the state after the entry; then
/// <see cref="Build"/> with that same state gives the dashboard.
/// </remarks>
public sealed class DashboardRecorder
{
    // The order in which channel rows are published: ordinal, as everywhere in the dashboard.
    internal static readonly string[] ChannelOrder = ["centre", "federal", "portal"];

    private readonly Dictionary<string, ApplicationStatus> _status = new(StringComparer.Ordinal);
    private readonly Dictionary<YearMonth, MonthFlows> _months = new();
    private readonly Dictionary<ProgramId, int> _capacity = new();
    private readonly List<CapacityCut> _cuts = [];
    private readonly List<CapacityCutRow> _rounds = [];
    private readonly List<FirstOffer> _firstOffers = [];
    private readonly HashSet<string> _offeredBefore = new(StringComparer.Ordinal);
    // Per application enrolled outside the algorithm, the legal basis of its latest such enrolment.
    private readonly Dictionary<string, string> _legalBases = new(StringComparer.Ordinal);
    private readonly long[] _submittedByChannel = new long[ChannelOrder.Length];
    private readonly long[] _backdatedByChannel = new long[ChannelOrder.Length];
    private DateTimeZone _zone = DateTimeZone.Utc;
    // The local day of the last entry as instants [start, end): most entries fall on the same day as
    // the one before, so the zone conversion is skipped for them.
    private Instant _dayStart = Instant.MaxValue;
    private Instant _dayEnd = Instant.MinValue;
    private LocalDate _day;
    private MonthFlows? _dayFlows;
    private YearMonth? _firstMonth;
    private YearMonth? _currentMonth;
    private long _waiting;

    /// <summary>Entries observed so far; <see cref="Build"/> needs the state of exactly these entries.</summary>
    public long Observed { get; private set; }

    internal sealed class MonthFlows
    {
        public long Submitted;
        public long Offers;
        public long Declined;
        public long Expired;
        public long Enrolments;
        public long Withdrawals;
        // The waiting count when the log first moved past this month; null while it has not.
        public long? WaitingAtEnd;
    }

    internal readonly record struct CapacityCut(long Seq, LocalDate Date, int Year, int Programs, long Seats);

    internal readonly record struct FirstOffer(string District, LocalDate RoundDate, int WaitDays);

    internal YearMonth? FirstMonth => _firstMonth;
    internal YearMonth? CurrentMonth => _currentMonth;
    internal long WaitingNow => _waiting;
    internal IReadOnlyDictionary<YearMonth, MonthFlows> Months => _months;
    internal IReadOnlyList<FirstOffer> FirstOffers => _firstOffers;
    internal IReadOnlyList<CapacityCutRow> Rounds => _rounds;
    /// <summary>The legal basis of an application's latest enrolment outside the algorithm.</summary>
    internal string LegalBasisOf(string number) => _legalBases[number];
    internal IReadOnlyList<long> SubmittedByChannel => _submittedByChannel;
    internal IReadOnlyList<long> BackdatedByChannel => _backdatedByChannel;

    public void Observe(LogEntry entry, LogEvent e, QueueState after)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(after);
        // Observing out of order or an entry the fold rejected would count what never happened. Entries
        // that took no effect (the parts of a decision before its last, SPEC.md §8.5) are skipped.
        if (entry.Seq < Observed || after.Size != entry.Seq + 1)
            throw new ArgumentException($"Observe entry {Observed} or later after the fold accepted it; got entry {entry.Seq} with a state of {after.Size} entries.", nameof(entry));
        Observed = entry.Seq + 1;

        // The entry's local date, as the fold sees it: in the zone of the criteria published before it (SPEC.md §4.5).
        if (entry.At < _dayStart || entry.At >= _dayEnd)
        {
            _day = entry.At.InZone(_zone).Date;
            _dayStart = _day.AtStartOfDayInZone(_zone).ToInstant();
            _dayEnd = _day.PlusDays(1).AtStartOfDayInZone(_zone).ToInstant();
            var month = new YearMonth(_day.Year, _day.Month);
            AdvanceTo(month);
            _dayFlows = Flows(month);
        }
        var date = _day;
        var flows = _dayFlows!;

        switch (e)
        {
            case CriteriaPublished c:
                _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(c.Criteria.TimeZone) ?? DateTimeZone.Utc;
                _dayStart = Instant.MaxValue; // the next entry's day is taken in the new zone
                _dayEnd = Instant.MinValue;
                break;
            case CapacityLoaded c:
                ObserveCapacity(entry.Seq, date, c);
                break;
            case ApplicationSubmitted a:
                flows.Submitted++;
                var channel = Array.IndexOf(ChannelOrder, a.Channel);
                _submittedByChannel[channel]++;
                // Earlier than its entry: the federal portal's own instant or a migrated queue (SPEC.md §8.3).
                if (a.RegisteredAt < entry.At) _backdatedByChannel[channel]++;
                Transition(a.Number, after, flows);
                break;
            case ApplicationChanged c:
                Transition(c.Number, after, flows);
                break;
            case ApplicationWithdrawn w:
                Transition(w.Number, after, flows);
                break;
            case AllocationDecided d:
                ObserveDecision(entry, d, after, flows);
                break;
            case OfferResponded r:
                if (!r.Accepted) flows.Declined++;
                Transition(r.Number, after, flows);
                break;
            case OffersExpired x:
                flows.Expired += x.Numbers.Length;
                foreach (var n in x.Numbers) Transition(n, after, flows);
                break;
            case EnrolmentConfirmed c:
                Transition(c.Number, after, flows);
                break;
            case EnrolmentExceptional x:
                _legalBases[x.Number] = x.LegalBasis;
                Transition(x.Number, after, flows);
                break;
            default:
                // District and kindergarten registrations and claim reviews change no status.
                break;
        }
    }

    /// <summary>The dashboard as of <paramref name="asOf"/> ("today") from the state of the observed entries.</summary>
    public Dashboard Build(QueueState state, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Size != Observed)
            throw new ArgumentException($"The recorder observed {Observed} entries but the state holds {state.Size}.", nameof(state));
        return DashboardBuilder.Build(this, state, asOf, secondary: true);
    }

    /// <summary>Months move forward with the log: leaving a month records its waiting count.</summary>
    private void AdvanceTo(YearMonth month)
    {
        if (_currentMonth is not { } current)
        {
            _firstMonth = _currentMonth = month;
            return;
        }
        if (month <= current) return;
        Flows(current).WaitingAtEnd = _waiting;
        _currentMonth = month;
    }

    private MonthFlows Flows(YearMonth month)
    {
        if (!_months.TryGetValue(month, out var flows)) _months[month] = flows = new MonthFlows();
        return flows;
    }

    /// <summary>Counts a change of status: the waiting total, withdrawals and enrolments.</summary>
    private void Transition(string number, QueueState after, MonthFlows flows)
    {
        var now = after.Applications[number].Status;
        ref var status = ref CollectionsMarshal.GetValueRefOrAddDefault(_status, number, out var known);
        if (known && status == now) return;
        if (known && status == ApplicationStatus.Waiting) _waiting--;
        if (now == ApplicationStatus.Waiting) _waiting++;
        if (now == ApplicationStatus.Withdrawn) flows.Withdrawals++;
        if (now == ApplicationStatus.Enrolled) flows.Enrolments++;
        status = now;
    }

    private void ObserveDecision(LogEntry entry, AllocationDecided d, QueueState after, MonthFlows flows)
    {
        flows.Offers += d.Offers.Length;
        foreach (var o in d.Offers)
        {
            if (_offeredBefore.Add(o.Number))
            {
                // The wait counts from the later of registration and desired start (an application
                // competes only from its desired start) to the day the offered seat starts.
                var a = after.Applications[o.Number];
                var registered = a.RegisteredAt.InZone(_zone).Date;
                var from = a.DesiredStart > registered ? a.DesiredStart : registered;
                var days = Period.DaysBetween(from, d.StartDate);
                _firstOffers.Add(new FirstOffer(a.District, d.Date, Math.Max(0, days)));
            }
            Transition(o.Number, after, flows);
        }
        foreach (var n in d.Archived) Transition(n, after, flows);

        // Capacity cuts of the round's year, within the log prefix the round was computed on and
        // loaded no earlier than the window before the round's date.
        var windowStart = d.Date.PlusDays(-Dashboard.CapacityCutWindowDays);
        int programs = 0;
        long seats = 0;
        foreach (var cut in _cuts)
        {
            if (cut.Seq < d.Basis && cut.Year == d.Year && cut.Date >= windowStart)
            {
                programs += cut.Programs;
                seats += cut.Seats;
            }
        }
        _rounds.Add(new CapacityCutRow(d.Round, d.Date, d.Year, programs, seats));
    }

    private void ObserveCapacity(long seq, LocalDate date, CapacityLoaded c)
    {
        var cuts = new SortedDictionary<int, (int Programs, long Seats)>();
        foreach (var row in c.Rows)
        {
            var id = new ProgramId(row.Kindergarten, row.Group, row.Year);
            // A reduction lowers seats a program had; a program's first load is never one.
            if (_capacity.TryGetValue(id, out var before) && row.Seats < before)
            {
                var (p, s) = cuts.GetValueOrDefault(row.Year);
                cuts[row.Year] = (p + 1, s + before - row.Seats);
            }
            _capacity[id] = row.Seats;
        }
        foreach (var (year, (p, s)) in cuts) _cuts.Add(new CapacityCut(seq, date, year, p, s));
    }
}
