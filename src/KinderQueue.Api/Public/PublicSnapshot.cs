using System.Collections.Frozen;
using System.Text.Json;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Api.Public;

/// <summary>
/// The slower public figures at one log size and date, computed once and then served to everyone:
/// the dashboard's canonical bytes, each kindergarten's context, and the allocation "if it ran
/// today" with every waiting applicant's explanation. Immutable; replaced as a whole.
/// </summary>
public sealed class PublicSnapshot
{
    private PublicSnapshot(long size, LocalDate asOf, byte[] dashboardJson, FrozenDictionary<string, KindergartenContext> kindergartens,
        FrozenDictionary<string, ApplicantExplanation> projection, Signals.SignalsPublication signals)
    {
        Signals = signals;
        Size = size;
        AsOf = asOf;
        DashboardJson = dashboardJson;
        Kindergartens = kindergartens;
        Projection = projection;
        BriefJson = KindergartenContexts.Briefs(kindergartens).ToFrozenDictionary(kv => kv.Key, kv => PositionReportJson.Brief(kv.Value));
        ETag = $"{size}-{Formats.Format(asOf)}";
        KindergartensJson = JsonSerializer.SerializeToUtf8Bytes(kindergartens.Values.OrderBy(k => k.Id, StringComparer.Ordinal).ToList(), PublicJson.Options);
        KindergartenJson = kindergartens.ToFrozenDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToUtf8Bytes(kv.Value, PublicJson.Options), StringComparer.Ordinal);
        // Compressed once here rather than per request: every visitor of the site downloads these two
        // (hundreds of kilobytes of repetitive JSON at 10,000 applications), mostly over phones.
        DashboardGzip = Hosting.HttpCaching.Gzip(DashboardJson, System.IO.Compression.CompressionLevel.Optimal);
        KindergartensGzip = Hosting.HttpCaching.Gzip(KindergartensJson, System.IO.Compression.CompressionLevel.Optimal);
    }

    /// <summary>Log entries included.</summary>
    public long Size { get; }

    /// <summary>The date "today" of the figures.</summary>
    public LocalDate AsOf { get; }

    /// <summary>Changes whenever the log grows or the date turns.</summary>
    public string ETag { get; }

    public byte[] DashboardJson { get; }

    public byte[] KindergartensJson { get; }

    /// <summary><see cref="DashboardJson"/> gzip-compressed, for clients that accept it.</summary>
    public byte[] DashboardGzip { get; }

    /// <summary><see cref="KindergartensJson"/> gzip-compressed, for clients that accept it.</summary>
    public byte[] KindergartensGzip { get; }

    public FrozenDictionary<string, byte[]> KindergartenJson { get; }

    public FrozenDictionary<string, KindergartenContext> Kindergartens { get; }

    /// <summary>Each (kindergarten, age group) in short, as canonical JSON, for parents' reports.</summary>
    public FrozenDictionary<(string Kindergarten, string Group), byte[]> BriefJson { get; }

    /// <summary>Explanations of the allocation of the waiting applications with date = start date = <see cref="AsOf"/>, by number.</summary>
    public FrozenDictionary<string, ApplicantExplanation> Projection { get; }

    /// <summary>The anomaly signals at <see cref="Size"/> (issue 13).</summary>
    public Signals.SignalsPublication Signals { get; }

    public static PublicSnapshot Build(PublicModel model, LocalDate today)
    {
        var state = model.State;
        var dashboard = model.Statistics.Build(state, today);
        var kindergartens = KindergartenContexts.From(dashboard, model);
        var projection = FrozenDictionary<string, ApplicantExplanation>.Empty;
        var input = RoundBuilder.Build(state, today, today);
        if (input.Success && input.Value!.Applicants.Length > 0)
            projection = Allocator.Allocate(input.Value).Explanations.ToFrozenDictionary(x => x.Number, StringComparer.Ordinal);
        return new PublicSnapshot(state.Size, today, Core.Public.DashboardJson.ToCanonicalBytes(dashboard), kindergartens, projection,
            KinderQueue.Api.Signals.SignalsPublication.Of(model.Signals.Document()));
    }
}

/// <summary>
/// JSON of the public lookups: web defaults (camelCase), nulls written so every field is always there,
/// and Cyrillic names as text rather than \u escapes (characters that matter in HTML are still escaped).
/// </summary>
public static class PublicJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        // Generated serializers: a lookup is answered tens of thousands of times a second.
        TypeInfoResolver = PublicJsonContext.Default,
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(KindergartenContext))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<KindergartenContext>))]
internal sealed partial class PublicJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
