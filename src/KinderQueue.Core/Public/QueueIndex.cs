using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Queue positions between rounds (SPEC.md §7.6) kept up to date entry by entry, with the history
/// of every position and the reasons for each change (SPEC.md §12). The service calls
/// <see cref="Observe"/> once per entry right after <see cref="QueueState.Apply"/> accepted it, and
/// <see cref="AdvanceTo"/> when the date moves with no entry; lookups then cost O(log n) per
/// listed kindergarten (positions), or for a history a replay of the application's own records and
/// the crossings of its queues since it joined them.
/// </summary>
/// <remarks>
/// Each queue (kindergarten, group, year) keeps its members in priority-key order in a
/// <see cref="QueueTree"/>; each application keeps one track per kindergarten it has listed, with
/// its current membership (queue, key). An entry recomputes only the applications it names (and
/// for a re-registered kindergarten, the members of its queues); a new date recomputes only the
/// applications whose enrolment year or archive age it reaches. The memberships that changed are
/// "moves"; every other member that a move crosses gets ±1 with the move's reason (§12.3), which
/// the index stores once per key range of a queue (a crossing) and replays into a history when
/// one is read. Not thread-safe for writes; reads do not modify anything, so concurrent readers
/// are safe between writes.
/// <para>What is stored (everything else is buffers of one batch or derived):</para>
/// <list type="bullet">
/// <item>Index: <c>Size</c> (entries observed), <c>_asOf</c>, the criteria in force (and the tier
/// resolver built from it and <c>_kindergartens</c>: id, district, catchment per kindergarten),
/// <c>_capacity</c> (seats per program), the tier names by code (<c>_tierNames</c>), the wake
/// queue (application id by next calendar date; stale entries are skipped), and <c>_stamp</c>,
/// the number of the last batch (batches number the records, segments and crossings).</item>
/// <item>Per application (<see cref="AppEntry"/>, id = order of submission): its record as the
/// state has it, its track ids, its wake date.</item>
/// <item>Per track (<see cref="Track"/>, id = order of creation): application id, kindergarten,
/// current queue id (-1 none), key and tier code, <c>Stamp</c> (last batch that moved it);
/// <c>Records</c>: its own steps and capacity context steps, each with its batch
/// (<see cref="StepRecord"/>); <c>Segments</c>: its memberships, each with the batches that began
/// and ended it and its position at the start (<see cref="Segment"/>).</item>
/// <item>Per queue (<see cref="QueueData"/>, id = order of creation): kindergarten, group, year,
/// members (key → track id), members per tier rank, and <c>Crossings</c>: per batch and key range
/// the places the members it did not move were passed by, with the reasons' shares
/// (<see cref="Crossing"/>), in batch order.</item>
/// <item>Loss tally of the last entry (the mass-position-loss rule): places lost per application
/// and the entry's crossings that cost places (<see cref="LossCrossing"/>).</item>
/// </list>
/// An index for losses only (<see cref="ForLossesOnly"/>) stores no records, segments or crossings.
/// </remarks>
public sealed partial class QueueIndex
{
    private sealed class AppEntry(int id, ApplicationRecord record)
    {
        public int Id { get; } = id;
        public ApplicationRecord Record { get; set; } = record;
        public List<int> Tracks { get; } = new(2);
        /// <summary>The next date on which the calendar can change this application's memberships.</summary>
        public LocalDate? Wake { get; set; }
    }

    /// <summary>An application at one kindergarten: its membership there now, and what its history is replayed from (nothing in an index for losses only).</summary>
    private sealed class Track(int app, string kindergarten, bool histories)
    {
        public int App { get; } = app;
        public string Kindergarten { get; } = kindergarten;
        public int Queue { get; set; } = -1;
        public PriorityKey Key { get; set; }
        public int Tier { get; set; } = -1;
        /// <summary>Its own steps and context steps; the steps other members' moves cause are the queue's crossings (see <see cref="Replay"/>). Null in an index for losses only.</summary>
        public List<StepRecord>? Records { get; } = histories ? [] : null;
        /// <summary>Its memberships, oldest first: each lasts from the batch that made it to the next batch that moved the track. Null in an index for losses only.</summary>
        public List<Segment>? Segments { get; } = histories ? [] : null;
        /// <summary>Batch stamp: the last batch that moved this track (equal to the index's stamp while it is being moved).</summary>
        public int Stamp { get; set; }
    }

    private sealed class QueueData(string kindergarten, string group, int year)
    {
        public string Kindergarten { get; } = kindergarten;
        public string Group { get; } = group;
        public int Year { get; } = year;
        public QueueTree Members { get; } = new();
        /// <summary>What every batch did to the members it did not move, in batch order (see <see cref="Crossing"/>).</summary>
        public List<Crossing> Crossings { get; } = [];
        /// <summary>Members per tier rank of the criteria in force.</summary>
        public int[] TierCounts { get; set; } = [];
    }

    private readonly List<AppEntry> _apps = [];
    private readonly Dictionary<string, int> _appIds = new(StringComparer.Ordinal);
    private readonly List<Track> _tracks = [];
    private readonly List<QueueData> _queues = [];
    private readonly Dictionary<(string Kindergarten, string Group, int Year), int> _queueIds = new();
    private readonly Dictionary<string, List<int>> _queuesByKindergarten = new(StringComparer.Ordinal);
    private readonly List<string> _tierNames = [];
    private readonly Dictionary<string, int> _tierCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KindergartenInfo> _kindergartens = new(StringComparer.Ordinal);
    private readonly Dictionary<ProgramId, int> _capacity = new();

    private LocalDate? _asOf;
    private CriteriaDocument? _criteria;
    private TierResolver? _tiers;

    // False: an index for the mass-position-loss rule alone (a validator's signal ledger), which keeps
    // the queues but no steps and tallies only losses above LossFloor.
    private readonly bool _histories;

    /// <summary>An index with every position's history (the public model's).</summary>
    public QueueIndex() : this(histories: true)
    {
    }

    private QueueIndex(bool histories) => _histories = histories;

    /// <summary>
    /// An index that keeps the queues and answers <see cref="ApplicationsLosingMoreThan"/> for places of at
    /// least <see cref="LossFloor"/>, and nothing about histories: what the signal ledger of a validator needs
    /// (SPEC.md §17.3.9). Writing every member's step when a queue shifts cost more than the rest of
    /// verification; a loss of no more than the floor cannot count, so the members such a shift crosses
    /// are not even visited.
    /// </summary>
    internal static QueueIndex ForLossesOnly() => new(histories: false);

    /// <summary>
    /// In an index for losses only: losses of at most this many places are not tallied (set before each
    /// entry; <see cref="int.MaxValue"/>: none). Ignored by an index with histories, which tallies all.
    /// </summary>
    internal int LossFloor { get; set; } = int.MaxValue;

    /// <summary>Number of log entries observed.</summary>
    public long Size { get; private set; }

    /// <summary>The date positions are computed for: the local date of the last entry, or a later date given to <see cref="AdvanceTo"/>.</summary>
    public LocalDate? AsOf => _asOf;

    /// <summary>The criteria in force on <see cref="AsOf"/>, or null.</summary>
    public CriteriaDocument? Criteria => _criteria;

    /// <summary>
    /// Follows one entry that <see cref="QueueState.Apply"/> has just accepted; <paramref name="after"/>
    /// is the state with it applied. Entries must come in order, each exactly once, except those that
    /// took no effect (the parts of a decision before its last, SPEC.md §8.5), which are skipped.
    /// </summary>
    public void Observe(LogEntry entry, LogEvent e, QueueState after)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(after);
        if (entry.Seq < Size || after.Size != entry.Seq + 1)
            throw new InvalidOperationException($"The index has observed {Size} entries; entry {entry.Seq} with a state of {after.Size} entries is not the next.");
        var date = after.LocalDate(entry.At);
        StartLossTally();
        // Time passes first, with the rules known before this entry (SPEC.md §12.2).
        AdvanceCore(date, after.CriteriaVersions, excludeSeq: entry.Seq);
        var source = new Source(date, entry.Seq, entry.Seq);
        var moves = _moves;
        switch (e)
        {
            case CriteriaPublished:
                var (criteria, published) = InForce(after.CriteriaVersions, date, excludeSeq: -1);
                if (!ReferenceEquals(criteria, _criteria)) FullRecompute(date, criteria, Reason.Criteria, entry.Seq, published);
                break;
            case KindergartenRegistered k:
                Reregistered(k, moves);
                break;
            case CapacityLoaded c:
                CapacityContext(c, source);
                break;
            case ApplicationSubmitted a:
                var app = new AppEntry(_apps.Count, after.Applications[a.Number]);
                _apps.Add(app);
                _appIds.Add(a.Number, app.Id);
                Recompute(app, Reason.NewAhead, Reason.OwnSubmitted, moves);
                break;
            case ClaimReviewed r:
                Touch(after, r.Number, r.Verified ? Reason.RightVerified : Reason.RightRejected, Reason.OwnRight, moves);
                break;
            case ApplicationChanged c:
                Touch(after, c.Number, Reason.Preferences, Reason.OwnPreferences, moves);
                break;
            case ApplicationWithdrawn w:
                Touch(after, w.Number, Reason.Withdrawn, Reason.OwnStatus, moves);
                break;
            case AllocationDecided d:
                // In parts, each application's own step cites the part that names it (SPEC.md §8.5).
                foreach (var o in d.Offers) Touch(after, o.Number, Reason.Placed, Reason.OwnStatus, moves, after.DecisionPartOf(o.Number));
                foreach (var n in d.Archived) Touch(after, n, Reason.Archived, Reason.OwnStatus, moves, after.DecisionPartOf(n));
                break;
            case OfferResponded r:
                Touch(after, r.Number, Reason.Returned, Reason.OwnReturned, moves);
                break;
            case OffersExpired x:
                foreach (var n in x.Numbers) Touch(after, n, Reason.Returned, Reason.OwnReturned, moves);
                break;
            case EnrolmentConfirmed c:
                // An accepted offer is in no queue, so no membership changes; the record is kept current.
                _apps[_appIds[c.Number]].Record = after.Applications[c.Number];
                break;
            case EnrolmentExceptional x:
                Touch(after, x.Number, Reason.EnrolledOutside, Reason.OwnStatus, moves);
                break;
            default:
                // district.registered changes no queue.
                break;
        }
        ProcessMoves(source, moves);
        Size = entry.Seq + 1;
    }

    /// <summary>
    /// Moves the index forward to <paramref name="today"/> with no new entry (its changes are
    /// calendar and criteria steps). A date on or before <see cref="AsOf"/> changes nothing.
    /// <paramref name="state"/> must be the state of the entries observed.
    /// </summary>
    public void AdvanceTo(LocalDate today, QueueState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Size != Size)
            throw new InvalidOperationException($"The index has observed {Size} entries; the state has {state.Size}.");
        if (_asOf is not { } asOf || today <= asOf) return;
        AdvanceCore(today, state.CriteriaVersions, excludeSeq: -1);
    }

    /// <summary>
    /// The application's positions as of <see cref="AsOf"/>, equal to <see cref="QueuePositions.Compute"/>
    /// for the waiting applications of the state (empty unless waiting); null for an unknown number.
    /// </summary>
    public ApplicantPositions? PositionsOf(string number)
    {
        if (!_appIds.TryGetValue(number, out var id)) return null;
        var app = _apps[id];
        var r = app.Record;
        var positions = ImmutableArray.CreateBuilder<QueuePosition>(r.Preferences.Length);
        foreach (var kg in r.Preferences)
        {
            var t = FindTrack(app, kg);
            if (t is null || t.Queue < 0) continue;
            var q = _queues[t.Queue];
            var from = r.DesiredStart > _asOf!.Value ? r.DesiredStart : _asOf.Value;
            positions.Add(new QueuePosition(kg, q.Group, q.Year, from, 1 + q.Members.CountLess(t.Key), q.Members.Count, _tierNames[t.Tier]));
        }
        return new ApplicantPositions(number, positions.ToImmutable());
    }

    /// <summary>
    /// The application's position history: the kindergartens it lists now in preference order,
    /// then those it listed before (ordinal), each with its steps oldest first. Null for an unknown number.
    /// </summary>
    public PositionHistory? HistoryOf(string number)
    {
        if (!_histories) throw new InvalidOperationException("This index keeps no histories.");
        if (!_appIds.TryGetValue(number, out var id)) return null;
        var app = _apps[id];
        var listed = app.Record.Preferences;
        var result = ImmutableArray.CreateBuilder<KindergartenHistory>(app.Tracks.Count);
        foreach (var kg in listed)
        {
            var t = FindTrack(app, kg);
            result.Add(new KindergartenHistory(kg, true, t is null ? [] : ReadSteps(t)));
        }
        foreach (var t in app.Tracks.Select(i => _tracks[i])
                     .Where(t => !listed.Contains(t.Kindergarten) && t.Records!.Count > 0)
                     .OrderBy(t => t.Kindergarten, StringComparer.Ordinal))
        {
            result.Add(new KindergartenHistory(t.Kindergarten, false, ReadSteps(t)));
        }
        return new PositionHistory(number, _asOf!.Value, Size, result.ToImmutable());
    }

    /// <summary>One queue's length and members per tier (tiers of the criteria in force, best first); null if it has no members.</summary>
    public QueueSummary? Queue(string kindergarten, string group, int year) =>
        _queueIds.TryGetValue((kindergarten, group, year), out var id) && _queues[id].Members.Count > 0 ? Summary(_queues[id]) : null;

    /// <summary>The non-empty queues of a kindergarten, by year, then in the criteria's group order.</summary>
    public ImmutableArray<QueueSummary> QueuesOf(string kindergarten)
    {
        if (!_queuesByKindergarten.TryGetValue(kindergarten, out var ids)) return [];
        var groups = _criteria?.AgeRule.Groups ?? [];
        return [.. ids.Select(i => _queues[i]).Where(q => q.Members.Count > 0)
            .OrderBy(q => q.Year)
            .ThenBy(q => GroupOrder(groups, q.Group))
            .ThenBy(q => q.Group, StringComparer.Ordinal)
            .Select(Summary)];
    }

    /// <summary>What the index holds, for memory figures and monitoring.</summary>
    public QueueIndexFootprint Footprint()
    {
        long steps = 0, words = 0, capacity = 0, members = 0;
        foreach (var t in _tracks)
        {
            if (t.Records is null) continue;
            steps += t.Records.Count;
            words += (long)t.Records.Count * RecordWords + (long)t.Segments!.Count * SegmentWords;
            capacity += (long)t.Records.Capacity * RecordWords + (long)t.Segments.Capacity * SegmentWords;
        }
        foreach (var q in _queues)
        {
            members += q.Members.Count;
            steps += q.Crossings.Count;
            long shares = 0;
            foreach (var c in q.Crossings) shares += c.Shares.Length * ShareWords;
            words += (long)q.Crossings.Count * CrossingWords + shares;
            capacity += (long)q.Crossings.Capacity * CrossingWords + shares;
        }
        return new QueueIndexFootprint(_apps.Count, _tracks.Count, _queues.Count, members, steps, words, capacity);
    }

    private static int GroupOrder(ImmutableArray<AgeGroup> groups, string group)
    {
        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i].Id == group) return i;
        }
        return int.MaxValue;
    }

    private QueueSummary Summary(QueueData q)
    {
        var tiers = _criteria?.Tiers ?? [];
        var counts = ImmutableArray.CreateBuilder<TierCount>(tiers.Length);
        for (var i = 0; i < tiers.Length; i++) counts.Add(new TierCount(tiers[i].Id, i < q.TierCounts.Length ? q.TierCounts[i] : 0));
        return new QueueSummary(q.Kindergarten, q.Group, q.Year, q.Members.Count, counts.MoveToImmutable());
    }

    private ImmutableArray<PositionStep> ReadSteps(Track t) =>
        Replay(t).Read(id => (_queues[id].Group, _queues[id].Year), code => _tierNames[code]);

    private Track? FindTrack(AppEntry app, string kindergarten)
    {
        foreach (var i in app.Tracks)
        {
            if (_tracks[i].Kindergarten == kindergarten) return _tracks[i];
        }
        return null;
    }

    private void Touch(QueueState after, string number, Reason cause, Reason own, List<Move> moves, long ownSeq = -1)
    {
        var app = _apps[_appIds[number]];
        app.Record = after.Applications[number];
        Recompute(app, cause, own, moves, ownSeq: ownSeq);
    }

    private int QueueId(string kindergarten, string group, int year)
    {
        if (_queueIds.TryGetValue((kindergarten, group, year), out var id)) return id;
        id = _queues.Count;
        _queues.Add(new QueueData(kindergarten, group, year));
        _queueIds.Add((kindergarten, group, year), id);
        if (!_queuesByKindergarten.TryGetValue(kindergarten, out var list)) _queuesByKindergarten[kindergarten] = list = [];
        list.Add(id);
        return id;
    }

    private int TierCode(string tier)
    {
        if (_tierCodes.TryGetValue(tier, out var code)) return code;
        code = _tierNames.Count;
        _tierNames.Add(tier);
        _tierCodes.Add(tier, code);
        return code;
    }

    /// <summary>
    /// Computes the application's memberships now (SPEC.md §7.6: waiting only; from = max(desired
    /// start, asOf); none once archive age is reached or without an age group) and adds a move for
    /// every track whose membership differs (or, with <paramref name="force"/>, every track with a
    /// membership before or after).
    /// </summary>
    private void Recompute(AppEntry app, Reason cause, Reason own, List<Move> moves, bool force = false, long ownSeq = -1)
    {
        var r = app.Record;
        foreach (var kg in r.Preferences)
        {
            if (FindTrack(app, kg) is null)
            {
                app.Tracks.Add(_tracks.Count);
                _tracks.Add(new Track(app.Id, kg, _histories));
            }
        }
        string? group = null;
        var year = 0;
        TierResolver.ApplicantTiers ranks = default;
        if (r.Status == ApplicationStatus.Waiting && _criteria is not null && _asOf is { } asOf)
        {
            var from = r.DesiredStart > asOf ? r.DesiredStart : asOf;
            if (AgeCalculator.AgeOn(r.BirthMonth, from) < _criteria.AgeRule.ArchiveAge)
            {
                year = AgeCalculator.EnrolmentYear(_criteria.AgeRule, from);
                group = AgeCalculator.GroupFor(_criteria.AgeRule, r.BirthMonth, year)?.Id;
                if (group is not null) ranks = _tiers!.ForApplicant(RoundBuilder.ToApplicant(r));
            }
        }
        var status = r.Status == ApplicationStatus.Waiting ? (byte)0 : PositionStepLog.StatusCode(r.Status);
        foreach (var ti in app.Tracks)
        {
            var t = _tracks[ti];
            var queue = -1;
            PriorityKey key = default;
            var tier = -1;
            if (group is not null && r.Preferences.Contains(t.Kindergarten))
            {
                queue = QueueId(t.Kindergarten, group, year);
                var rank = ranks.RankAt(t.Kindergarten);
                key = new PriorityKey(rank, r.RegisteredAt, r.Seq);
                tier = TierCode(_criteria!.Tiers[rank].Id);
            }
            var changed = force
                ? queue >= 0 || t.Queue >= 0
                : queue != t.Queue || tier != t.Tier || (queue >= 0 && key != t.Key);
            if (changed) moves.Add(new Move(ti, queue, key, tier, cause, own, queue < 0 ? status : (byte)0, ownSeq));
        }
        ScheduleWake(app);
    }
}

/// <summary>
/// Sizes of a <see cref="QueueIndex"/>: entities, queue members, stored records (tracks' own and
/// context steps, and queues' crossings) and the 64-bit words that store them.
/// </summary>
public sealed record QueueIndexFootprint(int Applications, int Tracks, int Queues, long Members, long Steps, long StepWords, long StepWordsAllocated);
