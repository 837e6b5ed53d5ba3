using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>What the log holds: every acknowledged command once, a valid chain, no personal data, pseudonymous actors.</summary>
public abstract partial class ApiSuite
{
    /// <summary>Sequence numbers from 0 without gaps, each entry linked to the previous hash, each hash the leaf hash of its bytes.</summary>
    private static void ShouldBeAValidChain(IReadOnlyList<StoredEntry> entries)
    {
        var prev = LogEntry.GenesisPrev.ToArray();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            e.Seq.Should().Be(i, "sequence numbers have no gaps");
            e.Prev.Should().Equal(prev, $"entry {i} links to the hash of entry {i - 1}");
            e.Hash.Should().Equal(MerkleHash.Leaf(e.ToLogEntry().ToBytes()), $"entry {i}'s hash is the leaf hash of its bytes");
            EventCodec.Decode(e.Type, e.Payload).Success.Should().BeTrue($"entry {i} decodes");
            prev = e.Hash;
        }
    }

    private static Dictionary<string, List<long>> SubmittedNumbers(IEnumerable<StoredEntry> entries)
    {
        var numbers = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => e.Type == ApplicationSubmitted.TypeName))
        {
            var a = (ApplicationSubmitted)EventCodec.Decode(e.Type, e.Payload).Value!;
            if (!numbers.TryGetValue(a.Number, out var seqs)) numbers[a.Number] = seqs = [];
            seqs.Add(e.Seq);
        }
        return numbers;
    }

    private sealed record Ack(int Index, string? Key, string Caller, string Number, long Seq, bool Replayed);

    [Fact]
    public async Task Hundreds_of_parallel_submissions_are_each_logged_exactly_once()
    {
        await AreaAsync(F, "bulk-d", "bulk-a", "bulk-b");
        const int unique = 300;
        const int keyed = 50;
        var requests = new List<(int Index, Caller Caller, string? Key)>();
        for (var i = 0; i < unique; i++) requests.Add((i, i % 2 == 0 ? T.Operator : T.Parent, null));
        for (var k = 0; k < keyed; k++)
        {
            var caller = k % 2 == 0 ? T.Operator : T.Parent;
            var key = $"bulk-{Guid.NewGuid():N}";
            requests.Add((unique + 2 * k, caller, key));
            requests.Add((unique + 2 * k + 1, caller, key));
        }
        // The same key from another account is another command (keys are scoped to the actor).
        var shared = $"bulk-shared-{Guid.NewGuid():N}";
        requests.Add((requests.Count, T.Operator, shared));
        requests.Add((requests.Count, T.OtherOperator, shared));
        var sizeBefore = await F.LogSizeAsync();

        var acks = await Task.WhenAll(requests.Select(async r =>
        {
            var body = Submission("bulk-d", r.Index % 3 == 0 ? ["bulk-a", "bulk-b"] : ["bulk-b"], childName: $"Ребёнок {r.Index}");
            var response = await F.PostAsync("/api/v1/applications", r.Caller, body, r.Key);
            var json = await response.ShouldSucceedAsync(HttpStatusCode.Created);
            var s = Parse(json);
            return new Ack(r.Index, r.Key, r.Caller.Subject, s.Number, s.Seq,
                response.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Contains("true"));
        }));

        acks.Should().HaveCount(unique + 2 * keyed + 2);
        foreach (var pair in acks.Where(a => a.Key is not null && a.Key != shared).GroupBy(a => a.Key))
        {
            pair.Select(a => a.Number).Distinct().Should().ContainSingle($"both sends of key {pair.Key} get the first result");
            pair.Select(a => a.Seq).Distinct().Should().ContainSingle();
            pair.Count(a => a.Replayed).Should().Be(1, "exactly one of the two sends is the replay");
        }
        acks.Where(a => a.Key == shared).Select(a => a.Number).Distinct().Should().HaveCount(2);
        var numbers = acks.Select(a => a.Number).Distinct().ToList();
        numbers.Should().HaveCount(unique + keyed + 2);

        var entries = await F.ReadEntriesAsync();
        ShouldBeAValidChain(entries);
        var logged = SubmittedNumbers(entries);
        foreach (var ack in acks)
        {
            logged.Should().ContainKey(ack.Number);
            logged[ack.Number].Should().Equal([ack.Seq], $"application {ack.Number} appears once, at the seq it was acknowledged with");
        }
        entries.Count(e => e.Seq >= sizeBefore).Should().Be(numbers.Count, "nothing but the acknowledged submissions was appended");
        (await F.LogSizeAsync()).Should().Be(entries.Count);
        (await F.Log.ReadAsync((_, view) => view.Head)).Should().Equal(entries[^1].Hash);
        F.Factory.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Typed_reasons_and_hidden_characters_are_refused_and_nothing_of_them_is_logged()
    {
        await AreaAsync(F, "typed-d", "typed-a", "typed-b");
        var a = await SubmitAsync(F, T.Operator, Submission("typed-d", ["typed-a"], claims: [("police", null, "Служебное удостоверение")]));
        var before = (await F.ReadEntriesAsync()).Count;
        const string canary = "Диагноз Zqx9, тел. +7 900 731-00-19";

        // Every field that once took a person's words now takes a published code (SPEC.md §4.6).
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/claims/0/review", T.Verifier, new { verified = false, reason = canary }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.reason", "reason.unknown");
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/withdrawal", T.Operator, new { reason = canary, accessCode = a.AccessCode }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.reason", "reason.unknown");
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, canary), T.Registrar, Csv($"kindergarten,group,year,seats\ntyped-a,junior,{EnrolmentYear},3\n")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$query.reason", "reason.unknown");
        await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator,
                new { number = a.Number, kindergarten = "typed-a", group = "junior", year = EnrolmentYear, legalBasis = canary }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "$.legalBasis", "reason.unknown");
        // Public names: no bidi override, no line break, no zero-width space.
        foreach (var name in new[] { "Сад\u202eдас", "Сад\r\nСад", "Сад\u200b№ 5", "   " })
        {
            var response = await F.PostAsync("/api/v1/districts", T.Registrar, new { id = "typed-x", name });
            ((int)response.StatusCode).Should().Be(400, $"name {JsonSerializer.Serialize(name)}");
        }

        var after = await F.ReadEntriesAsync();
        after.Should().HaveCount(before, "no refused request appends anything");
        after.Should().NotContain(e => Encoding.UTF8.GetString(e.Payload).Contains("Zqx9"));

        // The codes themselves are accepted.
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/claims/0/review", T.Verifier, new { verified = false, reason = "document-expired" }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        await (await F.PostAsync($"/api/v1/applications/{a.Number}/withdrawal", T.Operator, new { reason = "moved-away", accessCode = a.AccessCode }))
            .ShouldSucceedAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task No_personal_data_and_no_category_reaches_the_log()
    {
        await AreaAsync(F, "canary-d", "canary-a", "canary-b");
        var birth = new NodaTime.LocalDate(EnrolmentYear - 4, 12, 9);
        var canaries = new[]
        {
            "Канарейка Zqx7 Ребёнок", "Канарейкин Zqx7 Родитель", "+7 999 731-77-13", "zqx7.canary@example.test",
            "Паспорт Zqx7 4509 123456", "Справка МСЭ Zqx7 №777", "Zqx7",
        };
        var submitted = new List<Submitted>
        {
            await SubmitAsync(F, T.Operator, Submission("canary-d", ["canary-a"], canaries[0], canaries[1], canaries[2], canaries[3], birth,
                claims: [("judge", null, canaries[4]), ("disability", null, canaries[5])])),
            await SubmitAsync(F, T.Parent, Submission("canary-d", ["canary-b", "canary-a"], canaries[0], canaries[1], canaries[2], canaries[3], birth,
                claims: [("police", null, canaries[4]), ("sibling", "canary-b", canaries[5])])),
        };
        await (await F.PostAsync($"/api/v1/applications/{submitted[0].Number}/claims/1/review", T.Verifier,
            new { verified = false, reason = "document-missing" })).ShouldSucceedAsync(HttpStatusCode.Created);
        var birthDate = Format(birth);
        var forbidden = canaries.Append(birthDate).ToArray();

        // The private vault does hold them: the search below would find them if they leaked.
        foreach (var s in submitted)
        {
            var record = Encoding.UTF8.GetString((await F.Store.GetPrivateAsync(s.Number, CancellationToken.None))!.Record!);
            record.Should().Contain(canaries[0]).And.Contain(canaries[3]).And.Contain(canaries[4]).And.Contain(birthDate);
            record.Should().ContainAny("\"judge\"", "\"police\"");
        }

        var entries = await F.ReadEntriesAsync();
        entries.Should().NotBeEmpty();
        foreach (var e in entries)
        {
            var bytes = e.ToLogEntry().ToBytes();
            var haystacks = new[] { Encoding.UTF8.GetString(e.Payload), Encoding.UTF8.GetString(bytes) };
            var hex = new[] { Convert.ToHexString(e.Payload), Convert.ToHexString(bytes) };
            foreach (var c in forbidden)
            {
                var escaped = JsonSerializer.Serialize(c).Trim('"');
                foreach (var h in haystacks)
                {
                    h.Should().NotContainEquivalentOf(c, $"entry {e.Seq} ({e.Type}) must not hold personal data");
                    h.Should().NotContainEquivalentOf(escaped, $"entry {e.Seq} ({e.Type}) must not hold personal data, escaped or not");
                }
                foreach (var h in hex) h.Should().NotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(c)), $"entry {e.Seq} ({e.Type})");
            }
        }

        // Public: birth month and tiers. Private: the category and the documents.
        var mine = entries.Where(e => e.Type == ApplicationSubmitted.TypeName)
            .Select(e => (Entry: e, Event: (ApplicationSubmitted)EventCodec.Decode(e.Type, e.Payload).Value!))
            .Where(x => submitted.Any(s => s.Number == x.Event.Number)).ToList();
        mine.Should().HaveCount(2);
        mine.Should().OnlyContain(x => x.Event.BirthMonth == new NodaTime.YearMonth(birth.Year, birth.Month));
        mine.SelectMany(x => x.Event.Claims.Select(c => c.Tier)).Should().BeEquivalentTo(["extraordinary", "first", "first", "sibling"]);
        string[] categories = ["judge", "disability", "police"];
        foreach (var e in entries.Where(e => e.Type != CriteriaPublished.TypeName))
        {
            var text = Encoding.UTF8.GetString(e.Payload);
            foreach (var category in categories) text.Should().NotContain(category, $"entry {e.Seq} ({e.Type}) publishes tiers, never categories");
        }
        foreach (var s in submitted)
        {
            // Nor does the acknowledgement echo personal data back.
            s.Number.Should().NotContain("Zqx7");
        }
    }

    [Fact]
    public async Task Entries_record_role_and_pseudonym_never_the_subject()
    {
        var start = await F.LogSizeAsync();
        await AreaAsync(F, "actor-d", "actor-a");
        var byOperator = await SubmitAsync(F, T.Operator, Submission("actor-d", ["actor-a"], claims: ("police", null, null)));
        var byParent = await SubmitAsync(F, T.Parent, Submission("actor-d", ["actor-a"]));
        var byOtherParent = await SubmitAsync(F, T.OtherParent, Submission("actor-d", ["actor-a"]));
        await (await F.PostAsync($"/api/v1/applications/{byOperator.Number}/claims/0/review", T.Verifier, new { verified = true, reason = "document-confirmed" }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        await (await F.PostAsync("/api/v1/enrolments/exceptional", T.Allocator,
            new { number = byParent.Number, kindergarten = "actor-a", group = "junior", year = EnrolmentYear, legalBasis = "court-decision" })).ShouldSucceedAsync(HttpStatusCode.Created);
        await (await F.PostAsync($"/api/v1/applications/{byOtherParent.Number}/withdrawal", T.OtherParent, new { reason = "parent-request" }))
            .ShouldSucceedAsync(HttpStatusCode.OK);

        var entries = await F.ReadEntriesAsync();
        var actorPattern = new Regex($"^({string.Join('|', Roles.All)}):[0-9a-f]{{16}}$");
        entries.Should().OnlyContain(e => actorPattern.IsMatch(e.Actor), "every entry records role:pseudonym");
        // Staff: one stable pseudonym per account. A parent: one per application (SPEC.md §6.1).
        string Expected(Caller c) => $"{c.Role}:{F.Pseudonyms.Of(c.Subject)}";
        var mine = entries.Where(e => e.Seq >= start).Select(e => e.Actor).ToList();
        mine.Should().Equal(
            Expected(T.Registrar), Expected(T.Registrar), Expected(T.Operator), mine[3], mine[4],
            Expected(T.Verifier), Expected(T.Allocator), mine[4]);
        mine[3].Should().StartWith("parent:").And.NotBe(Expected(T.Parent), "a parent's actor is not the account's pseudonym");
        mine[4].Should().StartWith("parent:").And.NotBe(Expected(T.OtherParent)).And.NotBe(mine[3]);
        foreach (var e in entries)
        {
            var text = Encoding.UTF8.GetString(e.ToLogEntry().ToBytes());
            foreach (var c in T.All) text.Should().NotContain(c.Subject, $"entry {e.Seq} must not name the account");
        }
    }

    [Fact]
    public async Task A_parents_applications_are_not_linked_by_their_actor_but_staff_are_accountable()
    {
        await AreaAsync(F, "house-d", "house-a", "house-b");
        var first = await SubmitAsync(F, T.Parent, Submission("house-d", ["house-a"]));
        var second = await SubmitAsync(F, T.Parent, Submission("house-d", ["house-b"]));
        var byOperator1 = await SubmitAsync(F, T.Operator, Submission("house-d", ["house-a"]));
        var byOperator2 = await SubmitAsync(F, T.Operator, Submission("house-d", ["house-b"]));
        await (await F.PostAsync($"/api/v1/applications/{first.Number}/withdrawal", T.Parent, new { reason = "duplicate" }))
            .ShouldSucceedAsync(HttpStatusCode.OK);

        var entries = (await F.ReadEntriesAsync()).ToDictionary(e => e.Seq);
        entries[first.Seq].Actor.Should().NotBe(entries[second.Seq].Actor, "two applications of one family share no public field");
        var withdrawal = entries.Values.Single(e => e.Type == ApplicationWithdrawn.TypeName
            && ((ApplicationWithdrawn)EventCodec.Decode(e.Type, e.Payload).Value!).Number == first.Number);
        withdrawal.Actor.Should().Be(entries[first.Seq].Actor, "one application's own entries keep one actor");
        entries[byOperator1.Seq].Actor.Should().Be(entries[byOperator2.Seq].Actor, "staff keep one pseudonym for accountability");
    }

    [Fact]
    public async Task OpenApi_documents_every_operation_with_a_summary_and_its_errors()
    {
        var response = await F.GetAsync("/openapi/v1.json");
        var doc = await response.ShouldSucceedAsync(HttpStatusCode.OK);
        var operations = new List<string>();
        // The anonymous public log API has its own documentation test (PublicLogTests).
        foreach (var path in doc.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1", StringComparison.Ordinal) && !p.Name.StartsWith("/api/v1/public/", StringComparison.Ordinal)))
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
                operations.Add(name);
                (op.Value.TryGetProperty("summary", out var summary) ? summary.GetString() : null).Should().NotBeNullOrWhiteSpace(name);
                op.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(r => r.StartsWith('4'), name);
            }
        }
        operations.Should().BeEquivalentTo(ExpectedAccess.Keys.Select(k => k.Replace("{claim:int}", "{claim}", StringComparison.Ordinal)),
            "the document lists exactly the routed endpoints");

        var swagger = await F.GetAsync("/swagger/index.html");
        swagger.StatusCode.Should().Be(HttpStatusCode.OK);
        swagger.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
    }

    [Fact]
    public async Task OpenApi_documents_the_Idempotency_Key_header_on_every_command_and_only_there()
    {
        var doc = await (await F.GetAsync("/openapi/v1.json")).ShouldSucceedAsync(HttpStatusCode.OK);
        static bool TakesKey(JsonElement op) => op.TryGetProperty("parameters", out var ps)
            && ps.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        var withKey = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                if (TakesKey(op.Value)) withKey.Add($"{op.Name.ToUpperInvariant()} {path.Name}");
            }
        }
        // Every command that appends to the log; not the reads, the lookups or the erasure (which appends nothing).
        withKey.Should().BeEquivalentTo(
        [
            "POST /api/v1/criteria", "POST /api/v1/districts", "POST /api/v1/kindergartens", "POST /api/v1/capacity",
            "POST /api/v1/applications/{number}/claims/{claim}/review", "POST /api/v1/rounds", "POST /api/v1/offers/expire",
            "POST /api/v1/applications/{number}/enrolment", "POST /api/v1/enrolments/exceptional",
            "POST /api/v1/applications", "PUT /api/v1/applications/{number}/preferences", "POST /api/v1/applications/{number}/withdrawal",
            "POST /api/v1/applications/{number}/offer-response", "POST /api/v1/public/offer-response",
            "POST /api/v1/staff/signals/{id}/reviews",
        ]);
    }

    [Fact]
    public async Task Health_and_readiness()
    {
        var alive = await (await F.GetAsync("/healthz")).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(alive, "status").Should().Be("alive");
        var ready = await (await F.GetAsync("/readyz")).ShouldSucceedAsync(HttpStatusCode.OK);
        Str(ready, "status").Should().Be("ready");
        Str(ready, "backend").Should().Be(F.Backend);
        ready.GetProperty("logSize").GetInt64().Should().Be(await F.Store.CountAsync(CancellationToken.None)).And.BeGreaterThan(0);
    }
}
