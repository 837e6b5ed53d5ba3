using System.Net;
using System.Text;
using System.Text.Json;
using KinderQueue.Api.Tests.Support;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>The private store (SPEC.md §16): notes beside entries, reads recorded with a purpose and counted in public, erasure.</summary>
public abstract partial class ApiSuite
{
    [Fact]
    public async Task Notes_stay_private_reads_are_recorded_and_counted_and_erasure_takes_the_notes()
    {
        await AreaAsync(F, "note-d", "note-a");
        var a = await SubmitAsync(F, T.Operator, Submission("note-d", ["note-a"], claims: [("disability", null, "Справка МСЭ")]));
        const string reviewNote = "Zqx8 справка МСЭ, диагноз G80 — позвонить маме +7 900 111-22-33";
        const string withdrawalNote = "Zqx8 переезжаем к бабушке на ул. Лесную 3";
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/claims/0/review", T.Verifier,
            new { verified = true, reason = "document-confirmed", note = reviewNote })).ShouldSucceedAsync(HttpStatusCode.Created);
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/withdrawal", T.Operator,
            new { reason = "moved-away", note = withdrawalNote, accessCode = a.AccessCode })).ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/withdrawal", T.Operator, new { reason = "other", note = new string('n', 2001), accessCode = a.AccessCode }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.note", "field.too-long");

        (await F.ReadEntriesAsync()).Should().NotContain(e => Encoding.UTF8.GetString(e.Payload).Contains("Zqx8"), "notes never enter the log");
        (await F.Store.GetNotesAsync(a.Number, CancellationToken.None)).Select(n => n.Text).Should().Equal(reviewNote, withdrawalNote);

        // A read needs a purpose; one without is refused and not counted.
        var countsBefore = await (await F.GetAsync("/api/v1/public/private-reads")).ShouldSucceedAsync(HttpStatusCode.OK);
        var totalBefore = countsBefore.GetProperty("total").GetInt64();
        await (await F.GetAsync($"/api/v1/audit/applications/{a.Number}", T.Validator))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$query.purpose", "audit.purpose");
        await (await F.GetAsync($"/api/v1/audit/applications/{a.Number}?purpose=curiosity", T.Validator))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$query.purpose", "audit.purpose");
        var read = await (await F.GetAsync($"/api/v1/audit/applications/{a.Number}?purpose=complaint", T.Validator)).ShouldSucceedAsync(HttpStatusCode.OK);
        read.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()).Should().Equal(reviewNote, withdrawalNote);

        var counts = await (await F.GetAsync("/api/v1/public/private-reads")).ShouldSucceedAsync(HttpStatusCode.OK);
        counts.GetProperty("total").GetInt64().Should().Be(totalBefore + 1, "exactly the read that returned data is counted");
        var month = NodaTime.SystemClock.Instance.GetCurrentInstant().InUtc().ToString("yyyy-MM", null);
        counts.GetProperty("months").EnumerateArray()
            .Should().Contain(m => m.GetProperty("month").GetString() == month && m.GetProperty("purpose").GetString() == "complaint");
        JsonSerializer.Serialize(counts).Should().NotContain(a.Number, "the public count names nobody");

        // Erasure takes the notes with the record.
        (await F.SendAsync(HttpMethod.Post, $"/api/v1/applications/{a.Number}/erasure", T.Registrar)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await F.Store.GetNotesAsync(a.Number, CancellationToken.None)).Should().BeEmpty();
    }
}
