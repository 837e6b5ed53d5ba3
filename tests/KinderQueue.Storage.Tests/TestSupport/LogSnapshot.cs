using KinderQueue.Core.Log;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>Everything an instance serves from, as comparable text: two instances that agree on this agree on the state.</summary>
internal sealed record LogSnapshot(
    long Size,
    string Head,
    string Root,
    IReadOnlyList<string> Criteria,
    IReadOnlyList<string> Districts,
    IReadOnlyList<string> Kindergartens,
    IReadOnlyList<string> Applications)
{
    public static Task<LogSnapshot> TakeAsync(LiveLog log, CancellationToken ct = default) =>
        log.ReadAsync((s, v) =>
        {
            s.Size.Should().Be(v.Size, "the fold and the chain move together");
            return new LogSnapshot(
                v.Size,
                Hex.Encode(v.Head),
                Hex.Encode(v.Root),
                [.. s.CriteriaVersions.Select(c => $"{c.Seq} {c.Criteria.Version} from {c.Criteria.EffectiveFrom:uuuu-MM-dd}")],
                [.. s.Districts.Values.Select(d => $"{d.Id} {d.Name}").Order(StringComparer.Ordinal)],
                [.. s.Kindergartens.Values.Select(k => $"{k.Id} {k.District} [{string.Join(',', k.Catchment)}]").Order(StringComparer.Ordinal)],
                [.. s.Applications.Values
                    .Select(a => $"{a.Number} seq={a.Seq} {a.Status} {a.RegisteredAt} claims=[{string.Join(',', a.Claims.Select(c => $"{c.Tier}:{c.Verified}"))}]")
                    .Order(StringComparer.Ordinal)]);
        }, ct);

    public void ShouldEqual(LogSnapshot expected, string because = "")
    {
        Size.Should().Be(expected.Size, because);
        Head.Should().Be(expected.Head, because);
        Root.Should().Be(expected.Root, because);
        Criteria.Should().Equal(expected.Criteria, because);
        Districts.Should().Equal(expected.Districts, because);
        Kindergartens.Should().Equal(expected.Kindergartens, because);
        Applications.Should().Equal(expected.Applications, because);
    }
}
