using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Api.Commands;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Fuzz;
using NodaTime;
using Xunit.Abstractions;

namespace KinderQueue.Api.Tests.Commands;

/// <summary>
/// The capacity CSV reader (issue 17.7) on mutated files, decoded the way the endpoint decodes the
/// body (UTF-8 with replacement characters): always a <see cref="CapacityCheck"/>, never an
/// exception, with and without published criteria.
/// </summary>
public sealed class CapacityCsvFuzzTests(ITestOutputHelper output)
{
    private static readonly byte[][] Seeds =
    [
        "kindergarten,group,year,seats\nkg-a,junior,2027,10\nkg-a,middle,2027,0\nkg-b,junior,2028,25\n"u8.ToArray(),
        "\uFEFFKindergarten, Group, Year, Seats\r\nkg-a, junior, 2027, 10\r\n\r\nkg-b,junior,2027,3"u8.ToArray(),
        "kindergarten,group,year,seats\n"u8.ToArray(),
    ];

    private static QueueState StateWithCriteria()
    {
        var root = KinderQueue.Core.Tests.Fuzz.RepoRoot.Find();
        var criteria = CriteriaJson.Parse(File.ReadAllBytes(Path.Combine(root, "algorithm-spec", "criteria", "default.json"))).GetValueOrThrow();
        var state = new QueueState();
        var chain = new LogChain();
        void Append(Instant at, LogEvent e) => state.Apply(chain.Append(at, "department:7f3a9c21", e).Entry, e).Should().BeNull();
        Append(Instant.FromUtc(2026, 12, 1, 7, 0), new CriteriaPublished(criteria));
        Append(Instant.FromUtc(2026, 12, 1, 7, 1), new DistrictRegistered("central", "Центральный район"));
        Append(Instant.FromUtc(2026, 12, 1, 7, 2), new KindergartenRegistered("kg-a", "Детский сад № 1", "central", []));
        return state;
    }

    [Fact]
    public void Check_MutatedCsv_IsAlwaysACheck()
    {
        var states = new[] { StateWithCriteria(), new QueueState() };
        var inputs =
            from seed in Gen.Choose(0, Seeds.Length - 1)
            from r in Gen.Choose(0, int.MaxValue)
            from s in Gen.Choose(0, states.Length - 1)
            select (Text: System.Text.Encoding.UTF8.GetString(r % 7 == 0 ? Mutations.Soup(r) : Mutations.Apply(Seeds[seed], r)), State: s);
        var tried = 0;
        var clean = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(10000), Prop.ForAll(inputs.ToArbitrary(), c =>
        {
            tried++;
            var check = CapacityCsv.Check(c.Text, states[c.State], new LocalDate(2027, 1, 15));
            (check.Errors.Length > 0 || check.Rows > 0).Should().BeTrue("a check either finds rows or says why not");
            if (check.Errors.IsEmpty) clean++;
        }));
        output.WriteLine($"capacity CSV: {tried} inputs ({clean} without errors), no exception");
        tried.Should().Be(10000);
    }
}
