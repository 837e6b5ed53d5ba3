using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Endpoints;
using KinderQueue.Core;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The demo's year of history, played through a <see cref="LiveLog"/> whose clock is the simulated
/// time (<see cref="DemoClock"/>), so every entry carries the instant it would have had: the
/// register taken over on the first day, applications arriving over the months, claim reviews,
/// a round on the 10th of every month with offers answered, declined, expired and enrolled, the
/// seats of each enrolment year, and a few irregular actions that the published signal rules
/// catch (SPEC.md §17.3), some of which the department answers (§17.6).
/// </summary>
/// <remarks>
/// What happens is a function of the plan and the seed; when is a function of the end instant.
/// A step's instant is rounded up to a <see cref="SlotMinutes"/> slot so that the steps of a slot
/// share one group commit (the log stamps a whole batch with one instant; one batch per
/// application would make the start slow), and steps of one slot run in the order they were planned.
/// </remarks>
internal sealed class DemoYear
{
    public const int SlotMinutes = 240;

    /// <summary>The day of the month the monthly rounds run.</summary>
    public const int RoundDay = 10;

    private readonly DemoPlan _plan;
    private readonly DemoStaff _staff;
    private readonly DateTimeZone _zone;
    private readonly Instant _opening;
    private readonly Instant _end;
    private readonly SplitMix64 _rng;
    private readonly PriorityQueue<Step, (Instant At, long Order)> _steps = new();
    private long _order;

    /// <param name="Quiet">A refusal the step expects now and then (a withdrawal of an application placed meanwhile): not reported.</param>
    private sealed record Step(Instant At, string What, string Subject, Func<ICommand> Make, Action<CommandResult>? Then, bool Review, bool Quiet);

    /// <summary>The irregular actions and where the plan put them (for the reviews and the tests).</summary>
    public sealed record Story(
        string BurstKindergarten, Instant BurstAt, int BurstClaims,
        string BackdatingDistrict, Instant BackdatingAt, int Backdated,
        string? LateKindergarten, string? CutKindergarten, int? StoryYear, LocalDate? FirstMainRound);

    public DemoYear(DemoPlan plan, ulong seed, Instant end)
    {
        _plan = plan;
        _staff = new DemoStaff(seed);
        _zone = DateTimeZoneProviders.Tzdb[plan.Criteria.TimeZone];
        _end = end;
        _opening = Earlier(plan.Start.At(new LocalTime(8, 0)).InZoneLeniently(_zone).ToInstant(), end);
        _rng = new SplitMix64(seed).Fork(7);
    }

    public Instant Opening => _opening;
    public DemoStaff Staff => _staff;
    public Dictionary<string, string> AccessCodes { get; } = new(StringComparer.Ordinal);
    public AllocationResult? LastRound { get; private set; }
    public string? LastRoundId { get; private set; }
    public int Rounds { get; private set; }
    public string? Exceptional { get; private set; }
    public Story? Staged { get; private set; }
    public List<string> Unreviewed { get; } = [];

    /// <summary>What is planned so far, in the order it will run: instant, what and its subject (the region's history is a function of the seed and the end).</summary>
    public IReadOnlyList<(Instant At, string What, string Subject)> Planned() =>
        [.. _steps.UnorderedItems.OrderBy(x => x.Priority.At).ThenBy(x => x.Priority.Order).Select(x => (x.Element.At, x.Element.What, x.Element.Subject))];

    private static Instant Earlier(Instant a, Instant b) => a < b ? a : b;

    private Instant Local(LocalDate day, int hour, int minute = 0) => day.At(new LocalTime(hour, minute)).InZoneLeniently(_zone).ToInstant();

    /// <summary>The slot an instant falls in, rounded up (never before the instant, never after the end).</summary>
    public Instant Slot(Instant at)
    {
        var slot = Duration.FromMinutes(SlotMinutes).BclCompatibleTicks;
        var ticks = at.ToUnixTimeTicks();
        var up = (ticks + slot - 1) / slot * slot;
        return Earlier(Instant.FromUnixTimeTicks(up), _end);
    }

    private void Plan(Instant at, string what, string subject, Func<ICommand> make, Action<CommandResult>? then = null, bool exact = false, bool review = false,
        bool quiet = false)
    {
        if (at > _end) return; // it has not happened yet
        var when = exact ? at : Slot(at);
        if (when < _opening) when = _opening;
        _steps.Enqueue(new Step(when, what, subject, make, then, review, quiet), (when, _order++));
    }

    private static DelegateCommand Append(string actor, LogEvent e) => new(actor, null, (_, _) => CommandDecision.Append(e, ApplicationsApi.Appended));

    /// <summary>Plans the whole year (later steps are planned as earlier ones complete: offers after their round).</summary>
    public void PlanYear(CriteriaDocument opening, CriteriaDocument withSignals)
    {
        var migration = DemoStaff.Migration;
        // 1. The first day: criteria (the thresholds take effect the next day, so the register taken
        // over is not read as a burst), the register of kindergartens and the seats already planned.
        Plan(_opening, "register", "criteria", () => Append(migration, new CriteriaPublished(opening)));
        Plan(_opening, "register", "criteria", () => Append(migration, new CriteriaPublished(withSignals)));
        foreach (var d in _plan.Districts) Plan(_opening, "register", d.Id, () => Append(migration, new DistrictRegistered(d.Id, d.Name)));
        foreach (var k in _plan.Kindergartens) Plan(_opening, "register", k.Id, () => Append(migration, new KindergartenRegistered(k.Id, k.Name, k.District, k.Catchment)));

        var t = withSignals.Signals!;
        var storyYear = _plan.Capacity.Select(c => c.Year).Cast<int?>()
            .FirstOrDefault(y => new LocalDate(y!.Value, t.CapacityDeadlineMonth, t.CapacityDeadlineDay) >= _plan.Start.PlusDays(30));
        foreach (var c in _plan.Capacity.Where(c => c.Year != storyYear))
            foreach (var load in c.Loads) Plan(_opening, "register", "capacity", () => Append(migration, load));

        var applications = Stage(out var burstIds, out var backdatedIds);
        var (lateKg, cutKg, firstMain) = storyYear is { } y ? PlanCapacityStory(y, t) : (null, null, (LocalDate?)null);
        var burst = applications.Where(a => burstIds.Contains(a.Number)).ToList();
        var burstKg = burst.Count > 0 ? burst[0].Input.Preferences[0] : "";
        var burstAt = BurstInstant();
        var backdatingDistrict = _plan.Districts[1 % _plan.Districts.Length].Id;
        var backdatingAt = BackdatingInstant();

        // 2. Applications: the register on the first day, then each as it arrives.
        foreach (var a in applications) PlanApplication(a, burstIds.Contains(a.Number), backdatedIds.Contains(a.Number), backdatingAt, burstAt);

        // 3. The rounds, on the 10th of each month from the first one a week or more after the start.
        LocalDate? lastRound = null;
        for (var m = new YearMonth(_plan.Start.Year, _plan.Start.Month); ; m = m.PlusMonths(1))
        {
            var date = new LocalDate(m.Year, m.Month, RoundDay);
            if (date > _plan.Today) break;
            if (date < _plan.Start.PlusDays(7)) continue;
            PlanRound(date, Local(date, 11));
            lastRound = date;
        }
        // When the last monthly round's offers have all been answered or expired, a round runs now, so
        // the region always has open offers to look at (their answers are still to come).
        if (lastRound is not { } last || last.PlusDays(_plan.Criteria.Offer.DeadlineDays) < _plan.Today) PlanRound(_plan.Today, _end);

        PlanChanges(applications);
        PlanStaffChanges(firstMain);
        PlanExceptional();

        Staged = new Story(burstKg, Slot(burstAt), burst.Count, backdatingDistrict, Slot(backdatingAt), backdatedIds.Count,
            lateKg, cutKg, storyYear, firstMain);
        PlanReviews(Staged);
    }

    /// <summary>The morning early in the fifth month when one verifier verifies a burst of claims at one kindergarten.</summary>
    private Instant BurstInstant()
    {
        var m = new YearMonth(_plan.Start.Year, _plan.Start.Month).PlusMonths(4);
        return Local(new LocalDate(m.Year, m.Month, 6), 9, 10);
    }

    /// <summary>The evening in the third month when one service centre enters two months of paper applications at once.</summary>
    private Instant BackdatingInstant()
    {
        var m = new YearMonth(_plan.Start.Year, _plan.Start.Month).PlusMonths(3);
        return Local(new LocalDate(m.Year, m.Month, 26), 17, 0);
    }

    /// <summary>
    /// The applications with the irregular part of the story folded in: about 30 that arrive in the
    /// five weeks before the burst, in the burst kindergarten's district, get a large-family claim
    /// and that kindergarten first; the centre applications of one district from the two months
    /// before the backdating evening wait for it.
    /// </summary>
    private List<DemoApplication> Stage(out HashSet<string> burst, out HashSet<string> backdated)
    {
        var burstAt = BurstInstant();
        var backdatingAt = BackdatingInstant();
        var district = _plan.Districts[0].Id;
        var kg = _plan.Kindergartens.Where(k => k.District == district).OrderByDescending(k => k.Popularity).ThenBy(k => k.Id, StringComparer.Ordinal).First();
        burst = new HashSet<string>(StringComparer.Ordinal);
        backdated = new HashSet<string>(StringComparer.Ordinal);
        var backdatingDistrict = _plan.Districts[1 % _plan.Districts.Length].Id;
        var rng = _rng.Fork(1);
        var result = new List<DemoApplication>(_plan.Applications.Length);
        foreach (var a in _plan.Applications)
        {
            var at = a.Input.RegisteredAt!.Value;
            var arrives = at >= _opening;
            if (arrives && burst.Count < 30 && at < burstAt && at >= burstAt - Duration.FromDays(35) && a.Input.District == district
                && a.Input.Claims.IsEmpty && a.WithdrawalReason is null && a.Input.Channel == "portal")
            {
                burst.Add(a.Number);
                var prefs = a.Input.Preferences.Remove(kg.Id).Insert(0, kg.Id);
                if (prefs.Length > _plan.Criteria.MaxPreferences) prefs = prefs.RemoveAt(prefs.Length - 1);
                var registered = at.InZone(_zone).Date;
                var claim = new ClaimInput("large-family", null, DemoNames.Documents("large-family", rng, registered.PlusDays(-rng.Between(1, 60))));
                result.Add(a with { Input = a.Input with { Preferences = prefs, Claims = [claim] }, Reviews = [new DemoReview(0, true, "document-confirmed")] });
                continue;
            }
            if (arrives && a.Input.Channel == "centre" && a.Input.District == backdatingDistrict
                && at < backdatingAt - Duration.FromDays(4) && at >= backdatingAt - Duration.FromDays(60))
                backdated.Add(a.Number);
            result.Add(a);
        }
        return result;
    }

    private void PlanApplication(DemoApplication a, bool burst, bool backdated, Instant backdatingAt, Instant burstAt)
    {
        var registered = a.Input.RegisteredAt!.Value;
        var rng = _rng.Fork(Fnv(a.Number));
        string actor;
        Instant entered;
        var input = a.Input;
        if (registered < _opening)
        {
            actor = DemoStaff.Migration;
            entered = _opening;
        }
        else
        {
            switch (a.Input.Channel)
            {
                case "portal":
                    // The parent submits on the portal: registered when the log takes it.
                    actor = _staff.Parent(a.Number);
                    entered = registered;
                    input = input with { RegisteredAt = null };
                    break;
                case "federal":
                    // Filed on the federal portal and handed over at once, or in the portal's next batch with the time it was filed.
                    actor = _staff.FederalPortal;
                    if (rng.Chance(4_000)) entered = registered + Duration.FromMinutes(rng.Between(5, 90));
                    else
                    {
                        entered = registered;
                        input = input with { RegisteredAt = null };
                    }
                    break;
                default:
                    actor = _staff.Operator(a.Input.District);
                    if (backdated) entered = backdatingAt;
                    else if (rng.Chance(3_000)) entered = registered + Duration.FromMinutes(rng.Between(30, 300)); // a paper form entered later that day
                    else
                    {
                        entered = registered;
                        input = input with { RegisteredAt = null };
                    }
                    break;
            }
        }
        // A form entered after the day it was filed wants its seat from the day of entry at the earliest (no start in the past).
        var enteredOn = Slot(entered).InZone(_zone).Date;
        if (input.DesiredStart < enteredOn) input = input with { DesiredStart = enteredOn };
        Plan(entered, "application", a.Number,
            () => new SubmitApplication(actor, null, input, a.Number, Secrets.NewAccessCode(), Secrets.NewSalt(), owner: null),
            r =>
            {
                if (!r.Accepted) return;
                var response = JsonSerializer.Deserialize<SubmissionResponse>(r.Response!, JsonSerializerOptions.Web)!;
                AccessCodes[response.Number] = response.AccessCode;
            });

        // The register's decisions on claims come with it; new claims are reviewed within days, in office hours.
        foreach (var review in a.Reviews)
        {
            Instant at;
            string reviewer;
            if (entered == _opening) (at, reviewer) = (_opening, DemoStaff.Migration);
            else if (burst) (at, reviewer) = (burstAt, _staff.BurstVerifier);
            else
            {
                var day = entered.InZone(_zone).Date.PlusDays(rng.Between(1, 20));
                (at, reviewer) = (Local(day, rng.Between(9, 17), rng.Below(60)), _staff.Verifiers[rng.Below(_staff.Verifiers.Count)]);
            }
            var e = new ClaimReviewed(a.Number, review.Claim, review.Verified, review.Reason);
            // A claim still unreviewed when its application was placed or withdrawn is no longer reviewed.
            Plan(at, "claim review", a.Number, () => new DelegateCommand(reviewer, null, (state, _) =>
                state.Applications.TryGetValue(e.Number, out var app) && !app.IsClosed
                    ? CommandDecision.Append(e, ApplicationsApi.Appended)
                    : CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "demo.closed", "The application is closed."))), quiet: at > _opening);
        }
        if (a.WithdrawalReason is { } reason)
        {
            var day = Later(entered, _opening + Duration.FromDays(1)).InZone(_zone).Date.PlusDays(rng.Between(10, 300));
            var e = new ApplicationWithdrawn(a.Number, reason);
            Plan(Local(day, rng.Between(8, 22), rng.Below(60)), "withdrawal", a.Number, () => new DelegateCommand(_staff.Parent(a.Number), null, (state, _) =>
                state.Applications.TryGetValue(a.Number, out var app) && app.Status is ApplicationStatus.Waiting or ApplicationStatus.Paused
                    ? CommandDecision.Append(e, ApplicationsApi.Appended)
                    : CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "demo.not-open", "Already placed or closed."))), quiet: true);
        }
    }

    private static Instant Later(Instant a, Instant b) => a > b ? a : b;

    private static ulong Fnv(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s) h = unchecked((h ^ c) * 1099511628211UL);
        return h;
    }

    /// <summary>
    /// The seats of the year whose deadline falls inside the history: loaded by the district
    /// offices in the weeks before the deadline, except one kindergarten that sends its data six
    /// weeks late; and one kindergarten's seats cut a few days before the first round for that year.
    /// </summary>
    private (string Late, string? Cut, LocalDate? FirstMain) PlanCapacityStory(int year, SignalThresholds t)
    {
        var deadline = new LocalDate(year, t.CapacityDeadlineMonth, t.CapacityDeadlineDay);
        var loads = _plan.Capacity.Single(c => c.Year == year).Loads;
        var rng = _rng.Fork(2);
        var lateKg = _plan.Kindergartens.Where(k => k.District == _plan.Districts[2 % _plan.Districts.Length].Id).OrderBy(k => k.Id, StringComparer.Ordinal).First().Id;
        var lateRows = ImmutableArray.CreateBuilder<CapacityRow>();
        foreach (var load in loads)
        {
            var on = Local(deadline.PlusDays(-rng.Between(8, 25)), rng.Between(10, 16));
            var rows = load.Rows.Where(r => r.Kindergarten != lateKg).ToImmutableArray();
            lateRows.AddRange(load.Rows.Where(r => r.Kindergarten == lateKg));
            var e = load with { Rows = rows };
            Plan(on, "capacity load", "annual-plan", () => Append(_staff.Registrar, e));
        }
        var late = new CapacityLoaded("annual-plan", lateRows.ToImmutable());
        Plan(Local(deadline.PlusDays(45), 11), "capacity load", lateKg, () => Append(_staff.Registrar, late));

        // The first main round for the year runs in the month of the deadline, on the 10th (after the deadline).
        var firstMain = new LocalDate(deadline.Year, deadline.Month, RoundDay);
        if (firstMain <= deadline) firstMain = firstMain.PlusMonths(1);
        var cutDistrict = _plan.Districts[3 % _plan.Districts.Length].Id;
        var cutRow = loads.SelectMany(l => l.Rows)
            .Where(r => r.Kindergarten != lateKg && _plan.Kindergartens.First(k => k.Id == r.Kindergarten).District == cutDistrict && r.Seats >= 12)
            .OrderByDescending(r => r.Seats).ThenBy(r => r.Kindergarten, StringComparer.Ordinal).ThenBy(r => r.Group, StringComparer.Ordinal).FirstOrDefault();
        if (cutRow is null) return (lateKg, null, firstMain);
        var cut = new CapacityLoaded("sanitary-order", [cutRow with { Seats = cutRow.Seats - 10 }]);
        Plan(Local(firstMain.PlusDays(-4), 15), "capacity cut", cutRow.Kindergarten, () => Append(_staff.Registrar, cut));
        return (lateKg, cutRow.Kindergarten, firstMain);
    }

    /// <summary>
    /// A round as POST /rounds decides it. In the four months before the cut-off, once the coming
    /// year's seats are loaded, rounds place children from the cut-off (the main intake); otherwise
    /// they fill the seats free now.
    /// </summary>
    private void PlanRound(LocalDate date, Instant at)
    {
        var rule = _plan.Criteria.AgeRule;
        var cutoff = AgeCalculator.CutoffDate(rule, date.Year);
        var main = date < cutoff && date >= cutoff.PlusMonths(-4) && _plan.Capacity.Any(c => c.Year == date.Year);
        var start = main ? cutoff : date;
        var id = $"round-{Formats.Format(date)}";
        AllocationResult? result = null;
        Plan(at, "round", id, () => new DelegateCommand(_staff.Allocator, null, (state, now) =>
        {
            var outcome = Core.State.Rounds.Decide(state, id, state.LocalDate(now), start);
            if (!outcome.Success) return CommandDecision.Refuse(Refusal.Invalid, outcome.Problems);
            result = outcome.Value!.Result;
            return CommandDecision.Append(outcome.Value.Decision, seq => StoredJsonResult.Serialize(RoundResponse.From(seq, result, id)));
        }), r =>
        {
            if (!r.Accepted || result is null) return;
            LastRound = result;
            LastRoundId = id;
            Rounds++;
            PlanAnswers(date, result);
        });
    }

    /// <summary>Parents answer within the deadline (about 60 % accept, 15 % decline); unanswered offers expire the day after it; most acceptances become enrolments.</summary>
    private void PlanAnswers(LocalDate date, AllocationResult round)
    {
        var rng = _rng.Fork(Fnv(Formats.Format(date)));
        var deadline = date.PlusDays(_plan.Criteria.Offer.DeadlineDays);
        foreach (var offer in round.Offers.OrderBy(o => o.Number, StringComparer.Ordinal))
        {
            var draw = rng.Below(100);
            var day = date.PlusDays(rng.Between(1, _plan.Criteria.Offer.DeadlineDays - 2));
            var at = Local(day, rng.Between(8, 22), rng.Below(60));
            if (draw >= 75) continue;
            var accept = draw < 60;
            var number = offer.Number;
            var enrol = accept && rng.Chance(8_500) ? Local(day.PlusDays(rng.Between(2, 12)), rng.Between(10, 16)) : (Instant?)null;
            Plan(at, "offer response", number, () => Append(_staff.Parent(number), new OfferResponded(number, accept)), r =>
            {
                if (r.Accepted && enrol is { } when) Plan(when, "enrolment", number, () => Append(_staff.Allocator, new EnrolmentConfirmed(number)));
            });
        }
        Plan(Local(deadline.PlusDays(1), 9), "expiry", Formats.Format(deadline), () => new DelegateCommand(_staff.Allocator, null, (state, now) =>
        {
            var today = state.LocalDate(now);
            var due = state.Applications.Values
                .Where(a => a.Status == ApplicationStatus.Offered && a.Placement!.Deadline < today)
                .Select(a => a.Number).Order(StringComparer.Ordinal).ToList();
            return due.Count == 0
                ? CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "offers.none-due", "No open offer is past its deadline."))
                : CommandDecision.Append(new OffersExpired(today, [.. due]), ApplicationsApi.Appended);
        }), quiet: true);
    }

    /// <summary>Parents change their preferences now and then (about one a day in two), and each district's centre makes about one change a month at a parent's request.</summary>
    private void PlanChanges(List<DemoApplication> applications)
    {
        var rng = _rng.Fork(3);
        for (var day = _plan.Start.PlusDays(1); day <= _plan.Today; day = day.PlusDays(1))
        {
            if (rng.Below(2) == 0)
            {
                // A parent of an application in the log by then; if it is no longer waiting, nothing happens.
                var at = Local(day, rng.Between(8, 22), rng.Below(60));
                var a = applications[rng.Below(applications.Count)];
                if (a.Input.RegisteredAt < at - Duration.FromDays(1))
                {
                    var number = a.Number;
                    Plan(at, "preference change", number, () => new DelegateCommand(_staff.Parent(number), null, (state, now) =>
                        state.Applications.TryGetValue(number, out var app) && app.Status == ApplicationStatus.Waiting && app.Preferences.Length >= 2
                            ? Reversed(app, state.LocalDate(now))
                            : CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "demo.not-waiting", "Not waiting."))), quiet: true);
                }
            }
            foreach (var d in _plan.Districts)
            {
                if (rng.Below(30) != 0) continue;
                var pick = rng.Next();
                var district = d.Id;
                Plan(Local(day, rng.Between(10, 17), rng.Below(60)), "preference change", district, () => new DelegateCommand(_staff.Operator(district), null,
                    (state, now) => ChangeDecision(state, now, pick, district, out _)), quiet: true);
            }
        }
    }

    private static CommandDecision Reversed(ApplicationRecord a, LocalDate today) =>
        CommandDecision.Append(new ApplicationChanged(a.Number, [.. a.Preferences.Reverse()], a.DesiredStart < today ? today : a.DesiredStart), ApplicationsApi.Appended);

    private static CommandDecision ChangeDecision(QueueState state, Instant now, ulong pick, string? district, out string? chosen)
    {
        var candidates = state.Applications.Values
            .Where(a => a.Status == ApplicationStatus.Waiting && a.Preferences.Length >= 2 && (district is null || a.District == district))
            .OrderBy(a => a.Number, StringComparer.Ordinal).ToList();
        chosen = null;
        if (candidates.Count == 0) return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "demo.none", "No application to change."));
        var a = candidates[(int)(pick % (ulong)candidates.Count)];
        chosen = a.Number;
        return Reversed(a, state.LocalDate(now));
    }

    /// <summary>Two days before the first main round the registrar changes six applications' preferences and withdraws two.</summary>
    private void PlanStaffChanges(LocalDate? firstMain)
    {
        if (firstMain is not { } round) return;
        var rng = _rng.Fork(4);
        for (var i = 0; i < 8; i++)
        {
            var pick = rng.Next();
            var withdraw = i >= 6;
            var at = Local(round.PlusDays(-2), 16, 10 + i);
            Plan(at, "staff change", "registrar", () => new DelegateCommand(_staff.Registrar, null, (state, now) =>
            {
                var decision = ChangeDecision(state, now, pick, null, out var number);
                return withdraw && number is not null ? CommandDecision.Append(new ApplicationWithdrawn(number, "parent-request"), ApplicationsApi.Appended) : decision;
            }));
        }
    }

    /// <summary>One enrolment outside the algorithm, on a court decision, about ten months in.</summary>
    private void PlanExceptional()
    {
        var day = _plan.Start.PlusDays(300);
        if (day > _plan.Today) return;
        var rule = _plan.Criteria.AgeRule;
        Plan(Local(day, 12), "exceptional enrolment", "court-decision", () => new DelegateCommand(_staff.Allocator, null, (state, now) =>
        {
            var today = state.LocalDate(now);
            var year = AgeCalculator.EnrolmentYear(rule, today);
            var a = state.Applications.Values
                .Where(x => x.Status == ApplicationStatus.Waiting && x.DesiredStart <= today && AgeCalculator.GroupFor(rule, x.BirthMonth, year) is not null)
                .OrderBy(x => x.Seq).FirstOrDefault();
            if (a is null) return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "demo.none", "No waiting application."));
            Exceptional = a.Number;
            return CommandDecision.Append(new EnrolmentExceptional(a.Number, a.Preferences[0], AgeCalculator.GroupFor(rule, a.BirthMonth, year)!.Id, year, "court-decision"),
                ApplicationsApi.Appended);
        }));
    }

    /// <summary>The department's internal control answers: within the hour for some, days later for others; one signal stays unanswered.</summary>
    private void PlanReviews(Story s)
    {
        var inspector = _staff.Inspector;
        bool BurstStaff(SignalSubject x) => x.Actor == _staff.BurstVerifier;
        bool BurstKg(SignalSubject x) => x.Kindergarten == s.BurstKindergarten;
        PlanReview(s.BurstAt + Duration.FromMinutes(35), SignalKinds.ClaimBurstStaff, BurstStaff, SignalStatuses.Investigating, "under-review", DemoReviews.BurstOpened);
        PlanReview(s.BurstAt + Duration.FromMinutes(50), SignalKinds.ClaimBurstKindergarten, BurstKg, SignalStatuses.Investigating, "under-review", DemoReviews.BurstOpened);
        PlanReview(s.BurstAt + Duration.FromDays(9), SignalKinds.ClaimBurstStaff, BurstStaff, SignalStatuses.Confirmed, "violation", DemoReviews.BurstConfirmed);
        PlanReview(s.BurstAt + Duration.FromDays(9) + Duration.FromMinutes(5), SignalKinds.ClaimBurstKindergarten, BurstKg, SignalStatuses.Confirmed, "violation", DemoReviews.BurstConfirmed);
        PlanReview(s.BurstAt + Duration.FromDays(6), SignalKinds.ClaimVerifiedBeforeOffer, _ => true, SignalStatuses.Investigating, "under-review", DemoReviews.LateClaimsOpened);

        var backdater = _staff.Operator(s.BackdatingDistrict);
        PlanReview(s.BackdatingAt + Duration.FromMinutes(45), SignalKinds.BackdatedRegistrations, x => x.Actor == backdater, SignalStatuses.Investigating, "under-review", DemoReviews.BackdatingOpened);
        PlanReview(s.BackdatingAt + Duration.FromDays(3), SignalKinds.BackdatedRegistrations, x => x.Actor == backdater, SignalStatuses.Explained, "justified", DemoReviews.BackdatingExplained);

        if (s.StoryYear is { } year)
        {
            var deadline = new LocalDate(year, DemoCriteria.Thresholds.CapacityDeadlineMonth, DemoCriteria.Thresholds.CapacityDeadlineDay);
            if (s.LateKindergarten is { } late)
            {
                PlanReview(Local(deadline.PlusDays(3), 10), SignalKinds.CapacityNotLoaded, x => x.Kindergarten == late && x.Year == year, SignalStatuses.Investigating, "under-review", DemoReviews.LateOpened);
                PlanReview(Local(deadline.PlusDays(46), 10), SignalKinds.CapacityNotLoaded, x => x.Kindergarten == late && x.Year == year, SignalStatuses.Explained, "late-data", DemoReviews.LateExplained);
            }
            if (s.CutKindergarten is not null && s.FirstMainRound is { } round)
                PlanReview(Slot(Local(round, 11)) + Duration.FromMinutes(55), SignalKinds.CapacityCutBeforeRound, x => x.Year == year, SignalStatuses.Explained, "justified", DemoReviews.CutExplained);
        }
        var exceptionalDay = _plan.Start.PlusDays(300);
        PlanReview(Slot(Local(exceptionalDay, 12)) + Duration.FromMinutes(30), SignalKinds.ExceptionalEnrolments, _ => true, SignalStatuses.Explained, "justified", DemoReviews.ExceptionalExplained);
        // The registrar's changes before the round are left unanswered: a signal that stays new is part of the picture.
    }

    private void PlanReview(Instant at, string kind, Func<SignalSubject, bool> about, string status, string outcome, string text)
    {
        Plan(at, "signal review", kind, () => new DelegateCommand(_staff.Inspector, null, (_, _) =>
        {
            var signal = _signals!.Find(kind, about);
            if (signal is null)
            {
                Unreviewed.Add(kind);
                return CommandDecision.Refuse(Refusal.NotFound, new ValidationProblem("$.signal", "signal.review-unknown", $"No {kind} signal was raised."));
            }
            var review = new SignalReviewed(signal.Id, status, outcome, DemoSignals.Hash(text));
            return _signals.Ledger.CheckReview(review) is { } problem
                ? CommandDecision.Refuse(Refusal.Conflict, problem)
                : CommandDecision.Append(review, ApplicationsApi.Appended);
        }), exact: true, review: true);
    }

    private DemoSignals? _signals;

    /// <summary>Runs the planned steps in time order through <paramref name="log"/>, moving <paramref name="clock"/> to each step's instant.</summary>
    public async Task RunAsync(LiveLog log, DemoClock clock, DemoSignals signals, Action<string, string, CommandResult> refused, CancellationToken ct)
    {
        _signals = signals;
        while (_steps.TryPeek(out _, out var key))
        {
            var group = new List<Step>();
            while (_steps.TryPeek(out _, out var k) && k.At == key.At) group.Add(_steps.Dequeue());
            clock.AdvanceTo(key.At);
            for (var i = 0; i < group.Count;)
            {
                if (group[i].Review)
                {
                    await signals.CatchUpAsync(await log.ReadAsync((_, view) => view.Size, ct), ct);
                    var r = await log.ExecuteAsync(group[i].Make(), ct);
                    Complete(group[i], r, refused);
                    i++;
                    continue;
                }
                var j = i;
                while (j < group.Count && !group[j].Review) j++;
                var chunk = group.GetRange(i, j - i);
                var results = await DemoRegion.RunAsync(log, [.. chunk.Select(s => s.Make())], ct);
                for (var n = 0; n < chunk.Count; n++) Complete(chunk[n], results[n], refused);
                i = j;
            }
        }
    }

    private static void Complete(Step step, CommandResult result, Action<string, string, CommandResult> refused)
    {
        if (!result.Accepted && !step.Quiet) refused(step.What, step.Subject, result);
        step.Then?.Invoke(result);
    }
}

/// <summary>
/// The department's public explanations of the demo's signals: institutional texts with no personal
/// data (SPEC.md §17.6). The log holds only their SHA-256; the service keeps the texts beside it.
/// </summary>
internal static class DemoReviews
{
    public const string BurstOpened = "An internal inquiry has been opened into a large number of priority claims verified in one morning by one staff member at one kindergarten.";
    public const string BurstConfirmed = "The inquiry found that the claims were marked verified without the inter-agency confirmation the procedure requires. The verifications are being repeated and the staff member has been removed from claim review.";
    public const string LateClaimsOpened = "Offers made to applications whose claims were verified days before the round are under review together with the inquiry into the burst of verifications.";
    public const string BackdatingOpened = "An inquiry has been opened into applications entered by one service centre with registration dates weeks before their entry.";
    public const string BackdatingExplained = "The centre's intake journal shows the paper applications were received on the dates recorded; they were entered late because the centre had no network connection. The registration dates stand.";
    public const string LateOpened = "The kindergarten has not loaded its seats for the coming year by the published deadline; the department has asked for the data.";
    public const string LateExplained = "The seats were loaded late because the kindergarten changed its head; the data has now been loaded and checked against the annual plan.";
    public const string CutExplained = "Seats in one group were reduced on an order of the sanitary inspection received the same week; the order is on the department's file.";
    public const string ExceptionalExplained = "The enrolment outside the round carries out a court decision in force; the decision is on the department's file.";

    /// <summary>Every text, for the store of explanations that serves them beside the signals.</summary>
    public static readonly IReadOnlyList<string> All =
        [BurstOpened, BurstConfirmed, LateClaimsOpened, BackdatingOpened, BackdatingExplained, LateOpened, LateExplained, CutExplained, ExceptionalExplained];
}
