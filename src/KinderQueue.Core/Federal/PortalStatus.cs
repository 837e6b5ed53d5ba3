using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Federal;

/// <summary>
/// A change of an application's state as the federal portal shows it to the parent
/// (DOMAIN.md "Offer lifecycle"). Public fields only: the region's application number, the
/// status, and for an offer the kindergarten, group and answer deadline. The portal's own
/// application id is not here: the store joins it in from its private link table.
/// </summary>
public sealed record PortalStatusUpdate(string Number, string Status, string? Kindergarten, string? Group, LocalDate? Deadline);

/// <summary>
/// Which log events the federal portal hears about, and as what (deploy/FEDERAL-PORTAL.md).
/// Pure: the writer calls it for each entry it appends, with the state that includes the entry,
/// so the updates go into the outbox in the same transaction as the entry.
/// </summary>
public static class PortalStatus
{
    /// <summary>The application is registered and waits in the queue.</summary>
    public const string Accepted = "accepted";
    /// <summary>A seat is offered: kindergarten, group and the deadline to answer.</summary>
    public const string Offered = "offered";
    /// <summary>The parent accepted the offer; the seat is held until enrolment.</summary>
    public const string OfferAccepted = "offer-accepted";
    /// <summary>The parent declined the offer; the application is paused (SPEC.md §8.2).</summary>
    public const string Declined = "declined";
    /// <summary>The offer's deadline passed without an answer.</summary>
    public const string Expired = "expired";
    /// <summary>The child is enrolled (by the algorithm's offer or outside it); the application leaves the queue.</summary>
    public const string Enrolled = "enrolled";
    /// <summary>The application was withdrawn.</summary>
    public const string Withdrawn = "withdrawn";
    /// <summary>The application left the queue without a seat (archived by an allocation round, e.g. the child aged out).</summary>
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All = [Accepted, Offered, OfferAccepted, Declined, Expired, Enrolled, Withdrawn, Archived];

    /// <summary>The updates an appended event means for applications that came through the federal portal.</summary>
    public static IReadOnlyList<PortalStatusUpdate> UpdatesFor(LogEvent e, QueueState after)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(after);
        var updates = new List<PortalStatusUpdate>();
        void Add(string number, string status)
        {
            if (!after.Applications.TryGetValue(number, out var a) || a.Channel != "federal") return;
            updates.Add(status == Offered && a.Placement is { } p
                ? new PortalStatusUpdate(number, status, p.Kindergarten, p.Group, p.Deadline)
                : new PortalStatusUpdate(number, status, null, null, null));
        }
        switch (e)
        {
            case ApplicationSubmitted s:
                Add(s.Number, Accepted);
                break;
            case AllocationDecided d:
                foreach (var offer in d.Offers) Add(offer.Number, Offered);
                foreach (var number in d.Archived) Add(number, Archived);
                break;
            case OfferResponded r:
                Add(r.Number, r.Accepted ? OfferAccepted : Declined);
                break;
            case OffersExpired x:
                foreach (var number in x.Numbers) Add(number, Expired);
                break;
            case EnrolmentConfirmed c:
                Add(c.Number, Enrolled);
                break;
            case EnrolmentExceptional c:
                Add(c.Number, Enrolled);
                break;
            case ApplicationWithdrawn w:
                Add(w.Number, Withdrawn);
                break;
        }
        return updates;
    }
}
