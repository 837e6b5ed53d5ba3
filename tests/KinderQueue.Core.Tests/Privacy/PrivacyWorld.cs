using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Privacy;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Privacy;

/// <summary>
/// A small log built entry by entry (each accepted by the fold before it is chained), with the actor
/// of each entry chosen by the test, and its exported lines ready for <see cref="PrivacyAnalyzer"/>.
/// The region: districts north and south; kg-1 in north (catchment north), kg-2 and kg-3 in south.
/// </summary>
internal sealed class PrivacyWorld
{
    public const string Staff = "department:7f3a9c21";
    public static readonly LocalDate September = new(2027, 9, 1);

    public QueueState State { get; } = new();
    public LogChain Chain { get; } = new();
    public List<byte[]> Lines { get; } = [];

    /// <summary>09:00 in Moscow (06:00 UTC) on the date, plus minutes.</summary>
    public static Instant On(int year, int month, int day, int minute = 0) => Instant.FromUtc(year, month, day, 6, 0) + Duration.FromMinutes(minute);

    /// <summary>The default criteria without their code lists: a version from before SPEC.md §4.6.</summary>
    public static CriteriaDocument Legacy => DefaultCriteria.Value with { Reasons = null };

    public static PrivacyWorld Region(CriteriaDocument? criteria = null)
    {
        var w = new PrivacyWorld();
        w.Ok(On(2026, 12, 1), new CriteriaPublished(criteria ?? DefaultCriteria.Value));
        w.Ok(On(2026, 12, 2), new DistrictRegistered("north", "Северный район"));
        w.Ok(On(2026, 12, 2, 1), new DistrictRegistered("south", "Южный район"));
        w.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1 «Солнышко»", "north", ["north"]));
        w.Ok(On(2026, 12, 3, 1), new KindergartenRegistered("kg-2", "Детский сад № 2", "south", []));
        w.Ok(On(2026, 12, 3, 2), new KindergartenRegistered("kg-3", "Детский сад № 3", "south", []));
        return w;
    }

    public long Ok(Instant at, LogEvent e, string actor = Staff)
    {
        var (entry, bytes, _) = Chain.Append(at, actor, e);
        State.Apply(entry, e).Should().BeNull($"{e.Type} should be accepted");
        Lines.Add(bytes);
        return entry.Seq;
    }

    /// <summary>A submission registered (and appended) at <paramref name="registeredAt"/>.</summary>
    public long Submit(string number, string district, string birthMonth, string[] preferences, Instant registeredAt,
        string actor = Staff, params PriorityClaim[] claims) =>
        Ok(registeredAt, new ApplicationSubmitted(number, "new", "portal", registeredAt, KinderQueue.Core.Encoding.Formats.Month.Parse(birthMonth).Value, district,
            [.. preferences], September, [.. claims], new string('a', 64)), actor);

    public PrivacyReport Analyze(int batch = 1000)
    {
        using var analyzer = new PrivacyAnalyzer();
        foreach (var chunk in Lines.Chunk(batch))
        {
            analyzer.Add([.. chunk.Select(l => (ReadOnlyMemory<byte>)l)]).Should().BeTrue(analyzer.Problem?.ToString());
        }
        return analyzer.Complete();
    }

    public static AnonymityFigures Row(PrivacyReport report, string set, bool nonGeneral) =>
        report.Anonymity.Single(a => a.Set.Name == set && a.NonGeneralOnly == nonGeneral);

    public static ImmutableArray<string> SetNames => [.. QuasiIdentifierSet.Standard.Select(s => s.Name)];
}
