using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// A second demo service for the signals page, given signals through the staff API as the
/// department would: criteria with published thresholds, a capacity cut shortly before a round
/// (a signal of the whole region), an enrolment outside the algorithm (a signal of one district and
/// kindergarten), and the inspector's public explanation of the first. Its own process, so the
/// round it runs changes nothing the other browser tests read from the shared demo.
/// </summary>
public sealed class SignalsSite : IAsyncLifetime
{
    /// <summary>The explanation the inspector publishes for the capacity cut.</summary>
    public const string Explanation = "Места сокращены на время ремонта корпуса, акт обследования проверен.";

    public const string District = "sig-d2";
    public const string Kindergarten = "sig-b";

    private DemoService? _service;
    private HttpClient? _api;

    /// <summary>The id of the capacity cut this site staged and explained (the demo's year has cuts of its own).</summary>
    public string CutSignal { get; private set; } = "";

    public Uri BaseAddress => (_service ?? throw new InvalidOperationException("The service did not start.")).BaseAddress;
    public HttpClient Api => _api ??= new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        _service = await DemoService.StartAsync("KinderQueue.Web.Tests.signals-service.log");
        var registrar = await _service.StaffTokenAsync("registrar");
        var allocator = await _service.StaffTokenAsync("allocator");
        var op = await _service.StaffTokenAsync("operator");
        var inspector = await _service.StaffTokenAsync("inspector");

        var criteria = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Artifacts.RepositoryRoot, "algorithm-spec", "criteria", "default.json")))!.AsObject();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(criteria["timeZone"]!.GetValue<string>());
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var start = today.AddDays(2);
        var year = start < new DateOnly(start.Year, 9, 1) ? start.Year - 1 : start.Year;
        criteria["version"] = $"web-signals-{Guid.NewGuid():N}"[..24];
        criteria["effectiveFrom"] = Iso(today);
        criteria["signals"] = new JsonObject
        {
            ["backdateMaxCount"] = 100_000, ["backdateMinHours"] = 100_000,
            ["capacityCutMinSeats"] = 0, ["capacityCutWindowDays"] = 30,
            ["capacityDeadlineDay"] = 28, ["capacityDeadlineMonth"] = 12,
            ["claimBurstKindergartenSharePercent"] = 100, ["claimBurstMaxCount"] = 100_000, ["claimBurstStaffSharePercent"] = 100,
            ["exceptionalMaxPerKindergartenYear"] = 0,
            ["lateClaimMaxCount"] = 100_000, ["lateClaimWindowDays"] = 1,
            ["positionLossMaxApplicants"] = 1_000_000, ["positionLossMinPlaces"] = 1_000_000,
            ["staffChangeMaxCount"] = 100_000, ["staffChangeWindowDays"] = 1,
        };
        criteria["reasons"]!["signalOutcome"] = new JsonArray(
            new JsonObject { ["id"] = "lawful", ["name"] = new JsonObject { ["ru"] = "Законное основание", ["en"] = "Lawful basis" } });

        await SendAsync(HttpMethod.Post, "api/v1/criteria", registrar, Json(criteria));
        await SendAsync(HttpMethod.Post, "api/v1/districts", registrar, Json(new JsonObject { ["id"] = "sig-d1", ["name"] = "Сигнальный-1" }));
        await SendAsync(HttpMethod.Post, "api/v1/districts", registrar, Json(new JsonObject { ["id"] = District, ["name"] = "Сигнальный-2" }));
        await SendAsync(HttpMethod.Post, "api/v1/kindergartens", registrar, Json(Kg("sig-a", "sig-d1")));
        await SendAsync(HttpMethod.Post, "api/v1/kindergartens", registrar, Json(Kg(Kindergarten, District)));
        await SendAsync(HttpMethod.Post, "api/v1/capacity?dryRun=false&reason=annual-plan", registrar,
            Csv($"kindergarten,group,year,seats\nsig-a,junior,{year},5\n{Kindergarten},junior,{year},3\n"));
        await SendAsync(HttpMethod.Post, "api/v1/capacity?dryRun=false&reason=renovation", registrar, Csv($"kindergarten,group,year,seats\nsig-a,junior,{year},2\n"));

        using var application = JsonDocument.Parse(await SendAsync(HttpMethod.Post, "api/v1/applications", op, Json(new JsonObject
        {
            ["child"] = new JsonObject { ["name"] = "Ребёнок Сигнальный", ["birthDate"] = $"{year - 4}-12-17" },
            ["parent"] = new JsonObject { ["name"] = "Родитель Сигнальный", ["phone"] = "+7 900 000-00-00", ["email"] = "parent@example.test" },
            ["district"] = District,
            ["preferences"] = new JsonArray(Kindergarten),
            ["desiredStart"] = Iso(start),
        })));
        await SendAsync(HttpMethod.Post, "api/v1/enrolments/exceptional", allocator, Json(new JsonObject
        {
            ["number"] = application.RootElement.GetProperty("number").GetString(), ["kindergarten"] = Kindergarten,
            ["group"] = "junior", ["year"] = year, ["legalBasis"] = "court-decision",
        }));
        await SendAsync(HttpMethod.Post, "api/v1/rounds", allocator, Json(new JsonObject { ["id"] = $"sig-round-{Guid.NewGuid():N}"[..20], ["startDate"] = Iso(start), ["dryRun"] = false }));

        string cut;
        // The demo's year has signals of its own (some already explained): this site's cut is the new one.
        static bool NewCut(JsonElement s) => s.GetProperty("kind").GetString() == "capacity-cut-before-round" && s.GetProperty("status").GetString() == "new";
        using (var raised = await WaitForAsync(d => Signals(d).Any(NewCut)
                   && Signals(d).Any(s => s.GetProperty("kind").GetString() == "exceptional-enrolments")))
            cut = Signals(raised).First(NewCut).GetProperty("id").GetString()!;
        await SendAsync(HttpMethod.Post, $"api/v1/staff/signals/{cut}/reviews", inspector,
            Json(new JsonObject { ["status"] = "explained", ["outcome"] = "lawful", ["explanation"] = Explanation }));
        (await WaitForAsync(d => Signals(d).Any(s => s.GetProperty("id").GetString() == cut && s.GetProperty("status").GetString() == "explained"))).Dispose();
        CutSignal = cut;
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
    }

    /// <summary>The signals document as the service publishes it now.</summary>
    public async Task<JsonDocument> DocumentAsync() => JsonDocument.Parse(await Api.GetStringAsync("api/v1/public/signals"));

    private static IEnumerable<JsonElement> Signals(JsonDocument d) => d.RootElement.GetProperty("signals").EnumerateArray();

    /// <summary>The public projection follows the log a moment later: polls until the document shows what is wanted.</summary>
    private async Task<JsonDocument> WaitForAsync(Func<JsonDocument, bool> done)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var doc = await DocumentAsync();
            if (done(doc)) return doc;
            doc.Dispose();
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException("The signals document did not show the signals within 30 s.");
            await Task.Delay(200);
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string url, string token, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static JsonObject Kg(string id, string district) =>
        new() { ["id"] = id, ["name"] = $"Детский сад {id}", ["district"] = district, ["catchment"] = new JsonArray(district) };

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
