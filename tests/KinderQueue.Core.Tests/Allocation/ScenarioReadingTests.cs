using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Tests.Criteria;

namespace KinderQueue.Core.Tests.Allocation;

/// <summary>
/// Reading a scenario never throws on text that is JSON but not Unicode (issue 17.2). The vectors
/// (allocation/030) show a string value; these cover what a vector file cannot hold in its layout:
/// an escaped key and raw invalid UTF-8 bytes.
/// </summary>
public sealed class ScenarioReadingTests
{
    private static readonly ScenarioJson.CriteriaLoader Default = _ => Parsed<CriteriaDocument>.Ok(DefaultCriteria.Value);

    private static byte[] Scenario(string kindergarten) =>
        System.Text.Encoding.UTF8.GetBytes(
            $$"""{"criteria":"default.json","date":"2027-05-01","startDate":"2027-09-01","kindergartens":[{{kindergarten}}],"programs":[],"applicants":[]}""");

    [Fact]
    public void Issue17_KeyEscapingAnUnpairedSurrogate_IsJsonStringAtItsObject()
    {
        var parsed = ScenarioJson.Parse(Scenario("""{"\ud800":1,"id":"kg-a","district":"central","catchment":[]}"""), Default);

        parsed.Success.Should().BeFalse();
        parsed.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "$.kindergartens[0]", Code = "json.string" });
    }

    [Fact]
    public void Issue17_InvalidUtf8InAString_IsJsonStringAtTheField()
    {
        var bytes = Scenario("""{"id":"kg-a","district":"cen#tral","catchment":["x"]}""");
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;

        var parsed = ScenarioJson.Parse(bytes, Default);

        parsed.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "$.kindergartens[0].district", Code = "json.string" });
    }
}
