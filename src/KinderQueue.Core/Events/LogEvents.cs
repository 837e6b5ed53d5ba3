using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using NodaTime;

namespace KinderQueue.Core.Events;

/// <summary>
/// A fact that can change somebody's place in the queue (SPEC.md §5). Payloads hold public
/// fields only: an application is known by its random number, its priority by tier (never the
/// category), the child by birth month. Each type has one canonical encoding (EventCodec).
/// </summary>
public abstract record LogEvent
{
    public abstract string Type { get; }
}

public sealed record CriteriaPublished(CriteriaDocument Criteria) : LogEvent
{
    public const string TypeName = "criteria.published";
    public override string Type => TypeName;
}

public sealed record DistrictRegistered(string Id, string Name) : LogEvent
{
    public const string TypeName = "district.registered";
    public override string Type => TypeName;
}

/// <summary>Registers or re-registers a kindergarten; the catchment lists district ids.</summary>
public sealed record KindergartenRegistered(string Id, string Name, string District, ImmutableArray<string> Catchment) : LogEvent
{
    public const string TypeName = "kindergarten.registered";
    public override string Type => TypeName;
}

/// <summary>Seats of one program: (kindergarten, age group, enrolment year).</summary>
public sealed record CapacityRow(string Kindergarten, string Group, int Year, int Seats);

/// <summary>A capacity file loaded as one batch; each row replaces that program's seat count.</summary>
public sealed record CapacityLoaded(string Reason, ImmutableArray<CapacityRow> Rows) : LogEvent
{
    public const string TypeName = "capacity.loaded";
    public override string Type => TypeName;
}

/// <summary>A claimed priority right as published: the tier, and for sibling scope the kindergarten.</summary>
public sealed record PriorityClaim(string Tier, string? Kindergarten);

public sealed record ApplicationSubmitted(
    string Number,
    string Kind,
    string Channel,
    Instant RegisteredAt,
    YearMonth BirthMonth,
    string District,
    ImmutableArray<string> Preferences,
    LocalDate DesiredStart,
    ImmutableArray<PriorityClaim> Claims,
    string Commitment) : LogEvent
{
    public const string TypeName = "application.submitted";
    public override string Type => TypeName;

    public static readonly ImmutableArray<string> Kinds = ["new", "transfer"];
    public static readonly ImmutableArray<string> Channels = ["portal", "centre", "federal"];
}

/// <summary>A priority claim verified or rejected by department staff; the latest review counts.</summary>
public sealed record ClaimReviewed(string Number, int Claim, bool Verified, string Reason) : LogEvent
{
    public const string TypeName = "claim.reviewed";
    public override string Type => TypeName;
}

/// <summary>New preferences and desired start; a paused application waits again.</summary>
public sealed record ApplicationChanged(string Number, ImmutableArray<string> Preferences, LocalDate DesiredStart) : LogEvent
{
    public const string TypeName = "application.changed";
    public override string Type => TypeName;
}

public sealed record ApplicationWithdrawn(string Number, string Reason) : LogEvent
{
    public const string TypeName = "application.withdrawn";
    public override string Type => TypeName;
}

public sealed record Offer(string Number, string Kindergarten, string Group, LocalDate Deadline);

/// <summary>
/// The result of an allocation round, computed by the engine from the first <see cref="Basis"/>
/// entries of the log. A validator folds that prefix, runs the round with the same parameters
/// and must obtain these exact bytes.
/// </summary>
public sealed record AllocationDecided(
    string Round,
    long Basis,
    string CriteriaVersion,
    LocalDate Date,
    LocalDate StartDate,
    int Year,
    ImmutableArray<Offer> Offers,
    ImmutableArray<string> Archived) : LogEvent
{
    public const string TypeName = "allocation.decided";
    public override string Type => TypeName;
}

public sealed record OfferResponded(string Number, bool Accepted) : LogEvent
{
    public const string TypeName = "offer.responded";
    public override string Type => TypeName;
}

/// <summary>Offers whose deadline passed before <see cref="AsOf"/> without an answer.</summary>
public sealed record OffersExpired(LocalDate AsOf, ImmutableArray<string> Numbers) : LogEvent
{
    public const string TypeName = "offers.expired";
    public override string Type => TypeName;
}

/// <summary>An accepted offer became an enrolment; the child leaves the queue.</summary>
public sealed record EnrolmentConfirmed(string Number) : LogEvent
{
    public const string TypeName = "enrolment.confirmed";
    public override string Type => TypeName;
}

/// <summary>An enrolment outside the algorithm (a court order): only with a legal basis, and counted publicly.</summary>
public sealed record EnrolmentExceptional(string Number, string Kindergarten, string Group, int Year, string LegalBasis) : LogEvent
{
    public const string TypeName = "enrolment.exceptional";
    public override string Type => TypeName;
}

/// <summary>
/// A review of an anomaly signal (SPEC.md §17.6): the department's internal control moves the
/// signal to <see cref="Status"/> with a coded <see cref="Outcome"/> and a public explanation whose
/// text stays outside the log (it can be redacted); the log holds its SHA-256, <see cref="Explanation"/>.
/// </summary>
public sealed record SignalReviewed(string Signal, string Status, string Outcome, string Explanation) : LogEvent
{
    public const string TypeName = "signal.reviewed";
    public override string Type => TypeName;
}
