using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Signals;

/// <summary>A <c>signal.reviewed</c> entry the fold accepted but the ledger could not apply (SPEC.md §17.6).</summary>
public sealed record SignalReviewProblem(long Seq, ValidationProblem Problem);

/// <summary>
/// The anomaly signals of a log (SPEC.md §17), kept entry by entry: the rules raise signals, the
/// <c>signal.reviewed</c> entries move them through their statuses. Pure: the same entries give the
/// same document, whoever folds them (the service, a validator). Call <see cref="Observe"/> once per
/// entry, in log order, right after <see cref="QueueState.Apply"/> accepted it.
/// </summary>
/// <remarks>
/// Each signal is raised at the first entry at which its rule holds for its subject; later entries
/// that meet the rule for the same subject join its entries and update its value, never its id or
/// raise time. So no rule ever looks back over the whole log: each keeps only what it needs.
/// The mass-position-loss rule reads the places lost through each entry from a <see cref="QueueIndex"/>:
/// the public model's own (it observes the entry first), or one the ledger keeps for itself.
/// </remarks>
public sealed partial class SignalLedger
{
    private sealed class Record(string id, string kind, SignalSubject subject, long seq, Instant at)
    {
        public string Id { get; } = id;
        public string Kind { get; } = kind;
        public SignalSubject Subject { get; } = subject;
        public long RaisedSeq { get; } = seq;
        public Instant RaisedAt { get; } = at;
        public long Value { get; set; }
        public long Threshold { get; set; }
        public SortedSet<long> Entries { get; } = [];
        public string Status { get; set; } = SignalStatuses.New;
        public List<SignalReviewStep> Timeline { get; } = [];
        private SignalView? _view;

        public void Changed() => _view = null;

        public SignalView View() => _view ??= new SignalView(Id, Kind, Subject, RaisedSeq, RaisedAt, Value, Threshold,
            [.. Entries], Status, [.. Timeline]);
    }

    private readonly Dictionary<string, Record> _byId = new(StringComparer.Ordinal);
    private readonly List<Record> _records = [];
    private readonly List<SignalReviewProblem> _reviewProblems = [];
    private readonly QueueIndex _queues;
    private readonly bool _ownsQueues;
    private SignalsDocument? _document;

    /// <param name="queues">
    /// The public model's queue index, which observes each entry before the ledger does; null: the
    /// ledger keeps its own (a validator, a vector), without histories: it reads only the losses.
    /// </param>
    public SignalLedger(QueueIndex? queues = null)
    {
        _ownsQueues = queues is null;
        _queues = queues ?? QueueIndex.ForLossesOnly();
    }

    /// <summary>Entries observed so far.</summary>
    public long Observed { get; private set; }

    /// <summary>Reviews of unknown signals and illegal transitions, in log order: findings for a validator (SPEC.md §15).</summary>
    public IReadOnlyList<SignalReviewProblem> ReviewProblems => _reviewProblems;

    public void Observe(LogEntry entry, LogEvent e, QueueState after)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(after);
        // Entries that took no effect (the parts of a decision before its last, SPEC.md §8.5) are skipped.
        if (entry.Seq < Observed || after.Size != entry.Seq + 1)
            throw new ArgumentException($"Observe entry {Observed} or later after the fold accepted it; got entry {entry.Seq} with a state of {after.Size} entries.", nameof(entry));
        var date = after.LocalDate(entry.At);
        var thresholds = ThresholdsOn(after, date);
        if (_ownsQueues)
        {
            // Our own index tallies only the losses this entry's rule can count.
            _queues.LossFloor = thresholds?.PositionLossMinPlaces ?? int.MaxValue;
            _queues.Observe(entry, e, after);
        }
        else if (_queues.Size != entry.Seq + 1)
            throw new InvalidOperationException($"The queue index has observed {_queues.Size} entries; it must observe entry {entry.Seq} before the ledger.");
        Observed = entry.Seq + 1;
        _document = null;
        if (e is SignalReviewed review)
        {
            Review(entry, review, new YearMonth(date.Year, date.Month));
            return;
        }
        ObserveRules(entry, e, after, date, thresholds);
    }

    /// <summary>
    /// The thresholds that apply on a date: those of the criteria in force, or before any is in force,
    /// of the newest published (the rule of SPEC.md §4.6 for code lists). Null: no signal is raised.
    /// </summary>
    public static SignalThresholds? ThresholdsOn(QueueState state, LocalDate date)
    {
        ArgumentNullException.ThrowIfNull(state);
        var criteria = state.CriteriaInForce(date) ?? (state.CriteriaVersions.Count > 0 ? state.CriteriaVersions[^1].Criteria : null);
        return criteria?.Signals;
    }

    /// <summary>
    /// Whether a review may be appended now (what the service asks before appending; SPEC.md §17.6):
    /// null when allowed; <c>signal.review-unknown</c> or <c>signal.review-transition</c> otherwise.
    /// </summary>
    public ValidationProblem? CheckReview(SignalReviewed review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (!_byId.TryGetValue(review.Signal, out var r))
            return new ValidationProblem("$.signal", "signal.review-unknown", $"No signal {review.Signal} has been raised by the log.");
        if (!SignalStatuses.CanMove(r.Status, review.Status))
            return new ValidationProblem("$.status", "signal.review-transition",
                $"Signal {r.Id} is {r.Status}; it cannot move to {review.Status} ({(SignalStatuses.IsFinal(r.Status) ? "explained and confirmed are final" : "allowed: investigating, explained, confirmed")}).");
        return null;
    }

    public SignalView? Find(string id) => _byId.TryGetValue(id, out var r) ? r.View() : null;

    /// <summary>The signals document of the entries observed (SPEC.md §17.5); cached until the next entry.</summary>
    public SignalsDocument Document()
    {
        if (_document is not null) return _document;
        var views = _records
            .OrderBy(r => r.RaisedSeq)
            .ThenBy(r => SignalKinds.Order(r.Kind))
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => r.View())
            .ToImmutableArray();
        return _document = new SignalsDocument(Observed, views, SignalSummaries.Of(views, _confirmMonths));
    }

    // The local month of each confirming review, by signal id (the summary counts confirmations per month).
    private readonly Dictionary<string, YearMonth> _confirmMonths = new(StringComparer.Ordinal);

    private void Review(LogEntry entry, SignalReviewed review, YearMonth month)
    {
        if (CheckReview(review) is { } problem)
        {
            _reviewProblems.Add(new SignalReviewProblem(entry.Seq, problem));
            return;
        }
        var r = _byId[review.Signal];
        r.Status = review.Status;
        r.Timeline.Add(new SignalReviewStep(entry.Seq, entry.At, entry.Actor, review.Status, review.Outcome, review.Explanation));
        r.Changed();
        if (review.Status == SignalStatuses.Confirmed) _confirmMonths[r.Id] = month;
    }

    /// <summary>
    /// The rule holds for a subject at this entry: raises the signal, or when it was raised before,
    /// adds the entries and updates the value and threshold. The entry itself is always among its entries.
    /// </summary>
    private void Hit(LogEntry entry, string kind, SignalSubject subject, long value, long threshold, IEnumerable<long> entries)
    {
        var id = SignalIds.Of(kind, subject);
        if (!_byId.TryGetValue(id, out var r))
        {
            r = new Record(id, kind, subject, entry.Seq, entry.At);
            _byId.Add(id, r);
            _records.Add(r);
        }
        r.Value = value;
        r.Threshold = threshold;
        foreach (var s in entries) r.Entries.Add(s);
        r.Entries.Add(entry.Seq);
        r.Changed();
    }
}
