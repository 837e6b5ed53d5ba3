using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Public;

/// <summary>
/// Writes a parent's report (SPEC.md §14.2) as canonical JSON straight from the public model: keys in
/// ordinal order at every level, the history steps exactly as <see cref="PositionHistoryJson"/> writes
/// them, the kindergarten briefs as the snapshot pre-encoded them. The shape is documented by the
/// <see cref="PositionReport"/> records; writing directly avoids building them on every lookup.
/// </summary>
public static class PositionReportJson
{
    // One writer per thread, reused: a report is written synchronously, and a fresh 4 KB buffer per
    // lookup (zeroed, then copied out) showed in profiles.
    [ThreadStatic]
    private static CanonicalJsonWriter? t_writer;

    /// <summary>The report's bytes, or null if the public model does not know the number.</summary>
    public static byte[]? Write(PublicModel model, PublicSnapshot snapshot, string number)
    {
        var state = model.State;
        if (!state.Applications.TryGetValue(number, out var a)) return null;
        var positions = model.Queues.PositionsOf(number);
        var history = model.Queues.HistoryOf(number);
        var asOf = model.Queues.AsOf ?? state.LocalDate(a.RegisteredAt);
        string Name(string kg) => state.Kindergartens.TryGetValue(kg, out var k) ? k.Name : kg;

        var w = t_writer ??= new CanonicalJsonWriter(8192);
        w.Reset();
        w.StartObject();
        w.Key("asOf");
        w.StartObject();
        w.Property("date", Formats.Format(asOf));
        w.Property("logSize", state.Size);
        w.EndObject();
        w.Property("channel", a.Channel);
        w.Key("claims");
        w.StartArray();
        foreach (var c in a.Claims)
        {
            w.StartObject();
            w.PropertyOrNull("kindergarten", c.Kindergarten);
            w.Property("review", c.Verified switch { null => "pending", true => "verified", false => "rejected" });
            w.Property("tier", c.Tier);
            w.EndObject();
        }
        w.EndArray();
        w.Property("desiredStart", Formats.Format(a.DesiredStart));
        w.Property("district", a.District);

        w.Key("formerQueues");
        w.StartArray();
        foreach (var h in history?.Kindergartens ?? [])
        {
            if (h.Listed) continue;
            w.StartObject();
            Steps(w, h.Steps);
            w.Property("kindergarten", h.Kindergarten);
            w.Property("kindergartenName", Name(h.Kindergarten));
            w.EndObject();
        }
        w.EndArray();

        // The age group the child queues for (the placement's, once placed) picks each kindergarten's brief.
        var group = positions is { Positions.Length: > 0 } ? positions.Positions[0].Group : a.Placement?.Group;
        w.Key("kindergartens");
        w.StartArray();
        foreach (var kg in a.Preferences)
        {
            if (group is not null && snapshot.BriefJson.TryGetValue((kg, group), out var brief)) w.Raw(brief);
        }
        w.EndArray();

        w.Property("number", a.Number);
        Offer(w, a, Name);
        Placement(w, a, Name);
        w.Key("projection");
        if (a.Status == ApplicationStatus.Waiting && snapshot.Projection.TryGetValue(number, out var x)) Projection(w, snapshot, x);
        else w.Null();

        w.Key("queues");
        w.StartArray();
        foreach (var kg in a.Preferences)
        {
            QueuePosition? p = null;
            foreach (var q in positions?.Positions ?? [])
            {
                if (q.Kindergarten == kg) p = q;
            }
            w.StartObject();
            w.PropertyOrNull("from", p is null ? null : Formats.Format(p.From));
            w.PropertyOrNull("group", p?.Group);
            KindergartenHistory? steps = null;
            foreach (var h in history?.Kindergartens ?? [])
            {
                if (h.Kindergarten == kg) steps = h;
            }
            Steps(w, steps?.Steps ?? []);
            w.Property("kindergarten", kg);
            w.Property("kindergartenName", Name(kg));
            IntegerOrNull(w, "position", p?.Position);
            w.PropertyOrNull("tier", p?.Tier);
            IntegerOrNull(w, "total", p?.Total);
            IntegerOrNull(w, "year", p?.Year);
            w.EndObject();
        }
        w.EndArray();
        w.Property("registeredAt", Formats.Format(a.RegisteredAt));
        w.Property("seq", a.Seq);
        w.Property("status", PositionReports.Status(a.Status));
        w.EndObject();
        return w.ToArray();
    }

    private static void Steps(CanonicalJsonWriter w, IEnumerable<PositionStep> steps)
    {
        w.Key("history");
        w.StartArray();
        foreach (var s in steps) PositionHistoryJson.WriteStep(w, s);
        w.EndArray();
    }

    private static void Offer(CanonicalJsonWriter w, ApplicationRecord a, Func<string, string> name)
    {
        w.Key("offer");
        if (a.Status != ApplicationStatus.Offered || a.Placement is not { Deadline: { } deadline } p)
        {
            w.Null();
            return;
        }
        w.StartObject();
        w.Property("deadline", Formats.Format(deadline));
        w.Property("group", p.Group);
        w.Property("kindergarten", p.Kindergarten);
        w.Property("kindergartenName", name(p.Kindergarten));
        w.Property("year", p.Year);
        w.EndObject();
    }

    private static void Placement(CanonicalJsonWriter w, ApplicationRecord a, Func<string, string> name)
    {
        w.Key("placement");
        if (a.Status is not (ApplicationStatus.Accepted or ApplicationStatus.Enrolled) || a.Placement is not { } p)
        {
            w.Null();
            return;
        }
        w.StartObject();
        w.Property("group", p.Group);
        w.Property("kindergarten", p.Kindergarten);
        w.Property("kindergartenName", name(p.Kindergarten));
        w.Property("outsideAlgorithm", p.OutsideAlgorithm);
        w.Property("year", p.Year);
        w.EndObject();
    }

    private static void Projection(CanonicalJsonWriter w, PublicSnapshot snapshot, ApplicantExplanation x)
    {
        w.StartObject();
        w.Property("date", Formats.Format(snapshot.AsOf));
        w.PropertyOrNull("group", x.Group);
        w.PropertyOrNull("kindergarten", x.OfferedKindergarten);
        w.Key("preferences");
        w.StartArray();
        foreach (var p in x.Preferences)
        {
            w.StartObject();
            w.Property("kindergarten", p.Kindergarten);
            Key(w, "lastAdmitted", p.LastAdmitted);
            w.Property("outcome", PositionReports.Outcome(p.Outcome));
            Key(w, "own", p.Own);
            w.Property("seats", p.Seats);
            w.EndObject();
        }
        w.EndArray();
        w.Property("status", PositionReports.Status(x.Status));
        w.EndObject();
    }

    private static void Key(CanonicalJsonWriter w, string name, RankedKey? k)
    {
        w.Key(name);
        ResultJson.WriteKey(w, k);
    }

    private static void IntegerOrNull(CanonicalJsonWriter w, string key, long? value)
    {
        w.Key(key);
        if (value is { } v) w.Integer(v);
        else w.Null();
    }

    /// <summary>A kindergarten brief as canonical JSON, pre-encoded once per snapshot.</summary>
    public static byte[] Brief(KindergartenBrief b)
    {
        var w = new CanonicalJsonWriter(512);
        w.StartObject();
        w.Property("district", b.District);
        w.Property("districtName", b.DistrictName);
        Count(w, "enrolled", b.Enrolled);
        w.Property("group", b.Group);
        w.Property("id", b.Id);
        w.Property("name", b.Name);
        Count(w, "offered", b.Offered);
        IntegerOrNull(w, "seats", b.Seats);
        IntegerOrNull(w, "seatsNextYear", b.SeatsNextYear);
        w.StringArray("tiers", b.Tiers);
        ByTier(w, "waitingLater", b.WaitingLater);
        ByTier(w, "waitingNow", b.WaitingNow);
        w.EndObject();
        return w.ToArray();
    }

    private static void ByTier(CanonicalJsonWriter w, string key, CountsView counts)
    {
        w.Key(key);
        w.StartObject();
        w.Key("byTier");
        w.StartArray();
        foreach (var c in counts.ByTier) CountValue(w, c);
        w.EndArray();
        Count(w, "total", counts.Total);
        w.EndObject();
    }

    private static void Count(CanonicalJsonWriter w, string key, CountView c)
    {
        w.Key(key);
        CountValue(w, c);
    }

    private static void CountValue(CanonicalJsonWriter w, CountView c)
    {
        w.StartObject();
        w.PropertyOrNull("marker", c.Marker);
        IntegerOrNull(w, "value", c.Value);
        w.EndObject();
    }
}
