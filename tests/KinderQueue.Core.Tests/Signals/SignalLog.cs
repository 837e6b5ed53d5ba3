using System.Collections.Immutable;
using System.Security.Cryptography;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Signals;

/// <summary>
/// A log under construction with a signal ledger following the fold, as the service runs it: an
/// event is offered to <see cref="QueueState.Apply"/> and, once accepted, chained and observed.
/// Each entry names its actor, since several rules group by who acted.
/// </summary>
public sealed class SignalLog
{
    public const string Department = "department:d-1";
    public const string Registrar = "registrar:r-1";
    public const string Verifier = "verifier:v-1";
    public const string Inspector = "inspector:i-1";

    public static readonly LocalDate September = new(2027, 9, 1);

    /// <summary>Thresholds chosen small so that each test can reach them with a handful of entries.</summary>
    public static readonly SignalThresholds Thresholds = new(
        CapacityCutWindowDays: 10, CapacityCutMinSeats: 2,
        BackdateMinHours: 24, BackdateMaxCount: 2,
        ClaimBurstMaxCount: 2, ClaimBurstStaffSharePercent: 50, ClaimBurstKindergartenSharePercent: 50,
        LateClaimWindowDays: 7, LateClaimMaxCount: 0,
        CapacityDeadlineMonth: 3, CapacityDeadlineDay: 1,
        ExceptionalMaxPerKindergartenYear: 1,
        StaffChangeWindowDays: 7, StaffChangeMaxCount: 1,
        PositionLossMinPlaces: 0, PositionLossMaxApplicants: 2);

    public static readonly ImmutableArray<PublishedCode> Outcomes =
    [
        new("data-error", new LocalizedName("Ошибка в данных", "Data error")),
        new("justified", new LocalizedName("Обосновано", "Justified")),
        new("violation", new LocalizedName("Нарушение", "Violation")),
    ];

    /// <summary>The published default criteria with the given thresholds (none: the criteria raise no signals) and the outcome codes.</summary>
    public static CriteriaDocument Criteria(SignalThresholds? thresholds) =>
        DefaultCriteria.Value with
        {
            Signals = thresholds,
            Reasons = DefaultCriteria.Value.ReasonCodes with { SignalOutcomes = Outcomes },
        };

    public QueueState State { get; } = new();
    public SignalLedger Ledger { get; } = new();
    public LogChain Chain { get; } = new();
    public List<(LogEntry Entry, LogEvent Event)> Entries { get; } = [];

    /// <summary>An instant at 09:00 Moscow time (06:00 UTC) on the date, plus minutes.</summary>
    public static Instant On(int year, int month, int day, int minute = 0) =>
        Instant.FromUtc(year, month, day, 6, 0) + Duration.FromMinutes(minute);

    public static Instant On(LocalDate date, int minute = 0) => On(date.Year, date.Month, date.Day, minute);

    /// <summary>
    /// The default criteria with <paramref name="thresholds"/>; districts central and north; kg-1 (central,
    /// catchment central) and kg-2 (north); <paramref name="seats"/> junior seats each for 2027, loaded in January.
    /// </summary>
    public static SignalLog World(SignalThresholds? thresholds = null, int seats = 10, bool loadKg2 = true)
    {
        var log = new SignalLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(Criteria(thresholds ?? Thresholds)));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("north", "Северный район"));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-2", "Детский сад № 2", "north", []));
        ImmutableArray<CapacityRow> rows = loadKg2
            ? [new CapacityRow("kg-1", "junior", 2027, seats), new CapacityRow("kg-2", "junior", 2027, seats)]
            : [new CapacityRow("kg-1", "junior", 2027, seats)];
        log.Ok(On(2027, 1, 10), new CapacityLoaded("annual-plan", rows), Department);
        return log;
    }

    public static ApplicationSubmitted Submitted(string number, string[] preferences, Instant registeredAt, string channel = "portal",
        string district = "central", params PriorityClaim[] claims) =>
        new(number, "new", channel, registeredAt, new YearMonth(2024, 3), district, [.. preferences], September, [.. claims], new string('0', 64));

    public ValidationProblem? Try(Instant at, LogEvent e, string actor = Department)
    {
        var entry = new LogEntry(State.Size, Formats.TruncateToMillisecond(at), actor, e.Type, EventCodec.Encode(e), Chain.Head.ToArray());
        var problem = State.Apply(entry, e);
        if (problem is not null) return problem;
        Chain.Append(at, actor, e);
        Ledger.Observe(entry, e, State);
        Entries.Add((entry, e));
        return null;
    }

    /// <summary>Appends the event (it must be accepted) and returns its seq.</summary>
    public long Ok(Instant at, LogEvent e, string actor = Department)
    {
        var seq = State.Size;
        Try(at, e, actor).Should().BeNull($"{e.Type} should be accepted");
        return seq;
    }

    /// <summary>Runs a round on the log as it stands and appends its decision at 10:00 on its date; returns the decision's seq.</summary>
    public long Round(string id, LocalDate date, LocalDate? startDate = null)
    {
        var outcome = Rounds.Decide(State, id, date, startDate ?? September).GetValueOrThrow();
        return Ok(On(date, 60), outcome.Decision, "allocator:a-1");
    }

    /// <summary>A review whose explanation is the SHA-256 of <paramref name="text"/>.</summary>
    public static SignalReviewed Review(string signal, string status, string outcome = "justified", string text = "Проверено.") =>
        new(signal, status, outcome, Hex.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))));

    public ImmutableArray<SignalView> Signals => Ledger.Document().Signals;

    public ImmutableArray<SignalView> Of(string kind) => [.. Signals.Where(s => s.Kind == kind)];

    public SignalView Single(string kind)
    {
        var found = Of(kind);
        found.Should().ContainSingle($"exactly one {kind} signal is expected; got {string.Join(", ", Signals.Select(s => s.Kind))}");
        return found[0];
    }

    public Instant AtOf(long seq) => Entries[(int)seq].Entry.At;
}
