using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using NodaTime;

namespace KinderQueue.Core.Allocation;

public sealed record KindergartenInfo(string Id, string District, ImmutableArray<string> Catchment);

/// <summary>Seats free for this round in (kindergarten, age group) of the round's enrolment year.</summary>
public sealed record ProgramSeats(string Kindergarten, string Group, int Seats);

/// <summary>A priority claim as the engine sees it: only a verified claim counts (SPEC.md §7.1).</summary>
public sealed record ApplicantClaim(string Tier, string? Kindergarten, bool Verified);

/// <summary>An application waiting for a place, with public fields only.</summary>
public sealed record Applicant(
    string Number,
    long Seq,
    Instant RegisteredAt,
    YearMonth BirthMonth,
    string District,
    ImmutableArray<string> Preferences,
    LocalDate DesiredStart,
    ImmutableArray<ApplicantClaim> Claims);

/// <summary>
/// Everything one allocation round depends on (SPEC.md §7). <see cref="Date"/> is the day the
/// round runs (offer deadlines count from it); <see cref="StartDate"/> is the day the offered
/// seats are available: it fixes the enrolment year, and applicants who want to start later wait.
/// </summary>
public sealed record AllocationInput(
    CriteriaDocument Criteria,
    LocalDate Date,
    LocalDate StartDate,
    ImmutableArray<KindergartenInfo> Kindergartens,
    ImmutableArray<ProgramSeats> Programs,
    ImmutableArray<Applicant> Applicants)
{
    public int Year => AgeCalculator.EnrolmentYear(Criteria.AgeRule, StartDate);

    /// <summary>
    /// Whether offers made on <paramref name="date"/> have a deadline (<c>date + deadlineDays</c>) that
    /// can be written: dates end at 9999-12-31 (SPEC.md §3.2, §7.5). A round on a later date is refused
    /// (<c>round.date-range</c>) instead of overflowing.
    /// </summary>
    public static bool DeadlineFits(CriteriaDocument criteria, LocalDate date) =>
        date <= Encoding.Formats.MaxDate.PlusDays(-criteria.Offer.DeadlineDays);
}
