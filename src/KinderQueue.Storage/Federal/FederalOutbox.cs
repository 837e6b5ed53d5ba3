using NodaTime;

namespace KinderQueue.Storage.Federal;

/// <summary>
/// The federal portal's id of an application it sent, kept privately beside the application
/// (federal_links), with the hash of what it sent: a resend finds its application by the portal
/// id, and a resend with other content is told so.
/// </summary>
public sealed record FederalLink(string PortalId, string Number, byte[] ContentHash);

/// <summary>A status update for the outbox, as the writer makes it beside the entry <see cref="Seq"/>.</summary>
public sealed record FederalOutboxEntry(string Key, long Seq, Instant At, string Number, string Status,
    string? Kindergarten, string? Group, string? Deadline)
{
    /// <summary>The idempotency key of the update of <paramref name="number"/> that entry <paramref name="seq"/> caused: one per pair.</summary>
    public static string KeyOf(long seq, string number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"kq-{seq}-{number}");
}

/// <summary>An owed update as the delivery worker reads it: with the portal's id, joined in from the link.</summary>
public sealed record FederalDelivery(string Key, long Seq, Instant At, string PortalId, string Status,
    string? Kindergarten, string? Group, string? Deadline, int Attempts);

/// <summary>How an owed update left the outbox.</summary>
public enum FederalOutcome
{
    /// <summary>The portal confirmed it (or already had it: it dedupes on the key).</summary>
    Delivered,
    /// <summary>The portal refused it for good (a 4xx other than 408/429): kept on record, not sent again.</summary>
    Rejected,
}

/// <summary>
/// The private side of the federal portal link (issue 14): the portal ids of applications and the
/// outbox of status updates. The outbox is filled only inside a write session
/// (<see cref="IWriteSession.AppendFederalAsync"/>), in the transaction of the entries it follows from.
/// </summary>
public interface IFederalStore
{
    /// <summary>The link of the portal's application <paramref name="portalId"/>, if it was ever accepted.</summary>
    Task<FederalLink?> GetFederalLinkAsync(string portalId, CancellationToken ct);

    /// <summary>The oldest owed updates, in log order (and key order within an entry), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FederalDelivery>> OwedFederalAsync(int limit, CancellationToken ct);

    /// <summary>Counts one more send of an update (before the send, so a crash mid-send still counts it).</summary>
    Task CountFederalAttemptAsync(string key, CancellationToken ct);

    /// <summary>Takes an update out of the owed ones; false if it already was (another instance sent it).</summary>
    Task<bool> CompleteFederalAsync(string key, FederalOutcome outcome, Instant at, CancellationToken ct);

    /// <summary>How many updates are owed: the backlog the dashboard and the metrics show.</summary>
    Task<long> CountOwedFederalAsync(CancellationToken ct);
}

/// <summary>Row shape of federal_outbox reads; internal to Storage.</summary>
internal sealed class FederalDeliveryRow
{
    public string Key { get; set; } = "";
    public long Seq { get; set; }
    public long AtMs { get; set; }
    public string PortalId { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Kindergarten { get; set; }
    public string? Grp { get; set; }
    public string? Deadline { get; set; }
    public long Attempts { get; set; }

    public FederalDelivery ToDelivery() =>
        new(Key, Seq, Instant.FromUnixTimeMilliseconds(AtMs), PortalId, Status, Kindergarten, Grp, Deadline, checked((int)Attempts));
}

/// <summary>Row shape of federal_links; internal to Storage.</summary>
internal sealed class FederalLinkRow
{
    public string PortalId { get; set; } = "";
    public string Number { get; set; } = "";
    public byte[] ContentHash { get; set; } = [];

    public FederalLink ToLink() => new(PortalId, Number, ContentHash);
}

/// <summary>Names shared by both stores.</summary>
internal static class FederalOutbox
{
    public static string OutcomeName(FederalOutcome outcome) => outcome switch
    {
        FederalOutcome.Delivered => "delivered",
        FederalOutcome.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}
