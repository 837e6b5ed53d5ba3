using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KinderQueue.Api.Commands;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// A realistic region and a stream of submissions for it: the published default criteria (a copy
/// effective today in Europe/Moscow with its own version id), 12 districts, 60 kindergartens, seats
/// for every age group, and applications with 1–5 preferences, some with a priority claim.
/// Deterministic for a given seed, so both backends and both commands see the same shapes.
/// </summary>
public sealed class Workload
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/Moscow"];
    private static readonly string[] Groups = ["early", "junior", "middle", "senior", "preparatory"];
    // Claimable categories of the default criteria (catchment follows from the district and is never claimed).
    private static readonly string[] Categories = ["judge", "chernobyl", "serviceman", "police", "disability", "large-family", "sibling"];
    private static readonly string[] ChildNames = ["Иван Петров", "Мария Смирнова", "Алексей Кузнецов", "Анна Попова", "Дмитрий Васильев", "Софья Новикова", "Артём Фёдоров", "Ева Морозова"];
    private static readonly string[] ParentNames = ["Ольга Петрова", "Сергей Смирнов", "Елена Кузнецова", "Андрей Попов", "Наталья Васильева", "Павел Новиков"];

    public const int DistrictCount = 12;
    public const int KindergartensPerDistrict = 5;

    public Workload(LocalDate today)
    {
        Today = today;
        Version = $"bench-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }

    /// <summary>The region's date now (the service decides with the same zone, that of the criteria).</summary>
    public static LocalDate TodayInRegion() => SystemClock.Instance.GetCurrentInstant().InZone(Zone).Date;

    public LocalDate Today { get; }

    public string Version { get; }

    public static string District(int d) => $"bench-d{d:00}";

    public static string Kindergarten(int d, int k) => $"bench-kg-{d:00}-{k}";

    public static IEnumerable<string> Districts => Enumerable.Range(0, DistrictCount).Select(District);

    /// <summary>(id, district, catchment): each kindergarten serves its own district; every fifth also the next one.</summary>
    public static IEnumerable<(string Id, string District, string[] Catchment)> Kindergartens =>
        from d in Enumerable.Range(0, DistrictCount)
        from k in Enumerable.Range(0, KindergartensPerDistrict)
        select (Kindergarten(d, k), District(d), k == 0 ? new[] { District(d), District((d + 1) % DistrictCount) } : [District(d)]);

    /// <summary>The enrolment year seats are loaded for (that of the desired start dates, under the 1 September cut-off).</summary>
    public int Year => Today.PlusDays(2) < new LocalDate(Today.PlusDays(2).Year, 9, 1) ? Today.PlusDays(2).Year - 1 : Today.PlusDays(2).Year;

    public ImmutableArray<CapacityRow> CapacityRows =>
        [.. from kg in Kindergartens from g in Groups select new CapacityRow(kg.Id, g, Year, 20 + ((kg.Id.Length * 7 + g.Length * 3) % 25))];

    public string CapacityCsv()
    {
        var sb = new StringBuilder("kindergarten,group,year,seats\n");
        foreach (var r in CapacityRows) sb.Append(CultureInfo.InvariantCulture, $"{r.Kindergarten},{r.Group},{r.Year},{r.Seats}\n");
        return sb.ToString();
    }

    /// <summary>algorithm-spec/criteria/default.json (or the copy embedded in the Api) with this run's version, effective today.</summary>
    public JsonObject CriteriaJsonObject()
    {
        var root = Repo.TryRoot();
        string text;
        if (root is not null && File.Exists(Path.Combine(root, "algorithm-spec", "criteria", "default.json")))
        {
            text = File.ReadAllText(Path.Combine(root, "algorithm-spec", "criteria", "default.json"));
        }
        else
        {
            using var stream = typeof(SubmitApplication).Assembly.GetManifestResourceStream("default-criteria.json")
                ?? throw new BenchmarkException("default criteria not found");
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        var doc = JsonNode.Parse(text)!.AsObject();
        doc["version"] = Version;
        doc["effectiveFrom"] = Formats.Format(Today);
        return doc;
    }

    public CriteriaDocument Criteria()
    {
        using var doc = JsonDocument.Parse(CriteriaJsonObject().ToJsonString());
        var parsed = CriteriaJson.Read(doc.RootElement, "$");
        return parsed.Success ? parsed.Value! : throw new BenchmarkException($"criteria: {parsed.Problems[0]}");
    }

    /// <summary>The <paramref name="i"/>-th submission of the stream (same i, same submission).</summary>
    public SubmissionInput Submission(int i, string channel = "centre")
    {
        var r = new Random(unchecked(i * 7919 + 17));
        var d = r.Next(DistrictCount);
        var count = 1 + r.Next(5);
        var preferences = new List<string>(count);
        while (preferences.Count < count)
        {
            // Mostly the own district, sometimes a neighbouring one.
            var pd = r.Next(4) == 0 ? (d + 1) % DistrictCount : d;
            var kg = Kindergarten(pd, r.Next(KindergartensPerDistrict));
            if (!preferences.Contains(kg)) preferences.Add(kg);
        }
        // Between one and five and a half years old today: never too old by the desired start.
        var birth = Today.PlusDays(-(365 + r.Next(365 * 4 + 180)));
        var desiredStart = Today.PlusDays(2 + r.Next(180));
        var claims = ImmutableArray<ClaimInput>.Empty;
        if (r.Next(100) < 15)
        {
            var category = Categories[r.Next(Categories.Length)];
            claims = [new ClaimInput(category, category == "sibling" ? preferences[0] : null, $"Справка № {r.Next(1_000_000)}")];
        }
        return new SubmissionInput(
            ChildNames[r.Next(ChildNames.Length)], birth, ParentNames[r.Next(ParentNames.Length)],
            $"+7 9{r.Next(10)}{r.Next(10)} {r.Next(100, 1000)}-{r.Next(10, 100)}-{r.Next(10, 100)}",
            r.Next(3) == 0 ? "" : $"parent{i}@example.test",
            District(d), [.. preferences], desiredStart, claims, "new", channel, null);
    }

    /// <summary>The same submission as the JSON body an operator's client sends.</summary>
    public byte[] SubmissionBody(int i)
    {
        var s = Submission(i);
        var body = new JsonObject
        {
            ["child"] = new JsonObject { ["name"] = s.ChildName, ["birthDate"] = Formats.Format(s.BirthDate) },
            ["parent"] = new JsonObject { ["name"] = s.ParentName, ["phone"] = s.Phone, ["email"] = string.IsNullOrEmpty(s.Email) ? null : s.Email },
            ["district"] = s.District,
            ["preferences"] = new JsonArray([.. s.Preferences.Select(p => (JsonNode)JsonValue.Create(p))]),
            ["desiredStart"] = Formats.Format(s.DesiredStart),
            ["channel"] = "centre",
        };
        if (s.Claims.Length > 0)
        {
            body["claims"] = new JsonArray([.. s.Claims.Select(c => (JsonNode)new JsonObject
            {
                ["category"] = c.Category,
                ["kindergarten"] = c.Kindergarten,
                ["documents"] = c.Documents,
            })]);
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }
}

/// <summary>Where the repository is: the folder with KinderQueue.sln above the binary or the working directory.</summary>
public static class Repo
{
    public static string? TryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
            }
        }
        return null;
    }
}
