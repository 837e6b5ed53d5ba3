using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// The position history recomputed the slow, obvious way, as a validator would from the spec
/// text (SPEC.md §12): every membership of every application from scratch after every entry and
/// on every single day in between, positions by counting, and each crossing attributed to the
/// application that moved. No incremental structure is shared with <see cref="QueueIndex"/>; only
/// the spec's primitives (ages, tiers, keys) are. Quadratic: for small logs only.
/// </summary>
internal sealed class ReferenceHistory
{
    private sealed record Member(string Group, int Year, PriorityKey Key, string Tier);

    private sealed class Step
    {
        public required LocalDate Date { get; init; }
        public long? FirstSeq { get; init; }
        public long? LastSeq { get; set; }
        public int? Before { get; init; }
        public int? After { get; set; }
        public required string Group { get; init; }
        public required int Year { get; init; }
        public required string Tier { get; init; }
        public string? Status { get; init; }
        public SeatChange? Seats { get; init; }
        public SortedDictionary<int, (int Count, List<long> Seqs, int More)> Reasons { get; } = [];

        public bool Coalescible => Status is null && Seats is null && Reasons.Keys.All(r => PositionReasons.IsCoalescible(PositionReasons.All[r]));
    }

    private Dictionary<(string Number, string Kg), Member> _members = [];
    private Dictionary<string, ApplicationRecord> _records = new(StringComparer.Ordinal);
    private List<KindergartenInfo> _kindergartens = [];
    private readonly Dictionary<ProgramId, int> _capacity = [];
    private readonly Dictionary<(string Number, string Kg), List<Step>> _steps = [];
    private LocalDate? _asOf;
    private CriteriaDocument? _criteria;
    private long _size;

    public void Observe(LogEntry entry, LogEvent e, QueueState after)
    {
        var date = after.LocalDate(entry.At);
        var before = after.CriteriaVersions.Where(v => v.Seq != entry.Seq).ToList();
        Advance(date, before);

        _records = after.Applications.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _kindergartens = [.. after.Kindergartens.Values.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment))];
        var (criteria, published) = InForce(after.CriteriaVersions, date);
        var next = Memberships(criteria, date);
        switch (e)
        {
            case CriteriaPublished:
                if (!ReferenceEquals(criteria, _criteria)) Collective(next, date, entry.Seq, PositionReasons.Criteria, [published]);
                else Same(next);
                break;
            case KindergartenRegistered:
                Collective(next, date, entry.Seq, PositionReasons.Catchment, [entry.Seq]);
                break;
            case CapacityLoaded c:
                Same(next);
                Capacity(c, date, entry.Seq);
                break;
            default:
                Entry(next, date, entry.Seq, Actors(e));
                break;
        }
        _members = next;
        _criteria = criteria;
        _asOf = date;
        _size = entry.Seq + 1;
    }

    public void AdvanceTo(LocalDate today, QueueState state)
    {
        if (_asOf is { } asOf && today > asOf) Advance(today, [.. state.CriteriaVersions]);
    }

    public PositionHistory HistoryOf(string number, QueueState state)
    {
        var listed = state.Applications[number].Preferences;
        var result = ImmutableArray.CreateBuilder<KindergartenHistory>();
        foreach (var kg in listed) result.Add(new KindergartenHistory(kg, true, Steps(number, kg)));
        foreach (var kg in _steps.Keys.Where(k => k.Number == number && !listed.Contains(k.Kg)).Select(k => k.Kg).Order(StringComparer.Ordinal))
            result.Add(new KindergartenHistory(kg, false, Steps(number, kg)));
        return new PositionHistory(number, _asOf!.Value, _size, result.ToImmutable());
    }

    // ------------------------------------------------------------------------------ time

    private void Advance(LocalDate target, List<(long Seq, CriteriaDocument Criteria)> versions)
    {
        if (_asOf is not { } asOf)
        {
            _asOf = target;
            _criteria = InForce(versions, target).Criteria;
            _members = Memberships(_criteria, target);
            return;
        }
        if (target < asOf)
        {
            var (c, s) = InForce(versions, target);
            var next = Memberships(c, target);
            if (ReferenceEquals(c, _criteria)) Collective(next, target, null, PositionReasons.Calendar, []);
            else Collective(next, target, null, PositionReasons.Criteria, s < 0 ? [] : [s]);
            _members = next;
            _criteria = c;
            _asOf = target;
            return;
        }
        // Every single day: the rules say a change belongs to the date on which it happens.
        for (var d = asOf.PlusDays(1); d <= target; d = d.PlusDays(1))
        {
            var (c, s) = InForce(versions, d);
            var next = Memberships(c, d);
            if (ReferenceEquals(c, _criteria)) Collective(next, d, null, PositionReasons.Calendar, []);
            else Collective(next, d, null, PositionReasons.Criteria, [s]);
            _members = next;
            _criteria = c;
            _asOf = d;
        }
    }

    private static (CriteriaDocument? Criteria, long Seq) InForce(IEnumerable<(long Seq, CriteriaDocument Criteria)> versions, LocalDate date)
    {
        CriteriaDocument? best = null;
        long seq = -1;
        foreach (var (s, c) in versions)
        {
            if (c.EffectiveFrom <= date && (best is null || c.EffectiveFrom >= best.EffectiveFrom))
            {
                best = c;
                seq = s;
            }
        }
        return (best, seq);
    }

    // ------------------------------------------------------------------------------ memberships and positions

    /// <summary>SPEC.md §7.6 for every waiting application.</summary>
    private Dictionary<(string, string), Member> Memberships(CriteriaDocument? criteria, LocalDate asOf)
    {
        var result = new Dictionary<(string, string), Member>();
        if (criteria is null) return result;
        var tiers = new TierResolver(criteria, _kindergartens);
        foreach (var r in _records.Values.Where(r => r.Status == ApplicationStatus.Waiting))
        {
            var from = r.DesiredStart > asOf ? r.DesiredStart : asOf;
            if (AgeCalculator.AgeOn(r.BirthMonth, from) >= criteria.AgeRule.ArchiveAge) continue;
            var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, from);
            var group = AgeCalculator.GroupFor(criteria.AgeRule, r.BirthMonth, year);
            if (group is null) continue;
            var ranks = tiers.ForApplicant(RoundBuilder.ToApplicant(r));
            foreach (var kg in r.Preferences)
            {
                var rank = ranks.RankAt(kg);
                result[(r.Number, kg)] = new Member(group.Id, year, new PriorityKey(rank, r.RegisteredAt, r.Seq), criteria.Tiers[rank].Id);
            }
        }
        return result;
    }

    private static int? Position(Dictionary<(string Number, string Kg), Member> members, string number, string kg)
    {
        if (!members.TryGetValue((number, kg), out var m)) return null;
        return 1 + members.Count(o => o.Key.Kg == kg && o.Value.Group == m.Group && o.Value.Year == m.Year && o.Value.Key < m.Key);
    }

    private IEnumerable<(string Number, string Kg)> AllTracks(Dictionary<(string Number, string Kg), Member> next) =>
        _members.Keys.Union(next.Keys).OrderBy(k => k.Number, StringComparer.Ordinal).ThenBy(k => k.Kg, StringComparer.Ordinal);

    private static bool SameQueue(Member? a, Member? b) =>
        a is null ? b is null : b is not null && a.Group == b.Group && a.Year == b.Year;

    // ------------------------------------------------------------------------------ sources

    /// <summary>A change that every affected track sees with one reason: count = after − before.</summary>
    private void Collective(Dictionary<(string Number, string Kg), Member> next, LocalDate date, long? seq, string reason, List<long> seqs)
    {
        foreach (var (number, kg) in AllTracks(next))
        {
            var old = _members.GetValueOrDefault((number, kg));
            var now = next.GetValueOrDefault((number, kg));
            var p0 = Position(_members, number, kg);
            var p1 = Position(next, number, kg);
            if (p0 == p1 && SameQueue(old, now) && old?.Tier == now?.Tier) continue;
            var count = p0 is not null && p1 is not null ? p1.Value - p0.Value : 0;
            Add(number, kg, date, seq, p0, p1, now ?? old!, null, null, [(reason, count, seqs)]);
        }
    }

    private void Same(Dictionary<(string Number, string Kg), Member> next)
    {
        if (next.Count != _members.Count || next.Any(kv => _members.GetValueOrDefault(kv.Key) != kv.Value))
            throw new InvalidOperationException("An entry that should change no membership changed one.");
    }

    /// <summary>Who an entry names, with the reason others see and the reason of their own step.</summary>
    private static Dictionary<string, (string Cause, string Own)> Actors(LogEvent e)
    {
        var actors = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        switch (e)
        {
            case ApplicationSubmitted a: actors[a.Number] = (PositionReasons.NewAhead, PositionReasons.OwnSubmitted); break;
            case ClaimReviewed r: actors[r.Number] = (r.Verified ? PositionReasons.RightVerified : PositionReasons.RightRejected, PositionReasons.OwnRight); break;
            case ApplicationChanged c: actors[c.Number] = (PositionReasons.Preferences, PositionReasons.OwnPreferences); break;
            case ApplicationWithdrawn w: actors[w.Number] = (PositionReasons.Withdrawn, PositionReasons.OwnStatus); break;
            case AllocationDecided d:
                foreach (var o in d.Offers) actors[o.Number] = (PositionReasons.Placed, PositionReasons.OwnStatus);
                foreach (var n in d.Archived) actors[n] = (PositionReasons.Archived, PositionReasons.OwnStatus);
                break;
            case OfferResponded r: actors[r.Number] = (PositionReasons.Returned, PositionReasons.OwnReturned); break;
            case OffersExpired x:
                foreach (var n in x.Numbers) actors[n] = (PositionReasons.Returned, PositionReasons.OwnReturned);
                break;
            case EnrolmentExceptional x: actors[x.Number] = (PositionReasons.EnrolledOutside, PositionReasons.OwnStatus); break;
            default: break;
        }
        return actors;
    }

    /// <summary>An entry naming applications: their own steps, and ±1 for every member whom one of them crossed.</summary>
    private void Entry(Dictionary<(string Number, string Kg), Member> next, LocalDate date, long seq, Dictionary<string, (string Cause, string Own)> actors)
    {
        foreach (var (number, kg) in AllTracks(next))
        {
            var old = _members.GetValueOrDefault((number, kg));
            var now = next.GetValueOrDefault((number, kg));
            var p0 = Position(_members, number, kg);
            var p1 = Position(next, number, kg);
            if (old != now)
            {
                if (!actors.TryGetValue(number, out var own))
                    throw new InvalidOperationException($"{number} changed its membership at {kg} but the entry does not name it.");
                if (p0 == p1 && SameQueue(old, now) && old?.Tier == now?.Tier) continue;
                var status = now is null && _records[number].Status != ApplicationStatus.Waiting ? Text(_records[number].Status) : null;
                var count = p0 is not null && p1 is not null ? p1.Value - p0.Value : 0;
                Add(number, kg, date, seq, p0, p1, now ?? old!, status, null, [(own.Own, count, [seq])]);
                continue;
            }
            if (now is null) continue;
            var counts = new SortedDictionary<int, int>();
            foreach (var (b, (cause, _)) in actors)
            {
                if (b == number) continue;
                var ob = _members.GetValueOrDefault((b, kg));
                var nb = next.GetValueOrDefault((b, kg));
                var aheadBefore = ob is not null && SameQueue(ob, now) && ob.Key < now.Key ? 1 : 0;
                var aheadAfter = nb is not null && SameQueue(nb, now) && nb.Key < now.Key ? 1 : 0;
                if (aheadAfter == aheadBefore) continue;
                var r = PositionReasons.All.IndexOf(cause);
                counts[r] = counts.GetValueOrDefault(r) + aheadAfter - aheadBefore;
            }
            var sum = counts.Values.Sum();
            if (p1 - p0 != sum) throw new InvalidOperationException($"Crossings at {number}/{kg} sum to {sum}, positions moved {p0} → {p1}.");
            if (sum == 0) continue;
            Add(number, kg, date, seq, p0, p1, now, null, null,
                [.. counts.Where(c => c.Value != 0).Select(c => (PositionReasons.All[c.Key], c.Value, new List<long> { seq }))]);
        }
    }

    private void Capacity(CapacityLoaded c, LocalDate date, long seq)
    {
        foreach (var row in c.Rows)
        {
            var id = new ProgramId(row.Kindergarten, row.Group, row.Year);
            int? old = _capacity.TryGetValue(id, out var s) ? s : null;
            _capacity[id] = row.Seats;
            if (old == row.Seats) continue;
            foreach (var ((number, kg), m) in _members.Where(kv => kv.Key.Kg == row.Kindergarten && kv.Value.Group == row.Group && kv.Value.Year == row.Year)
                         .OrderBy(kv => kv.Value.Key))
            {
                var p = Position(_members, number, kg);
                Add(number, kg, date, seq, p, p, m, null, new SeatChange(old, row.Seats), [(PositionReasons.Capacity, 0, [seq])]);
            }
        }
    }

    // ------------------------------------------------------------------------------ steps and coalescing

    private void Add(string number, string kg, LocalDate date, long? seq, int? before, int? after, Member queue, string? status, SeatChange? seats,
        List<(string Reason, int Count, List<long> Seqs)> reasons)
    {
        if (!_steps.TryGetValue((number, kg), out var steps)) _steps[(number, kg)] = steps = [];
        var coalescible = status is null && seats is null && reasons.All(r => PositionReasons.IsCoalescible(r.Reason));
        if (coalescible && steps.Count > 0 && steps[^1].Coalescible && steps[^1].Date == date)
        {
            var last = steps[^1];
            last.LastSeq = seq;
            last.After = after;
            foreach (var (reason, count, seqs) in reasons) Merge(last, reason, count, seqs);
            return;
        }
        var step = new Step
        {
            Date = date, FirstSeq = seq, LastSeq = seq, Before = before, After = after,
            Group = queue.Group, Year = queue.Year, Tier = queue.Tier, Status = status, Seats = seats,
        };
        foreach (var (reason, count, seqs) in reasons) Merge(step, reason, count, seqs);
        steps.Add(step);
    }

    private static void Merge(Step step, string reason, int count, List<long> seqs)
    {
        var r = PositionReasons.All.IndexOf(reason);
        var (c, listed, more) = step.Reasons.TryGetValue(r, out var x) ? x : (0, new List<long>(), 0);
        foreach (var s in seqs)
        {
            if (listed.Count < PositionReasons.ListedSeqs) listed.Add(s);
            else more++;
        }
        step.Reasons[r] = (c + count, listed, more);
    }

    private ImmutableArray<PositionStep> Steps(string number, string kg) =>
        !_steps.TryGetValue((number, kg), out var steps) ? [] :
        [.. steps.Select(s => new PositionStep(s.Date, s.FirstSeq, s.LastSeq, s.Before, s.After, s.Group, s.Year, s.Tier,
            [.. s.Reasons.Select(r => new StepReason(PositionReasons.All[r.Key], r.Value.Count, [.. r.Value.Seqs], r.Value.More))],
            s.Status, s.Seats))];

    private static string Text(ApplicationStatus s) => s.ToString().ToLowerInvariant();
}
