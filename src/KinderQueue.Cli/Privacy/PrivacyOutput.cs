using System.Globalization;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Privacy;

namespace KinderQueue.Cli.Privacy;

/// <summary>The disclosure report for people (tables), and the same as one JSON object for machines.</summary>
internal static class PrivacyOutput
{
    /// <summary>Rows of a long list shown in the human report; --json lists every one.</summary>
    private const int Shown = 20;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Human(TextWriter w, string source, PrivacyReport r)
    {
        w.WriteLine($"kq privacy {source}");
        w.WriteLine(string.Create(Inv, $"  entries      {r.Entries:N0} read; {r.Applications:N0} applications, {r.NonGeneral:N0} of them claiming a priority tier (non-general)"));
        w.WriteLine();
        Anonymity(w, r);
        w.WriteLine();
        Actors(w, r);
        w.WriteLine();
        Strings(w, r);
        w.WriteLine();
        Institutional(w, r);
        w.WriteLine();
        Verdict(w, r);
    }

    private static void Anonymity(TextWriter w, PrivacyReport r)
    {
        w.WriteLine("  uniqueness and k-anonymity: who is alone in their class, who is in a class of fewer than 5, the smallest class");
        w.WriteLine("  (classes are formed over all applications; the non-general row counts the applications claiming a tier)");
        w.WriteLine($"  {"quasi-identifiers",-58}{"population",-13}{"applications",12}{"unique",17}{"class < 5",17}{"min k",8}");
        foreach (var f in r.Anonymity)
        {
            var name = f.NonGeneralOnly ? "" : f.Set.Name;
            w.WriteLine(string.Create(Inv,
                $"  {name,-58}{(f.NonGeneralOnly ? "non-general" : "all"),-13}{f.Applications,12:N0}{Share(f.Unique, f.Applications),17}{Share(f.BelowFive, f.Applications),17}{(f.Applications == 0 ? "—" : f.MinK.ToString("N0", Inv)),8}"));
        }
    }

    /// <summary>"4,560  45.6 %": the count and its share of the population.</summary>
    private static string Share(int count, int of) =>
        of == 0 ? "—" : string.Create(Inv, $"{count:N0} {100.0 * count / of,6:F1} %");

    private static void Actors(TextWriter w, PrivacyReport r)
    {
        w.WriteLine(string.Create(Inv,
            $"  parent actors  {r.LinkedActors.Length:N0} of {r.ParentActors:N0} act on more than one application (SPEC.md §6.1 gives a parent one pseudonym per application)"));
        foreach (var a in r.LinkedActors.Take(Shown))
            w.WriteLine(string.Create(Inv, $"                 {a.Actor} links {a.Applications.Length:N0}: {string.Join(", ", a.Applications.Take(5))}{(a.Applications.Length > 5 ? ", …" : "")}"));
        More(w, r.LinkedActors.Length, "                 ");
    }

    private static void Strings(TextWriter w, PrivacyReport r)
    {
        w.WriteLine("  public strings in event payloads, by what they are");
        foreach (var kind in Enum.GetValues<StringKind>())
            w.WriteLine(string.Create(Inv, $"    {Name(kind),-15}{r.Strings.GetValueOrDefault(kind),12:N0}  {Meaning(kind)}"));
    }

    private static string Meaning(StringKind kind) => kind switch
    {
        StringKind.Id => "ids of districts, kindergartens, groups, tiers; criteria versions, round ids",
        StringKind.Number => "application numbers (random pseudonyms)",
        StringKind.Enumeration => "channel, kind, response",
        StringKind.Time => "dates, months, instants",
        StringKind.Hash => "commitments",
        StringKind.Code => "reasons and legal bases from the published lists (SPEC.md §4.6)",
        StringKind.Institutional => "names of districts and kindergartens, round labels: public by design",
        StringKind.Criteria => "inside published criteria documents",
        _ => "looks typed by a person",
    };

    private static void Institutional(TextWriter w, PrivacyReport r)
    {
        w.WriteLine(string.Create(Inv, $"  institutional names ({r.Institutional.Length:N0}; public by design, typed by staff: worth reading through once)"));
        foreach (var i in r.Institutional.Take(Shown))
            w.WriteLine(string.Create(Inv, $"    seq {i.Seq,-8} {i.Type,-24} {i.Path,-8} {Printable(i.Value)}"));
        More(w, r.Institutional.Length, "    ");
    }

    private static void Verdict(TextWriter w, PrivacyReport r)
    {
        if (r.Clean)
        {
            w.WriteLine("CLEAN    no public event carries text typed by a person: every reason and legal basis is a published code.");
            return;
        }
        w.WriteLine(string.Create(Inv, $"TYPED    {r.Typed.Length:N0} public strings look typed by a person; the log keeps them forever (SPEC.md §4.6):"));
        foreach (var g in r.Typed.GroupBy(t => (t.Type, t.Path)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Type, StringComparer.Ordinal))
            w.WriteLine(string.Create(Inv, $"           {g.Key.Type,-24} {g.Key.Path,-14} {g.Count(),8:N0}"));
        w.WriteLine("         each shown by its first characters and length only:");
        foreach (var t in r.Typed.Take(Shown))
            w.WriteLine(string.Create(Inv, $"         seq {t.Seq,-8} {t.Type,-24} {t.Path,-14} \"{t.Preview}\" ({t.Length:N0} characters): {t.Why}"));
        More(w, r.Typed.Length, "         ");
    }

    private static void More(TextWriter w, int count, string indent)
    {
        if (count > Shown) w.WriteLine(string.Create(Inv, $"{indent}… and {count - Shown:N0} more (--json lists every one)"));
    }

    /// <summary>An institutional name is shown whole, but nothing in it may move or hide the lines of the report.</summary>
    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format ? '\uFFFD' : c));

    private static string Name(StringKind kind) => kind.ToString().ToLowerInvariant();

    public static void Json(TextWriter w, string source, PrivacyReport r)
    {
        var j = new CanonicalJsonWriter(4096);
        j.StartObject();
        j.Key("anonymity");
        j.StartArray();
        foreach (var f in r.Anonymity)
        {
            j.StartObject();
            j.Property("applications", f.Applications);
            j.Property("belowFive", f.BelowFive);
            j.StringArray("fields", f.Set.Fields.Select(QuasiIdentifierSet.FieldName));
            j.Property("minK", f.MinK);
            j.Property("population", f.NonGeneralOnly ? "non-general" : "all");
            j.Property("set", f.Set.Name);
            j.Property("unique", f.Unique);
            j.EndObject();
        }
        j.EndArray();
        j.Property("applications", r.Applications);
        j.Property("clean", r.Clean);
        j.Property("entries", r.Entries);
        j.Key("institutional");
        j.StartArray();
        foreach (var i in r.Institutional)
        {
            j.StartObject();
            j.Property("path", i.Path);
            j.Property("seq", i.Seq);
            j.Property("type", i.Type);
            j.Property("value", i.Value);
            j.EndObject();
        }
        j.EndArray();
        j.Key("linkedActors");
        j.StartArray();
        foreach (var a in r.LinkedActors)
        {
            j.StartObject();
            j.Property("actor", a.Actor);
            j.StringArray("applications", a.Applications);
            j.EndObject();
        }
        j.EndArray();
        j.Property("nonGeneral", r.NonGeneral);
        j.Property("parentActors", r.ParentActors);
        j.Property("source", source);
        j.Key("strings");
        j.StartObject();
        // Every kind, zero included, so that a script finds the key; in key order.
        foreach (var kind in Enum.GetValues<StringKind>().OrderBy(Name, StringComparer.Ordinal)) j.Property(Name(kind), r.Strings.GetValueOrDefault(kind));
        j.EndObject();
        j.Key("typed");
        j.StartArray();
        foreach (var t in r.Typed)
        {
            j.StartObject();
            j.Property("length", t.Length);
            j.Property("path", t.Path);
            j.Property("preview", t.Preview);
            j.Property("seq", t.Seq);
            j.Property("type", t.Type);
            j.Property("why", t.Why);
            j.EndObject();
        }
        j.EndArray();
        j.EndObject();
        w.WriteLine(System.Text.Encoding.UTF8.GetString(j.ToArray()));
    }
}
