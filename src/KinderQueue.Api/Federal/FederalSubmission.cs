using System.Security.Cryptography;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Endpoints;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.State;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Federal;
using NodaTime;

namespace KinderQueue.Api.Federal;

/// <summary>
/// An application the federal portal sent: the same checks as every channel (it is a
/// <see cref="SubmitApplication"/>), appended with channel 'federal' and the portal's registration
/// time, and with the portal's id linked to the new number in the same transaction.
/// </summary>
public sealed class FederalSubmission : ICommand
{
    private readonly string _portalId;
    private readonly string _number;
    private readonly byte[] _contentHash;
    private readonly string _accessCode = Secrets.NewAccessCode();
    // Built here, on the caller's thread: it computes the commitment and the access code's hash, which
    // need not wait for the writer's lock.
    private readonly SubmitApplication _submission;

    public FederalSubmission(string actor, string portalId, SubmissionInput input, string number, byte[] contentHash)
    {
        ArgumentNullException.ThrowIfNull(input);
        Actor = actor;
        _portalId = portalId;
        _number = number;
        _contentHash = contentHash;
        IdempotencyKey = KeyOf(portalId);
        _submission = new SubmitApplication(actor, IdempotencyKey, input, number, _accessCode, Secrets.NewSalt(), null);
    }

    public string Actor { get; }

    /// <summary>
    /// Not scoped to the calling account, unlike other keys: whichever of the portal's service accounts
    /// sends an application, one portal id makes one application (two instances racing on the first
    /// send are told apart under the writer lock).
    /// </summary>
    public string? IdempotencyKey { get; }

    public static string KeyOf(string portalId) => "federal-portal|" + portalId;

    public CommandDecision Decide(QueueState state, Instant now)
    {
        var decision = _submission.Decide(state, now);
        if (decision.Event is not Core.Events.ApplicationSubmitted submitted) return decision;
        var registeredAt = Formats.Format(submitted.RegisteredAt);
        return decision with
        {
            Federal = new FederalLink(_portalId, _number, _contentHash),
            Response = seq => StoredJsonResult.Serialize(new FederalSubmissionResponse(_portalId, _number, _accessCode, registeredAt, seq)),
        };
    }

    /// <summary>
    /// SHA-256 of everything the portal sent that the application is made of, in canonical form: a
    /// resend with the same hash is the same application, with another one a different application
    /// under a reused id (409).
    /// </summary>
    public static byte[] ContentHash(string portalId, SubmissionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var w = new CanonicalJsonWriter(512);
        w.StartObject();
        w.Property("desiredStart", Formats.Format(input.DesiredStart));
        w.Property("district", input.District);
        w.Property("kind", input.Kind);
        w.Property("portalId", portalId);
        w.StringArray("preferences", input.Preferences);
        w.Property("private", Convert.ToBase64String(input.PrivateRecordBytes()));
        w.Property("registeredAt", Formats.Format(input.RegisteredAt!.Value));
        w.EndObject();
        return SHA256.HashData(w.ToArray());
    }
}

/// <summary>
/// The answer to the portal. The access code (for the region's own site) is in the first answer
/// only; a resend gets the same number without it.
/// </summary>
public sealed record FederalSubmissionResponse(string PortalId, string Number, string? AccessCode, string RegisteredAt, long Seq);
