using System.Collections.Immutable;
using System.Runtime.InteropServices;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.State;

public sealed record District(string Id, string Name);

public sealed record Kindergarten(string Id, string Name, string District, ImmutableArray<string> Catchment);

public readonly record struct ProgramId(string Kindergarten, string Group, int Year);

/// <summary>
/// The state of a region's queue: the fold of its log (SPEC.md §8). Apply is the only way
/// in; it checks that an event is consistent with the state before it (for example, no offer
/// to an applicant who is not waiting) and leaves the state untouched when it is not, returning
/// the problem. Deterministic: the same entries in the same order give the same state.
/// </summary>
public sealed class QueueState
{
    private readonly List<(long Seq, CriteriaDocument Criteria)> _criteria = new();
    private readonly Dictionary<string, District> _districts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Kindergarten> _kindergartens = new(StringComparer.Ordinal);
    private readonly Dictionary<ProgramId, int> _capacity = new();
    private readonly Dictionary<string, ApplicationRecord> _applications = new(StringComparer.Ordinal);
    private readonly List<(long Seq, AllocationDecided Decision)> _decisions = new();

    /// <summary>Number of entries applied: the sequence number the next entry must have.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// What the last entry applied did, for the readers that follow the fold (queues, dashboard,
    /// federal outbox): the entry's own event; null for a part of a decision in parts before its last
    /// (nothing changed yet); the whole decision at its last part (SPEC.md §8.5).
    /// </summary>
    public LogEvent? LastEffect { get; private set; }

    /// <summary>A decision in parts whose last part has not been applied yet (then only its next part may follow).</summary>
    public DecisionInParts? PendingDecision => _pending;

    private DecisionInParts? _pending;
    private DecisionInParts? _completed;

    /// <summary>
    /// The entry of the part that names <paramref name="number"/> in the decision in parts the last entry
    /// completed; −1 when the last entry completed no decision in parts or does not name it.
    /// </summary>
    public long DecisionPartOf(string number) => _completed?.PartOf(number) ?? -1;

    public IReadOnlyList<(long Seq, CriteriaDocument Criteria)> CriteriaVersions => _criteria;
    public IReadOnlyDictionary<string, District> Districts => _districts;
    public IReadOnlyDictionary<string, Kindergarten> Kindergartens => _kindergartens;
    public IReadOnlyDictionary<ProgramId, int> Capacity => _capacity;
    public IReadOnlyDictionary<string, ApplicationRecord> Applications => _applications;
    public IReadOnlyList<(long Seq, AllocationDecided Decision)> Decisions => _decisions;

    /// <summary>
    /// The criteria in force on a date: of the versions effective on or before it, the one with
    /// the latest effective date; between equal dates, the one published later (SPEC.md §4.5).
    /// </summary>
    public CriteriaDocument? CriteriaInForce(LocalDate date)
    {
        CriteriaDocument? best = null;
        foreach (var (_, c) in _criteria)
        {
            if (c.EffectiveFrom <= date && (best is null || c.EffectiveFrom >= best.EffectiveFrom)) best = c;
        }
        return best;
    }

    /// <summary>The region's local date of an instant, in the time zone of the latest published criteria (UTC before any).</summary>
    public LocalDate LocalDate(Instant at)
    {
        var zone = _criteria.Count == 0 ? DateTimeZone.Utc : Zone(_criteria[^1].Criteria);
        return at.InZone(zone).Date;
    }

    /// <summary>Seats held in each program: open offers, accepted offers and enrolments.</summary>
    public Dictionary<ProgramId, int> HeldSeats()
    {
        var held = new Dictionary<ProgramId, int>();
        foreach (var a in _applications.Values)
        {
            if (!a.HoldsSeat) continue;
            var id = new ProgramId(a.Placement!.Kindergarten, a.Placement.Group, a.Placement.Year);
            held[id] = held.GetValueOrDefault(id) + 1;
        }
        return held;
    }

    // Local dates (and the next day, for the dashboard's day bounds) are computed from every entry's
    // time in a zone up to 18 hours from UTC; at the ends of the calendar they would not exist
    // (SPEC.md §8.1). A year's margin on each side keeps the rule simple to state and check.
    private static readonly Instant EarliestAt = Instant.FromUtc(2, 1, 1, 0, 0);
    private static readonly Instant EndOfAt = Instant.FromUtc(9999, 1, 1, 0, 0);

    public ValidationProblem? Apply(LogEntry entry, LogEvent e)
    {
        if (entry.Seq != Size)
            return new ValidationProblem("$.seq", "fold.sequence", $"Entry has sequence number {entry.Seq}; the next is {Size}.");
        if (entry.Type != e.Type)
            return new ValidationProblem("$.type", "fold.type", $"Entry type '{entry.Type}' does not match its payload ({e.Type}).");
        if (entry.At < EarliestAt || entry.At >= EndOfAt)
            return new ValidationProblem("$.at", "fold.at-range",
                $"Entry time {Formats.Format(entry.At)} is outside years 0002..9998; its local date and the day after must exist in every zone.");
        if (_pending is not null && e is not AllocationContinued)
            return Problem("$", "decision.part-missing",
                $"Round '{_pending.First.Round}' is written in {_pending.First.Parts} parts; part {_pending.Next} must follow, not {e.Type}.");
        LogEvent? effect = e;
        var problem = e switch
        {
            CriteriaPublished c => ApplyCriteria(entry, c),
            DistrictRegistered d => ApplyDistrict(d),
            KindergartenRegistered k => ApplyKindergarten(k),
            CapacityLoaded c => ApplyCapacity(entry, c),
            ApplicationSubmitted a => ApplySubmitted(entry, a),
            ClaimReviewed r => ApplyClaimReviewed(entry, r),
            ApplicationChanged c => ApplyChanged(entry, c),
            ApplicationWithdrawn w => ApplyWithdrawn(entry, w),
            AllocationDecided { Parts: > 1 } d => StartParts(entry, d, out effect),
            AllocationDecided d => ApplyDecision(entry.Seq, d),
            AllocationContinued c => ApplyPart(c, out effect),
            OfferResponded r => ApplyResponse(entry, r),
            OffersExpired x => ApplyExpired(entry, x),
            EnrolmentConfirmed c => ApplyEnrolment(c),
            EnrolmentExceptional x => ApplyExceptional(entry, x),
            SignalReviewed v => ApplySignalReviewed(entry, v),
            _ => new ValidationProblem("$", "fold.type", $"No rule for event {e.Type}."),
        };
        if (problem is null)
        {
            Size++;
            LastEffect = effect;
            if (e is not AllocationContinued) _completed = null;
        }
        return problem;
    }

    /// <summary>
    /// The whole decision an entry would complete, without applying it: the entry's own decision, or
    /// the assembled one when it is the last part of a decision in parts. For the validator, which runs
    /// the round on the state before the decision takes effect (a decision in parts changes nothing
    /// until its last part, so that state is the one its first part was written on).
    /// </summary>
    public (long Seq, AllocationDecided Decision)? Completes(LogEvent e) => e switch
    {
        AllocationDecided { Parts: 1 } d => (Size, d),
        AllocationContinued c when _pending is { } p && p.IsLast(c) && p.Matches(c) is null => (p.Seq, p.Assemble(c)),
        _ => null,
    };

    private ValidationProblem? StartParts(LogEntry entry, AllocationDecided first, out LogEvent? effect)
    {
        effect = null;
        // What can be checked on the first part is checked there, so the problem names that entry.
        if (first.Basis > entry.Seq) return Problem("$.basis", "decision.basis", $"A decision at {entry.Seq} cannot be based on {first.Basis} entries.");
        if (PublicText.Check(first.Round, "$.round", PublicText.MaxRoundId, "A round id") is { } round) return round;
        _pending = new DecisionInParts(entry.Seq, first);
        return null;
    }

    private ValidationProblem? ApplyPart(AllocationContinued c, out LogEvent? effect)
    {
        effect = null;
        if (_pending is not { } p)
            return Problem("$.part", "decision.part-unexpected", $"Part {c.Part} of round '{c.Round}' follows no decision in parts.");
        if (p.Matches(c) is { } wrong) return wrong;
        if (!p.IsLast(c))
        {
            _pending = p.With(c, Size);
            return null;
        }
        var whole = p.Assemble(c);
        // One way to write a decision: the cut of §8.5, so a validator's recomputed parts match byte for byte.
        var sizes = DecisionParts.Sizes(whole);
        if (sizes is null || !sizes.SequenceEqual(p.Sizes.Append(new DecisionParts.PartSize(c.Offers.Length, c.Archived.Length))))
            return Problem("$", "decision.parts",
                $"Round '{whole.Round}' is not cut into parts as SPEC.md §8.5 requires (greedy, at most {DecisionParts.MaxPayloadBytes} payload bytes each, {sizes?.Count ?? 0} parts).");
        if (ApplyDecision(p.Seq, whole) is { } problem) return problem;
        _completed = p.With(c, Size);
        _pending = null;
        effect = whole;
        return null;
    }

    private static DateTimeZone Zone(CriteriaDocument c) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(c.TimeZone) ?? DateTimeZone.Utc;

    private static ValidationProblem Problem(string path, string code, string message) => new(path, code, message);

    private ValidationProblem? ApplyCriteria(LogEntry entry, CriteriaPublished c)
    {
        var published = entry.At.InZone(Zone(c.Criteria)).Date;
        // Criteria never apply retroactively: a version takes effect on the day it is published or later (SPEC.md §4.5).
        if (c.Criteria.EffectiveFrom < published)
            return Problem("$.criteria.effectiveFrom", "criteria.retroactive",
                $"Criteria {c.Criteria.Version} would take effect on {c.Criteria.EffectiveFrom:uuuu-MM-dd}, before its publication on {published:uuuu-MM-dd}.");
        if (_criteria.Any(x => x.Criteria.Version == c.Criteria.Version))
            return Problem("$.criteria.version", "criteria.duplicate-version", $"Criteria version {c.Criteria.Version} was published before.");
        _criteria.Add((entry.Seq, c.Criteria));
        return null;
    }

    private ValidationProblem? ApplyDistrict(DistrictRegistered d)
    {
        if (!CriteriaValidator.IsValidId(d.Id)) return Problem("$.id", "district.id", $"District id '{d.Id}' must be lower-case letters, digits and '-'.");
        if (PublicText.Check(d.Name, "$.name", PublicText.MaxName, "A district's name") is { } name) return name;
        _districts[d.Id] = new District(d.Id, d.Name);
        return null;
    }

    private ValidationProblem? ApplyKindergarten(KindergartenRegistered k)
    {
        if (!CriteriaValidator.IsValidId(k.Id)) return Problem("$.id", "kindergarten.id", $"Kindergarten id '{k.Id}' must be lower-case letters, digits and '-'.");
        if (PublicText.Check(k.Name, "$.name", PublicText.MaxName, "A kindergarten's name") is { } name) return name;
        if (!_districts.ContainsKey(k.District)) return Problem("$.district", "kindergarten.unknown-district", $"District '{k.District}' is not registered.");
        for (var i = 0; i < k.Catchment.Length; i++)
        {
            if (!_districts.ContainsKey(k.Catchment[i]))
                return Problem($"$.catchment[{i}]", "kindergarten.unknown-district", $"Catchment district '{k.Catchment[i]}' is not registered.");
        }
        _kindergartens[k.Id] = new Kindergarten(k.Id, k.Name, k.District, k.Catchment);
        return null;
    }

    /// <summary>
    /// The code lists that apply to an entry: those of the criteria in force on its date, or before
    /// any is in force (capacity is loaded ahead of a year), of the newest version published.
    /// </summary>
    public ReasonCodes ReasonCodesOn(LocalDate date) =>
        (CriteriaInForce(date) ?? (_criteria.Count > 0 ? _criteria[^1].Criteria : null))?.ReasonCodes ?? ReasonCodes.None;

    /// <summary>
    /// A public reason must be a code of the published list (SPEC.md §4.6). Under criteria written
    /// before the lists, the text is taken as it was written, so an older log still folds.
    /// </summary>
    private ValidationProblem? CheckCode(LogEntry entry, ReasonList list, string value, string path)
    {
        var codes = ReasonCodesOn(LocalDate(entry.At));
        if (!codes.IsPublished)
            return string.IsNullOrWhiteSpace(value) && list == ReasonList.ExceptionalBasis
                ? Problem(path, "enrolment.no-legal-basis", "An enrolment outside the algorithm needs a legal basis.")
                : null;
        return codes.Find(list, value) is null
            ? Problem(path, "reason.unknown", $"The value is not a code of the published '{ReasonCodes.Member(list)}' list.")
            : null;
    }

    private ValidationProblem? ApplyCapacity(LogEntry entry, CapacityLoaded c)
    {
        if (_criteria.Count == 0) return Problem("$", "capacity.no-criteria", "Capacity needs published criteria (they define the age groups).");
        if (CheckCode(entry, ReasonList.Capacity, c.Reason, "$.reason") is { } reason) return reason;
        var groups = _criteria.SelectMany(x => x.Criteria.AgeRule.Groups).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<ProgramId>();
        for (var i = 0; i < c.Rows.Length; i++)
        {
            var row = c.Rows[i];
            if (!_kindergartens.ContainsKey(row.Kindergarten))
                return Problem($"$.rows[{i}].kindergarten", "capacity.unknown-kindergarten", $"Kindergarten '{row.Kindergarten}' is not registered.");
            if (!groups.Contains(row.Group))
                return Problem($"$.rows[{i}].group", "capacity.unknown-group", $"Age group '{row.Group}' is in no published criteria.");
            if (row.Seats < 0)
                return Problem($"$.rows[{i}].seats", "capacity.seats", "Seats cannot be negative.");
            if (!seen.Add(new ProgramId(row.Kindergarten, row.Group, row.Year)))
                return Problem($"$.rows[{i}]", "capacity.duplicate-row", $"({row.Kindergarten}, {row.Group}, {row.Year}) appears twice in one load.");
        }
        foreach (var row in c.Rows) _capacity[new ProgramId(row.Kindergarten, row.Group, row.Year)] = row.Seats;
        return null;
    }

    private ValidationProblem? ApplySubmitted(LogEntry entry, ApplicationSubmitted a)
    {
        var today = LocalDate(entry.At);
        var criteria = CriteriaInForce(today);
        if (criteria is null) return Problem("$", "application.no-criteria", $"No criteria are in force on {today:uuuu-MM-dd}.");
        var problems = ApplicationRules.CheckSubmission(criteria, this, a, today, entry.At);
        if (problems.Count > 0) return problems[0];
        _applications[a.Number] = new ApplicationRecord(a.Number, entry.Seq, a.Kind, a.Channel, a.RegisteredAt, a.BirthMonth,
            a.District, a.Preferences, a.DesiredStart, [.. a.Claims.Select(c => new ClaimState(c.Tier, c.Kindergarten, null))],
            ApplicationStatus.Waiting, null);
        return null;
    }

    private ValidationProblem? Find(string number, out ApplicationRecord record)
    {
        if (_applications.TryGetValue(number, out record!)) return null;
        return Problem("$.number", "application.unknown", $"Application {number} does not exist.");
    }

    private ValidationProblem? ApplyClaimReviewed(LogEntry entry, ClaimReviewed r)
    {
        if (Find(r.Number, out var a) is { } missing) return missing;
        if (CheckCode(entry, ReasonList.ClaimReview, r.Reason, "$.reason") is { } reason) return reason;
        if (a.IsClosed) return Problem("$.number", "application.closed", $"Application {r.Number} is {a.Status}.");
        if (r.Claim < 0 || r.Claim >= a.Claims.Length)
            return Problem("$.claim", "claim.unknown", $"Application {r.Number} has {a.Claims.Length} claims; there is no claim {r.Claim}.");
        _applications[r.Number] = a with { Claims = a.Claims.SetItem(r.Claim, a.Claims[r.Claim] with { Verified = r.Verified }) };
        return null;
    }

    private ValidationProblem? ApplyChanged(LogEntry entry, ApplicationChanged c)
    {
        if (Find(c.Number, out var a) is { } missing) return missing;
        if (a.Status is not (ApplicationStatus.Waiting or ApplicationStatus.Paused))
            return Problem("$.number", "application.not-changeable", $"Application {c.Number} is {a.Status}; only a waiting or paused application can change.");
        var today = LocalDate(entry.At);
        var criteria = CriteriaInForce(today);
        if (criteria is null) return Problem("$", "application.no-criteria", $"No criteria are in force on {today:uuuu-MM-dd}.");
        var problems = ApplicationRules.CheckPreferences(criteria, this, c.Preferences, c.DesiredStart, a.BirthMonth, today);
        if (problems.Count > 0) return problems[0];
        _applications[c.Number] = a with { Preferences = c.Preferences, DesiredStart = c.DesiredStart, Status = ApplicationStatus.Waiting };
        return null;
    }

    private ValidationProblem? ApplyWithdrawn(LogEntry entry, ApplicationWithdrawn w)
    {
        if (Find(w.Number, out var a) is { } missing) return missing;
        if (CheckCode(entry, ReasonList.Withdrawal, w.Reason, "$.reason") is { } reason) return reason;
        if (a.IsClosed) return Problem("$.number", "application.closed", $"Application {w.Number} is {a.Status}.");
        _applications[w.Number] = a with { Status = ApplicationStatus.Withdrawn, Placement = null };
        return null;
    }

    /// <param name="seq">The decision's entry: its only one, or the first of its parts.</param>
    private ValidationProblem? ApplyDecision(long seq, AllocationDecided d)
    {
        if (d.Basis > seq) return Problem("$.basis", "decision.basis", $"A decision at {seq} cannot be based on {d.Basis} entries.");
        if (PublicText.Check(d.Round, "$.round", PublicText.MaxRoundId, "A round id") is { } round) return round;
        // Sized once: a round names hundreds of thousands of applications, and growing the set step by step copied it again and again.
        var named = new HashSet<string>(d.Offers.Length + d.Archived.Length, StringComparer.Ordinal);
        for (var i = 0; i < d.Offers.Length; i++)
        {
            var o = d.Offers[i];
            if (!named.Add(o.Number)) return Problem($"$.offers[{i}].number", "decision.duplicate", $"{o.Number} appears twice in one decision.");
            if (Find(o.Number, out var a) is not null || a.Status != ApplicationStatus.Waiting)
                return Problem($"$.offers[{i}].number", "decision.not-waiting", $"Offer to {o.Number}, which is not waiting.");
            if (!_kindergartens.ContainsKey(o.Kindergarten))
                return Problem($"$.offers[{i}].kindergarten", "decision.unknown-kindergarten", $"Offer at '{o.Kindergarten}', which is not registered.");
        }
        for (var i = 0; i < d.Archived.Length; i++)
        {
            if (!named.Add(d.Archived[i])) return Problem($"$.archived[{i}]", "decision.duplicate", $"{d.Archived[i]} appears twice in one decision.");
            // The engine archives only applications that take part in a round: waiting ones.
            if (Find(d.Archived[i], out var a) is not null || a.Status != ApplicationStatus.Waiting)
                return Problem($"$.archived[{i}]", "decision.not-waiting", $"Archiving {d.Archived[i]}, which is not waiting.");
        }
        // Every name was found above: each record is replaced in place (one lookup, not two).
        foreach (var o in d.Offers)
        {
            ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(_applications, o.Number);
            a = a with
            {
                Status = ApplicationStatus.Offered,
                Placement = new Placement(o.Kindergarten, o.Group, d.Year, o.Deadline, false),
            };
        }
        foreach (var n in d.Archived)
        {
            ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(_applications, n);
            a = a with { Status = ApplicationStatus.Archived, Placement = null };
        }
        _decisions.Add((seq, d));
        return null;
    }

    private ApplicationStatus AfterOffer(LogEntry entry, bool expired)
    {
        var criteria = CriteriaInForce(LocalDate(entry.At)) ?? _criteria[^1].Criteria;
        return (expired ? criteria.Offer.OnExpiry : criteria.Offer.OnDecline) switch
        {
            OfferOutcome.Requeue => ApplicationStatus.Waiting,
            OfferOutcome.Pause => ApplicationStatus.Paused,
            _ => ApplicationStatus.Withdrawn,
        };
    }

    private ValidationProblem? ApplyResponse(LogEntry entry, OfferResponded r)
    {
        if (Find(r.Number, out var a) is { } missing) return missing;
        if (a.Status != ApplicationStatus.Offered) return Problem("$.number", "offer.none", $"Application {r.Number} has no open offer.");
        if (r.Accepted && LocalDate(entry.At) > a.Placement!.Deadline)
            return Problem("$.response", "offer.past-deadline", $"The offer to {r.Number} expired on {a.Placement.Deadline:uuuu-MM-dd}.");
        _applications[r.Number] = r.Accepted
            ? a with { Status = ApplicationStatus.Accepted }
            : a with { Status = AfterOffer(entry, expired: false), Placement = null };
        return null;
    }

    private ValidationProblem? ApplyExpired(LogEntry entry, OffersExpired x)
    {
        if (x.AsOf > LocalDate(entry.At))
            return Problem("$.asOf", "offer.expiry-future", $"Offers cannot be expired as of {x.AsOf:uuuu-MM-dd}, after the entry's date.");
        // Nothing expires; before any criteria there is also no rule that would say what follows (SPEC.md §8.3).
        if (x.Numbers.IsEmpty) return null;
        for (var i = 0; i < x.Numbers.Length; i++)
        {
            if (Find(x.Numbers[i], out var a) is not null || a.Status != ApplicationStatus.Offered)
                return Problem($"$.numbers[{i}]", "offer.none", $"Application {x.Numbers[i]} has no open offer.");
            if (a.Placement!.Deadline >= x.AsOf)
                return Problem($"$.numbers[{i}]", "offer.not-expired", $"The offer to {x.Numbers[i]} runs until {a.Placement.Deadline:uuuu-MM-dd}.");
        }
        var status = AfterOffer(entry, expired: true);
        foreach (var n in x.Numbers) _applications[n] = _applications[n] with { Status = status, Placement = null };
        return null;
    }

    private ValidationProblem? ApplyEnrolment(EnrolmentConfirmed c)
    {
        if (Find(c.Number, out var a) is { } missing) return missing;
        if (a.Status != ApplicationStatus.Accepted) return Problem("$.number", "enrolment.not-accepted", $"Application {c.Number} has not accepted an offer.");
        _applications[c.Number] = a with { Status = ApplicationStatus.Enrolled, Placement = a.Placement! with { Deadline = null } };
        return null;
    }

    private ValidationProblem? ApplyExceptional(LogEntry entry, EnrolmentExceptional x)
    {
        if (Find(x.Number, out var a) is { } missing) return missing;
        if (a.IsClosed) return Problem("$.number", "application.closed", $"Application {x.Number} is {a.Status}.");
        if (CheckCode(entry, ReasonList.ExceptionalBasis, x.LegalBasis, "$.legalBasis") is { } basis) return basis;
        if (!_kindergartens.ContainsKey(x.Kindergarten)) return Problem("$.kindergarten", "enrolment.unknown-kindergarten", $"Kindergarten '{x.Kindergarten}' is not registered.");
        _applications[x.Number] = a with { Status = ApplicationStatus.Enrolled, Placement = new Placement(x.Kindergarten, x.Group, x.Year, null, true) };
        return null;
    }

    /// <summary>
    /// The payload of a signal review (SPEC.md §17.6). Whether the signal exists and the transition is
    /// allowed is the signal ledger's question, not the fold's: signals are derived from the log.
    /// </summary>
    private ValidationProblem? ApplySignalReviewed(LogEntry entry, SignalReviewed v)
    {
        if (!Signals.SignalIds.IsValid(v.Signal))
            return Problem("$.signal", "signal.id", "A signal id is 'sig-' and 16 lower-case hex digits.");
        if (!Signals.SignalStatuses.Reviewed.Contains(v.Status))
            return Problem("$.status", "signal.status", $"A review moves a signal to one of: {string.Join(", ", Signals.SignalStatuses.Reviewed)}.");
        // No legacy text here: an outcome is always a code of the published list (SPEC.md §4.6).
        if (ReasonCodesOn(LocalDate(entry.At)).Find(ReasonList.SignalOutcome, v.Outcome) is null)
            return Problem("$.outcome", "reason.unknown", $"The value is not a code of the published '{ReasonCodes.Member(ReasonList.SignalOutcome)}' list.");
        if (!Signals.SignalIds.IsSha256Hex(v.Explanation))
            return Problem("$.explanation", "signal.explanation", "The explanation is the SHA-256 of its text: 64 lower-case hex digits.");
        return null;
    }
}
