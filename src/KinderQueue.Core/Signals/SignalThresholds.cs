using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Signals;

/// <summary>
/// The published thresholds of the anomaly rules (SPEC.md §17.2): the criteria member
/// <c>signals</c>. They are data, not code: a region publishes its numbers, and a validator
/// recomputes the signals with the same ones. Every rule fires only strictly past its threshold,
/// so a value exactly at a threshold never raises a signal.
/// </summary>
public sealed record SignalThresholds(
    int CapacityCutWindowDays,
    int CapacityCutMinSeats,
    int BackdateMinHours,
    int BackdateMaxCount,
    int ClaimBurstMaxCount,
    int ClaimBurstStaffSharePercent,
    int ClaimBurstKindergartenSharePercent,
    int LateClaimWindowDays,
    int LateClaimMaxCount,
    int CapacityDeadlineMonth,
    int CapacityDeadlineDay,
    int ExceptionalMaxPerKindergartenYear,
    int StaffChangeWindowDays,
    int StaffChangeMaxCount,
    int PositionLossMinPlaces,
    int PositionLossMaxApplicants)
{
    /// <summary>Members in canonical (byte) order with their ranges; the reader and the writer both follow it.</summary>
    private static readonly ImmutableArray<(string Name, int Min, int Max, Func<SignalThresholds, int> Get)> Fields =
    [
        ("backdateMaxCount", 0, 100_000, t => t.BackdateMaxCount),
        ("backdateMinHours", 0, 100_000, t => t.BackdateMinHours),
        ("capacityCutMinSeats", 0, 100_000, t => t.CapacityCutMinSeats),
        ("capacityCutWindowDays", 1, 366, t => t.CapacityCutWindowDays),
        ("capacityDeadlineDay", 1, 28, t => t.CapacityDeadlineDay),
        ("capacityDeadlineMonth", 1, 12, t => t.CapacityDeadlineMonth),
        ("claimBurstKindergartenSharePercent", 0, 100, t => t.ClaimBurstKindergartenSharePercent),
        ("claimBurstMaxCount", 0, 100_000, t => t.ClaimBurstMaxCount),
        ("claimBurstStaffSharePercent", 0, 100, t => t.ClaimBurstStaffSharePercent),
        ("exceptionalMaxPerKindergartenYear", 0, 100_000, t => t.ExceptionalMaxPerKindergartenYear),
        ("lateClaimMaxCount", 0, 100_000, t => t.LateClaimMaxCount),
        ("lateClaimWindowDays", 1, 366, t => t.LateClaimWindowDays),
        ("positionLossMaxApplicants", 0, 1_000_000, t => t.PositionLossMaxApplicants),
        ("positionLossMinPlaces", 0, 1_000_000, t => t.PositionLossMinPlaces),
        ("staffChangeMaxCount", 0, 100_000, t => t.StaffChangeMaxCount),
        ("staffChangeWindowDays", 1, 366, t => t.StaffChangeWindowDays),
    ];

    /// <summary>Reads the thresholds object: every member is required, an integer within its published range.</summary>
    public static Parsed<SignalThresholds> Read(JsonElement e, string path)
    {
        var f = new JsonFields();
        if (!f.IsObject(e, path)) return Parsed<SignalThresholds>.Fail(f.Problems);
        var v = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, min, max, _) in Fields)
        {
            if (f.Integer(e, path, name, min, max) is { } n) v[name] = (int)n;
        }
        if (f.HasProblems) return Parsed<SignalThresholds>.Fail(f.Problems);
        return Parsed<SignalThresholds>.Ok(new SignalThresholds(
            CapacityCutWindowDays: v["capacityCutWindowDays"],
            CapacityCutMinSeats: v["capacityCutMinSeats"],
            BackdateMinHours: v["backdateMinHours"],
            BackdateMaxCount: v["backdateMaxCount"],
            ClaimBurstMaxCount: v["claimBurstMaxCount"],
            ClaimBurstStaffSharePercent: v["claimBurstStaffSharePercent"],
            ClaimBurstKindergartenSharePercent: v["claimBurstKindergartenSharePercent"],
            LateClaimWindowDays: v["lateClaimWindowDays"],
            LateClaimMaxCount: v["lateClaimMaxCount"],
            CapacityDeadlineMonth: v["capacityDeadlineMonth"],
            CapacityDeadlineDay: v["capacityDeadlineDay"],
            ExceptionalMaxPerKindergartenYear: v["exceptionalMaxPerKindergartenYear"],
            StaffChangeWindowDays: v["staffChangeWindowDays"],
            StaffChangeMaxCount: v["staffChangeMaxCount"],
            PositionLossMinPlaces: v["positionLossMinPlaces"],
            PositionLossMaxApplicants: v["positionLossMaxApplicants"]));
    }

    public void Write(CanonicalJsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.StartObject();
        foreach (var (name, _, _, get) in Fields) w.Property(name, get(this));
        w.EndObject();
    }
}
