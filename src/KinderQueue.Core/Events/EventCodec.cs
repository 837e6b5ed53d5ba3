using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Events;

/// <summary>
/// Canonical payload bytes of every event type (SPEC.md §5) and the way back. Decode checks
/// that the bytes are exactly what Encode would produce, so two byte strings never mean the
/// same event.
/// </summary>
public static class EventCodec
{
    public static readonly ImmutableArray<string> Types =
    [
        CriteriaPublished.TypeName, DistrictRegistered.TypeName, KindergartenRegistered.TypeName,
        CapacityLoaded.TypeName, ApplicationSubmitted.TypeName, ClaimReviewed.TypeName,
        ApplicationChanged.TypeName, ApplicationWithdrawn.TypeName, AllocationDecided.TypeName,
        OfferResponded.TypeName, OffersExpired.TypeName, EnrolmentConfirmed.TypeName, EnrolmentExceptional.TypeName,
        SignalReviewed.TypeName,
    ];

    public static byte[] Encode(LogEvent e)
    {
        var w = new CanonicalJsonWriter(e is CriteriaPublished ? 4096 : 256);
        Write(w, e);
        return w.ToArray();
    }

    public static void Write(CanonicalJsonWriter w, LogEvent e)
    {
        w.StartObject();
        switch (e)
        {
            case CriteriaPublished c:
                w.Key("criteria");
                CriteriaJson.Write(w, c.Criteria);
                break;
            case DistrictRegistered d:
                w.Property("id", d.Id);
                w.Property("name", d.Name);
                break;
            case KindergartenRegistered k:
                w.StringArray("catchment", k.Catchment);
                w.Property("district", k.District);
                w.Property("id", k.Id);
                w.Property("name", k.Name);
                break;
            case CapacityLoaded c:
                w.Property("reason", c.Reason);
                w.Key("rows");
                w.StartArray();
                foreach (var r in c.Rows)
                {
                    w.StartObject();
                    w.Property("group", r.Group);
                    w.Property("kindergarten", r.Kindergarten);
                    w.Property("seats", r.Seats);
                    w.Property("year", r.Year);
                    w.EndObject();
                }
                w.EndArray();
                break;
            case ApplicationSubmitted a:
                w.Property("birthMonth", Formats.Format(a.BirthMonth));
                w.Property("channel", a.Channel);
                w.Key("claims");
                w.StartArray();
                foreach (var claim in a.Claims)
                {
                    w.StartObject();
                    w.PropertyOrNull("kindergarten", claim.Kindergarten);
                    w.Property("tier", claim.Tier);
                    w.EndObject();
                }
                w.EndArray();
                w.Property("commitment", a.Commitment);
                w.Property("desiredStart", Formats.Format(a.DesiredStart));
                w.Property("district", a.District);
                w.Property("kind", a.Kind);
                w.Property("number", a.Number);
                w.StringArray("preferences", a.Preferences);
                w.Property("registeredAt", Formats.Format(a.RegisteredAt));
                break;
            case ClaimReviewed r:
                w.Property("claim", r.Claim);
                w.Property("number", r.Number);
                w.Property("reason", r.Reason);
                w.Property("verified", r.Verified);
                break;
            case ApplicationChanged c:
                w.Property("desiredStart", Formats.Format(c.DesiredStart));
                w.Property("number", c.Number);
                w.StringArray("preferences", c.Preferences);
                break;
            case ApplicationWithdrawn x:
                w.Property("number", x.Number);
                w.Property("reason", x.Reason);
                break;
            case AllocationDecided d:
                w.StringArray("archived", d.Archived);
                w.Property("basis", d.Basis);
                w.Property("criteria", d.CriteriaVersion);
                w.Property("date", Formats.Format(d.Date));
                WriteOffers(w, d.Offers);
                w.Property("round", d.Round);
                w.Property("startDate", Formats.Format(d.StartDate));
                w.Property("year", d.Year);
                break;
            case OfferResponded r:
                w.Property("number", r.Number);
                w.Property("response", r.Accepted ? "accept" : "decline");
                break;
            case OffersExpired x:
                w.Property("asOf", Formats.Format(x.AsOf));
                w.StringArray("numbers", x.Numbers);
                break;
            case EnrolmentConfirmed c:
                w.Property("number", c.Number);
                break;
            case EnrolmentExceptional x:
                w.Property("group", x.Group);
                w.Property("kindergarten", x.Kindergarten);
                w.Property("legalBasis", x.LegalBasis);
                w.Property("number", x.Number);
                w.Property("year", x.Year);
                break;
            case SignalReviewed v:
                w.Property("explanation", v.Explanation);
                w.Property("outcome", v.Outcome);
                w.Property("signal", v.Signal);
                w.Property("status", v.Status);
                break;
            default:
                throw new ArgumentException($"No encoding for {e.GetType().Name}.", nameof(e));
        }
        w.EndObject();
    }

    /// <summary>The "offers" member, shared by the decision event and the full allocation result (SPEC.md §5, §9.3).</summary>
    public static void WriteOffers(CanonicalJsonWriter w, IEnumerable<Offer> offers)
    {
        w.Key("offers");
        w.StartArray();
        foreach (var o in offers)
        {
            w.StartObject();
            w.Property("deadline", Formats.Format(o.Deadline));
            w.Property("group", o.Group);
            w.Property("kindergarten", o.Kindergarten);
            w.Property("number", o.Number);
            w.EndObject();
        }
        w.EndArray();
    }

    /// <summary>Decodes a payload and insists that it is in canonical form.</summary>
    public static Parsed<LogEvent> Decode(string type, ReadOnlyMemory<byte> payload)
    {
        LogEvent? e;
        JsonFields f = new();
        try
        {
            using var doc = CanonicalJson.Parse(payload);
            e = Read(type, doc.RootElement, f);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Parsed<LogEvent>.Fail("$", "json.malformed", $"Payload is not valid JSON: {ex.Message}");
        }
        if (f.HasProblems || e is null)
            return f.HasProblems ? Parsed<LogEvent>.Fail(f.Problems) : Parsed<LogEvent>.Fail("$", "event.type", $"Unknown event type '{type}'.");
        if (!Encode(e).AsSpan().SequenceEqual(payload.Span))
            return Parsed<LogEvent>.Fail("$", "event.not-canonical", "Payload bytes are not in canonical form (SPEC.md §3).");
        return Parsed<LogEvent>.Ok(e);
    }

    private static LogEvent? Read(string type, JsonElement r, JsonFields f)
    {
        const string p = "$";
        if (!f.IsObject(r, p)) return null;
        switch (type)
        {
            case CriteriaPublished.TypeName:
                if (!f.TryGet(r, p, "criteria", out var ce)) return null;
                var criteria = CriteriaJson.Read(ce, "$.criteria");
                foreach (var problem in criteria.Problems) f.Add(problem.Path, problem.Code, problem.Message);
                return criteria.Success ? new CriteriaPublished(criteria.Value!) : null;
            case DistrictRegistered.TypeName:
                return f.Build(() => new DistrictRegistered(f.String(r, p, "id")!, f.String(r, p, "name")!));
            case KindergartenRegistered.TypeName:
                return f.Build(() => new KindergartenRegistered(f.String(r, p, "id")!, f.String(r, p, "name")!,
                    f.String(r, p, "district")!, f.Strings(r, p, "catchment") ?? []));
            case CapacityLoaded.TypeName:
                return f.Build(() => new CapacityLoaded(f.String(r, p, "reason")!, f.Array(r, p, "rows", (e, rp) =>
                    f.Build(() => new CapacityRow(f.String(e, rp, "kindergarten")!, f.String(e, rp, "group")!,
                        (int)(f.Integer(e, rp, "year", 1900, 9999) ?? 0), (int)(f.Integer(e, rp, "seats", 0, 100_000) ?? 0)))) ?? []));
            case ApplicationSubmitted.TypeName:
                return f.Build(() => new ApplicationSubmitted(
                    f.String(r, p, "number")!, f.String(r, p, "kind")!, f.String(r, p, "channel")!,
                    f.Instant(r, p, "registeredAt") ?? default, f.Month(r, p, "birthMonth") ?? default,
                    f.String(r, p, "district")!, f.Strings(r, p, "preferences") ?? [],
                    f.Date(r, p, "desiredStart") ?? default,
                    f.Array(r, p, "claims", (e, cp) => f.Build(() =>
                    {
                        f.TryGet(e, cp, "kindergarten", out _, required: false);
                        return new PriorityClaim(f.String(e, cp, "tier")!, f.String(e, cp, "kindergarten", required: false));
                    })) ?? [],
                    f.String(r, p, "commitment")!));
            case ClaimReviewed.TypeName:
                return f.Build(() => new ClaimReviewed(f.String(r, p, "number")!, (int)(f.Integer(r, p, "claim", 0, 100) ?? 0),
                    f.Boolean(r, p, "verified") ?? false, f.String(r, p, "reason")!));
            case ApplicationChanged.TypeName:
                return f.Build(() => new ApplicationChanged(f.String(r, p, "number")!, f.Strings(r, p, "preferences") ?? [],
                    f.Date(r, p, "desiredStart") ?? default));
            case ApplicationWithdrawn.TypeName:
                return f.Build(() => new ApplicationWithdrawn(f.String(r, p, "number")!, f.String(r, p, "reason")!));
            case AllocationDecided.TypeName:
                return f.Build(() => new AllocationDecided(
                    f.String(r, p, "round")!, f.Integer(r, p, "basis", 0, long.MaxValue) ?? 0, f.String(r, p, "criteria")!,
                    f.Date(r, p, "date") ?? default, f.Date(r, p, "startDate") ?? default, (int)(f.Integer(r, p, "year", 1900, 9999) ?? 0),
                    f.Array(r, p, "offers", (e, op) => f.Build(() => new Offer(f.String(e, op, "number")!,
                        f.String(e, op, "kindergarten")!, f.String(e, op, "group")!, f.Date(e, op, "deadline") ?? default))) ?? [],
                    f.Strings(r, p, "archived") ?? []));
            case OfferResponded.TypeName:
                return f.Build(() =>
                {
                    var response = f.String(r, p, "response");
                    if (response is not null && response != "accept" && response != "decline")
                        f.Add("$.response", "field.value", "'response' must be accept or decline.");
                    return new OfferResponded(f.String(r, p, "number")!, response == "accept");
                });
            case OffersExpired.TypeName:
                return f.Build(() => new OffersExpired(f.Date(r, p, "asOf") ?? default, f.Strings(r, p, "numbers") ?? []));
            case EnrolmentConfirmed.TypeName:
                return f.Build(() => new EnrolmentConfirmed(f.String(r, p, "number")!));
            case EnrolmentExceptional.TypeName:
                return f.Build(() => new EnrolmentExceptional(f.String(r, p, "number")!, f.String(r, p, "kindergarten")!,
                    f.String(r, p, "group")!, (int)(f.Integer(r, p, "year", 1900, 9999) ?? 0), f.String(r, p, "legalBasis")!));
            case SignalReviewed.TypeName:
                return f.Build(() => new SignalReviewed(f.String(r, p, "signal")!, f.String(r, p, "status")!,
                    f.String(r, p, "outcome")!, f.String(r, p, "explanation")!));
            default:
                return null;
        }
    }
}
