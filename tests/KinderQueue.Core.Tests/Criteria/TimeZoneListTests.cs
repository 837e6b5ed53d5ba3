using NodaTime;

namespace KinderQueue.Core.Tests.Criteria;

/// <summary>
/// The published list of accepted time-zone ids (algorithm-spec/criteria/time-zones.txt, SPEC.md
/// §4.4) is exactly what the validator accepts: the ids of the tz data NodaTime ships. A NodaTime
/// update that changes the data fails here, so the list and SPEC are updated in the same change.
/// </summary>
public sealed class TimeZoneListTests
{
    private static string ListFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return Path.Combine(dir.FullName, "algorithm-spec", "criteria", "time-zones.txt");
        }
        throw new InvalidOperationException($"KinderQueue.sln not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void PublishedList_EqualsTheTzdbIdsAndVersionNodaTimeShips()
    {
        var lines = File.ReadAllLines(ListFile());
        var header = lines.Where(l => l.StartsWith('#')).ToArray();
        var ids = lines.Where(l => !l.StartsWith('#')).ToArray();

        header.Should().Contain($"# {DateTimeZoneProviders.Tzdb.VersionId}", "the list names the tz data version it was taken from");
        ids.Should().Equal(DateTimeZoneProviders.Tzdb.Ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Europe/Moscow", true)]
    [InlineData("Europe/Kiev", true)]      // a link (old name) is accepted like its zone
    [InlineData("UTC", true)]
    [InlineData("europe/moscow", false)]   // ids are case-sensitive
    [InlineData("Europe/Moscow ", false)]
    [InlineData("MSK", false)]
    [InlineData("+03:00", false)]
    public void Validator_AcceptsExactlyTheListedIds(string id, bool accepted)
    {
        var problems = KinderQueue.Core.Criteria.CriteriaValidator.Validate(DefaultCriteria.Value with { TimeZone = id });
        problems.Any(p => p.Code == "criteria.time-zone").Should().Be(!accepted);
        File.ReadAllLines(ListFile()).Contains(id).Should().Be(accepted);
    }
}
