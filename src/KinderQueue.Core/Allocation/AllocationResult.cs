using System.Collections.Immutable;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Core.Allocation;

/// <summary>Where an applicant stands after a round (SPEC.md §7.5).</summary>
public enum RoundStatus
{
    /// <summary>Received an offer at one of the listed kindergartens.</summary>
    Offered,
    /// <summary>Competed, received nothing; stays on the waiting lists.</summary>
    Waitlisted,
    /// <summary>Wants to start after the round's start date; did not compete.</summary>
    Deferred,
    /// <summary>Reached the archive age by the start date; leaves the queue.</summary>
    Archived,
    /// <summary>No age group of the criteria takes a child of this age in the enrolment year.</summary>
    NoAgeGroup,
}

/// <summary>Why a preference above the received one was not given (SPEC.md §7.5).</summary>
public enum PreferenceOutcome
{
    Offered,
    /// <summary>The program filled with applicants whose priority key is better.</summary>
    Outranked,
    /// <summary>The program exists but had no free seat this round.</summary>
    NoSeats,
    /// <summary>The kindergarten has no program for the applicant's age group this enrolment year.</summary>
    NoProgram,
}

/// <summary>A priority key as explained to people: the tier, the tie-breaks and the place among applicants of that tier.</summary>
public sealed record RankedKey(string Tier, Instant RegisteredAt, long Seq, int RankInTier);

public sealed record PreferenceExplanation(string Kindergarten, PreferenceOutcome Outcome, int Seats, RankedKey? Own, RankedKey? LastAdmitted);

public sealed record ApplicantExplanation(
    string Number,
    RoundStatus Status,
    string? Group,
    string? OfferedKindergarten,
    ImmutableArray<PreferenceExplanation> Preferences);

/// <summary>A program after the round: its seats, how many were admitted, and the waiting list in order.</summary>
public sealed record ProgramOutcome(string Kindergarten, string Group, int Seats, int Admitted, ImmutableArray<string> Waitlist);

public sealed record AllocationResult(
    string CriteriaVersion,
    LocalDate Date,
    LocalDate StartDate,
    int Year,
    ImmutableArray<Offer> Offers,
    ImmutableArray<string> Archived,
    ImmutableArray<ProgramOutcome> Programs,
    ImmutableArray<ApplicantExplanation> Explanations,
    long Proposals)
{
    /// <summary>The decision event a round appends: the part of the result that changes state.</summary>
    public AllocationDecided ToDecision(string round, long basis) =>
        new(round, basis, CriteriaVersion, Date, StartDate, Year, Offers, Archived);
}
