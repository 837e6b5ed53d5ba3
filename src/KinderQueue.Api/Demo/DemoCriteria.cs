using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Signals;
using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The published default criteria (algorithm-spec/criteria/default.json), embedded in the
/// service at build time so that `--demo` works from any folder and from the container image,
/// and the demo's two versions of them: the one the register is taken over under, and the one
/// the department publishes the next day with its signal thresholds (SPEC.md §17.2).
/// </summary>
internal static class DemoCriteria
{
    public const string ResourceName = "default-criteria.json";

    /// <summary>
    /// The demo region's published thresholds. Every rule fires only strictly past its number, so
    /// the ordinary work of the simulated year (three verifiers sharing the claims, a few staff changes a
    /// month, centre registrations entered the same day) stays under them, and the irregular actions
    /// the demo stages go over.
    /// </summary>
    public static readonly SignalThresholds Thresholds = new(
        CapacityCutWindowDays: 7,
        CapacityCutMinSeats: 5,
        BackdateMinHours: 72,
        BackdateMaxCount: 5,
        ClaimBurstMaxCount: 20,
        ClaimBurstStaffSharePercent: 60,
        ClaimBurstKindergartenSharePercent: 50,
        LateClaimWindowDays: 5,
        LateClaimMaxCount: 5,
        CapacityDeadlineMonth: 5,
        CapacityDeadlineDay: 1,
        // Every enrolment outside the algorithm is looked at by the department's internal control.
        ExceptionalMaxPerKindergartenYear: 0,
        StaffChangeWindowDays: 3,
        StaffChangeMaxCount: 3,
        PositionLossMinPlaces: 50,
        PositionLossMaxApplicants: 200);

    /// <summary>
    /// The codes the demo's reviews use. The published default criteria carry them in their
    /// <c>signalOutcome</c> list; a source without the list gets these (the same codes and names).
    /// </summary>
    public static readonly ImmutableArray<PublishedCode> SignalOutcomes =
    [
        new("justified", new LocalizedName("Действие обосновано документами", "The action is justified by documents")),
        new("late-data", new LocalizedName("Данные представлены с опозданием", "The data was submitted late")),
        new("under-review", new LocalizedName("Идёт служебная проверка", "An internal review is under way")),
        new("violation", new LocalizedName("Нарушение порядка комплектования", "A breach of the admission procedure")),
    ];

    public static (CriteriaDocument Criteria, string File) Load()
    {
        using var stream = typeof(DemoCriteria).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in the service.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var parsed = CriteriaJson.Parse(buffer.ToArray());
        if (!parsed.Success)
            throw new InvalidDataException($"{ResourceName}: {string.Join("; ", parsed.Problems.Select(p => $"{p.Path} {p.Message}"))}");
        return (parsed.Value!, "algorithm-spec/criteria/default.json (embedded)");
    }

    /// <summary>
    /// The version the register is taken over under, in force on the first simulated day only, without
    /// thresholds: the register's claim reviews imported that day are the old register's, not a burst.
    /// </summary>
    public static CriteriaDocument Opening(CriteriaDocument source, LocalDate start) =>
        source with { Version = $"demo-{Formats(start)}", EffectiveFrom = start, Signals = null };

    /// <summary>
    /// The next day's version: the same rules with the demo region's own thresholds (<see cref="Thresholds"/>,
    /// published in this version like any region's) and the outcome codes of a review.
    /// </summary>
    public static CriteriaDocument WithSignals(CriteriaDocument source, LocalDate start) =>
        source with
        {
            Version = $"demo-{Formats(start)}-signals",
            EffectiveFrom = start.PlusDays(1),
            Reasons = source.ReasonCodes with { SignalOutcomes = source.ReasonCodes.SignalOutcomes ?? SignalOutcomes },
            Signals = Thresholds,
        };

    private static string Formats(LocalDate d) => Core.Encoding.Formats.Format(d);
}
