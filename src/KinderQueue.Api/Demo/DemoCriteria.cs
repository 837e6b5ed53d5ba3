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

    /// <summary>What a review of a signal can find (the <c>signalOutcome</c> list).</summary>
    public static readonly ImmutableArray<PublishedCode> SignalOutcomes =
    [
        new("inquiry-opened", new LocalizedName("Начата служебная проверка", "Internal inquiry opened")),
        new("documented-basis", new LocalizedName("Действие подтверждено документами", "The action rests on documents on file")),
        new("late-data", new LocalizedName("Данные поданы с опозданием, причина установлена", "Data submitted late; the cause is established")),
        new("data-corrected", new LocalizedName("Данные исправлены", "The data has been corrected")),
        new("procedure-breach", new LocalizedName("Нарушение порядка подтверждено", "Breach of procedure confirmed")),
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

    /// <summary>The version the register is taken over under, in force from the first simulated day, without thresholds.</summary>
    public static CriteriaDocument Opening(CriteriaDocument source, LocalDate start) =>
        source with { Version = $"demo-{Formats(start)}", EffectiveFrom = start };

    /// <summary>The next day's version: the same rules with the signal thresholds and the outcome codes of a review.</summary>
    public static CriteriaDocument WithSignals(CriteriaDocument source, LocalDate start) =>
        source with
        {
            Version = $"demo-{Formats(start)}-signals",
            EffectiveFrom = start.PlusDays(1),
            Reasons = source.ReasonCodes with { SignalOutcomes = SignalOutcomes },
            Signals = Thresholds,
        };

    private static string Formats(LocalDate d) => Core.Encoding.Formats.Format(d);
}
