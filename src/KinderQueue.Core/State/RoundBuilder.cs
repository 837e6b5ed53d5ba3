using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;

namespace KinderQueue.Core.State;

/// <summary>
/// The input of a round taken from the state (SPEC.md §8.4): criteria in force on the round
/// date, free seats (capacity minus seats held by open offers, acceptances and enrolments) of
/// the enrolment year of the start date, and every waiting application.
/// </summary>
public static class RoundBuilder
{
    public static Parsed<AllocationInput> Build(QueueState state, NodaTime.LocalDate date, NodaTime.LocalDate startDate)
    {
        var criteria = state.CriteriaInForce(date);
        if (criteria is null)
            return Parsed<AllocationInput>.Fail("$.date", "round.no-criteria", $"No criteria are in force on {date:uuuu-MM-dd}.");
        if (startDate < date)
            return Parsed<AllocationInput>.Fail("$.startDate", "round.start-before-date", "Seats cannot start before the round runs.");
        if (!AllocationInput.DeadlineFits(criteria, date))
            return Parsed<AllocationInput>.Fail("$.date", "round.date-range", "Offers made on this date would have a deadline after 9999-12-31.");
        var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, startDate);
        var held = state.HeldSeats();
        var programs = state.Capacity
            .Where(kv => kv.Key.Year == year && criteria.FindGroup(kv.Key.Group) is not null)
            .Select(kv => new ProgramSeats(kv.Key.Kindergarten, kv.Key.Group, Math.Max(0, kv.Value - held.GetValueOrDefault(kv.Key))))
            .OrderBy(p => p.Kindergarten, StringComparer.Ordinal).ThenBy(p => p.Group, StringComparer.Ordinal)
            .ToImmutableArray();
        var kindergartens = state.Kindergartens.Values
            .OrderBy(k => k.Id, StringComparer.Ordinal)
            .Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment))
            .ToImmutableArray();
        var applicants = state.Applications.Values
            .Where(a => a.Status == ApplicationStatus.Waiting)
            .OrderBy(a => a.Seq)
            .Select(ToApplicant)
            .ToImmutableArray();
        return Parsed<AllocationInput>.Ok(new AllocationInput(criteria, date, startDate, kindergartens, programs, applicants));
    }

    public static Applicant ToApplicant(ApplicationRecord a) =>
        new(a.Number, a.Seq, a.RegisteredAt, a.BirthMonth, a.District, a.Preferences, a.DesiredStart,
            [.. a.Claims.Select(c => new ApplicantClaim(c.Tier, c.Kindergarten, c.Verified == true))]);
}
