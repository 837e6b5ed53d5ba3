// The queue index as it was before crossings were stored per queue (main at e687a55): each batch
// wrote a step to every member it passed. Kept verbatim, renamed, as the reference model of
// EagerIndexPropertyTests; do not optimise it.
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using NodaTime;

using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public.Eager;

internal sealed partial class EagerQueueIndex
{
    /// <summary>Applications by the next date on which the calendar may change their memberships; stale entries are skipped.</summary>
    private readonly PriorityQueue<int, LocalDate> _wakes = new();

    /// <summary>
    /// Brings the index from its date to <paramref name="target"/> with the criteria versions
    /// published before entry <paramref name="excludeSeq"/> (SPEC.md §12.2). Forward, it visits in
    /// date order only the dates on which something can change: a criteria version taking effect
    /// (everything is recomputed) or an application reaching its next enrolment year or the archive
    /// age (only those are recomputed). Backward (a later criteria version moved the time zone), it
    /// recomputes everything on the earlier date.
    /// </summary>
    private void AdvanceCore(LocalDate target, IReadOnlyList<(long Seq, CriteriaDocument Criteria)> versions, long excludeSeq)
    {
        if (_asOf is not { } asOf)
        {
            var (c, s) = InForce(versions, target, excludeSeq);
            FullRecompute(target, c, Reason.Criteria, -1, s);
            return;
        }
        if (target < asOf)
        {
            var (c, s) = InForce(versions, target, excludeSeq);
            FullRecompute(target, c, ReferenceEquals(c, _criteria) ? Reason.Calendar : Reason.Criteria, -1, s);
            return;
        }
        while (true)
        {
            var effective = NextEffective(versions, excludeSeq, _asOf!.Value);
            var wake = NextWake();
            if (effective is { } f && (wake is null || f <= wake.Value))
            {
                if (f > target) break;
                var (c, s) = InForce(versions, f, excludeSeq);
                FullRecompute(f, c, Reason.Criteria, -1, s);
            }
            else if (wake is { } w && w <= target)
            {
                CalendarStep(w);
            }
            else
            {
                break;
            }
        }
        _asOf = target;
    }

    /// <summary>The criteria in force on a date (SPEC.md §4.5) among the versions published before <paramref name="excludeSeq"/>, with the seq of its publication.</summary>
    private static (CriteriaDocument? Criteria, long Seq) InForce(IReadOnlyList<(long Seq, CriteriaDocument Criteria)> versions, LocalDate date, long excludeSeq)
    {
        CriteriaDocument? best = null;
        long seq = -1;
        foreach (var (s, c) in versions)
        {
            if (s == excludeSeq) continue;
            if (c.EffectiveFrom <= date && (best is null || c.EffectiveFrom >= best.EffectiveFrom))
            {
                best = c;
                seq = s;
            }
        }
        return (best, seq);
    }

    private static LocalDate? NextEffective(IReadOnlyList<(long Seq, CriteriaDocument Criteria)> versions, long excludeSeq, LocalDate after)
    {
        LocalDate? next = null;
        foreach (var (s, c) in versions)
        {
            if (s != excludeSeq && c.EffectiveFrom > after && (next is null || c.EffectiveFrom < next)) next = c.EffectiveFrom;
        }
        return next;
    }

    private LocalDate? NextWake()
    {
        while (_wakes.TryPeek(out var id, out var date))
        {
            if (_apps[id].Wake == date) return date;
            _wakes.Dequeue();
        }
        return null;
    }

    /// <summary>One calendar date: the applications whose wake date it is are recomputed together.</summary>
    private void CalendarStep(LocalDate date)
    {
        _asOf = date;
        var due = new List<AppEntry>();
        while (_wakes.TryPeek(out var id, out var wake) && wake <= date)
        {
            _wakes.Dequeue();
            var app = _apps[id];
            if (app.Wake != wake) continue;
            app.Wake = null;
            due.Add(app);
        }
        var moves = _moves;
        foreach (var app in due) Recompute(app, Reason.Calendar, Reason.Calendar, moves);
        ProcessMoves(new Source(date, -1, -1), moves);
    }

    /// <summary>
    /// Everything recomputed on <paramref name="date"/> under <paramref name="criteria"/> (the first
    /// observation, a criteria change, or a date that went back): every membership is a move.
    /// </summary>
    private void FullRecompute(LocalDate date, CriteriaDocument? criteria, Reason reason, long seq, long criteriaSeq)
    {
        _asOf = date;
        _criteria = criteria;
        _tiers = criteria is null ? null : new TierResolver(criteria, _kindergartens.Values);
        _wakes.Clear();
        var moves = _moves;
        foreach (var app in _apps)
        {
            app.Wake = null;
            Recompute(app, reason, reason, moves, force: true);
        }
        ProcessMoves(new Source(date, seq, reason == Reason.Criteria ? criteriaSeq : -1), moves);
    }

    /// <summary>
    /// The next date after which this application's memberships can differ with the calendar alone:
    /// from = max(desired start, asOf) is constant or follows the date, so only the next cut-off
    /// (a new enrolment year, hence age group) and the archive age can change them (SPEC.md §7.6).
    /// </summary>
    private void ScheduleWake(AppEntry app)
    {
        var wake = WakeOf(app.Record);
        // An entry that leaves the date as it was (a claim review, say) queues nothing new.
        if (wake == app.Wake) return;
        app.Wake = wake;
        if (wake is { } w) _wakes.Enqueue(app.Id, w);
    }

    private LocalDate? WakeOf(ApplicationRecord r)
    {
        if (_criteria is null || _asOf is not { } asOf || r.Status != ApplicationStatus.Waiting) return null;
        var rule = _criteria.AgeRule;
        var from = r.DesiredStart > asOf ? r.DesiredStart : asOf;
        var archive = ArchiveDate(r.BirthMonth, rule.ArchiveAge);
        // Past the archive age an application never joins a queue again under these criteria.
        if (archive <= from) return null;
        var cutoff = AgeCalculator.CutoffDate(rule, AgeCalculator.EnrolmentYear(rule, from) + 1);
        return cutoff < archive ? cutoff : archive;
    }

    /// <summary>The first date on which the child is <paramref name="age"/> (SPEC.md §4.2: born on the last day of the birth month).</summary>
    internal static LocalDate ArchiveDate(YearMonth birth, int age)
    {
        var born = birth.OnDayOfMonth(birth.Calendar.GetDaysInMonth(birth.Year, birth.Month));
        var date = born.PlusYears(age);
        // 29 February + n years is 28 February in a common year, when the child is not that old yet.
        while (AgeCalculator.AgeOn(birth, date) < age) date = date.PlusDays(1);
        return date;
    }

    /// <summary>A kindergarten registered or re-registered: its catchment may change the catchment tier of its queues' members.</summary>
    private void Reregistered(KindergartenRegistered k, List<Move> moves)
    {
        _kindergartens[k.Id] = new KindergartenInfo(k.Id, k.District, k.Catchment);
        if (_criteria is null) return;
        _tiers = new TierResolver(_criteria, _kindergartens.Values);
        if (!_queuesByKindergarten.TryGetValue(k.Id, out var queues)) return;
        var apps = new SortedSet<int>();
        foreach (var q in queues)
        {
            foreach (var (_, track) in _queues[q].Members.InOrder()) apps.Add(_tracks[track].App);
        }
        foreach (var id in apps) Recompute(_apps[id], Reason.Catchment, Reason.Catchment, moves);
    }

    /// <summary>A capacity load: a context step for every member of a queue whose program's seats changed.</summary>
    private void CapacityContext(CapacityLoaded c, Source source)
    {
        Span<ReasonShare> share = [new ReasonShare(Reason.Capacity, 0, source.ReasonSeq)];
        foreach (var row in c.Rows)
        {
            var id = new ProgramId(row.Kindergarten, row.Group, row.Year);
            int? before = _capacity.TryGetValue(id, out var seats) ? seats : null;
            _capacity[id] = row.Seats;
            if (before == row.Seats) continue;
            if (!_queueIds.TryGetValue((row.Kindergarten, row.Group, row.Year), out var queue)) continue;
            var rank = 0;
            foreach (var (_, track) in _queues[queue].Members.InOrder())
            {
                var t = _tracks[track];
                rank++;
                t.Steps.Append(source.Date, source.Seq, rank, rank, t.Queue, t.Tier, 0, before, row.Seats, share);
            }
        }
    }
}
