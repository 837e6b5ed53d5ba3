using System.Text.Json;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Signals;

/// <summary>
/// The signals document in canonical JSON (SPEC.md §17.5): what <c>GET /api/v1/public/signals</c>
/// serves and what a validator recomputes and compares byte for byte.
/// </summary>
public static class SignalsJson
{
    public static byte[] Write(SignalsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var w = new CanonicalJsonWriter(1024 + 512 * document.Signals.Length);
        Write(w, document);
        return w.ToArray();
    }

    public static void Write(CanonicalJsonWriter w, SignalsDocument document)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(document);
        w.StartObject();
        w.Key("signals");
        w.StartArray();
        foreach (var s in document.Signals) WriteSignal(w, s);
        w.EndArray();
        w.Property("size", document.Size);
        w.Key("summary");
        WriteSummary(w, document.Summary);
        w.EndObject();
    }

    public static void WriteSignal(CanonicalJsonWriter w, SignalView s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        w.StartObject();
        w.Key("entries");
        w.StartArray();
        foreach (var seq in s.Entries) w.Integer(seq);
        w.EndArray();
        w.Key("firstResponseSeconds");
        if (s.FirstResponse is { } d) w.Integer(Math.Max(0L, (long)Math.Floor(d.TotalSeconds)));
        else w.Null();
        w.Property("id", s.Id);
        w.Property("kind", s.Kind);
        w.Property("raisedAt", Formats.Format(s.RaisedAt));
        w.Property("raisedSeq", s.RaisedSeq);
        w.Property("status", s.Status);
        w.Key("subject");
        s.Subject.Write(w);
        w.Property("threshold", s.Threshold);
        w.Key("timeline");
        w.StartArray();
        foreach (var step in s.Timeline)
        {
            w.StartObject();
            w.Property("actor", step.Actor);
            w.Property("at", Formats.Format(step.At));
            w.Property("explanation", step.Explanation);
            w.Property("outcome", step.Outcome);
            w.Property("seq", step.Seq);
            w.Property("status", step.Status);
            w.EndObject();
        }
        w.EndArray();
        w.Property("value", s.Value);
        w.EndObject();
    }

    public static void WriteSummary(CanonicalJsonWriter w, SignalSummary summary)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(summary);
        w.StartObject();
        w.Key("byKind");
        w.StartArray();
        foreach (var k in summary.ByKind) WriteCounts(w, k.Counts, k.Kind);
        w.EndArray();
        w.Key("confirmedByMonth");
        w.StartArray();
        foreach (var m in summary.ConfirmedByMonth)
        {
            w.StartObject();
            w.Property("confirmed", m.Confirmed);
            w.Property("month", Formats.Format(m.Month));
            w.EndObject();
        }
        w.EndArray();
        w.Key("firstResponse");
        w.StartObject();
        w.Key("medianSeconds");
        Nullable(w, summary.FirstResponse.MedianSeconds);
        w.Key("p90Seconds");
        Nullable(w, summary.FirstResponse.P90Seconds);
        w.Property("responded", summary.FirstResponse.Responded);
        w.Property("withinOneHour", summary.FirstResponse.WithinOneHour);
        w.EndObject();
        w.Key("total");
        WriteCounts(w, summary.Total, null);
        w.EndObject();
    }

    private static void WriteCounts(CanonicalJsonWriter w, SignalCounts c, string? kind)
    {
        w.StartObject();
        w.Property("confirmed", c.Confirmed);
        w.Property("explained", c.Explained);
        w.Property("investigating", c.Investigating);
        if (kind is not null) w.Property("kind", kind);
        w.Property("new", c.New);
        w.Property("total", c.Total);
        w.EndObject();
    }

    private static void Nullable(CanonicalJsonWriter w, long? value)
    {
        if (value is { } v) w.Integer(v);
        else w.Null();
    }

    /// <summary>What a validator needs of a published document to say which signals differ: its size and each signal's id and raw bytes.</summary>
    public sealed record Published(long Size, IReadOnlyList<(string Id, string Json)> Signals);

    /// <summary>Reads the size and the signals' ids of a published document; null with a problem when it is not one.</summary>
    public static Published? ReadPublished(ReadOnlyMemory<byte> json, out ValidationProblem? problem)
    {
        problem = null;
        try
        {
            using var doc = CanonicalJson.Parse(json);
            var f = new JsonFields();
            var root = doc.RootElement;
            if (f.IsObject(root, "$"))
            {
                var size = f.Integer(root, "$", "size", 0, long.MaxValue);
                var signals = f.Array(root, "$", "signals", (e, p) =>
                {
                    if (!f.IsObject(e, p)) return null;
                    var id = f.String(e, p, "id");
                    return id is null ? null : new SignalRaw(id, e.GetRawText());
                });
                if (!f.HasProblems) return new Published(size!.Value, [.. signals!.Value.Select(s => (s.Id, s.Json))]);
            }
            problem = f.Problems[0];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            problem = new ValidationProblem("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
        return null;
    }

    private sealed record SignalRaw(string Id, string Json);
}
