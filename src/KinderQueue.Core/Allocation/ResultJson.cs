using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Allocation;

/// <summary>Canonical bytes of an allocation result (SPEC.md §9.3): what <c>kq allocate</c> prints and vectors expect.</summary>
public static class ResultJson
{
    public static byte[] ToCanonicalBytes(AllocationResult r)
    {
        var w = new CanonicalJsonWriter(4096);
        Write(w, r);
        return w.ToArray();
    }

    public static void Write(CanonicalJsonWriter w, AllocationResult r)
    {
        w.StartObject();
        w.StringArray("archived", r.Archived);
        w.Property("criteria", r.CriteriaVersion);
        w.Property("date", Formats.Format(r.Date));
        w.Key("explanations");
        w.StartArray();
        // One explanation at a time, built from the result's compact form and dropped once written.
        for (var k = 0; k < r.ApplicantCount; k++)
        {
            WriteExplanation(w, r.ExplanationAt(k));
        }
        w.EndArray();
        Events.EventCodec.WriteOffers(w, r.Offers);
        w.Key("programs");
        w.StartArray();
        foreach (var p in r.Programs)
        {
            w.StartObject();
            w.Property("admitted", p.Admitted);
            w.Property("group", p.Group);
            w.Property("kindergarten", p.Kindergarten);
            w.Property("seats", p.Seats);
            w.StringArray("waitlist", p.Waitlist);
            w.EndObject();
        }
        w.EndArray();
        w.Property("startDate", Formats.Format(r.StartDate));
        w.Property("year", r.Year);
        w.EndObject();
    }

    /// <summary>One applicant's explanation as the result publishes it (SPEC.md §9.3).</summary>
    public static void WriteExplanation(CanonicalJsonWriter w, ApplicantExplanation e)
    {
        w.StartObject();
        w.PropertyOrNull("group", e.Group);
        w.Property("number", e.Number);
        w.PropertyOrNull("offered", e.OfferedKindergarten);
        w.Key("preferences");
        w.StartArray();
        foreach (var p in e.Preferences)
        {
            w.StartObject();
            w.Property("kindergarten", p.Kindergarten);
            w.Key("lastAdmitted");
            WriteKey(w, p.LastAdmitted);
            w.Property("outcome", Text(p.Outcome));
            w.Key("own");
            WriteKey(w, p.Own);
            w.Property("seats", p.Seats);
            w.EndObject();
        }
        w.EndArray();
        w.Property("status", Text(e.Status));
        w.EndObject();
    }

    /// <summary>A priority key as published in results and parents' reports (SPEC.md §9.3, §14.2); null when there is none.</summary>
    public static void WriteKey(CanonicalJsonWriter w, RankedKey? k)
    {
        if (k is null)
        {
            w.Null();
            return;
        }
        w.StartObject();
        w.Property("rankInTier", k.RankInTier);
        w.Property("registeredAt", Formats.Format(k.RegisteredAt));
        w.Property("seq", k.Seq);
        w.Property("tier", k.Tier);
        w.EndObject();
    }

    public static string Text(RoundStatus s) => s switch
    {
        RoundStatus.Offered => "offered",
        RoundStatus.Waitlisted => "waitlisted",
        RoundStatus.Deferred => "deferred",
        RoundStatus.Archived => "archived",
        RoundStatus.NoAgeGroup => "no-age-group",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Text(PreferenceOutcome o) => o switch
    {
        PreferenceOutcome.Offered => "offered",
        PreferenceOutcome.Outranked => "outranked",
        PreferenceOutcome.NoSeats => "no-seats",
        PreferenceOutcome.NoProgram => "no-program",
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };
}
