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
        w.WriteLine(published.Count == 0
            ? "  checkpoints  none checked"
            : string.Create(inv, $"  checkpoints  {published.Count} signed and matching: {string.Join(", ", published.Select(c => $"size {c.Size:N0} ({c.Subject})"))}"));
        if (saved.Count > 0)
            w.WriteLine(string.Create(inv, $"  growth       the log still holds what {saved.Count} saved checkpoint(s) covered (largest size {saved.Max(c => c.Size):N0})"));
        w.WriteLine(string.Create(inv, $"  decisions    {r.DecisionsRecomputed:N0} recomputed from their basis{(r.Problem is null ? ", all identical to the log" : "")}"));
        w.WriteLine(r.DashboardCompared
            ? "  statistics   the published dashboard equals the one recomputed from the log"
            : live ? "  statistics   no dashboard published yet" : "  statistics   recomputed from the log (give --dashboard FILE to compare a published one):");
        var t = r.Totals;
        w.WriteLine($"               applications: {(t.ApplicationsByStatus.Count == 0 ? "none" : string.Join(", ", t.ApplicationsByStatus.Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:N0}"))))}");
        w.WriteLine(string.Create(inv, $"               {t.Decisions:N0} decisions with {t.Offers:N0} offers and {t.Archived:N0} archived; enrolled {t.EnrolledByAlgorithm:N0} by the algorithm, {t.EnrolledOutsideAlgorithm:N0} outside it"));
        w.WriteLine();
        if (r.Problem is { } p)
        {
            w.WriteLine($"PROBLEM  {p.Check.ToString().ToLowerInvariant()} check failed{(p.Seq is { } s ? string.Create(inv, $" at seq {s}") : "")}{(p.Subject is null ? "" : $" ({p.Subject})")}");
            w.WriteLine($"         {p.Message}");
            w.WriteLine($"         code {p.Code}, path {p.Path}");
        }
        else
        {
            w.WriteLine("INTACT   every entry, checkpoint, decision and statistic checked follows from the log and the published rules.");
            if (savedTo is not null)
                w.WriteLine(written
                    ? $"         saved the latest checkpoint to {savedTo}; the next run proves the log only grew."
                    : $"         the latest checkpoint is already saved as {savedTo}.");
        }
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
        j.EndObject();
        w.WriteLine(System.Text.Encoding.UTF8.GetString(j.ToArray()));
    }
}
