using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KinderQueue.Api.Public;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using Microsoft.Extensions.DependencyInjection;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The public queue API as a parent and as anyone uses it: a position with its history and reasons,
/// a receipt checked against the signed checkpoint, the dashboard and kindergarten figures with
/// ETags, identical answers for a wrong number and a wrong code, and no personal data anywhere.
/// </summary>
public sealed class PublicQueueTests : IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private const string Base = "/api/v1/public";

    public PublicQueueTests(SqliteFixture fixture)
    {
        F = fixture;
        F.Factory.Errors.Clear();
    }

    private ApiFixture F { get; }

    private TestTokens T => F.Tokens;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        F.Factory.Errors.Should().BeEmpty("the service must not log an unhandled exception");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_parent_sees_status_position_and_a_history_whose_reasons_add_up()
    {
        await AreaAsync(F, "pq-d", "pq-a", "pq-b");
        var mine = await SubmitAsync(F, T.Operator, Submission("pq-d", ["pq-a", "pq-b"]));
        // Ahead of mine: a later application with an extraordinary right, verified; and a later general one (behind).
        var ahead = await SubmitAsync(F, T.Operator, Submission("pq-d", ["pq-a"], claims: [("judge", null, "Справка")]));
        var behind = await SubmitAsync(F, T.Operator, Submission("pq-d", ["pq-a"]));
        var review = await (await F.PostAsync($"/api/v1/applications/{ahead.Number}/claims/0/review", T.Verifier,
            new { verified = true, reason = "document-confirmed" })).ShouldSucceedAsync(HttpStatusCode.Created);
        var reviewSeq = review.GetProperty("seq").GetInt64();
        await SyncAsync();

        var report = await (await LookupAsync("/positions", mine.Number, mine.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(report, "number").Should().Be(mine.Number);
        Str(report, "status").Should().Be("waiting");
        report.GetProperty("seq").GetInt64().Should().Be(mine.Seq);
        report.GetProperty("asOf").GetProperty("logSize").GetInt64().Should().BeGreaterThan(reviewSeq);
        var queues = Array(report, "queues");
        queues.Select(q => Str(q, "kindergarten")).Should().Equal("pq-a", "pq-b");
        var a = queues[0];
        a.GetProperty("position").GetInt32().Should().Be(2, "the verified extraordinary right is ahead, the later general one behind");
        a.GetProperty("total").GetInt32().Should().Be(3);
        Str(a, "tier").Should().Be("catchment", "the family lives in the kindergarten's catchment district");
        queues[1].GetProperty("position").GetInt32().Should().Be(1);

        var steps = Array(a, "history");
        steps.Should().NotBeEmpty();
        int? previous = null;
        foreach (var step in steps)
        {
            var before = Int(step, "before");
            var after = Int(step, "after");
            if (before is not null && after is not null)
                (after - before).Should().Be(Array(step, "reasons").Sum(r => r.GetProperty("count").GetInt32()), "a step's reasons add up to its change");
            if (previous is not null && before is not null) before.Should().Be(previous, "steps join up");
            previous = after ?? previous;
        }
        previous.Should().Be(2, "the history ends at the current position");
        var reasons = steps.SelectMany(s => Array(s, "reasons")).ToList();
        reasons.Should().Contain(r => Str(r, "reason") == "right-verified" && r.GetProperty("count").GetInt32() == 1
            && r.GetProperty("seqs").EnumerateArray().Any(x => x.GetInt64() == reviewSeq), "the verification that moved a child ahead is named with its entry");
        reasons.Should().NotContain(r => r.GetProperty("seqs").EnumerateArray().Any(x => x.GetInt64() == behind.Seq),
            "an application that queued behind changes nothing");

        Array(report, "kindergartens").Select(k => Str(k, "id")).Should().Equal("pq-a", "pq-b");
        foreach (var brief in Array(report, "kindergartens"))
        {
            // The brief is the kindergarten's own row for the child's group: both waiting measures, since
            // the parent's queue of the year counts applications for a later date in it too.
            var kindergarten = await (await F.GetAsync($"{Base}/kindergartens/{Str(brief, "id")}")).ShouldSucceedAsync(HttpStatusCode.OK);
            var row = Array(kindergarten, "groups").Single(g => Str(g, "group") == Str(brief, "group"));
            foreach (var measure in new[] { "waitingNow", "waitingLater" })
            {
                Counts(brief.GetProperty(measure)).Should().Equal(Counts(row.GetProperty(measure)), $"{Str(brief, "id")} {measure}");
            }
        }
        report.GetProperty("projection").ValueKind.Should().Be(JsonValueKind.Object, "a waiting application sees the allocation as if it ran today");
        Array(report, "claims").Should().BeEmpty();
        report.GetProperty("offer").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task After_a_round_an_offered_parent_sees_the_offer_and_its_deadline_and_others_see_children_placed()
    {
        await AreaAsync(F, "pr-d", "pr-a");
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar,
            Csv($"kindergarten,group,year,seats\npr-a,junior,{EnrolmentYear},1\n"))).ShouldSucceedAsync(HttpStatusCode.Created);
        var first = await SubmitAsync(F, T.Operator, Submission("pr-d", ["pr-a"]));
        var second = await SubmitAsync(F, T.Operator, Submission("pr-d", ["pr-a"]));
        var decided = await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion("pq-round"), startDate = Format(DesiredStart), dryRun = false }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        var roundSeq = decided.GetProperty("seq").GetInt64();
        await SyncAsync();

        var offered = await (await LookupAsync("/positions", first.Number, first.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(offered, "status").Should().Be("offered");
        var offer = offered.GetProperty("offer");
        Str(offer, "kindergarten").Should().Be("pr-a");
        Str(offer, "deadline").Should().NotBeEmpty();

        var waiting = await (await LookupAsync("/positions", second.Number, second.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(waiting, "status").Should().Be("waiting");
        var queue = Array(waiting, "queues").Single();
        queue.GetProperty("position").GetInt32().Should().Be(1);
        var last = Array(queue, "history")[^1];
        (Int(last, "before"), Int(last, "after")).Should().Be((2, 1));
        Array(last, "reasons").Should().ContainSingle(r => Str(r, "reason") == "placed" && r.GetProperty("count").GetInt32() == -1
            && r.GetProperty("seqs")[0].GetInt64() == roundSeq, "the child ahead was placed by the round");
    }

    [Fact]
    public async Task A_wrong_code_an_unknown_number_and_a_malformed_number_get_the_same_404()
    {
        await AreaAsync(F, "pn-d", "pn-a");
        var mine = await SubmitAsync(F, T.Operator, Submission("pn-d", ["pn-a"]));
        await SyncAsync();

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var (number, code) in new[] { (mine.Number, "AAAA-BBBB-CCCC"), ("KQ-ZZZZZ-ZZZZZ", mine.AccessCode), ("not a number at all", "x") })
        {
            using var response = await LookupAsync("/positions", number, code);
            answers.Add((response.StatusCode, WithoutTraceId(await response.Content.ReadAsStringAsync())));
        }
        answers.Select(x => x.Status).Should().AllBeEquivalentTo(HttpStatusCode.NotFound);
        answers.Select(x => x.Body).Distinct().Should().ContainSingle("nobody may learn whether the number or the code was wrong");

        using var receipt = await LookupAsync("/receipts", mine.Number, "AAAA-BBBB-CCCC");
        receipt.StatusCode.Should().Be(HttpStatusCode.NotFound);
        WithoutTraceId(await receipt.Content.ReadAsStringAsync()).Should().Be(answers[0].Body);

        // The code is typed by people: case and dashes do not matter, and neither do spaces around the number.
        var relaxed = mine.AccessCode.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        (await LookupAsync("/positions", " " + mine.Number.ToLowerInvariant() + " ", relaxed)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_lookup_bodies_are_problems_that_name_the_field()
    {
        await (await F.SendAsync(HttpMethod.Post, Base + "/positions", null, Http.Json(new { number = "KQ-AAAAA-AAAAA" })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.accessCode", "field.missing");
        await (await F.SendAsync(HttpMethod.Post, Base + "/positions", null, Http.Raw("{\"number\":", "application/json")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$", "json.malformed");
        await (await F.SendAsync(HttpMethod.Post, Base + "/positions", null, Http.Json(new { number = new string('K', 65), accessCode = "x" })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.number", "field.too-long");
        // The number never travels in a URL.
        (await F.GetAsync(Base + "/positions?number=KQ-AAAAA-AAAAA&accessCode=x")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_receipt_proves_the_entry_is_in_the_signed_log_and_a_changed_byte_does_not()
    {
        await AreaAsync(F, "pc-d", "pc-a");
        var mine = await SubmitAsync(F, T.Operator, Submission("pc-d", ["pc-a"]));
        var json = await ReceiptAsync(mine);
        var key = (await (await F.GetAsync(Base + "/log-key")).ShouldSucceedAsync(HttpStatusCode.OK)).GetProperty("spki").GetString()!;
        var spki = Convert.FromBase64String(key);

        var checkpointJson = Encoding.UTF8.GetBytes(json.GetProperty("checkpoint").GetRawText());
        var checkpoint = SignedCheckpoint.Parse(checkpointJson);
        checkpoint.Success.Should().BeTrue(string.Join("; ", checkpoint.Problems));
        var entry = Encoding.UTF8.GetBytes(Str(json, "entry"));
        var index = json.GetProperty("index").GetInt64();
        var size = json.GetProperty("size").GetInt64();
        var proof = Array(json, "proof").Select(p => Hex.TryDecode(p.GetString())!).ToImmutableArray();

        bool Valid(byte[] entryBytes, long at) =>
            checkpoint.Value!.Verify(spki) && size == checkpoint.Value.Checkpoint.Size
            && MerkleTree.VerifyInclusion(MerkleHash.Leaf(entryBytes), at, size, proof, checkpoint.Value.Checkpoint.Root);

        index.Should().Be(mine.Seq);
        Hex.Encode(MerkleHash.Leaf(entry)).Should().Be(Str(json, "entryHash"));
        LogEntry.Parse(entry).Value!.Type.Should().Be("application.submitted");
        Str(json, "entry").Should().Contain(mine.Number);
        Valid(entry, index).Should().BeTrue("the receipt checks out with the published key alone");

        var changed = (byte[])entry.Clone();
        var at = System.Array.IndexOf(changed, (byte)'K');
        changed[at] = (byte)'X';
        Valid(changed, index).Should().BeFalse("a changed byte breaks the proof");
        Valid(entry, index + 1).Should().BeFalse("so does another index");

        // The same checks as a validator's tool makes them (Core's Receipt, used by `kq receipt`), each failure named.
        var text = json.GetRawText();
        Receipt.Parse(Encoding.UTF8.GetBytes(text)).Value!.Verify(spki).Valid.Should().BeTrue();
        var tamperedEntry = text.Replace(mine.Number, "KQ-XXXXX-XXXXX", StringComparison.Ordinal);
        Receipt.Parse(Encoding.UTF8.GetBytes(tamperedEntry)).Value!.Verify(spki).Failed.Should().Be("entry-hash");
        var otherIndex = text.Replace($"\"index\":{index},", $"\"index\":{index + 1},", StringComparison.Ordinal);
        Receipt.Parse(Encoding.UTF8.GetBytes(otherIndex)).Value!.Verify(spki).Failed.Should().Be("inclusion");
        using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        Receipt.Parse(Encoding.UTF8.GetBytes(text)).Value!.Verify(otherKey.ExportSubjectPublicKeyInfo()).Failed.Should().Be("signature");
    }

    [Fact]
    public async Task Dashboard_and_kindergartens_carry_an_etag_that_changes_when_the_log_grows()
    {
        await AreaAsync(F, "pe-d", "pe-a");
        await SyncAsync();
        using var first = await F.GetAsync(Base + "/dashboard");
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var etag = first.Headers.ETag!;
        using (var again = await GetWithEtagAsync(Base + "/dashboard", etag)) again.StatusCode.Should().Be(HttpStatusCode.NotModified);
        using (var list = await F.GetAsync(Base + "/kindergartens"))
        {
            list.StatusCode.Should().Be(HttpStatusCode.OK);
            (await list.JsonAsync()).EnumerateArray().Should().Contain(k => Str(k, "id") == "pe-a");
        }
        var one = await (await F.GetAsync(Base + "/kindergartens/pe-a")).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(one, "district").Should().Be("pe-d");
        await (await F.GetAsync(Base + "/kindergartens/no-such-kg")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");

        await SubmitAsync(F, T.Operator, Submission("pe-d", ["pe-a"]));
        await SyncAsync();
        using var changed = await GetWithEtagAsync(Base + "/dashboard", etag);
        changed.StatusCode.Should().Be(HttpStatusCode.OK, "the log grew, so the old ETag no longer matches");
        changed.Headers.ETag!.Tag.Should().NotBe(etag.Tag);
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/kindergartens")]
    public async Task A_client_accepting_gzip_gets_the_same_bytes_compressed_under_its_own_etag(string path)
    {
        await AreaAsync(F, "pz-d", "pz-a");
        await SyncAsync();
        using var plain = await F.GetAsync(Base + path);
        var identity = await plain.Content.ReadAsByteArrayAsync();
        plain.Content.Headers.ContentEncoding.Should().BeEmpty("a client that does not ask for gzip gets plain JSON");
        plain.Headers.Vary.Should().Contain("Accept-Encoding");

        using var request = new HttpRequestMessage(HttpMethod.Get, Base + path);
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
        using var zipped = await F.Client.SendAsync(request);
        zipped.StatusCode.Should().Be(HttpStatusCode.OK);
        zipped.Content.Headers.ContentEncoding.Should().Equal("gzip");
        zipped.Headers.Vary.Should().Contain("Accept-Encoding");
        var compressed = await zipped.Content.ReadAsByteArrayAsync();
        compressed.Length.Should().BeLessThan(identity.Length);
        using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress))
        using (var unzipped = new MemoryStream())
        {
            await gzip.CopyToAsync(unzipped);
            unzipped.ToArray().Should().Equal(identity, "the compressed representation holds the same document");
        }
        zipped.Headers.ETag!.Tag.Should().NotBe(plain.Headers.ETag!.Tag, "two representations, two entity tags");

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, Base + path);
        revalidate.Headers.AcceptEncoding.ParseAdd("gzip");
        revalidate.Headers.IfNoneMatch.Add(zipped.Headers.ETag!);
        using var notModified = await F.Client.SendAsync(revalidate);
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);

        using var refused = new HttpRequestMessage(HttpMethod.Get, Base + path);
        refused.Headers.AcceptEncoding.ParseAdd("gzip;q=0");
        using var plainAgain = await F.Client.SendAsync(refused);
        plainAgain.Content.Headers.ContentEncoding.Should().BeEmpty("q=0 refuses gzip");
    }

    [Fact]
    public async Task No_public_answer_holds_personal_data_or_a_claim_category()
    {
        await AreaAsync(F, "pp-d", "pp-a", "pp-b");
        var birth = new NodaTime.LocalDate(EnrolmentYear - 4, 11, 23);
        string[] canaries = ["Канарейка Qv9 Ребёнок", "Канарейкин Qv9 Родитель", "+7 999 444-55-66", "qv9.canary@example.test", "Справка Qv9 №4242"];
        var submitted = new List<Submitted>();
        for (var i = 0; i < 6; i++)
        {
            submitted.Add(await SubmitAsync(F, i % 2 == 0 ? T.Operator : T.Parent, Submission("pp-d", i % 2 == 0 ? ["pp-a", "pp-b"] : ["pp-b"],
                canaries[0], canaries[1], canaries[2], canaries[3], birth, claims: [("judge", null, canaries[4]), ("sibling", "pp-b", canaries[4])])));
        }
        await (await F.PostAsync($"/api/v1/applications/{submitted[0].Number}/claims/0/review", T.Verifier,
            new { verified = true, reason = "document-confirmed" })).ShouldSucceedAsync(HttpStatusCode.Created);
        await SyncAsync();
        var receipt = await ReceiptAsync(submitted[0]);

        var bodies = new List<(string What, string Body)> { ("receipt", receipt.GetRawText()) };
        foreach (var s in submitted)
            bodies.Add(("position " + s.Number, await (await LookupAsync("/positions", s.Number, s.AccessCode)).Content.ReadAsStringAsync()));
        foreach (var url in new[] { "/dashboard", "/kindergartens", "/kindergartens/pp-a", "/kindergartens/pp-b", "/log", "/checkpoint", "/log-key",
                     $"/proofs/inclusion?seq={submitted[0].Seq}", "/proofs/consistency?from=1" })
            bodies.Add((url, await (await F.GetAsync(Base + url)).Content.ReadAsStringAsync()));

        string[] forbidden = [.. canaries, Format(birth), "\"judge\"", "\"category\"", "accessCode", .. submitted.Select(s => s.AccessCode)];
        foreach (var (what, body) in bodies)
        {
            body.Should().NotBeNullOrEmpty(what);
            var unescaped = JsonUnescape(body);
            foreach (var c in forbidden)
                unescaped.Should().NotContainEquivalentOf(c, $"{what} must not hold personal data");
        }
    }

    /// <summary>
    /// A property over random canaries (seeded; the seed is in every failure message): whatever a
    /// person types into a personal or free-text field of any write endpoint appears in no public
    /// output: the export, checkpoint, proofs, positions, receipts, dashboard, kindergartens, audit
    /// counts, site pages, and the service's own log. Fields that must be codes are tried with a
    /// canary too, and must refuse it.
    /// </summary>
    [Fact]
    public async Task Property_canaries_typed_into_any_field_appear_in_no_public_output()
    {
        var seed = Random.Shared.Next();
        var rng = new Random(seed);
        const string letters = "абвгдежзиклмнпрстфхцчшщэюяqwrtzpsdfghjklxvbnm";
        string Canary(string shape) => shape.Replace("#", new string([.. Enumerable.Range(0, 7).Select(_ => letters[rng.Next(letters.Length)])]));
        string AsciiCanary() => "key-" + Convert.ToHexString(BitConverter.GetBytes(rng.NextInt64())).ToLowerInvariant();
        var canaries = new List<string>();
        var everyApp = new List<Submitted>();
        string Typed(string shape) { var c = Canary(shape); canaries.Add(c); return c; }

        for (var run = 0; run < 3; run++)
        {
            var p = $"cn{run}-{rng.Next(1000, 9999)}";
            await AreaAsync(F, $"{p}-d", $"{p}-a", $"{p}-b");
            var csv = $"kindergarten,group,year,seats\n{p}-a,junior,{EnrolmentYear},1\n{p}-b,junior,{EnrolmentYear},1\n";
            await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, Typed("Приказ #")), T.Registrar, Csv(csv)))
                .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$query.reason", "reason.unknown");
            await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, Csv(csv))).ShouldSucceedAsync(HttpStatusCode.Created);

            var apps = new List<Submitted>();
            foreach (var caller in new[] { T.Operator, T.Parent, T.OtherParent })
            {
                var key = AsciiCanary();
                canaries.Add(key);
                apps.Add(await SubmitAsync(F, caller, Submission($"{p}-d", [$"{p}-a", $"{p}-b"], Typed("Ребёнок #"), Typed("Родитель #"),
                    $"+7 9{rng.Next(10, 99)} {rng.Next(100, 999)}-{rng.Next(10, 99)}-{rng.Next(10, 99)}", Typed("#@example.test").Replace(' ', '.'),
                    claims: [("disability", null, Typed("Справка МСЭ #")), ("sibling", $"{p}-b", Typed("Свидетельство #"))]), key));
            }
            canaries.AddRange(apps.Select(a => a.AccessCode));
            everyApp.AddRange(apps);

            var review = $"/api/v1/applications/{apps[0].Number}/claims/0/review";
            await (await F.PostAsync(review, T.Verifier, new { verified = true, reason = Typed("диагноз #") }))
                .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.reason", "reason.unknown");
            await (await F.PostAsync(review, T.Verifier, new { verified = true, reason = "document-confirmed", note = Typed("заметка #") }))
                .ShouldSucceedAsync(HttpStatusCode.Created);
            var withdrawal = $"/api/v1/applications/{apps[2].Number}/withdrawal";
            await (await F.PostAsync(withdrawal, T.OtherParent, new { reason = Typed("переезд #") }))
                .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.reason", "reason.unknown");
            await (await F.PostAsync(withdrawal, T.OtherParent, new { reason = "moved-away", note = Typed("адрес #") })).ShouldSucceedAsync(HttpStatusCode.OK);
            var exceptional = new { number = apps[1].Number, kindergarten = $"{p}-a", group = "junior", year = EnrolmentYear };
            await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator,
                    new { exceptional.number, exceptional.kindergarten, exceptional.group, exceptional.year, legalBasis = Typed("дело № #") }))
                .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.legalBasis", "reason.unknown");
            await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator,
                    new { exceptional.number, exceptional.kindergarten, exceptional.group, exceptional.year, legalBasis = "court-decision", note = Typed("суд #") }))
                .ShouldSucceedAsync(HttpStatusCode.Created);
            await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion(p), startDate = Format(DesiredStart), dryRun = false })).ShouldSucceedAsync(HttpStatusCode.Created);
            await (await F.GetAsync($"/api/v1/audit/applications/{apps[0].Number}?purpose=complaint", T.Validator)).ShouldSucceedAsync(HttpStatusCode.OK);
        }
        await SyncAsync();

        var outputs = new List<(string What, string Body)>();
        foreach (var url in new[] { "/log", "/checkpoint", "/log-key", "/proofs/inclusion?seq=0", "/proofs/consistency?from=1", "/dashboard",
                     "/kindergartens", "/private-reads" })
            outputs.Add((url, await (await F.GetAsync(Base + url)).Content.ReadAsStringAsync()));
        foreach (var app in everyApp) outputs[0].Body.Should().Contain(app.Number, "the export covers every application");
        foreach (var page in new[] { "/", "/position.html", "/kindergarten.html", "/check.html", "/how.html", "/docs.html" })
            outputs.Add((page, await (await F.GetAsync(page)).Content.ReadAsStringAsync()));
        foreach (var app in everyApp)
        {
            outputs.Add(($"position of {app.Number}", await (await LookupAsync("/positions", app.Number, app.AccessCode)).Content.ReadAsStringAsync()));
            outputs.Add(($"receipt of {app.Number}", (await ReceiptAsync(app)).GetRawText()));
            outputs.Add(($"inclusion proof of {app.Number}", await (await F.GetAsync($"{Base}/proofs/inclusion?seq={app.Seq}")).Content.ReadAsStringAsync()));
        }
        outputs.Add(("service log", string.Join('\n', F.Factory.Lines)));
        F.Factory.Lines.Should().NotBeEmpty("the service's own log is collected");

        foreach (var (what, body) in outputs)
        {
            var text = body.Length > 0 && (body[0] == '{' || body[0] == '[') ? JsonUnescape(body) : body;
            foreach (var c in canaries)
                text.Should().NotContainEquivalentOf(c, $"{what} must not hold what a person typed (seed {seed})");
        }
    }

    [Fact]
    public async Task Report_and_receipt_write_the_fields_their_documentation_names()
    {
        await AreaAsync(F, "po-d", "po-a");
        var mine = await SubmitAsync(F, T.Operator, Submission("po-d", ["po-a"]));
        await SyncAsync();
        var doc = await (await F.GetAsync("/openapi/v1.json")).ShouldSucceedAsync(HttpStatusCode.OK);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        foreach (var (path, body) in new[]
                 {
                     ("/positions", await (await LookupAsync("/positions", mine.Number, mine.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK)),
                     ("/receipts", await ReceiptAsync(mine)),
                 })
        {
            var reference = doc.GetProperty("paths").GetProperty(Base + path).GetProperty("post").GetProperty("responses").GetProperty("200")
                .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
            var schema = schemas.GetProperty(reference[(reference.LastIndexOf('/') + 1)..]);
            body.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(schema.GetProperty("properties").EnumerateObject().Select(p => p.Name),
                $"{path} writes the fields its documentation names");
        }
    }

    [Fact]
    public async Task Issue17_positions_and_receipts_and_their_refusals_are_no_store()
    {
        await AreaAsync(F, "ns-d", "ns-a");
        var mine = await SubmitAsync(F, T.Operator, Submission("ns-d", ["ns-a"]));
        await SyncAsync();
        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("position", await LookupAsync("/positions", mine.Number, mine.AccessCode)),
            ("receipt", await LookupAsync("/receipts", mine.Number, mine.AccessCode)),
            ("wrong code", await LookupAsync("/positions", mine.Number, "AAAA-BBBB-CCCC")),
            ("receipt wrong code", await LookupAsync("/receipts", mine.Number, "AAAA-BBBB-CCCC")),
            ("bad body", await F.SendAsync(HttpMethod.Post, Base + "/positions", null, Http.Raw("{", "application/json"))),
            ("oversize body", await F.SendAsync(HttpMethod.Post, Base + "/receipts", null,
                Http.Json(new { number = mine.Number, accessCode = new string('x', (int)KinderQueueFactory.MaxRequestBytes) }))),
        };
        ((int)answers[^1].Response.StatusCode).Should().Be(413, "refused before any handler");
        ((int)answers[0].Response.StatusCode).Should().Be(200);
        ((int)answers[2].Response.StatusCode).Should().Be(404);
        foreach (var (what, response) in answers)
            (response.Headers.CacheControl?.NoStore ?? false).Should().BeTrue($"{what} ({(int)response.StatusCode}) holds or concerns a private answer");
        ((await F.GetAsync(Base + "/dashboard")).Headers.CacheControl?.NoStore ?? false).Should().BeFalse("the anonymous figures stay cacheable");
    }

    [Fact]
    public async Task A_parent_answers_the_offer_with_number_and_access_code_once_under_the_applications_parent_actor()
    {
        // Issue 17: the offer says the parent can answer on the portal; a parent with only the
        // number and access code (an application filed at a service centre) had no way to.
        var (byOperator, byParent, waiting) = await TwoOffersAndOneWaitingAsync("oa");
        var start = await F.LogSizeAsync();

        // Wrong code: the lookup's 404, nothing recorded; a bad answer: 400 naming the field.
        await (await AnswerAsync(byOperator.Number, "WRONG-CODE-0000", "decline")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found");
        await (await AnswerAsync(byOperator.Number, byOperator.AccessCode, "maybe")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.response", "field.value");
        await (await F.SendAsync(HttpMethod.Post, Base + "/offer-response", null, Http.Json(new { number = byOperator.Number, accessCode = byOperator.AccessCode })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.response");
        // No open offer: the staff endpoint's refusal.
        await (await AnswerAsync(waiting.Number, waiting.AccessCode, "accept")).ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "offer.none");
        (await F.LogSizeAsync()).Should().Be(start, "a refused answer appends nothing");

        // The decline, sent twice with one Idempotency-Key (a retry): one entry, the same answer, never cached.
        using var first = await AnswerAsync(byOperator.Number, byOperator.AccessCode, "decline", "retry-key-1");
        first.Headers.CacheControl?.NoStore.Should().BeTrue("an answer changes the application: nothing may keep it");
        var declined = await first.ShouldSucceedAsync(HttpStatusCode.OK);
        var again = await (await AnswerAsync(byOperator.Number, byOperator.AccessCode, "decline", "retry-key-1")).ShouldSucceedAsync(HttpStatusCode.OK);
        again.GetProperty("seq").GetInt64().Should().Be(declined.GetProperty("seq").GetInt64(), "a retry gets the first answer");
        // Answering again with another key: the offer is no longer open.
        await (await AnswerAsync(byOperator.Number, byOperator.AccessCode, "accept", "retry-key-2")).ShouldBeProblemAsync(HttpStatusCode.Conflict, "$.number", "offer.none");

        // The parent who filed online accepts the same way, in lower case with spaces, as people type.
        var accepted = await (await AnswerAsync($"  {byParent.Number.ToLowerInvariant()} ", byParent.AccessCode, "accept")).ShouldSucceedAsync(HttpStatusCode.OK);

        await SyncAsync();
        Str(await (await LookupAsync("/positions", byOperator.Number, byOperator.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK), "status").Should().Be("paused");
        Str(await (await LookupAsync("/positions", byParent.Number, byParent.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK), "status").Should().Be("accepted");

        // SPEC.md §6.1: a parent actor is the same on every entry of one application and links no two.
        var entries = (await F.ReadEntriesAsync()).ToDictionary(e => e.Seq);
        var answers = entries.Values.Where(e => e.Seq >= start).ToList();
        answers.Select(e => e.Type).Should().Equal(OfferResponded.TypeName, OfferResponded.TypeName);
        var operatorAnswer = entries[declined.GetProperty("seq").GetInt64()];
        var parentAnswer = entries[accepted.GetProperty("seq").GetInt64()];
        parentAnswer.Actor.Should().Be(entries[byParent.Seq].Actor, "the parent who filed online keeps the actor of the submission");
        operatorAnswer.Actor.Should().Be(F.Pseudonyms.CodeHolder(byOperator.Number))
            .And.StartWith("parent:").And.NotBe(entries[byOperator.Seq].Actor, "the operator filed it; the parent answers");
        operatorAnswer.Actor.Should().NotBe(parentAnswer.Actor);
        ((OfferResponded)EventCodec.Decode(operatorAnswer.Type, operatorAnswer.Payload).Value!).Should().Be(new OfferResponded(byOperator.Number, false));
        ((OfferResponded)EventCodec.Decode(parentAnswer.Type, parentAnswer.Payload).Value!).Should().Be(new OfferResponded(byParent.Number, true));
    }

    /// <summary>Two offered applications (one filed by an operator, one by a parent online) and one left waiting.</summary>
    private async Task<(Submitted ByOperator, Submitted ByParent, Submitted Waiting)> TwoOffersAndOneWaitingAsync(string p)
    {
        await AreaAsync(F, $"{p}-d", $"{p}-a", $"{p}-b");
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar,
            Csv($"kindergarten,group,year,seats\n{p}-a,junior,{EnrolmentYear},1\n{p}-b,junior,{EnrolmentYear},1\n"))).ShouldSucceedAsync(HttpStatusCode.Created);
        var one = await SubmitAsync(F, T.Operator, Submission($"{p}-d", [$"{p}-a"]));
        var other = await SubmitAsync(F, T.Operator, Submission($"{p}-d", [$"{p}-a"]));
        var byParent = await SubmitAsync(F, T.Parent, Submission($"{p}-d", [$"{p}-b"]));
        await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion($"{p}-round"), startDate = Format(DesiredStart), dryRun = false }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        // One seat at {p}-a for two applications: which one gets it is the allocation's business.
        await SyncAsync();
        var oneOffered = Str(await (await LookupAsync("/positions", one.Number, one.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK), "status") == "offered";
        return oneOffered ? (one, byParent, other) : (other, byParent, one);
    }

    private Task<HttpResponseMessage> AnswerAsync(string number, string accessCode, string response, string? idempotencyKey = null) =>
        F.SendAsync(HttpMethod.Post, Base + "/offer-response", null, Http.Json(new { number, accessCode, response }), idempotencyKey);

    private async Task SyncAsync() => await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);

    private Task<HttpResponseMessage> LookupAsync(string path, string number, string accessCode) =>
        F.SendAsync(HttpMethod.Post, Base + path, null, Http.Json(new { number, accessCode }));

    /// <summary>The receipt of a fresh application: the request itself waits for a checkpoint that covers it.</summary>
    private async Task<JsonElement> ReceiptAsync(Submitted s)
    {
        await SyncAsync();
        return await (await LookupAsync("/receipts", s.Number, s.AccessCode)).ShouldSucceedAsync(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> GetWithEtagAsync(string url, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        return await F.Client.SendAsync(request);
    }

    /// <summary>A {byTier, total} count as "value|marker" strings, tiers first, total last.</summary>
    private static List<string> Counts(JsonElement counts) =>
        [.. counts.GetProperty("byTier").EnumerateArray().Append(counts.GetProperty("total"))
            .Select(c => $"{c.GetProperty("value")}|{c.GetProperty("marker")}")];

    private static int? Int(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetInt32() : null;

    private static string WithoutTraceId(string problem)
    {
        using var doc = JsonDocument.Parse(problem);
        return string.Join(",", doc.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()));
    }

    /// <summary>JSON text with its string escapes decoded, line by line, so that an escaped canary is found too.</summary>
    private static string JsonUnescape(string body)
    {
        var text = new StringBuilder();
        foreach (var line in body.Split('\n'))
        {
            try
            {
                using var doc = JsonDocument.Parse(line.Length == 0 ? "null" : line);
                Collect(doc.RootElement, text);
            }
            catch (JsonException)
            {
                text.Append(line);
            }
            text.Append('\n');
        }
        return text.ToString();

        static void Collect(JsonElement e, StringBuilder into)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        into.Append('"').Append(p.Name).Append("\" ");
                        Collect(p.Value, into);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var x in e.EnumerateArray()) Collect(x, into);
                    break;
                case JsonValueKind.String:
                    var s = e.GetString()!;
                    into.Append(s).Append(' ');
                    // Entry bytes are JSON inside a string (a receipt, the export): look inside them too.
                    if (s.StartsWith('{')) into.Append(JsonUnescape(s));
                    break;
                default:
                    into.Append(e.GetRawText()).Append(' ');
                    break;
            }
        }
    }
}

/// <summary>A low failed-lookup budget, so the limit can be reached in a test.</summary>
public sealed class RateLimitedFixture : ApiFixture
{
    public override string Backend => "sqlite";

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["KinderQueue:FailedLookupsPerWindow"] = "3",
        ["KinderQueue:LookupsPerMinute"] = "1000",
    };
}

public sealed class LookupRateLimitTests(RateLimitedFixture fixture) : IClassFixture<RateLimitedFixture>
{
    [Fact]
    public async Task After_a_few_wrong_codes_a_client_must_wait_even_with_the_right_code()
    {
        var f = fixture;
        await AreaAsync(f, "rl-d", "rl-a");
        var mine = await SubmitAsync(f, f.Tokens.Operator, Submission("rl-d", ["rl-a"]));
        await f.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
        Task<HttpResponseMessage> Lookup(string code) =>
            f.SendAsync(HttpMethod.Post, "/api/v1/public/positions", null, Http.Json(new { number = mine.Number, accessCode = code }));

        (await Lookup(mine.AccessCode)).StatusCode.Should().Be(HttpStatusCode.OK);
        for (var i = 0; i < 3; i++) (await Lookup($"WRNG-COD{i}-XXXX")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var limited = await Lookup(mine.AccessCode);
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "$", "rate-limited");
        limited.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
        (await f.SendAsync(HttpMethod.Post, "/api/v1/public/receipts", null, Http.Json(new { number = mine.Number, accessCode = mine.AccessCode })))
            .StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "receipts share the budget");
        (await f.GetAsync("/api/v1/public/dashboard")).StatusCode.Should().Be(HttpStatusCode.OK, "the anonymous figures are not lookups");
    }
}
