using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions.Execution;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Api.Tests.Support;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

public abstract partial class ApiSuite
{
    private sealed record BadCase(string Name, HttpMethod Method, string Url, Caller Caller, Func<HttpContent?> Body, HttpStatusCode Status,
        string? Path = null, string? Code = null, string? IdempotencyKey = null);

    private static JsonObject With(JsonObject body, Action<JsonObject> change)
    {
        var copy = body.DeepClone().AsObject();
        change(copy);
        return copy;
    }

    private static Func<HttpContent?> JsonBody(object body) => () => Http.Json(body);

    private static Func<HttpContent?> RawBody(string text, string? contentType = "application/json") => () => Http.Raw(text, contentType);

    [Fact]
    public async Task Bad_input_never_gives_500_and_every_refusal_names_the_field()
    {
        await AreaAsync(F, "bad-d", "bad-a", "bad-b", "bad-c", "bad-e", "bad-f", "bad-g");
        var good = Submission("bad-d", ["bad-a"]);
        var existing = await SubmitAsync(F, T.Operator, good);
        var year = EnrolmentYear;
        var today = Today;
        var unknown = "KQ-ZZZZZ-ZZZZZ";
        var op = T.Operator;

        var cases = new List<BadCase>
        {
            // Malformed bodies and wrong content.
            new("malformed JSON", HttpMethod.Post, "/api/v1/applications", op, RawBody("{\"child\": {\"name\": "), HttpStatusCode.BadRequest, Code: "json.malformed"),
            new("trailing garbage", HttpMethod.Post, "/api/v1/districts", T.Registrar, RawBody("{\"id\":\"x\",\"name\":\"y\"} }"), HttpStatusCode.BadRequest, Code: "json.malformed"),
            new("array body", HttpMethod.Post, "/api/v1/applications", op, RawBody("[]"), HttpStatusCode.BadRequest, "$", "field.type"),
            new("empty body", HttpMethod.Post, "/api/v1/applications", op, RawBody(""), HttpStatusCode.BadRequest, Code: "json.malformed"),
            new("too deep", HttpMethod.Post, "/api/v1/districts", T.Registrar, RawBody(new string('[', 100) + new string(']', 100)), HttpStatusCode.BadRequest, Code: "json.malformed"),
            new("lone surrogate", HttpMethod.Post, "/api/v1/districts", T.Registrar, RawBody("{\"id\":\"bad-s\",\"name\":\"\\ud800\"}"), HttpStatusCode.BadRequest, "$.name"),
            new("text/plain", HttpMethod.Post, "/api/v1/applications", op, () => Http.Raw(good.ToJsonString(), "text/plain"), HttpStatusCode.UnsupportedMediaType, "$header.Content-Type", "request.content-type"),
            new("XML to rounds", HttpMethod.Post, "/api/v1/rounds", T.Allocator, () => Http.Raw("<round/>", "application/xml"), HttpStatusCode.UnsupportedMediaType, "$header.Content-Type", "request.content-type"),
            new("no content type", HttpMethod.Post, "/api/v1/applications", op, () => Http.Raw(good.ToJsonString(), null), HttpStatusCode.BadRequest, "$", "request.content-type"),
            new("no body", HttpMethod.Post, "/api/v1/rounds", T.Allocator, () => null, HttpStatusCode.BadRequest, "$", "request.content-type"),
            new("oversize body", HttpMethod.Post, "/api/v1/applications", op,
                JsonBody(With(good, b => b["child"]!["name"] = new string('x', (int)KinderQueueFactory.MaxRequestBytes))), HttpStatusCode.RequestEntityTooLarge, "$", "request.too-large"),
            new("oversize capacity file", HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar,
                () => Csv("kindergarten,group,year,seats\n" + string.Concat(Enumerable.Repeat($"bad-a,junior,{year},1\n", 4 * 1024 * 1024 / 16))), HttpStatusCode.RequestEntityTooLarge, "$", "request.too-large"),

            // Missing fields and wrong types.
            new("missing everything", HttpMethod.Post, "/api/v1/applications", op, RawBody("{}"), HttpStatusCode.BadRequest, "$.desiredStart", "field.missing"),
            new("missing child", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b.Remove("child"))), HttpStatusCode.BadRequest, "$.child", "field.missing"),
            new("missing child name", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!.AsObject().Remove("name"))), HttpStatusCode.BadRequest, "$.child.name", "field.missing"),
            new("child is a string", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"] = "Петя")), HttpStatusCode.BadRequest, "$.child", "field.type"),
            new("preferences is a string", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["preferences"] = "bad-a")), HttpStatusCode.BadRequest, "$.preferences", "field.type"),
            new("preference is a number", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["preferences"] = new JsonArray(1))), HttpStatusCode.BadRequest, "$.preferences[0]", "field.type"),
            new("district is a number", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["district"] = 7)), HttpStatusCode.BadRequest, "$.district", "field.type"),
            new("claims is a string", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["claims"] = "judge")), HttpStatusCode.BadRequest, "$.claims", "field.type"),
            new("claim is a string", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["claims"] = new JsonArray("judge"))), HttpStatusCode.BadRequest, "$.claims[0]", "field.type"),
            new("verified is a string", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/claims/0/review", T.Verifier,
                JsonBody(new { verified = "yes", reason = "document-confirmed" }), HttpStatusCode.BadRequest, "$.verified", "field.type"),
            new("reason missing", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/withdrawal", op, RawBody("{}"), HttpStatusCode.BadRequest, "$.reason", "field.missing"),
            new("response neither", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/offer-response", op, JsonBody(new { response = "maybe", accessCode = existing.AccessCode }), HttpStatusCode.BadRequest, "$.response", "field.value"),
            new("response is a bool", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/offer-response", op, JsonBody(new { response = true, accessCode = existing.AccessCode }), HttpStatusCode.BadRequest, "$.response", "field.type"),
            new("year is a string", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = existing.Number, kindergarten = "bad-a", group = "junior", year = "2027", legalBasis = "court-decision" }), HttpStatusCode.BadRequest, "$.year", "field.type"),
            new("year out of range", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = existing.Number, kindergarten = "bad-a", group = "junior", year = 1999, legalBasis = "court-decision" }), HttpStatusCode.BadRequest, "$.year", "field.range"),
            new("year fractional", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                RawBody($"{{\"number\":\"{existing.Number}\",\"kindergarten\":\"bad-a\",\"group\":\"junior\",\"year\":2027.5,\"legalBasis\":\"court-decision\"}}"), HttpStatusCode.BadRequest, "$.year", "field.type"),
            new("dryRun is a string", HttpMethod.Post, "/api/v1/rounds", T.Allocator, JsonBody(new { id = "r", startDate = Format(DesiredStart), dryRun = "yes" }), HttpStatusCode.BadRequest, "$.dryRun", "field.type"),
            new("round id is a number", HttpMethod.Post, "/api/v1/rounds", T.Allocator, JsonBody(new { id = 5, startDate = Format(DesiredStart) }), HttpStatusCode.BadRequest, "$.id", "field.type"),
            new("district id malformed", HttpMethod.Post, "/api/v1/districts", T.Registrar, JsonBody(new { id = "Bad Id", name = "x" }), HttpStatusCode.BadRequest, "$.id", "district.id"),
            new("catchment is a string", HttpMethod.Post, "/api/v1/kindergartens", T.Registrar, JsonBody(new { id = "bad-k", name = "x", district = "bad-d", catchment = "bad-d" }), HttpStatusCode.BadRequest, "$.catchment", "field.type"),
            new("criteria without version", HttpMethod.Post, "/api/v1/criteria", T.Registrar,
                JsonBody(With(Criteria("v", today), c => c.Remove("version"))), HttpStatusCode.BadRequest, "$.version", "field.missing"),
            new("criteria category without legal basis", HttpMethod.Post, "/api/v1/criteria", T.Registrar,
                JsonBody(With(Criteria(NewVersion("nolaw"), today), c => c["categories"]![0]!.AsObject().Remove("legalBasis"))), HttpStatusCode.BadRequest, "$.categories[0].legalBasis"),

            // Dates malformed and out of range.
            new("birth date 30 February", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["birthDate"] = "2027-02-30")), HttpStatusCode.BadRequest, "$.child.birthDate", "field.date"),
            new("birth date not a date", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["birthDate"] = "17.12.2022")), HttpStatusCode.BadRequest, "$.child.birthDate", "field.date"),
            new("birth date in the future", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["birthDate"] = Format(today.PlusDays(40)))), HttpStatusCode.BadRequest, "$.child.birthDate", "application.birth-future"),
            new("birth date year 9999", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["birthDate"] = "9999-12-31")), HttpStatusCode.BadRequest, "$.child.birthDate", "application.birth-future"),
            new("child too old", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["birthDate"] = "0001-01-01")), HttpStatusCode.BadRequest, "$.child.birthDate", "application.too-old"),
            new("desired start past", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["desiredStart"] = Format(today.PlusDays(-3)))), HttpStatusCode.BadRequest, "$.desiredStart", "application.desired-start-past"),
            new("desired start month 13", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["desiredStart"] = "2027-13-01")), HttpStatusCode.BadRequest, "$.desiredStart", "field.date"),
            new("desired start far future", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["desiredStart"] = "9999-12-31")), HttpStatusCode.BadRequest, "$.child.birthDate", "application.too-old"),
            new("change with bad date", HttpMethod.Put, $"/api/v1/applications/{existing.Number}/preferences", op,
                JsonBody(new { preferences = new[] { "bad-a" }, desiredStart = "2027-02-30", accessCode = existing.AccessCode }), HttpStatusCode.BadRequest, "$.desiredStart", "field.date"),
            new("round start 30 February", HttpMethod.Post, "/api/v1/rounds", T.Allocator, JsonBody(new { id = "r", startDate = "2027-02-30" }), HttpStatusCode.BadRequest, "$.startDate", "field.date"),
            new("round start in the past", HttpMethod.Post, "/api/v1/rounds", T.Allocator, JsonBody(new { id = "r", startDate = Format(today.PlusDays(-2)), dryRun = true }), HttpStatusCode.BadRequest, "$.startDate", "round.start-before-date"),
            new("round start year 9999", HttpMethod.Post, "/api/v1/rounds", T.Allocator, JsonBody(new { id = "r", startDate = "9999-12-31", dryRun = true }), HttpStatusCode.OK),
            new("criteria effective 30 February", HttpMethod.Post, "/api/v1/criteria", T.Registrar,
                JsonBody(With(Criteria(NewVersion("feb"), today), c => c["effectiveFrom"] = "2027-02-30")), HttpStatusCode.BadRequest, "$.effectiveFrom"),

            // Rules of the criteria and unknown ids.
            new("too many preferences", HttpMethod.Post, "/api/v1/applications", op,
                JsonBody(With(good, b => b["preferences"] = new JsonArray("bad-a", "bad-b", "bad-c", "bad-e", "bad-f", "bad-g"))), HttpStatusCode.BadRequest, "$.preferences", "application.too-many-preferences"),
            new("no preferences", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["preferences"] = new JsonArray())), HttpStatusCode.BadRequest, "$.preferences", "application.no-preferences"),
            new("duplicate preference", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["preferences"] = new JsonArray("bad-a", "bad-a"))), HttpStatusCode.BadRequest, "$.preferences[1]", "application.duplicate-preference"),
            new("unknown kindergarten", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["preferences"] = new JsonArray("bad-a", "no-such-kg"))), HttpStatusCode.BadRequest, "$.preferences[1]", "application.unknown-kindergarten"),
            new("unknown district", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["district"] = "no-such-district")), HttpStatusCode.BadRequest, "$.district", "application.unknown-district"),
            new("unknown category", HttpMethod.Post, "/api/v1/applications", op,
                JsonBody(Submission("bad-d", ["bad-a"], claims: ("astronaut", null, null))), HttpStatusCode.BadRequest, "$.claims[0].category", "application.unknown-category"),
            new("catchment claimed", HttpMethod.Post, "/api/v1/applications", op,
                JsonBody(Submission("bad-d", ["bad-a"], claims: ("catchment", null, null))), HttpStatusCode.BadRequest, "$.claims[0].category", "application.catchment-not-claimed"),
            new("sibling without kindergarten", HttpMethod.Post, "/api/v1/applications", op,
                JsonBody(Submission("bad-d", ["bad-a"], claims: ("sibling", null, null))), HttpStatusCode.BadRequest, "$.claims[0].kindergarten", "application.sibling-kindergarten"),
            new("operator channel portal", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["channel"] = "portal")), HttpStatusCode.BadRequest, "$.channel", "application.channel"),
            new("kind unknown", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["kind"] = "vip")), HttpStatusCode.BadRequest, "$.kind", "application.kind"),
            new("child name too long", HttpMethod.Post, "/api/v1/applications", op, JsonBody(With(good, b => b["child"]!["name"] = new string('я', 201))), HttpStatusCode.BadRequest, "$.child.name", "field.too-long"),
            new("kindergarten in unknown district", HttpMethod.Post, "/api/v1/kindergartens", T.Registrar,
                JsonBody(new { id = "bad-k", name = "x", district = "no-such-district" }), HttpStatusCode.BadRequest, "$.district", "kindergarten.unknown-district"),
            new("catchment unknown district", HttpMethod.Post, "/api/v1/kindergartens", T.Registrar,
                JsonBody(new { id = "bad-k", name = "x", district = "bad-d", catchment = new[] { "bad-d", "nowhere" } }), HttpStatusCode.BadRequest, "$.catchment[1]", "kindergarten.unknown-district"),
            new("exceptional unknown kindergarten", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = existing.Number, kindergarten = "no-such-kg", group = "junior", year, legalBasis = "court-decision" }), HttpStatusCode.BadRequest, "$.kindergarten"),
            new("exceptional unknown group", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = existing.Number, kindergarten = "bad-a", group = "no-such-group", year, legalBasis = "court-decision" }), HttpStatusCode.BadRequest, "$.group"),
            new("exceptional blank legal basis", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = existing.Number, kindergarten = "bad-a", group = "junior", year, legalBasis = "   " }), HttpStatusCode.BadRequest, "$.legalBasis"),

            // Unknown application numbers: 404.
            new("review unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/claims/0/review", T.Verifier, JsonBody(new { verified = true, reason = "document-confirmed" }), HttpStatusCode.NotFound, "$.number", "application.unknown"),
            new("review unknown claim", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/claims/3/review", T.Verifier, JsonBody(new { verified = true, reason = "document-confirmed" }), HttpStatusCode.NotFound, "$.claim", "claim.unknown"),
            new("review negative claim", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/claims/-1/review", T.Verifier, JsonBody(new { verified = true, reason = "document-confirmed" }), HttpStatusCode.NotFound, "$.claim", "claim.unknown"),
            new("change unknown number", HttpMethod.Put, $"/api/v1/applications/{unknown}/preferences", op, JsonBody(new { preferences = new[] { "bad-a" }, desiredStart = Format(DesiredStart), accessCode = "AAAA-BBBB-CCCC" }), HttpStatusCode.NotFound, "$", "not-found"),
            new("withdraw unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/withdrawal", op, JsonBody(new { reason = "parent-request", accessCode = "AAAA-BBBB-CCCC" }), HttpStatusCode.NotFound, "$", "not-found"),
            new("respond unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/offer-response", T.Allocator, JsonBody(new { response = "accept" }), HttpStatusCode.NotFound, "$.number", "application.unknown"),
            new("operator without the access code", HttpMethod.Post, $"/api/v1/applications/{existing.Number}/withdrawal", op, JsonBody(new { reason = "parent-request" }), HttpStatusCode.BadRequest, "$.accessCode", "field.missing"),
            new("operator with a wrong access code", HttpMethod.Post, $"/api/v1/applications/{unknown}/offer-response", op, JsonBody(new { response = "accept", accessCode = "AAAA-BBBB-CCCC" }), HttpStatusCode.NotFound, "$", "not-found"),
            new("parent on unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/offer-response", T.Parent, JsonBody(new { response = "accept" }), HttpStatusCode.NotFound, "$", "not-found"),
            new("enrol unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/enrolment", T.Allocator, () => null, HttpStatusCode.NotFound, "$.number", "application.unknown"),
            new("exceptional unknown number", HttpMethod.Post, "/api/v1/enrolments/exceptional", T.Allocator,
                JsonBody(new { number = unknown, kindergarten = "bad-a", group = "junior", year, legalBasis = "court-decision" }), HttpStatusCode.NotFound, "$.number", "application.unknown"),
            new("erase unknown number", HttpMethod.Post, $"/api/v1/applications/{unknown}/erasure", T.Registrar, () => null, HttpStatusCode.NotFound, "$", "not-found"),
            new("audit unknown number", HttpMethod.Get, $"/api/v1/audit/applications/{unknown}?purpose=complaint", T.Validator, () => null, HttpStatusCode.NotFound, "$", "not-found"),
            new("audit absurd number", HttpMethod.Get, $"/api/v1/audit/applications/{Uri.EscapeDataString(new string('Ж', 500) + "'; DROP TABLE x;--")}?purpose=complaint", T.Validator, () => null, HttpStatusCode.NotFound, "$", "not-found"),

            // Idempotency keys.
            new("key with a space", HttpMethod.Post, "/api/v1/applications", op, JsonBody(good), HttpStatusCode.BadRequest, "$header.Idempotency-Key", "request.idempotency-key", "two words"),
            new("key too long", HttpMethod.Post, "/api/v1/applications", op, JsonBody(good), HttpStatusCode.BadRequest, "$header.Idempotency-Key", "request.idempotency-key", new string('k', 129)),
            new("key non-ASCII", HttpMethod.Post, "/api/v1/districts", T.Registrar, JsonBody(new { id = "bad-key", name = "x" }), HttpStatusCode.BadRequest, "$header.Idempotency-Key", "request.idempotency-key", "ключ"),

            // Capacity files.
            new("capacity as JSON", HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, JsonBody(new { rows = 1 }), HttpStatusCode.UnsupportedMediaType, "$header.Content-Type", "request.content-type"),
            new("capacity without content type", HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, () => Http.Raw("kindergarten,group,year,seats", null), HttpStatusCode.BadRequest, "$", "request.content-type"),
            new("capacity bad rows", HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar,
                () => Csv($"kindergarten,group,year,seats\nbad-a,junior,{year},x\nnope,junior,{year},1\n"), HttpStatusCode.BadRequest, "$csv.line[2].seats", "capacity.row"),
            new("capacity bad header", HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, () => Csv("a,b,c\n"), HttpStatusCode.BadRequest, "$csv.line[1].header", "capacity.row"),
            new("capacity empty", HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, () => Csv(""), HttpStatusCode.BadRequest, "$csv.line[1].header", "capacity.row"),
            new("capacity reason too long", HttpMethod.Post, CapacityUrl(dryRun: false, new string('r', 501)), T.Registrar,
                () => Csv($"kindergarten,group,year,seats\nbad-a,junior,{year},1\n"), HttpStatusCode.BadRequest, "$query.reason", "reason.unknown"),
            new("capacity dryRun not a bool", HttpMethod.Post, "/api/v1/capacity?dryRun=maybe", T.Registrar,
                () => Csv($"kindergarten,group,year,seats\nbad-a,junior,{year},1\n"), HttpStatusCode.BadRequest, "$query.dryRun"),
        };

        var size = await F.LogSizeAsync();
        using (new AssertionScope())
        {
            foreach (var c in cases)
            {
                var response = await F.SendAsync(c.Method, c.Url, c.Caller, c.Body(), c.IdempotencyKey);
                if (c.Status == HttpStatusCode.OK)
                {
                    ((int)response.StatusCode).Should().Be(200, $"{c.Name}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }
                await response.ShouldBeProblemAsync(c.Status, c.Path, c.Code, c.Name);
            }
        }
        (await F.LogSizeAsync()).Should().Be(size, "no refused request appends anything");

        // The limit that applies is the configured one.
        var tooLarge = await F.PostAsync("/api/v1/districts", T.Registrar, new { id = "bad-big", name = new string('x', (int)KinderQueueFactory.MaxRequestBytes) });
        (await tooLarge.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge)).Single().Message.Should().Contain(KinderQueueFactory.MaxRequestBytes.ToString());
        // A capacity file has its own, larger limit.
        var bigFile = "kindergarten,group,year,seats\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"bad-a,junior,{year},{i % 100}\n"));
        (bigFile.Length > KinderQueueFactory.MaxRequestBytes).Should().BeTrue();
        var bigDry = await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar, Csv(bigFile))).ShouldSucceedAsync(HttpStatusCode.OK);
        bigDry.GetProperty("rows").GetInt32().Should().Be(5000);
        F.Factory.Errors.Should().BeEmpty();

        // The dry run of a bad capacity file lists every bad row (200); a bad file is not a failure of the request.
        var dry = await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: true), T.Registrar,
            Csv($"kindergarten,group,year,seats\nbad-a,junior,{year},x\nnope,junior,{year},1\nbad-a,junior,1800,1\n"))).ShouldSucceedAsync(HttpStatusCode.OK);
        Array(dry, "errors").Select(e => (e.GetProperty("line").GetInt32(), Str(e, "field"))).Should().Equal((2, "seats"), (3, "kindergarten"), (4, "year"));
    }

    [Fact]
    public async Task Random_submissions_give_201_or_a_problem_never_500()
    {
        await AreaAsync(F, "fuzz-d", "fuzz-a", "fuzz-b");
        string[] values =
        [
            "null", "true", "0", "-1", "1e400", "3.5", "\"\"", "\" \"", "\"fuzz-a\"", "\"fuzz-d\"", "\"judge\"", "\"2027-02-30\"",
            $"\"{Format(DesiredStart)}\"", $"\"{Format(JuniorBirthDate)}\"", "\"\\ud800\"", "\"\\u0000\"", "\"Иван\"", "[]", "[\"fuzz-a\"]",
            "[\"fuzz-a\",\"fuzz-a\"]", "[1,2]", "{}", "{\"name\":\"Иван\",\"birthDate\":\"" + Format(JuniorBirthDate) + "\"}",
            "[{\"category\":\"judge\"}]", "[{\"category\":\"sibling\",\"kindergarten\":\"fuzz-b\"}]", "[null]", "\"" + new string('x', 250) + "\"",
        ];
        string[] fields = ["child", "parent", "district", "preferences", "desiredStart", "claims", "kind", "channel"];
        var bodies = Gen.CollectToArray(fields.Select(name =>
                Gen.Frequency((1, Gen.Constant<string?>(null)), (4, Gen.Elements(values).Select(v => (string?)$"\"{name}\":{v}")))))
            .Select(parts => "{" + string.Join(",", parts.Where(p => p is not null)) + "}");
        var seen = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(bodies.ToArbitrary(), body =>
        {
            var response = F.SendAsync(HttpMethod.Post, "/api/v1/applications", T.Operator, Http.Raw(body, "application/json")).GetAwaiter().GetResult();
            seen++;
            if (response.StatusCode == HttpStatusCode.Created) return;
            using var _ = new AssertionScope(body);
            response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, because: body).GetAwaiter().GetResult();
        }));
        seen.Should().BeGreaterThanOrEqualTo(60);
        F.Factory.Errors.Should().BeEmpty();
    }
}
