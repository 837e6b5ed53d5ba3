using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>One step of a random log script; the world turns it into an event if one makes sense now (picks are taken modulo the candidates).</summary>
public abstract record Op;

public sealed record Wait(int Days, int HourUtc, bool Advance) : Op;

public sealed record Submit(int AgeMonths, int DesiredDays, ImmutableArray<int> Preferences, ImmutableArray<(int Tier, int Kg)> Claims, int Backdate, int District) : Op
{
    public override string ToString() =>
        $"Submit(age {AgeMonths}m, desired +{DesiredDays}, prefs [{string.Join(",", Preferences)}], claims [{string.Join(",", Claims)}], backdate {Backdate}, d{District + 1})";
}

public sealed record Review(int Pick, int Claim, bool Verified) : Op;

public sealed record Change(int Pick, ImmutableArray<int> Preferences, int DesiredDays) : Op
{
    public override string ToString() => $"Change({Pick}, prefs [{string.Join(",", Preferences)}], desired +{DesiredDays})";
}

public sealed record Withdraw(int Pick) : Op;

public sealed record Round(int StartDays) : Op;

public sealed record Respond(int Pick, bool Accept) : Op;

public sealed record Expire : Op;

public sealed record Confirm(int Pick) : Op;

public sealed record Exceptional(int Pick, int Kg, int Group) : Op;

public sealed record Capacity(ImmutableArray<(int Kg, int Group, int YearOffset, int Seats)> Rows) : Op
{
    public override string ToString() => $"Capacity([{string.Join(",", Rows)}])";
}

public sealed record NewCriteria(int Variant, int EffectiveDays) : Op;

public sealed record Reregister(int Kg, ImmutableArray<int> Catchment) : Op
{
    public override string ToString() => $"Reregister(kg-{Kg + 1}, [{string.Join(",", Catchment)}])";
}

/// <summary>A random log: the offer rules of the first criteria and the operations.</summary>
public sealed record LogScript(OfferOutcome OnDecline, OfferOutcome OnExpiry, ImmutableArray<Op> Ops)
{
    public override string ToString() => $"decline {OnDecline}, expiry {OnExpiry}\n  " + string.Join("\n  ", Ops);
}

/// <summary>Random scripts: many submissions with random tiers, claims and backdating, and every other kind of event, over one to two years.</summary>
internal static class LogScripts
{
    public const int Kindergartens = 4;
    public const int Districts = 3;

    private static readonly int[] KgIndices = [0, 1, 2, 3];

    private static Gen<ImmutableArray<int>> Preferences =>
        from order in Gen.Shuffle(KgIndices)
        from n in Gen.Choose(1, Kindergartens)
        select order.Take(n).ToImmutableArray();

    private static Gen<Op> SubmitOp =>
        from age in Gen.Frequency((1, Gen.Choose(0, 11)), (6, Gen.Choose(12, 72)), (1, Gen.Choose(73, 90)))
        from desired in Gen.Frequency((4, Gen.Constant(0)), (3, Gen.Choose(1, 60)), (1, Gen.Choose(61, 400)))
        from prefs in Preferences
        from claimCount in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 2)))
        from claims in Gen.ArrayOf(from t in Gen.Choose(0, 2) from k in Gen.Choose(0, Kindergartens - 1) select (t, k), claimCount)
        from backdate in Gen.Frequency((5, Gen.Constant(-1)), (1, Gen.Constant(-2)), (1, Gen.Choose(0, 400)))
        from district in Gen.Choose(0, Districts - 1)
        select (Op)new Submit(age, desired, prefs, [.. claims], backdate, district);

    private static Gen<Op> Others => Gen.Frequency(
        (12, from d in Gen.Frequency((3, Gen.Choose(1, 3)), (2, Gen.Choose(4, 45)), (1, Gen.Choose(46, 200)))
             from h in Gen.Choose(0, 23)
             from a in Gen.Elements(true, false)
             select (Op)new Wait(d, h, a)),
        (8, from p in Gen.Choose(0, 1000) from c in Gen.Choose(0, 3) from v in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
            select (Op)new Review(p, c, v)),
        (5, from p in Gen.Choose(0, 1000) from prefs in Preferences from d in Gen.Choose(0, 300) select (Op)new Change(p, prefs, d)),
        (3, Gen.Choose(0, 1000).Select(p => (Op)new Withdraw(p))),
        (5, Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 200))).Select(s => (Op)new Round(s))),
        (6, from p in Gen.Choose(0, 1000) from a in Gen.Elements(true, false) select (Op)new Respond(p, a)),
        (3, Gen.Constant((Op)new Expire())),
        (2, Gen.Choose(0, 1000).Select(p => (Op)new Confirm(p))),
        (1, from p in Gen.Choose(0, 1000) from k in Gen.Choose(0, Kindergartens - 1) from g in Gen.Choose(0, 4) select (Op)new Exceptional(p, k, g)),
        (2, from n in Gen.Choose(1, 4)
            from rows in Gen.ArrayOf(from k in Gen.Choose(0, Kindergartens - 1) from g in Gen.Choose(0, 4) from y in Gen.Choose(0, 1) from s in Gen.Choose(0, 3) select (k, g, y, s), n)
            select (Op)new Capacity([.. rows])),
        (1, from v in Gen.Choose(0, NewCriteriaVariants - 1) from d in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 90))) select (Op)new NewCriteria(v, d)),
        (2, from k in Gen.Choose(0, Kindergartens - 1) from c in Gen.SubListOf(new[] { 0, 1, 2 }) select (Op)new Reregister(k, [.. c])));

    public const int NewCriteriaVariants = 7;

    public static Gen<LogScript> Scripts(int maxOps) =>
        from decline in Gen.Elements(OfferOutcome.Requeue, OfferOutcome.Pause, OfferOutcome.Withdraw)
        from expiry in Gen.Elements(OfferOutcome.Requeue, OfferOutcome.Pause, OfferOutcome.Withdraw)
        from n in Gen.Choose(5, maxOps)
        from ops in Gen.ArrayOf(Gen.Frequency((5, SubmitOp), (6, Others)), n)
        select new LogScript(decline, expiry, [.. ops]);
}

/// <summary>
/// Runs a script: each event goes to the fold, and if accepted to the chain, the index and (if
/// given) the reference; the checks compare the index with QueuePositions and the reference.
/// </summary>
internal sealed class PositionWorld
{
    private const string Actor = "staff:s-1";
    private static readonly string[] TierClaims = ["extraordinary", "first", "sibling"];

    private readonly List<string> _numbers = [];
    private int _rounds;
    private int _versions;

    public QueueState State { get; } = new();
    public LogChain Chain { get; } = new();
    public QueueIndex Index { get; } = new();
    public ReferenceHistory? Reference { get; }
    /// <summary>The member-by-member index the lazy one replaced, compared after every entry and date if present.</summary>
    public Eager.EagerQueueIndex? Eager { get; }
    /// <summary>With <see cref="Eager"/>: indexes for losses only (a validator's), one per floor, whose counts above their floor must equal the eager index's.</summary>
    private readonly (int Floor, QueueIndex Index)[] _lossesOnly;
    public List<(LogEntry Entry, LogEvent Event)> Log { get; } = [];
    public Instant Clock { get; set; }

    /// <summary>Compare positions with QueuePositions.Compute after every accepted entry.</summary>
    public bool CheckEachEntry { get; init; }

    /// <summary>Default criteria (with the script's offer rules) published in December 2026, three districts, four kindergartens, some seats.</summary>
    public PositionWorld(OfferOutcome onDecline, OfferOutcome onExpiry, bool withReference, bool withEager = false)
    {
        Reference = withReference ? new ReferenceHistory() : null;
        Eager = withEager ? new Eager.EagerQueueIndex() : null;
        _lossesOnly = withEager ? [.. ((int[])[0, 1, 2]).Select(f => (f, QueueIndex.ForLossesOnly()))] : [];
        Clock = Instant.FromUtc(2026, 12, 1, 6, 0);
        var criteria = DefaultCriteria.Value with { Offer = DefaultCriteria.Value.Offer with { OnDecline = onDecline, OnExpiry = onExpiry } };
        Ok(new CriteriaPublished(criteria));
        for (var d = 1; d <= LogScripts.Districts; d++) Ok(new DistrictRegistered($"d{d}", $"District {d}"));
        for (var k = 1; k <= LogScripts.Kindergartens; k++)
            Ok(new KindergartenRegistered($"kg-{k}", $"Kindergarten {k}", $"d{(k - 1) % LogScripts.Districts + 1}", [$"d{(k - 1) % LogScripts.Districts + 1}"]));
        Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1), new CapacityRow("kg-2", "early", 2027, 2), new CapacityRow("kg-3", "junior", 2027, 1)]));
        Clock = Instant.FromUtc(2027, 1, 11, 6, 0);
    }

    public LocalDate Today => State.LocalDate(Clock);

    /// <summary>Appends the event if the fold accepts it; true if it did.</summary>
    public bool Try(LogEvent e)
    {
        var at = Formats.TruncateToMillisecond(Clock);
        var entry = new LogEntry(State.Size, at, Actor, e.Type, EventCodec.Encode(e), Chain.Head.ToArray());
        if (State.Apply(entry, e) is not null) return false;
        Chain.Append(at, Actor, e);
        Index.Observe(entry, e, State);
        Reference?.Observe(entry, e, State);
        Eager?.Observe(entry, e, State);
        foreach (var (floor, index) in _lossesOnly)
        {
            index.LossFloor = floor;
            index.Observe(entry, e, State);
        }
        Log.Add((entry, e));
        CheckAgainstEager();
        if (CheckEachEntry) CheckPositions();
        Clock += Duration.FromMinutes(7);
        return true;
    }

    public void Ok(LogEvent e)
    {
        if (!Try(e)) throw new InvalidOperationException($"{e.Type} was rejected: {e}");
    }

    public void AdvanceTo(LocalDate today)
    {
        Index.AdvanceTo(today, State);
        Reference?.AdvanceTo(today, State);
        Eager?.AdvanceTo(today, State);
        foreach (var (_, index) in _lossesOnly) index.AdvanceTo(today, State);
        CheckAgainstEager();
        if (CheckEachEntry) CheckPositions();
    }

    public static ApplicationSubmitted Application(string number, string[] preferences, YearMonth birth, LocalDate desired, Instant registeredAt,
        string district = "d1", params PriorityClaim[] claims) =>
        new(number, "new", "portal", Formats.TruncateToMillisecond(registeredAt), birth, district, [.. preferences], desired, [.. claims], new string('0', 64));

    public void Run(LogScript script)
    {
        foreach (var op in script.Ops) Run(op);
    }

    public void Run(Op op)
    {
        var today = Today;
        var criteria = State.CriteriaInForce(today)!;
        switch (op)
        {
            case Wait w:
                var next = today.PlusDays(w.Days).AtMidnight().InUtc().ToInstant() + Duration.FromHours(w.HourUtc);
                if (next > Clock) Clock = next;
                if (w.Advance) AdvanceTo(Today);
                break;
            case Submit s:
                SubmitApplication(s, today);
                break;
            case Review r when Pick(r.Pick, a => !a.IsClosed && a.Claims.Length > 0) is { } a:
                Try(new ClaimReviewed(a.Number, r.Claim % a.Claims.Length, r.Verified, r.Verified ? "document-confirmed" : "not-eligible"));
                break;
            case Change c when Pick(c.Pick, a => a.Status is ApplicationStatus.Waiting or ApplicationStatus.Paused) is { } a:
                Try(new ApplicationChanged(a.Number, [.. c.Preferences.Select(Kg)], today.PlusDays(c.DesiredDays)));
                break;
            case Withdraw w when Pick(w.Pick, a => !a.IsClosed) is { } a:
                Try(new ApplicationWithdrawn(a.Number, "parent-request"));
                break;
            case Round r:
                var outcome = Rounds.Decide(State, $"r{++_rounds}", today, today.PlusDays(r.StartDays));
                if (outcome.Success) Try(outcome.Value!.Decision);
                break;
            case Respond r when Pick(r.Pick, a => a.Status == ApplicationStatus.Offered) is { } a:
                Try(new OfferResponded(a.Number, r.Accept));
                break;
            case Expire:
                Try(new OffersExpired(today, [.. State.Applications.Values
                    .Where(a => a.Status == ApplicationStatus.Offered && a.Placement!.Deadline < today)
                    .Select(a => a.Number).Order(StringComparer.Ordinal)]));
                break;
            case Confirm c when Pick(c.Pick, a => a.Status == ApplicationStatus.Accepted) is { } a:
                Try(new EnrolmentConfirmed(a.Number));
                break;
            case Exceptional x when Pick(x.Pick, a => !a.IsClosed) is { } a:
                var groups = criteria.AgeRule.Groups;
                Try(new EnrolmentExceptional(a.Number, Kg(x.Kg), groups[x.Group % groups.Length].Id,
                    AgeCalculator.EnrolmentYear(criteria.AgeRule, today), "court-decision"));
                break;
            case Capacity c:
                var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, today);
                var rows = c.Rows
                    .Select(r => new CapacityRow(Kg(r.Kg), criteria.AgeRule.Groups[r.Group % criteria.AgeRule.Groups.Length].Id, year + r.YearOffset, r.Seats))
                    .DistinctBy(r => (r.Kindergarten, r.Group, r.Year)).ToImmutableArray();
                Try(new CapacityLoaded("annual-plan", rows));
                break;
            case NewCriteria n:
                var version = Variant(DefaultCriteria.Value, n.Variant) with { Version = $"2027.{++_versions + 1}" };
                // No retroactivity is judged in the new version's own zone (SPEC.md §4.5).
                version = version with { EffectiveFrom = Clock.InZone(DateTimeZoneProviders.Tzdb[version.TimeZone]).Date.PlusDays(n.EffectiveDays) };
                if (CriteriaValidator.Validate(version).Count == 0) Try(new CriteriaPublished(version));
                break;
            case Reregister r:
                var kg = State.Kindergartens[Kg(r.Kg)];
                Try(new KindergartenRegistered(kg.Id, kg.Name, kg.District, [.. r.Catchment.Select(d => $"d{d + 1}")]));
                break;
            default:
                break;
        }
    }

    /// <summary>Valid variants of the default criteria, each changing something positions depend on.</summary>
    public static CriteriaDocument Variant(CriteriaDocument c, int variant) => variant switch
    {
        // Extraordinary and first swap places: ranks change everywhere.
        0 => c with { Tiers = [c.Tiers[1], c.Tiers[0], .. c.Tiers[2..]] },
        1 => c with { AgeRule = c.AgeRule with { ArchiveAge = 8 } },
        2 => c with { AgeRule = c.AgeRule with { CutoffMonth = 10, CutoffDay = 1 } },
        // Twelve hours behind Moscow: local dates of some entries go back a day.
        3 => c with { TimeZone = "America/Anchorage" },
        4 => c with { TimeZone = "Asia/Kamchatka" },
        5 => c with { Offer = c.Offer with { OnDecline = OfferOutcome.Requeue, OnExpiry = OfferOutcome.Requeue } },
        // No catchment tier: catchment ranks disappear.
        _ => c with { Tiers = [.. c.Tiers.Where(t => t.Scope != TierScope.Catchment)], Categories = [.. c.Categories.Where(x => x.Tier != "catchment")] },
    };

    private void SubmitApplication(Submit s, LocalDate today)
    {
        var number = $"A-{_numbers.Count + 1:D4}";
        var birth = new YearMonth(today.Year, today.Month).PlusMonths(-s.AgeMonths);
        var registeredAt = s.Backdate switch
        {
            -1 => Clock,
            -2 when _numbers.Count > 0 => State.Applications[_numbers[s.AgeMonths % _numbers.Count]].RegisteredAt,
            -2 => Clock,
            _ => Clock - Duration.FromDays(s.Backdate) - Duration.FromMilliseconds(s.AgeMonths),
        };
        var claims = s.Claims.Select(c => c.Tier == 2 ? new PriorityClaim("sibling", Kg(c.Kg)) : new PriorityClaim(TierClaims[c.Tier], null)).ToArray();
        var e = Application(number, [.. s.Preferences.Select(Kg)], birth, today.PlusDays(s.DesiredDays), registeredAt, $"d{s.District + 1}", claims);
        if (Try(e)) _numbers.Add(number);
    }

    private ApplicationRecord? Pick(int pick, Func<ApplicationRecord, bool> filter)
    {
        var candidates = _numbers.Select(n => State.Applications[n]).Where(filter).ToList();
        return candidates.Count == 0 ? null : candidates[pick % candidates.Count];
    }

    private static string Kg(int i) => $"kg-{i + 1}";

    // ------------------------------------------------------------------------------ checks

    /// <summary>
    /// With <see cref="Eager"/>: every application's positions and history (canonical bytes) and the
    /// losses the mass-position-loss rule counts (several thresholds) equal the eager index's, and so
    /// do the counts of the indexes for losses only at and above their floors.
    /// </summary>
    public void CheckAgainstEager()
    {
        if (Eager is null) return;
        foreach (var places in (int[])[0, 1, 2, 3, 10])
        {
            var (lazy, eager) = (Index.ApplicationsLosingMoreThan(places), Eager.ApplicationsLosingMoreThan(places));
            if (lazy != eager)
                throw new InvalidOperationException($"After {State.Size} entries, {lazy} applications lost more than {places} places; the eager index counts {eager}");
            foreach (var (floor, index) in _lossesOnly)
            {
                if (places < floor) continue;
                var counted = index.ApplicationsLosingMoreThan(places);
                if (counted != eager)
                    throw new InvalidOperationException($"After {State.Size} entries, the index for losses above {floor} counts {counted} applications losing more than {places} places; the eager index counts {eager}");
            }
        }
        foreach (var number in State.Applications.Keys)
        {
            var (lazy, eager) = (Index.PositionsOf(number)!, Eager.PositionsOf(number)!);
            if (!lazy.Positions.SequenceEqual(eager.Positions))
                throw new InvalidOperationException($"Positions of {number} after {State.Size} entries: [{string.Join(", ", lazy.Positions)}], eager [{string.Join(", ", eager.Positions)}]");
            var actual = System.Text.Encoding.UTF8.GetString(PositionHistoryJson.ToCanonicalBytes(Index.HistoryOf(number)!));
            var expected = System.Text.Encoding.UTF8.GetString(PositionHistoryJson.ToCanonicalBytes(Eager.HistoryOf(number)!));
            if (actual != expected)
                throw new InvalidOperationException($"History of {number} after {State.Size} entries differs from the eager index's:\n lazy  {actual}\n eager {expected}");
        }
    }

    /// <summary>The index's positions equal QueuePositions.Compute over the waiting applications, for every application.</summary>
    public void CheckPositions()
    {
        var asOf = Index.AsOf!.Value;
        var criteria = State.CriteriaInForce(asOf);
        var kindergartens = State.Kindergartens.Values.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)).ToList();
        var waiting = State.Applications.Values.Where(a => a.Status == ApplicationStatus.Waiting).Select(RoundBuilder.ToApplicant).ToList();
        var expected = criteria is null ? [] : QueuePositions.Compute(criteria, asOf, kindergartens, waiting).ToDictionary(p => p.Number, p => p.Positions);
        foreach (var number in State.Applications.Keys)
        {
            var actual = Index.PositionsOf(number)!.Positions;
            var want = expected.GetValueOrDefault(number, []);
            if (!actual.SequenceEqual(want))
                throw new InvalidOperationException($"Positions of {number} after {State.Size} entries (asOf {asOf}):\n index     [{string.Join(", ", actual)}]\n computed  [{string.Join(", ", want)}]");
        }
    }

    /// <summary>Every history of the index meets the rules a validator can check without recomputing (SPEC.md §12.4), and equals the reference if there is one.</summary>
    public void CheckHistories()
    {
        foreach (var number in State.Applications.Keys)
        {
            var history = Index.HistoryOf(number)!;
            CheckHistory(history);
            if (Reference is null) continue;
            var expected = System.Text.Encoding.UTF8.GetString(PositionHistoryJson.ToCanonicalBytes(Reference.HistoryOf(number, State)));
            var actual = System.Text.Encoding.UTF8.GetString(PositionHistoryJson.ToCanonicalBytes(history));
            if (actual != expected)
                throw new InvalidOperationException($"History of {number} differs from the reference:\n index     {actual}\n reference {expected}");
        }
    }

    private void CheckHistory(PositionHistory history)
    {
        var positions = Index.PositionsOf(history.Number)!.Positions.ToDictionary(p => p.Kindergarten, p => p.Position);
        foreach (var k in history.Kindergartens)
        {
            var where = $"{history.Number} at {k.Kindergarten}";
            int? previous = null;
            for (var i = 0; i < k.Steps.Length; i++)
            {
                var s = k.Steps[i];
                var at = $"{where}, step {i} ({System.Text.Encoding.UTF8.GetString(StepBytes(s))})";
                Require(s.Before == previous, $"{at}: starts at {s.Before}, the previous step ended at {previous}");
                Require(s.Before is not null || s.After is not null, $"{at}: neither before nor after");
                var sum = s.Reasons.Sum(r => r.Count);
                if (s.Before is { } b && s.After is { } a) Require(a - b == sum, $"{at}: reasons add up to {sum}, the position moved by {a - b}");
                else Require(s.Reasons.All(r => r.Count == 0), $"{at}: entering or leaving carries no counts");
                Require(s.Reasons.Length > 0, $"{at}: no reason");
                Require(s.Reasons.Select(r => PositionReasons.All.IndexOf(r.Reason)).SequenceEqual(s.Reasons.Select(r => PositionReasons.All.IndexOf(r.Reason)).Order().Distinct()),
                    $"{at}: reasons out of order or repeated");
                foreach (var r in s.Reasons) CheckReason(s, r, at);
                previous = s.After;
            }
            var current = k.Listed && positions.TryGetValue(k.Kindergarten, out var p) ? p : (int?)null;
            Require(previous == current, $"{where}: the last step ends at {previous}, the position is {current}");
        }
    }

    private void CheckReason(PositionStep s, StepReason r, string at)
    {
        Require(r.Seqs.Length <= PositionReasons.ListedSeqs && r.More >= 0, $"{at}: {r.Reason} lists {r.Seqs.Length} (+{r.More})");
        Require(r.More == 0 || r.Seqs.Length == PositionReasons.ListedSeqs, $"{at}: {r.Reason} counts more before listing {PositionReasons.ListedSeqs}");
        Require(r.Seqs.SequenceEqual(r.Seqs.Order().Distinct()), $"{at}: {r.Reason} seqs not ascending");
        var entries = r.Seqs.Length + r.More;
        if (r.Reason == PositionReasons.Calendar)
        {
            Require(entries == 0 && s.FirstSeq is null, $"{at}: a calendar step names entries");
            return;
        }
        Require(entries >= 1, $"{at}: {r.Reason} names no entry");
        if (r.Reason != PositionReasons.Criteria || s.FirstSeq is not null)
            Require(r.Seqs.All(q => q >= s.FirstSeq && q <= s.LastSeq), $"{at}: {r.Reason} names entries outside the step");
        foreach (var seq in r.Seqs)
        {
            var e = Log[(int)seq].Event;
            var fits = r.Reason switch
            {
                PositionReasons.NewAhead or PositionReasons.OwnSubmitted => e is ApplicationSubmitted,
                PositionReasons.RightVerified => e is ClaimReviewed { Verified: true },
                PositionReasons.RightRejected => e is ClaimReviewed { Verified: false },
                PositionReasons.OwnRight => e is ClaimReviewed,
                PositionReasons.Preferences or PositionReasons.OwnPreferences => e is ApplicationChanged,
                PositionReasons.Withdrawn => e is ApplicationWithdrawn,
                PositionReasons.Returned or PositionReasons.OwnReturned => e is OfferResponded { Accepted: false } or OffersExpired,
                PositionReasons.Placed or PositionReasons.Archived => e is AllocationDecided,
                PositionReasons.EnrolledOutside => e is EnrolmentExceptional,
                PositionReasons.Criteria => e is CriteriaPublished,
                PositionReasons.Catchment => e is KindergartenRegistered,
                PositionReasons.Capacity => e is CapacityLoaded,
                PositionReasons.OwnStatus => e is ApplicationWithdrawn or AllocationDecided or EnrolmentExceptional,
                _ => false,
            };
            Require(fits, $"{at}: {r.Reason} names entry {seq}, a {e.Type}");
        }
        // One application moves per entry for these, so each entry is exactly one crossing (SPEC.md §12.3).
        var perEntry = r.Reason switch
        {
            PositionReasons.NewAhead or PositionReasons.RightVerified => 1,
            PositionReasons.RightRejected or PositionReasons.Withdrawn or PositionReasons.EnrolledOutside => -1,
            _ => 0,
        };
        if (perEntry != 0) Require(r.Count == perEntry * entries, $"{at}: {r.Reason} counts {r.Count} for {entries} entries");
        if (r.Reason is PositionReasons.Placed or PositionReasons.Archived) Require(r.Count < 0, $"{at}: {r.Reason} moved the position back");
        if (r.Reason is PositionReasons.Returned) Require(r.Count >= entries, $"{at}: returned counts {r.Count} for {entries} entries");
    }

    private static byte[] StepBytes(PositionStep s)
    {
        var w = new CanonicalJsonWriter();
        PositionHistoryJson.WriteStep(w, s);
        return w.ToArray();
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }
}
