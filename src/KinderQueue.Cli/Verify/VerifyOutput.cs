using System.Globalization;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Verification;

namespace KinderQueue.Cli.Verify;

/// <summary>The report for people, and the same as JSON for machines (SPEC.md §15.4).</summary>
internal static class VerifyOutput
{
    public static void Human(TextWriter w, string source, VerificationReport r, string? savedTo, bool written, bool live)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"kq verify {source}");
        w.WriteLine(string.Create(inv, $"  entries      {r.Size:N0} verified; head {r.Head}"));
        w.WriteLine($"               Merkle root {r.Root}");
        var published = r.Checkpoints.Where(c => !c.Saved).ToList();
        var saved = r.Checkpoints.Where(c => c.Saved).ToList();
        var tail = r.UnsignedTail is { } open && r.Checkpoints.Length > 0 ? string.Create(inv, $"; seq {open.From}..{open.From + open.Entries - 1} not covered by any") : "";
        w.WriteLine(published.Count == 0
            ? "  checkpoints  none checked" + tail
            : string.Create(inv, $"  checkpoints  {published.Count} signed and matching: {string.Join(", ", published.Select(c => $"size {c.Size:N0} ({c.Subject})"))}{tail}"));
        if (saved.Count > 0)
            w.WriteLine(string.Create(inv, $"  growth       the log still holds what {saved.Count} saved checkpoint(s) covered (largest size {saved.Max(c => c.Size):N0})"));
        w.WriteLine(string.Create(inv, $"  decisions    {r.DecisionsRecomputed:N0} recomputed from their basis{(r.Problem is null ? ", all identical to the log" : "")}"));
        w.WriteLine(r.DashboardCompared
            ? "  statistics   the published dashboard equals the one recomputed from the log"
            : live ? "  statistics   no dashboard published yet" : "  statistics   recomputed from the log (give --dashboard FILE to compare a published one):");
        var raised = r.Signals?.Signals.Length ?? 0;
        w.WriteLine(r.SignalsCompared
            ? string.Create(inv, $"  signals      the published signals document equals the one recomputed from the log ({raised:N0} signals)")
            : string.Create(inv, $"  signals      {raised:N0} recomputed from the log (give --signals FILE|URL to compare a published document)"));
        var t = r.Totals;
        w.WriteLine($"               applications: {(t.ApplicationsByStatus.Count == 0 ? "none" : string.Join(", ", t.ApplicationsByStatus.Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:N0}"))))}");
        w.WriteLine(string.Create(inv, $"               {t.Decisions:N0} decisions with {t.Offers:N0} offers and {t.Archived:N0} archived; enrolled {t.EnrolledByAlgorithm:N0} by the algorithm, {t.EnrolledOutsideAlgorithm:N0} outside it"));
        w.WriteLine();
        if (r.Problem is { } p)
        {
            var where = p.From is { } f ? string.Create(inv, $" in entries {f}..{p.Seq}") : p.Seq is { } s ? string.Create(inv, $" at seq {s}") : "";
            w.WriteLine($"PROBLEM  {p.Check.ToString().ToLowerInvariant()} check failed{where}{(p.Subject is null ? "" : $" ({p.Subject})")}");
            w.WriteLine($"         {p.Message}");
            w.WriteLine($"         code {p.Code}, path {p.Path}");
        }
        else
        {
            w.WriteLine("INTACT   every entry, checkpoint, decision and statistic checked follows from the log and the published rules.");
            if (r.UnsignedTail is { } u)
                w.WriteLine(UnsignedWarning(u, r.Checkpoints.Length > 0, live));
            if (savedTo is not null)
                w.WriteLine(written
                    ? $"         saved the latest checkpoint to {savedTo}; the next run proves the log only grew."
                    : $"         the latest checkpoint is already saved as {savedTo}.");
        }
    }

    /// <summary>
    /// Not a failure: a live log grows between checkpoints, so its newest entries are normally
    /// covered by none yet. But nothing signed vouches for them, and the reader should know which.
    /// </summary>
    private static string UnsignedWarning(UnsignedTail u, bool anyCheckpoint, bool live)
    {
        var inv = CultureInfo.InvariantCulture;
        var what = string.Create(inv, $"{u.Entries:N0} {(u.Entries == 1 ? "entry" : "entries")}, seq {u.From}..{u.From + u.Entries - 1}, {(u.Entries == 1 ? "is" : "are")} covered by no checkpoint checked");
        return anyCheckpoint
            ? $"WARNING  {what}: they verified, but no signature vouches for them yet{(live ? " (normal for a live log read between two checkpoints; the next run checks them against a newer one)" : "; give a newer --checkpoint to cover them")}."
            : $"WARNING  {what}: they are consistent with each other, but no signature says they are the region's log{(live ? "" : " (give --key and --checkpoint FILE, or verify the service's URL)")}.";
    }

    public static void Json(TextWriter w, string source, VerificationReport r, string? savedTo)
    {
        var j = new CanonicalJsonWriter(4096);
        j.StartObject();
        j.Key("checkpoints");
        j.StartArray();
        foreach (var c in r.Checkpoints)
        {
            j.StartObject();
            j.Property("root", c.Root);
            j.Property("saved", c.Saved);
            j.Property("size", c.Size);
            j.Property("subject", c.Subject);
            j.EndObject();
        }
        j.EndArray();
        j.Property("dashboardCompared", r.DashboardCompared);
        j.Property("decisionsRecomputed", r.DecisionsRecomputed);
        j.Property("head", r.Head);
        j.Property("intact", r.Intact);
        j.Key("problem");
        if (r.Problem is { } p)
        {
            j.StartObject();
            j.Property("check", p.Check.ToString().ToLowerInvariant());
            j.Property("code", p.Code);
            j.Key("from");
            if (p.From is { } from) j.Integer(from);
            else j.Null();
            j.Property("message", p.Message);
            j.Property("path", p.Path);
            j.Key("seq");
            if (p.Seq is { } s) j.Integer(s);
            else j.Null();
            j.PropertyOrNull("subject", p.Subject);
            j.EndObject();
        }
        else
        {
            j.Null();
        }
        j.Property("root", r.Root);
        j.PropertyOrNull("saved", savedTo);
        j.Key("signals");
        j.StartObject();
        j.Property("compared", r.SignalsCompared);
        j.Property("raised", r.Signals?.Signals.Length ?? 0);
        j.EndObject();
        j.Property("size", r.Size);
        j.Property("source", source);
        var t = r.Totals;
        j.Key("totals");
        j.StartObject();
        j.Key("applications");
        j.StartObject();
        foreach (var (status, count) in t.ApplicationsByStatus) j.Property(status, count);
        j.EndObject();
        j.Property("archived", t.Archived);
        j.Property("decisions", t.Decisions);
        j.Property("enrolledByAlgorithm", t.EnrolledByAlgorithm);
        j.Property("enrolledOutsideAlgorithm", t.EnrolledOutsideAlgorithm);
        j.Key("entries");
        j.StartObject();
        foreach (var (type, count) in t.EntriesByType) j.Property(type, count);
        j.EndObject();
        j.Property("offers", t.Offers);
        j.EndObject();
        j.Key("unsignedTail");
        if (r.UnsignedTail is { } tail)
        {
            j.StartObject();
            j.Property("entries", tail.Entries);
            j.Property("from", tail.From);
            j.EndObject();
        }
        else
        {
            j.Null();
        }
        j.EndObject();
        w.WriteLine(System.Text.Encoding.UTF8.GetString(j.ToArray()));
    }
}
