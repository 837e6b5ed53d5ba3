using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using KinderQueue.Api.Public;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using Microsoft.Extensions.DependencyInjection;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests.Signals;

/// <summary>
/// The signals workflow through the API (issue 13), on both backends: criteria with published
/// thresholds, a capacity cut shortly before a round raises a signal, the public document shows it
/// new, the inspector (and only the inspector) reviews it through the allowed transitions, the
/// explanation text is screened, served, matches the hash in the log and can be redacted without
/// touching the log; a retried review appends once; the Atom feed lists every signal and no person.
/// Each class has its own service, so its criteria and rounds touch no other suite.
/// </summary>
public abstract class SignalsWorkflowSuite(ApiFixture fixture) : IAsyncLifetime
{
    private const string Public = "/api/v1/public";
    private const string Kind = "capacity-cut-before-round";

    protected ApiFixture F { get; } = Clear(fixture);

    private TestTokens T => F.Tokens;

    private static ApiFixture Clear(ApiFixture f)
    {
        f.Factory.Errors.Clear();
        return f;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        F.Factory.Errors.Should().BeEmpty("the service must not log an unhandled exception");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_capacity_cut_before_a_round_raises_a_new_signal_that_the_inspector_investigates_then_explains()
    {
        var (id, cutSeq) = await RaiseAsync("wf");
        var published = await SignalAsync(id);
        Str(published, "status").Should().Be("new");
        Str(published, "kind").Should().Be(Kind);
        Array(published, "entries").Select(e => e.GetInt64()).Should().Contain(cutSeq, "the signal names the cut behind it");
        published.GetProperty("firstResponseSeconds").ValueKind.Should().Be(JsonValueKind.Null);
        Array(published, "timeline").Should().BeEmpty();

        // Only the inspector reviews: the roles whose actions raise signals are refused.
        var body = Review("investigating", "under-review", "Отдел контроля запросил у сада основание сокращения.");
        var size = await F.LogSizeAsync();
        foreach (var caller in new[] { T.Registrar, T.Allocator, T.Verifier, T.Operator })
            (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", caller, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, caller.ToString());
        (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", null, body)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // A signal that does not exist cannot be reviewed.
        await (await F.PostAsync("/api/v1/staff/signals/sig-0123456789abcdef/reviews", T.Inspector, body))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, code: "signal.review-unknown");
        (await F.LogSizeAsync()).Should().Be(size, "nothing refused is appended");

        var first = await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, body)).ShouldSucceedAsync(HttpStatusCode.Created);
        first.GetProperty("seq").GetInt64().Should().Be(size, "the review is the next entry");
        Str(first, "signal").Should().Be(id);
        Str(first, "status").Should().Be("investigating");
        var view = first.GetProperty("view");
        Str(view, "status").Should().Be("investigating");
        var step = Array(view, "timeline").Should().ContainSingle().Subject;
        (Str(step, "status"), Str(step, "outcome"), step.GetProperty("seq").GetInt64()).Should().Be(("investigating", "under-review", size));
        Str(step, "explanation").Should().Be(Sha256("Отдел контроля запросил у сада основание сокращения."));
        Str(step, "actor").Should().StartWith("inspector:");
        var firstResponse = view.GetProperty("firstResponseSeconds").GetInt64();
        firstResponse.Should().BeInRange(0, 600, "the review came seconds after the round that raised the signal");

        var explained = await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector,
            Review("explained", "lawful", "Сокращение по предписанию санитарного надзора, документ проверен."))).ShouldSucceedAsync(HttpStatusCode.Created);
        Str(explained, "status").Should().Be("explained");
        Array(explained.GetProperty("view"), "timeline").Select(s => Str(s, "status")).Should().Equal("investigating", "explained");
        explained.GetProperty("view").GetProperty("firstResponseSeconds").GetInt64().Should().Be(firstResponse, "the first response is the first review");

        // Explained is final.
        size = await F.LogSizeAsync();
        await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("investigating", "under-review", "Проверка возобновлена.")))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, code: "signal.review-transition");
        (await F.LogSizeAsync()).Should().Be(size);

        // The public document agrees, and its summary counts the signal as explained and answered.
        await SyncAsync();
        var doc = await DocumentAsync();
        var shown = Array(doc, "signals").Single(s => Str(s, "id") == id);
        Str(shown, "status").Should().Be("explained");
        shown.GetProperty("firstResponseSeconds").GetInt64().Should().Be(firstResponse);
        var summary = doc.GetProperty("summary");
        summary.GetProperty("total").GetProperty("explained").GetInt64().Should().BeGreaterThanOrEqualTo(1);
        summary.GetProperty("firstResponse").GetProperty("responded").GetInt64().Should().BeGreaterThanOrEqualTo(1);
        var one = await (await F.GetAsync($"{Public}/signals/{id}")).ShouldSucceedAsync(HttpStatusCode.OK);
        Array(one.GetProperty("signal"), "timeline").Should().HaveCount(2);
        Array(one, "explanations").Select(e => Str(e, "text")).Should().BeEquivalentTo(
            "Отдел контроля запросил у сада основание сокращения.", "Сокращение по предписанию санитарного надзора, документ проверен.");
    }

    [Theory]
    [InlineData("Ответ отправлен на ivanova@example.org", "explanation.personal-data")]
    [InlineData("Проверены документы по делу 4511223", "explanation.personal-data")]
    [InlineData("Заявление KQ-ABCDE-FGHJK зачислено по суду", "explanation.personal-data")]
    [InlineData("   ", "explanation.blank")]
    public async Task An_explanation_that_looks_personal_or_is_blank_is_refused_and_nothing_is_appended(string text, string code)
    {
        var (id, _) = await RaiseAsync("pd");
        var size = await F.LogSizeAsync();
        await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("explained", "lawful", text)))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "$.explanation", code);
        (await F.LogSizeAsync()).Should().Be(size);
    }

    [Fact]
    public async Task An_explanation_longer_than_500_characters_is_refused()
    {
        var (id, _) = await RaiseAsync("long");
        var size = await F.LogSizeAsync();
        await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("explained", "lawful", new string('я', 501))))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "$.explanation", "explanation.too-long");
        (await F.LogSizeAsync()).Should().Be(size);
        await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("explained", "no-such-outcome", "Проверено.")))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "$.outcome", "reason.unknown");
    }

    [Fact]
    public async Task The_explanation_served_matches_the_hash_in_the_log_and_redaction_removes_only_the_text()
    {
        var (id, _) = await RaiseAsync("hash");
        const string text = "Места сокращены после обследования здания, акт приложен к делу.";
        var reviewed = await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("confirmed", "violation", text)))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        var seq = reviewed.GetProperty("seq").GetInt64();

        // The log holds the hash, not the text.
        var entry = (await F.ReadEntriesAsync()).Single(e => e.Seq == seq);
        entry.Type.Should().Be(SignalReviewed.TypeName);
        var logged = (SignalReviewed)EventCodec.Decode(entry.Type, entry.Payload).Value!;
        (logged.Signal, logged.Status, logged.Outcome).Should().Be((id, "confirmed", "violation"));
        Encoding.UTF8.GetString(entry.Payload).Should().NotContain("обследования");

        await SyncAsync();
        var served = Array(await (await F.GetAsync($"{Public}/signals/explanations")).ShouldSucceedAsync(HttpStatusCode.OK), "explanations")
            .Single(e => Str(e, "sha256") == logged.Explanation);
        Str(served, "text").Should().Be(text);
        Sha256(Str(served, "text")).Should().Be(logged.Explanation, "anyone can check the served text against the log");

        // Redaction: only the inspector; the text goes, the hash, the log and the signals document stay.
        var before = await F.ReadEntriesAsync();
        var document = await (await F.GetAsync($"{Public}/signals")).Content.ReadAsByteArrayAsync();
        var url = $"/api/v1/staff/signals/explanations/{logged.Explanation}/redaction";
        (await F.SendAsync(HttpMethod.Post, url, T.Registrar)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await (await F.SendAsync(HttpMethod.Post, $"/api/v1/staff/signals/explanations/{new string('0', 64)}/redaction", T.Inspector))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$path.sha256", "explanation.unknown");
        await (await F.SendAsync(HttpMethod.Post, url, T.Inspector)).ShouldSucceedAsync(HttpStatusCode.NoContent);
        await (await F.SendAsync(HttpMethod.Post, url, T.Inspector)).ShouldSucceedAsync(HttpStatusCode.NoContent);

        var redacted = Array(await (await F.GetAsync($"{Public}/signals/explanations")).ShouldSucceedAsync(HttpStatusCode.OK), "explanations")
            .Single(e => Str(e, "sha256") == logged.Explanation);
        redacted.GetProperty("text").ValueKind.Should().Be(JsonValueKind.Null);
        redacted.GetProperty("redacted").GetBoolean().Should().BeTrue();
        var one = await (await F.GetAsync($"{Public}/signals/{id}")).ShouldSucceedAsync(HttpStatusCode.OK);
        Array(one.GetProperty("signal"), "timeline").Single().GetProperty("explanation").GetString().Should().Be(logged.Explanation);
        (await (await F.GetAsync($"{Public}/signals")).Content.ReadAsByteArrayAsync()).Should().Equal(document, "redaction changes no signal");
        var after = await F.ReadEntriesAsync();
        after.Select(e => Convert.ToHexString(e.Hash)).Should().Equal(before.Select(e => Convert.ToHexString(e.Hash)), "the chain is untouched");
        (await (await F.GetAsync($"{Public}/signals.atom")).Content.ReadAsStringAsync()).Should().NotContain("обследования");

        // The same text cannot come back under another review.
        await SyncAsync();
        var (other, _) = await RaiseAsync("hash2");
        await (await F.PostAsync($"/api/v1/staff/signals/{other}/reviews", T.Inspector, Review("explained", "lawful", text)))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "$.explanation", "explanation.redacted");
    }

    [Fact]
    public async Task A_review_retried_with_its_Idempotency_Key_gets_the_first_answer_and_appends_once()
    {
        var (id, _) = await RaiseAsync("idem");
        var key = Guid.NewGuid().ToString();
        var body = Review("investigating", "under-review", "Запрошены пояснения у загрузившего данные.");
        var size = await F.LogSizeAsync();
        var first = await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, body, key);
        var firstJson = await first.ShouldSucceedAsync(HttpStatusCode.Created);
        var again = await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, body, key);
        var againJson = await again.ShouldSucceedAsync(HttpStatusCode.Created);
        againJson.GetRawText().Should().Be(firstJson.GetRawText());
        again.Headers.TryGetValues("Idempotent-Replayed", out var replayed).Should().BeTrue();
        replayed.Should().Equal("true");
        (await F.LogSizeAsync()).Should().Be(size + 1, "a retry appends nothing");
        (await F.ReadEntriesAsync()).Count(e => e.Type == SignalReviewed.TypeName && ((SignalReviewed)EventCodec.Decode(e.Type, e.Payload).Value!).Signal == id)
            .Should().Be(1);
    }

    [Fact]
    public async Task The_Atom_feed_is_valid_XML_with_one_entry_per_signal_and_no_personal_data()
    {
        // An application with personal data in the log's private side, then a signal.
        var canaries = new[] { "Канарейка Атомова", "Канареечный Родитель", "+7 999 241-17-03", "atom.canary@example.test" };
        await AreaAsync(F, "atom-pd", "atom-pk");
        var submitted = await SubmitAsync(F, T.Operator, Submission("atom-pd", ["atom-pk"], canaries[0], canaries[1], canaries[2], canaries[3]));
        var (id, _) = await RaiseAsync("atom");
        await (await F.PostAsync($"/api/v1/staff/signals/{id}/reviews", T.Inspector, Review("explained", "lawful", "Плановое сокращение групп, объявлено заранее.")))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        await SyncAsync();

        var response = await F.GetAsync($"{Public}/signals.atom");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/atom+xml");
        var xml = await response.Content.ReadAsStringAsync();
        var feed = XDocument.Parse(xml);
        XNamespace atom = "http://www.w3.org/2005/Atom";
        feed.Root!.Name.Should().Be(atom + "feed");
        foreach (var required in new[] { "id", "title", "updated" }) feed.Root.Element(atom + required).Should().NotBeNull(required);

        var doc = await DocumentAsync();
        var ids = Array(doc, "signals").Select(s => Str(s, "id")).ToList();
        var entries = feed.Root.Elements(atom + "entry").ToList();
        entries.Should().HaveCount(ids.Count, "one entry per signal");
        entries.Select(e => e.Element(atom + "id")!.Value[(e.Element(atom + "id")!.Value.LastIndexOf('#') + 1)..]).Should().BeEquivalentTo(ids);
        foreach (var e in entries)
        {
            foreach (var required in new[] { "title", "updated", "content" }) e.Element(atom + required).Should().NotBeNull(required);
            DateTimeOffset.TryParse(e.Element(atom + "updated")!.Value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out _).Should().BeTrue();
        }
        entries.Single(e => e.Element(atom + "id")!.Value.EndsWith("#" + id, StringComparison.Ordinal))
            .Element(atom + "content")!.Value.Should().Contain("Плановое сокращение групп, объявлено заранее.");
        foreach (var c in canaries.Append(submitted.Number).Append(submitted.AccessCode)) xml.Should().NotContainEquivalentOf(c);
    }

    // ------------------------------------------------------------------ helpers

    private static object Review(string status, string outcome, string explanation) => new { status, outcome, explanation };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task SyncAsync() => await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);

    private async Task<JsonElement> DocumentAsync() =>
        await (await F.GetAsync($"{Public}/signals")).ShouldSucceedAsync(HttpStatusCode.OK);

    private async Task<JsonElement> SignalAsync(string id)
    {
        await SyncAsync();
        return Array(await DocumentAsync(), "signals").Single(s => Str(s, "id") == id);
    }

    /// <summary>
    /// Criteria with thresholds (a cut of any seat within 30 days before a round raises a signal;
    /// the other rules out of reach), an area with five seats, a cut to two, a round: the signal's id
    /// and the cut's entry.
    /// </summary>
    private async Task<(string Id, long CutSeq)> RaiseAsync(string name)
    {
        // Theory rows and repeated calls each get their own district and kindergarten.
        var prefix = NewVersion(name);
        await (await F.PostAsync("/api/v1/criteria", T.Registrar, SignalCriteria.With(Criteria(NewVersion(prefix), Today))))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        var kg = $"{prefix}-k";
        await AreaAsync(F, $"{prefix}-d", kg);
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(false, "annual-plan"), T.Registrar, Csv($"kindergarten,group,year,seats\n{kg},junior,{EnrolmentYear},5\n")))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        var cut = await (await F.SendAsync(HttpMethod.Post, CapacityUrl(false, "renovation"), T.Registrar, Csv($"kindergarten,group,year,seats\n{kg},junior,{EnrolmentYear},2\n")))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        var round = NewVersion($"{prefix}-round");
        await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = round, startDate = Format(DesiredStart), dryRun = false }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        await SyncAsync();
        var signal = Array(await DocumentAsync(), "signals")
            .Single(s => Str(s, "kind") == Kind && s.GetProperty("subject").GetProperty("round").GetString() == round);
        return (Str(signal, "id"), cut.GetProperty("seq").GetInt64());
    }
}

public sealed class SqliteSignalsWorkflowTests(SqliteFixture fixture) : SignalsWorkflowSuite(fixture), IClassFixture<SqliteFixture>;

[Trait("Category", "Postgres")]
[Collection(PostgresServices.Name)]
public sealed class PostgresSignalsWorkflowTests(PostgresFixture fixture) : SignalsWorkflowSuite(fixture), IClassFixture<PostgresFixture>;

/// <summary>The published thresholds and outcome codes the signals tests run under (SPEC §17.2).</summary>
public static class SignalCriteria
{
    public static JsonObject With(JsonObject criteria)
    {
        criteria["signals"] = new JsonObject
        {
            ["backdateMaxCount"] = 100_000, ["backdateMinHours"] = 100_000,
            ["capacityCutMinSeats"] = 0, ["capacityCutWindowDays"] = 30,
            ["capacityDeadlineDay"] = 28, ["capacityDeadlineMonth"] = 12,
            ["claimBurstKindergartenSharePercent"] = 100, ["claimBurstMaxCount"] = 100_000, ["claimBurstStaffSharePercent"] = 100,
            ["exceptionalMaxPerKindergartenYear"] = 100_000,
            ["lateClaimMaxCount"] = 100_000, ["lateClaimWindowDays"] = 1,
            ["positionLossMaxApplicants"] = 1_000_000, ["positionLossMinPlaces"] = 1_000_000,
            ["staffChangeMaxCount"] = 100_000, ["staffChangeWindowDays"] = 1,
        };
        criteria["reasons"]!["signalOutcome"] = new JsonArray(
            Code("under-review", "Проверяется", "Under review"),
            Code("lawful", "Законное основание подтверждено", "Lawful basis confirmed"),
            Code("violation", "Нарушение подтверждено", "Violation confirmed"));
        return criteria;
    }

    private static JsonObject Code(string id, string ru, string en) => new() { ["id"] = id, ["name"] = new JsonObject { ["ru"] = ru, ["en"] = en } };
}
