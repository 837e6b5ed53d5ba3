using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.State;

/// <summary>The states a parent sees (SPEC.md §8.2).</summary>
public enum ApplicationStatus
{
    Waiting,
    Offered,
    Accepted,
    Enrolled,
    Paused,
    Withdrawn,
    Archived,
}

/// <summary>A claimed right and its latest review: null while pending.</summary>
public sealed record ClaimState(string Tier, string? Kindergarten, bool? Verified);

/// <summary>A seat held by an application: an open offer, an accepted offer or an enrolment.</summary>
public sealed record Placement(string Kindergarten, string Group, int Year, LocalDate? Deadline, bool OutsideAlgorithm);

/// <summary>The public state of one application after the events applied so far.</summary>
public sealed record ApplicationRecord(
    string Number,
    long Seq,
    string Kind,
    string Channel,
    Instant RegisteredAt,
    YearMonth BirthMonth,
    string District,
    ImmutableArray<string> Preferences,
    LocalDate DesiredStart,
    ImmutableArray<ClaimState> Claims,
    ApplicationStatus Status,
    Placement? Placement)
{
    /// <summary>True while the application holds a seat that the next round cannot give away.</summary>
    public bool HoldsSeat => Placement is not null && Status is ApplicationStatus.Offered or ApplicationStatus.Accepted or ApplicationStatus.Enrolled;

    public bool IsClosed => Status is ApplicationStatus.Enrolled or ApplicationStatus.Withdrawn or ApplicationStatus.Archived;
}
