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

    [Theory]
    [InlineData("{\"id\":\"dup-a\",\"name\":\"First\",\"name\":\"Second\"}", "$.name")]
    [InlineData("{\"id\":\"dup-b\",\"id\":\"dup-c\",\"name\":\"x\"}", "$.id")]
    [InlineData("{\"id\":\"dup-d\",\"name\":\"x\",\"extra\":{\"k\":1,\"k\":2}}", "$.extra.k")]
    [InlineData("{\"id\":\"dup-e\",\"name\":\"x\",\"list\":[{},{\"k\":1,\"k\":1}]}", "$.list[1].k")]
    public async Task Issue17_a_repeated_key_is_refused_by_its_path(string body, string path)
    {
        var size = await F.LogSizeAsync();
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/districts", T.Registrar, Http.Raw(body, "application/json")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, path, "json.duplicate-key");
        (await F.LogSizeAsync()).Should().Be(size);
    }

    [Fact]
    public async Task Issue17_criteria_with_a_repeated_key_are_refused()
    {
        var criteria = Criteria(NewVersion("dup"), Today).ToJsonString();
        var doubled = "{\"version\":\"shadow-version\"," + criteria[1..];
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/criteria", T.Registrar, Http.Raw(doubled, "application/json")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.version", "json.duplicate-key");
    }

    [Theory]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=windows-1251")]
    [InlineData("application/json; charset=utf-16")]
    public async Task Issue17_a_charset_other_than_utf8_is_415(string contentType)
    {
        var body = new ByteArrayContent(Encoding.Latin1.GetBytes("{\"id\":\"cs-latin\",\"name\":\"Caf\u00e9\"}"));
        body.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/districts", T.Registrar, body))
            .ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "$header.Content-Type", "request.charset");
        var csv = new ByteArrayContent(Encoding.Latin1.GetBytes("kindergarten,group,year,seats\n"));
        csv.Headers.TryAddWithoutValidation("Content-Type", contentType.Replace("application/json", "text/csv", StringComparison.Ordinal));
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, csv))
            .ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "$header.Content-Type", "request.charset");
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json")]
    public async Task Issue17_utf8_or_no_charset_is_read(string contentType)
    {
        var id = "cs-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\",\"name\":\"Café\"}}"));
        body.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/districts", T.Registrar, body)).ShouldSucceedAsync(HttpStatusCode.Created);
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

    [Fact]
    public async Task Issue17_a_long_bad_value_is_not_echoed_whole()
    {
        var key = new string('k', 10_000);
        var response = await F.SendAsync(HttpMethod.Post, "/api/v1/districts", T.Registrar,
            Http.Raw($"{{\"id\":\"dup-long\",\"name\":\"x\",\"{key}\":1,\"{key}\":2}}", "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, code: "json.duplicate-key");
        text.Length.Should().BeLessThan(2_000);
    }

    [Fact]
    public async Task Issue17_acting_on_an_existing_application_is_tied_to_its_access_code()
    {
        await AreaAsync(F, "code-d", "code-a", "code-b");
        var centre = T.Mint(Auth.Roles.Operator, "operator-issue17-" + NewVersion("c"));
        var portal = await SubmitAsync(F, T.Parent, Submission("code-d", ["code-a"]));
        var filed = await SubmitAsync(F, centre, Submission("code-d", ["code-a"]));
        var change = new { preferences = new[] { "code-b" }, desiredStart = Format(DesiredStart) };
        var size = await F.LogSizeAsync();

        // An operator may no longer change or withdraw a parent's portal application without the parent (its code).
        await (await F.PostAsync($"/api/v1/applications/{portal.Number}/withdrawal", centre, new { reason = "parent-request" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.accessCode", "field.missing");
        await (await F.PutAsync($"/api/v1/applications/{portal.Number}/preferences", centre, new { change.preferences, change.desiredStart, accessCode = filed.AccessCode }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found", "another application's code is a wrong code");
        // Not even one the centre filed itself: the code is the family's consent, not the centre's.
        await (await F.PutAsync($"/api/v1/applications/{filed.Number}/preferences", centre, change))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.accessCode", "field.missing");
        (await F.LogSizeAsync()).Should().Be(size);
        await (await F.PutAsync($"/api/v1/applications/{portal.Number}/preferences", centre, new { change.preferences, change.desiredStart, accessCode = portal.AccessCode }))
            .ShouldSucceedAsync(HttpStatusCode.OK);

        // A parent may manage an application a service centre filed for their child, with its code.
        await (await F.PostAsync($"/api/v1/applications/{filed.Number}/withdrawal", T.Parent, new { reason = "parent-request" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");
        await (await F.PostAsync($"/api/v1/applications/{filed.Number}/withdrawal", T.Parent, new { reason = "parent-request", accessCode = "AAAA-BBBB-CCCC" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");
        await (await F.PutAsync($"/api/v1/applications/{filed.Number}/preferences", T.OtherParent, new { change.preferences, change.desiredStart, accessCode = filed.AccessCode }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{filed.Number}/withdrawal", T.Parent, new { reason = "parent-request", accessCode = filed.AccessCode }))
            .ShouldSucceedAsync(HttpStatusCode.OK);

        // Their own portal application needs no code; someone else's does.
        await (await F.PostAsync($"/api/v1/applications/{portal.Number}/withdrawal", T.OtherParent, new { reason = "parent-request" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");
        await (await F.PutAsync($"/api/v1/applications/{portal.Number}/preferences", T.Parent, new { change.preferences, change.desiredStart, accessCode = "AAAA-BBBB-CCCC" }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{portal.Number}/withdrawal", T.Parent, new { reason = "parent-request" }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
    }
}
