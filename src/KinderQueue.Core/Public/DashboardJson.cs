using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Public;

/// <summary>
/// The one canonical JSON form of a dashboard (SPEC.md §13.5): canonical JSON (SPEC.md §3), keys
/// ascending, arrays in the order the spec gives. A hidden queue count is written as null and named,
/// with its marker, in the <c>suppressed</c> member of the measure that holds it. The service serves exactly
/// these bytes, so equal dashboards give equal bytes.
/// </summary>
public static class DashboardJson
{
    public const string LessThanFive = "<5";
    public const string Hidden = "hidden";

    public static byte[] ToCanonicalBytes(Dashboard d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var w = new CanonicalJsonWriter(64 * 1024);
        w.StartObject();

        w.Key("anomalies");
        w.StartObject();
        w.Key("backdated");
        w.StartArray();
        foreach (var c in d.Channels)
        {
            w.StartObject();
            w.Property("backdated", c.Backdated);
            w.Property("channel", c.Channel);
            w.Property("submitted", c.Submitted);
            w.EndObject();
        }
        w.EndArray();
        w.Key("capacityCuts");
        w.StartArray();
        foreach (var r in d.CapacityCuts)
        {
            w.StartObject();
            w.Property("date", Formats.Format(r.Date));
            w.Property("programs", r.Programs);
            w.Property("round", r.Round);
            w.Property("seats", r.Seats);
            w.Property("year", r.Year);
            w.EndObject();
        }
        w.EndArray();
        w.Property("cutWindowDays", Dashboard.CapacityCutWindowDays);
        w.EndObject();

        w.Property("asOf", Formats.Format(d.AsOf));
        w.Property("basis", d.Basis);
        w.PropertyOrNull("criteria", d.Criteria);

        w.Key("enrolments");
        w.StartObject();
        w.Key("allTime");
        w.StartObject();
        var all = d.EnrolmentsAllTime;
        w.Property("byAlgorithm", all.ByAlgorithm);
        w.Property("exceptional", all.Exceptional);
        w.Key("legalBases");
        w.StartArray();
        foreach (var b in all.LegalBases)
        {
            w.StartObject();
            w.Property("basis", b.Basis);
            w.Property("enrolments", b.Enrolments);
            w.Key("name");
            if (b.Name is { } name)
            {
                w.StartObject();
                w.Property("en", name.En);
                w.Property("ru", name.Ru);
                w.EndObject();
            }
            else
            {
                w.Null();
            }
            w.EndObject();
        }
        w.EndArray();
        Share(w, all.Share);
        w.EndObject();
        w.Property("targetBasisPoints", Dashboard.TargetShare);
        w.Key("years");
        w.StartArray();
        foreach (var y in d.EnrolmentYears)
        {
            w.StartObject();
            w.Property("byAlgorithm", y.ByAlgorithm);
            w.Property("exceptional", y.Exceptional);
            Share(w, y.Share);
            w.Property("year", y.Year);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();

        w.StringArray("groups", d.Groups);

        w.Key("months");
        w.StartArray();
        foreach (var m in d.Months)
        {
            w.StartObject();
            w.Property("complete", m.Complete);
            w.Property("declined", m.Declined);
            w.Property("enrolments", m.Enrolments);
            w.Property("expired", m.Expired);
            w.Property("month", Formats.Format(m.Month));
            w.Property("offers", m.Offers);
            w.Property("submitted", m.Submitted);
            w.Property("waitingAtEnd", m.WaitingAtEnd);
            w.Property("withdrawals", m.Withdrawals);
            w.EndObject();
        }
        w.EndArray();

        var tierOrder = Enumerable.Range(0, d.Tiers.Length).OrderBy(i => d.Tiers[i], StringComparer.Ordinal).ToArray();
        w.Key("queues");
        w.StartObject();
        w.Key("districts");
        w.StartArray();
        foreach (var r in d.ByDistrict)
        {
            w.StartObject();
            w.Property("district", r.District);
            Measure(w, "enrolled", r.Counts.Enrolled, d, tierOrder);
            w.Property("group", r.Group);
            Measure(w, "offered", r.Counts.Offered, d, tierOrder);
            Measure(w, "waitingLater", r.Counts.WaitingLater, d, tierOrder);
            Measure(w, "waitingNow", r.Counts.WaitingNow, d, tierOrder);
            w.EndObject();
        }
        w.EndArray();
        w.Key("kindergartens");
        w.StartArray();
        foreach (var r in d.ByKindergarten)
        {
            w.StartObject();
            w.Property("district", r.District);
            Measure(w, "enrolled", r.Counts.Enrolled, d, tierOrder);
            w.Property("group", r.Group);
            w.Property("kindergarten", r.Kindergarten);
            Measure(w, "offered", r.Counts.Offered, d, tierOrder);
            IntegerOrNull(w, "seats", r.Seats);
            IntegerOrNull(w, "seatsNextYear", r.SeatsNextYear);
            Measure(w, "waitingLater", r.Counts.WaitingLater, d, tierOrder);
            Measure(w, "waitingNow", r.Counts.WaitingNow, d, tierOrder);
            w.EndObject();
        }
        w.EndArray();
        w.Key("region");
        if (d.Region is { } region)
        {
            w.StartObject();
            Measures(w, region, d, tierOrder, group: null);
            w.EndObject();
        }
        else
        {
            w.Null();
        }
        w.Key("regionByGroup");
        w.StartArray();
        foreach (var r in d.ByGroup)
        {
            w.StartObject();
            Measures(w, r.Counts, d, tierOrder, r.Group);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();

        w.Key("register");
        w.StartObject();
        w.Key("districts");
        w.StartArray();
        foreach (var r in d.Districts)
        {
            w.StartObject();
            w.Property("id", r.Id);
            w.Property("name", r.Name);
            w.EndObject();
        }
        w.EndArray();
        w.Key("kindergartens");
        w.StartArray();
        foreach (var r in d.Kindergartens)
        {
            w.StartObject();
            w.Property("district", r.District);
            w.Property("id", r.Id);
            w.Property("name", r.Name);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();

        w.Property("threshold", Dashboard.Threshold);
        w.StringArray("tiers", d.Tiers);

        w.Key("waitingTimes");
        w.StartObject();
        w.Key("districts");
        w.StartArray();
        foreach (var t in d.WaitingTimes.Where(t => t.District is not null))
        {
            w.StartObject();
            w.Property("district", t.District!);
            IntegerOrNull(w, "median", t.MedianDays);
            IntegerOrNull(w, "p90", t.P90Days);
            w.EndObject();
        }
        w.EndArray();
        w.Property("from", Formats.Format(d.WaitingFrom));
        w.Key("region");
        w.StartObject();
        var regionTime = d.WaitingTimes.Single(t => t.District is null);
        IntegerOrNull(w, "median", regionTime.MedianDays);
        IntegerOrNull(w, "p90", regionTime.P90Days);
        w.EndObject();
        w.Property("to", Formats.Format(d.AsOf));
        w.EndObject();

        w.Key("year");
        if (d.Year is { } year) w.Integer(year); else w.Null();
        w.EndObject();
        return w.ToArray();
    }

    public static string MarkerText(CountMarker marker) => marker switch
    {
        CountMarker.LessThanFive => LessThanFive,
        CountMarker.Hidden => Hidden,
        _ => throw new ArgumentOutOfRangeException(nameof(marker), marker, "A published count has no marker."),
    };

    private static void Measures(CanonicalJsonWriter w, QueueCounts q, Dashboard d, int[] tierOrder, string? group)
    {
        Measure(w, "enrolled", q.Enrolled, d, tierOrder);
        if (group is not null) w.Property("group", group);
        Measure(w, "offered", q.Offered, d, tierOrder);
        Measure(w, "waitingLater", q.WaitingLater, d, tierOrder);
        Measure(w, "waitingNow", q.WaitingNow, d, tierOrder);
    }

    /// <summary><c>{"byTier":{tier:n},"suppressed":{"byTier":{tier:marker},"total":marker},"total":n}</c>; <c>suppressed</c> only when something is hidden.</summary>
    private static void Measure(CanonicalJsonWriter w, string key, TierCounts counts, Dashboard d, int[] tierOrder)
    {
        w.Key(key);
        w.StartObject();
        w.Key("byTier");
        w.StartObject();
        foreach (var rank in tierOrder) CountProperty(w, d.Tiers[rank], counts.ByTier[rank]);
        w.EndObject();
        var hiddenTiers = tierOrder.Where(rank => counts.ByTier[rank].IsSuppressed).ToArray();
        if (hiddenTiers.Length > 0 || counts.Total.IsSuppressed)
        {
            w.Key("suppressed");
            w.StartObject();
            if (hiddenTiers.Length > 0)
            {
                w.Key("byTier");
                w.StartObject();
                foreach (var rank in hiddenTiers) w.Property(d.Tiers[rank], MarkerText(counts.ByTier[rank].Marker));
                w.EndObject();
            }
            if (counts.Total.IsSuppressed) w.Property("total", MarkerText(counts.Total.Marker));
            w.EndObject();
        }
        CountProperty(w, "total", counts.Total);
        w.EndObject();
    }

    private static void CountProperty(CanonicalJsonWriter w, string key, Count c)
    {
        w.Key(key);
        if (c.Value is { } v && !c.IsSuppressed) w.Integer(v); else w.Null();
    }

    private static void Share(CanonicalJsonWriter w, Share? share)
    {
        w.Key("share");
        if (share is not { } s)
        {
            w.Null();
            return;
        }
        w.StartObject();
        w.Property("basisPoints", s.BasisPoints);
        w.Key("met");
        w.Boolean(s.Met);
        w.EndObject();
    }

    private static void IntegerOrNull(CanonicalJsonWriter w, string key, long? value)
    {
        w.Key(key);
        if (value is { } v) w.Integer(v); else w.Null();
    }
}
