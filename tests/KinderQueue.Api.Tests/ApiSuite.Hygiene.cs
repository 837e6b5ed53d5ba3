using System.Net;
using System.Text;
using KinderQueue.Api.Tests.Support;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>Issue 17: what the API accepts and what it answers with, beyond each endpoint's own rules.</summary>
public abstract partial class ApiSuite
{
    [Fact]
    public async Task Issue17_a_round_without_dryRun_is_refused_and_appends_nothing()
    {
        var size = await F.LogSizeAsync();
        await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion("no-dry"), startDate = Format(DesiredStart) }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.dryRun", "field.missing");
        await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion("null-dry"), startDate = Format(DesiredStart), dryRun = (bool?)null }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.dryRun");
        (await F.LogSizeAsync()).Should().Be(size, "only an explicit dryRun=false decides a round");
    }
    [Fact]
    public async Task Issue17_a_large_bad_capacity_file_gets_a_bounded_answer()
    {
        // About 2 MB of bad rows, each quoting a long cell: the answer once quoted every one (20 MB).
        var longCell = new string('x', 500);
        var rows = 2 * 1024 * 1024 / (longCell.Length + 30);
        var csv = "kindergarten,group,year,seats\n" + string.Concat(Enumerable.Repeat($"{longCell},junior,2027,{longCell}\n", rows));
        var size = await F.LogSizeAsync();

        var dry = await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, Csv(csv));
        var dryText = await dry.Content.ReadAsStringAsync();
        var dryJson = await dry.ShouldSucceedAsync(HttpStatusCode.OK);
        dryText.Length.Should().BeLessThan(64 * 1024);
        Array(dryJson, "errors").Length.Should().Be(100);
        dryJson.GetProperty("errorCount").GetInt32().Should().Be(2 * rows, "every bad cell is counted");
        Array(dryJson, "errors").Should().OnlyContain(e => Str(e, "message").Length < 200);

        var commit = await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, Csv(csv));
        var commitText = await commit.Content.ReadAsStringAsync();
        var errors = await commit.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$csv", "errors.truncated");
        commitText.Length.Should().BeLessThan(64 * 1024);
        errors.Count.Should().Be(100);
        errors[^1].Message.Should().Contain((2 * rows).ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await F.LogSizeAsync()).Should().Be(size);
    }
}
