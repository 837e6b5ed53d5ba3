using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Api.Tests.Support;

/// <summary>
/// The region the tests build through the API: dates in Europe/Moscow, the published default
/// criteria (a copy effective today with its own version id), registrations and submissions.
/// </summary>
public static class Region
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/Moscow"];

    /// <summary>Today in the region; the service decides with the same zone (that of the criteria).</summary>
    public static LocalDate Today => SystemClock.Instance.GetCurrentInstant().InZone(Zone).Date;

    /// <summary>Two days ahead: still in the future if the date turns while a test runs.</summary>
    public static LocalDate DesiredStart => Today.PlusDays(2);

    /// <summary>The enrolment year of <see cref="DesiredStart"/> under the default cut-off (1 September).</summary>
    public static int EnrolmentYear => DesiredStart < new LocalDate(DesiredStart.Year, 9, 1) ? DesiredStart.Year - 1 : DesiredStart.Year;

    /// <summary>A birth date in December four years before the enrolment year: three on the cut-off, so the "junior" group.</summary>
    public static LocalDate JuniorBirthDate => new(EnrolmentYear - 4, 12, 17);

    public static string Format(LocalDate date) => Formats.Format(date);

    public static string NewVersion(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("KinderQueue.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>algorithm-spec/criteria/default.json with another version id and effective date.</summary>
    public static JsonObject Criteria(string version, LocalDate effectiveFrom)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "algorithm-spec", "criteria", "default.json"));
        var doc = JsonNode.Parse(text)!.AsObject();
        doc["version"] = version;
        doc["effectiveFrom"] = Format(effectiveFrom);
        return doc;
    }

    /// <summary>Publishes a copy of the default criteria effective today; returns its version.</summary>
    public static async Task<string> PublishCriteriaAsync(ApiFixture f, string prefix = "test")
    {
        // If the region's date turns between computing "today" and appending, take the new date.
        for (var attempt = 0; ; attempt++)
        {
            var version = NewVersion(prefix);
            var response = await f.PostAsync("/api/v1/criteria", f.Tokens.Registrar, Criteria(version, Today));
            if (response.StatusCode == HttpStatusCode.Conflict && attempt == 0) continue;
            await response.ShouldSucceedAsync(HttpStatusCode.Created);
            return version;
        }
    }

    public static async Task DistrictAsync(ApiFixture f, string id, string? name = null) =>
        await (await f.PostAsync("/api/v1/districts", f.Tokens.Registrar, new { id, name = name ?? $"District {id}" }))
            .ShouldSucceedAsync(HttpStatusCode.Created);

    public static async Task KindergartenAsync(ApiFixture f, string id, string district, params string[] catchment) =>
        await (await f.PostAsync("/api/v1/kindergartens", f.Tokens.Registrar, new { id, name = $"Kindergarten {id}", district, catchment }))
            .ShouldSucceedAsync(HttpStatusCode.Created);

    /// <summary>A district and kindergartens in it whose catchment is that district.</summary>
    public static async Task AreaAsync(ApiFixture f, string district, params string[] kindergartens)
    {
        await DistrictAsync(f, district);
        foreach (var k in kindergartens) await KindergartenAsync(f, k, district, district);
    }

    /// <summary>A valid submission body; tests change what they need.</summary>
    public static JsonObject Submission(string district, string[] preferences, string childName = "Ребёнок Тестовый",
        string parentName = "Родитель Тестовый", string? phone = "+7 900 000-00-00", string? email = "parent@example.test",
        LocalDate? birthDate = null, LocalDate? desiredStart = null, params (string Category, string? Kindergarten, string? Documents)[] claims)
    {
        var body = new JsonObject
        {
            ["child"] = new JsonObject { ["name"] = childName, ["birthDate"] = Format(birthDate ?? JuniorBirthDate) },
            ["parent"] = new JsonObject { ["name"] = parentName, ["phone"] = phone, ["email"] = email },
            ["district"] = district,
            ["preferences"] = new JsonArray([.. preferences.Select(p => (JsonNode)JsonValue.Create(p))]),
            ["desiredStart"] = Format(desiredStart ?? DesiredStart),
        };
        if (claims.Length > 0)
        {
            body["claims"] = new JsonArray([.. claims.Select(c => (JsonNode)new JsonObject
            {
                ["category"] = c.Category,
                ["kindergarten"] = c.Kindergarten,
                ["documents"] = c.Documents,
            })]);
        }
        return body;
    }

    public sealed record Submitted(string Number, string AccessCode, string RegisteredAt, long Seq);

    public static async Task<Submitted> SubmitAsync(ApiFixture f, Caller caller, JsonObject body, string? idempotencyKey = null)
    {
        var json = await (await f.PostAsync("/api/v1/applications", caller, body, idempotencyKey)).ShouldSucceedAsync(HttpStatusCode.Created);
        return Parse(json);
    }

    public static Submitted Parse(JsonElement json) =>
        new(json.GetProperty("number").GetString()!, json.GetProperty("accessCode").GetString()!,
            json.GetProperty("registeredAt").GetString()!, json.GetProperty("seq").GetInt64());

    public static StringContent Csv(string text) => Http.Raw(text, "text/csv");

    public static string CapacityUrl(bool dryRun, string? reason = null) =>
        "/api/v1/capacity" + (dryRun ? "?dryRun=true" : "?dryRun=false") + (reason is null ? "" : "&reason=" + Uri.EscapeDataString(reason));

    public static JsonElement[] Array(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray()];

    public static string Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.String ? e.GetProperty(name).GetString()! : "";
}
