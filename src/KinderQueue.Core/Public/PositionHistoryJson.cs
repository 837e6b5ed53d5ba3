using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Public;

/// <summary>
/// The canonical JSON of a position history (SPEC.md §12.6): what a parent's page shows and what
/// a validator who recomputed the history from the public log compares byte for byte.
/// </summary>
public static class PositionHistoryJson
{
    public static byte[] ToCanonicalBytes(PositionHistory history)
    {
        var w = new CanonicalJsonWriter(1024);
        Write(w, history);
        return w.ToArray();
    }

    public static void Write(CanonicalJsonWriter w, PositionHistory history)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(history);
        w.StartObject();
        w.Property("asOf", Formats.Format(history.AsOf));
        w.Key("kindergartens");
        w.StartArray();
        foreach (var k in history.Kindergartens)
        {
            w.StartObject();
            w.Property("kindergarten", k.Kindergarten);
            w.Property("listed", k.Listed);
            w.Key("steps");
            w.StartArray();
            foreach (var s in k.Steps) WriteStep(w, s);
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.Property("number", history.Number);
        w.Property("size", history.Size);
        w.EndObject();
    }

    public static void WriteStep(CanonicalJsonWriter w, PositionStep s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        w.StartObject();
        IntegerOrNull(w, "after", s.After);
        IntegerOrNull(w, "before", s.Before);
        w.Property("date", Formats.Format(s.Date));
        IntegerOrNull(w, "firstSeq", s.FirstSeq);
        w.Property("group", s.Group);
        IntegerOrNull(w, "lastSeq", s.LastSeq);
        w.Key("reasons");
        w.StartArray();
        foreach (var r in s.Reasons)
        {
            w.StartObject();
            w.Property("count", r.Count);
            w.Property("more", r.More);
            w.Property("reason", r.Reason);
            w.Key("seqs");
            w.StartArray();
            foreach (var seq in r.Seqs) w.Integer(seq);
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.Key("seats");
        if (s.Seats is null)
        {
            w.Null();
        }
        else
        {
            w.StartObject();
            w.Property("after", s.Seats.After);
            IntegerOrNull(w, "before", s.Seats.Before);
            w.EndObject();
        }
        w.PropertyOrNull("status", s.Status);
        w.Property("tier", s.Tier);
        w.Property("year", s.Year);
        w.EndObject();
    }

    private static void IntegerOrNull(CanonicalJsonWriter w, string key, long? value)
    {
        w.Key(key);
        if (value is { } v) w.Integer(v); else w.Null();
    }
}
