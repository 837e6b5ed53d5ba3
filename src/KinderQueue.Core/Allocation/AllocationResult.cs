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

/// <summary>
/// The outcome of a round (SPEC.md §7.5): offers, archived applicants and every program's waiting
/// list are computed by <see cref="Allocator.Allocate"/>; the explanations are kept in a compact form
/// (integer arrays of the round) and each applicant's explanation is built when it is asked for, since
/// a million applicants' records per preference cost more than the whole matching.
/// </summary>
public sealed class AllocationResult
{
    private readonly RoundExplanations _explanations;
    private ApplicantExplanation[]? _all;

    internal AllocationResult(string criteriaVersion, LocalDate date, LocalDate startDate, int year, ImmutableArray<Offer> offers,
        ImmutableArray<string> archived, ImmutableArray<ProgramOutcome> programs, RoundExplanations explanations, long proposals)
    {
        CriteriaVersion = criteriaVersion;
        Date = date;
        StartDate = startDate;
        Year = year;
        Offers = offers;
        Archived = archived;
        Programs = programs;
        _explanations = explanations;
        Proposals = proposals;
    }

    public string CriteriaVersion { get; }
    public LocalDate Date { get; }
    public LocalDate StartDate { get; }
    public int Year { get; }
    /// <summary>By application number, ordinal (SPEC.md §7.5).</summary>
    public ImmutableArray<Offer> Offers { get; }
    /// <summary>By application number, ordinal.</summary>
    public ImmutableArray<string> Archived { get; }
    /// <summary>By kindergarten, then age group, ordinal.</summary>
    public ImmutableArray<ProgramOutcome> Programs { get; }
    /// <summary>How many proposals the matching made (a measure of its work, not part of any published output).</summary>
    public long Proposals { get; }

    /// <summary>How many applicants the round's input had: the number of explanations.</summary>
    public int ApplicantCount => _explanations.Count;

    /// <summary>How many applicants ended the round with <paramref name="status"/>, without building any explanation.</summary>
    public int CountWith(RoundStatus status) => _explanations.CountWith(status);

    /// <summary>The explanation at <paramref name="index"/> in publication order (by application number, ordinal), built now.</summary>
    public ApplicantExplanation ExplanationAt(int index) => _explanations.At(index);

    /// <summary>The explanation of application <paramref name="number"/>, built now; null when the round had no such applicant.</summary>
    public ApplicantExplanation? ExplanationOf(string number) => _explanations.Of(number);

    /// <summary>
    /// Every applicant's explanation in publication order, built on first use and then kept: a
    /// caller that needs a few should use <see cref="ExplanationOf"/> or <see cref="ExplanationAt"/>.
    /// </summary>
    public ImmutableArray<ApplicantExplanation> Explanations
    {
        get
        {
            var all = Volatile.Read(ref _all);
            if (all is null)
            {
                all = new ApplicantExplanation[_explanations.Count];
                for (var k = 0; k < all.Length; k++) all[k] = _explanations.At(k);
                // Two threads may both build them; both build the same, and one array wins.
                all = Interlocked.CompareExchange(ref _all, all, null) ?? all;
            }
            return System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(all);
        }
    }

    /// <summary>The decision event a round appends: the part of the result that changes state.</summary>
    public AllocationDecided ToDecision(string round, long basis) =>
        new(round, basis, CriteriaVersion, Date, StartDate, Year, Offers, Archived);
}
