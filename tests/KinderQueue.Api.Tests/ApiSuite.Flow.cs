using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

public abstract partial class ApiSuite
{
    private static readonly Regex NumberPattern = new("^KQ-[A-HJ-KM-NP-Z2-9]{5}-[A-HJ-KM-NP-Z2-9]{5}$");
    private static readonly Regex AccessCodePattern = new("^[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}$");

    private Task<ApplicationRecord> StateOf(string number) => F.Log.ReadAsync((state, _) => state.Applications[number]);

    [Fact]
    public async Task Whole_flow_from_criteria_to_erasure()
    {
        var year = EnrolmentYear;

        // Criteria: a copy of the default, effective today, published by the registrar.
        var version = await PublishCriteriaAsync(F, "flow");
        (await F.Log.ReadAsync((s, _) => s.CriteriaInForce(s.LocalDate(NodaTime.SystemClock.Instance.GetCurrentInstant()))!.Version)).Should().Be(version);
        var criteriaEntry = (await F.ReadEntriesAsync()).Last(e => e.Type == CriteriaPublished.TypeName);
        ((CriteriaPublished)EventCodec.Decode(criteriaEntry.Type, criteriaEntry.Payload).Value!).Criteria.Version.Should().Be(version);

        // Register: two districts, three kindergartens, each with its district as catchment.
        await DistrictAsync(F, "flow-d1", "Центральный");
        await DistrictAsync(F, "flow-d2", "Северный");
        await KindergartenAsync(F, "flow-a", "flow-d1", "flow-d1");
        await KindergartenAsync(F, "flow-b", "flow-d2", "flow-d2");
        await KindergartenAsync(F, "flow-c", "flow-d1", "flow-d1");
        (await F.Log.ReadAsync((s, _) => s.Kindergartens["flow-b"].Catchment)).Should().Equal("flow-d2");

        // Capacity: a dry run of a bad file shows every bad row and the changes of the good ones, and writes nothing.
        var bad = $"""
            kindergarten,group,year,seats
            flow-a,junior,{year},2
            flow-x,junior,{year},3
            flow-b,giant,{year},1
            flow-b,junior,20x6,1
            flow-b,junior,{year},-1
            flow-b,junior
            flow-a,junior,{year},5
            """;
        var size = await F.LogSizeAsync();
        var dry = await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, Csv(bad))).ShouldSucceedAsync(HttpStatusCode.OK);
        dry.GetProperty("rows").GetInt32().Should().Be(7);
        Array(dry, "errors").Select(e => (e.GetProperty("line").GetInt32(), Str(e, "field"))).Should().Equal(
            (3, "kindergarten"), (4, "group"), (5, "year"), (6, "seats"), (7, "row"), (8, "row"));
        Array(dry, "errors").Should().OnlyContain(e => Str(e, "message").Length > 0);
        var change = Array(dry, "changes").Should().ContainSingle().Subject;
        (Str(change, "kindergarten"), Str(change, "group"), change.GetProperty("year").GetInt32(), change.GetProperty("to").GetInt32())
            .Should().Be(("flow-a", "junior", year, 2));
        change.GetProperty("from").ValueKind.Should().Be(JsonValueKind.Null);
        (await F.LogSizeAsync()).Should().Be(size);

        // Committing the bad file is refused row by row; a good file without a reason too.
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, Csv(bad)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$csv.line[3].kindergarten", "capacity.row");
        var good = $"kindergarten,group,year,seats\nflow-a,junior,{year},2\nflow-b,junior,{year},1\n";
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false), T.Registrar, Csv(good)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$query.reason", "capacity.reason");
        (await F.LogSizeAsync()).Should().Be(size);
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, Csv(good)))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        (await F.Log.ReadAsync((s, _) => s.Capacity[new ProgramId("flow-a", "junior", year)])).Should().Be(2);
        var again = await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, Csv(good))).ShouldSucceedAsync(HttpStatusCode.OK);
        Array(again, "errors").Should().BeEmpty();
        Array(again, "changes").Select(c => c.GetProperty("from").GetInt32()).Should().Equal(2, 1);

        // Applications from a service centre (operator) and from the portal (parent).
        var a1 = await SubmitAsync(F, T.Operator, Submission("flow-d1", ["flow-a"]));
        var a2 = await SubmitAsync(F, T.Parent, Submission("flow-d2", ["flow-a", "flow-b"]));
        var a3 = await SubmitAsync(F, T.Operator, Submission("flow-d2", ["flow-a"], claims: ("judge", null, "Удостоверение судьи № 1")));
        var a4 = await SubmitAsync(F, T.Parent, Submission("flow-d1", ["flow-b"]));
        var a5 = await SubmitAsync(F, T.Operator, Submission("flow-d1", ["flow-c"]));
        foreach (var a in new[] { a1, a2, a3, a4, a5 })
        {
            a.Number.Should().MatchRegex(NumberPattern.ToString());
            a.AccessCode.Should().MatchRegex(AccessCodePattern.ToString());
        }
        new[] { a1, a2, a3, a4, a5 }.Select(a => a.Number).Should().OnlyHaveUniqueItems();
        (await StateOf(a1.Number)).Channel.Should().Be("centre");
        (await StateOf(a2.Number)).Channel.Should().Be("portal");
        (await StateOf(a3.Number)).Claims.Should().ContainSingle().Which.Should().Be(new ClaimState("extraordinary", null, null));

        // The verifier checks the claimed right; only then does it count.
        var reviewed = await (await F.PostAsync($"/api/v1/applications/{a3.Number}/claims/0/review", T.Verifier,
            new { verified = true, reason = "document-confirmed" })).ShouldSucceedAsync(HttpStatusCode.Created);
        reviewed.GetProperty("seq").GetInt64().Should().BeGreaterThan(a5.Seq);
        (await StateOf(a3.Number)).Claims[0].Verified.Should().BeTrue();

        // A dry-run round answers 200 and appends nothing.
        size = await F.LogSizeAsync();
        var round = new { id = NewVersion("flow-round"), startDate = Format(DesiredStart), dryRun = false };
        var preview = await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { round.id, round.startDate, dryRun = true }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        preview.GetProperty("seq").ValueKind.Should().Be(JsonValueKind.Null);
        (await F.LogSizeAsync()).Should().Be(size);

        // The committed round: extraordinary and catchment take flow-a; the applicant pushed out gets flow-b by catchment.
        var decided = await (await F.PostAsync("/api/v1/rounds", T.Allocator, round)).ShouldSucceedAsync(HttpStatusCode.Created);
        decided.GetProperty("seq").GetInt64().Should().Be(size);
        (await F.LogSizeAsync()).Should().Be(size + 1);
        var mine = new HashSet<string> { a1.Number, a2.Number, a3.Number, a4.Number, a5.Number };
        var offers = Array(decided, "offers").Where(o => mine.Contains(Str(o, "number")))
            .Select(o => (Str(o, "number"), Str(o, "kindergarten"), Str(o, "group"))).ToList();
        offers.Should().BeEquivalentTo(new[]
        {
            (a1.Number, "flow-a", "junior"), (a3.Number, "flow-a", "junior"), (a2.Number, "flow-b", "junior"),
        });
        var roundDate = NodaTime.Text.LocalDatePattern.Iso.Parse(Str(decided, "date")).Value;
        Array(decided, "offers").Select(o => Str(o, "deadline")).Distinct().Should().ContainSingle().Which.Should().Be(Format(roundDate.PlusDays(10)), "the default criteria give 10 days");
        Array(preview, "offers").Select(o => Str(o, "number")).Should().Equal(Array(decided, "offers").Select(o => Str(o, "number")),
            "the dry run computes exactly what the committed round appends");
        await (await F.PostAsync("/api/v1/rounds", T.Allocator, round)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.id", "round.duplicate-id");

        // Offer responses: only the parent who applied (or staff) can answer; the parent accepts, the operator declines.
        await (await F.PostAsync($"/api/v1/applications/{a2.Number}/offer-response", T.OtherParent, new { response = "accept" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");
        await (await F.PostAsync($"/api/v1/applications/{a2.Number}/offer-response", T.Parent, new { response = "accept" }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{a1.Number}/offer-response", T.Operator, new { response = "decline", accessCode = a1.AccessCode }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{a4.Number}/offer-response", T.Parent, new { response = "accept" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "offer.none");
        (await StateOf(a2.Number)).Status.Should().Be(ApplicationStatus.Accepted);
        (await StateOf(a1.Number)).Status.Should().Be(ApplicationStatus.Paused, "the default criteria pause a declined application");

        // Nothing is past its deadline today.
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/offers/expire", T.Allocator))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "$", "offers.none-due");

        // Enrolment of the accepted offer; a paused application cannot be enrolled.
        await (await F.SendAsync(HttpMethod.Post, $"/api/v1/applications/{a2.Number}/enrolment", T.Allocator)).ShouldSucceedAsync(HttpStatusCode.Created);
        await (await F.SendAsync(HttpMethod.Post, $"/api/v1/applications/{a1.Number}/enrolment", T.Allocator))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "enrolment.not-accepted");
        (await StateOf(a2.Number)).Status.Should().Be(ApplicationStatus.Enrolled);

        // An enrolment outside the algorithm needs its legal basis, and is recorded as such.
        var exceptional = new { number = a4.Number, kindergarten = "flow-b", group = "junior", year, legalBasis = "court-decision" };
        await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator, new { exceptional.number, exceptional.kindergarten, exceptional.group, exceptional.year }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.legalBasis", "field.missing");
        await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator, exceptional)).ShouldSucceedAsync(HttpStatusCode.Created);
        var a4State = await StateOf(a4.Number);
        a4State.Status.Should().Be(ApplicationStatus.Enrolled);
        a4State.Placement!.OutsideAlgorithm.Should().BeTrue();
        (await F.ReadEntriesAsync()).Where(e => e.Type == EnrolmentExceptional.TypeName)
            .Select(e => (EnrolmentExceptional)EventCodec.Decode(e.Type, e.Payload).Value!)
            .Should().ContainSingle(x => x.Number == a4.Number).Which.LegalBasis.Should().Be(exceptional.legalBasis);

        // Withdrawal, once.
        await (await F.PostAsync($"/api/v1/applications/{a5.Number}/withdrawal", T.Operator, new { reason = "parent-request", accessCode = a5.AccessCode })).ShouldSucceedAsync(HttpStatusCode.OK);
        await (await F.PostAsync($"/api/v1/applications/{a5.Number}/withdrawal", T.Operator, new { reason = "parent-request", accessCode = a5.AccessCode }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "application.closed");
        (await StateOf(a5.Number)).Status.Should().Be(ApplicationStatus.Withdrawn);

        // The paused application changes its preferences and waits again; an enrolled one cannot change.
        await (await F.PutAsync($"/api/v1/applications/{a1.Number}/preferences", T.Operator,
            new { preferences = new[] { "flow-b", "flow-c" }, desiredStart = Format(DesiredStart), accessCode = a1.AccessCode })).ShouldSucceedAsync(HttpStatusCode.OK);
        var a1State = await StateOf(a1.Number);
        a1State.Status.Should().Be(ApplicationStatus.Waiting);
        a1State.Preferences.Should().Equal("flow-b", "flow-c");
        KinderQueue.Core.Encoding.Formats.Format(a1State.RegisteredAt).Should().Be(a1.RegisteredAt, "a change keeps the registration instant");
        await (await F.PutAsync($"/api/v1/applications/{a2.Number}/preferences", T.Parent,
            new { preferences = new[] { "flow-c" }, desiredStart = Format(DesiredStart) }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "application.not-changeable");

        // Erasure of personal data: the validator sees the record match the commitment before, and "erased" after; the log is untouched.
        var before = await (await F.GetAsync($"/api/v1/audit/applications/{a1.Number}?purpose=commitment-check", T.Validator)).ShouldSucceedAsync(HttpStatusCode.OK);
        before.GetProperty("erased").GetBoolean().Should().BeFalse();
        Str(before, "record").Should().Contain("Ребёнок Тестовый");
        Str(before, "recomputed").Should().Be(Str(before, "commitmentInLog")).And.NotBeEmpty();
        before.GetProperty("seq").GetInt64().Should().Be(a1.Seq);
        size = await F.LogSizeAsync();
        var entriesBefore = await F.ReadEntriesAsync();
        var erased = await F.SendAsync(HttpMethod.Post, $"/api/v1/applications/{a1.Number}/erasure", T.Registrar);
        erased.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var after = await (await F.GetAsync($"/api/v1/audit/applications/{a1.Number}?purpose=commitment-check", T.Validator)).ShouldSucceedAsync(HttpStatusCode.OK);
        after.GetProperty("erased").GetBoolean().Should().BeTrue();
        after.GetProperty("record").ValueKind.Should().Be(JsonValueKind.Null);
        after.GetProperty("recomputed").ValueKind.Should().Be(JsonValueKind.Null);
        Str(after, "commitmentInLog").Should().Be(Str(before, "commitmentInLog"));
        Str(after, "salt").Should().Be(Str(before, "salt"));
        (await F.LogSizeAsync()).Should().Be(size);
        (await F.ReadEntriesAsync()).Select(e => Convert.ToHexString(e.Hash)).Should().Equal(entriesBefore.Select(e => Convert.ToHexString(e.Hash)));
        (await F.Store.GetPrivateAsync(a1.Number, CancellationToken.None))!.Record.Should().BeNull();
        await (await F.SendAsync(HttpMethod.Post, $"/api/v1/applications/{a1.Number}/erasure", T.Registrar))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");

        // Criteria may not take effect before their publication.
        await (await F.PostAsync("/api/v1/criteria", T.Registrar, Criteria(NewVersion("past"), Today.PlusDays(-1))))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, code: "criteria.retroactive");
        (await F.LogSizeAsync()).Should().Be(size);
        F.Factory.Errors.Should().BeEmpty();
    }
}
