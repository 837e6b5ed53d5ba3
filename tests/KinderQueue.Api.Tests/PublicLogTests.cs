using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Log;
using Microsoft.Extensions.DependencyInjection;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The public log API as an anonymous validator uses it: download the log and check it as a chain,
/// fetch the signed checkpoint and the key, check proofs against signed roots. SQLite is enough:
/// everything here reads through ILogStore.ReadAsync and the in-memory tree, which the storage
/// contract tests cover on both backends.
/// </summary>
public sealed class PublicLogTests : IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private const string Base = "/api/v1/public";

    public PublicLogTests(SqliteFixture fixture)
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

    // ------------------------------------------------------------------ export

    [Fact]
    public async Task Export_is_the_chain_line_by_line_and_the_checkpoint_signs_its_root_and_head()
    {
        await ActivityAsync("exp");
        var checkpoint = await CheckpointCoveringAsync(await F.LogSizeAsync());

        var (lines, response) = await ExportAsync("/log");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-ndjson");
        var size = long.Parse(response.Headers.GetValues("X-Log-Size").Single(), System.Globalization.CultureInfo.InvariantCulture);
        lines.Should().HaveCount((int)size);

        // What a validator does (SPEC.md §6.2): parse each line, check seq and prev, hash the exact bytes.
        var head = new byte[32];
        var hashes = new List<byte[]>();
        for (var i = 0; i < lines.Count; i++)
        {
            var parsed = LogEntry.Parse(lines[i]);
            parsed.Success.Should().BeTrue($"line {i}: {string.Join("; ", parsed.Problems)}");
            parsed.Value!.Seq.Should().Be(i);
            parsed.Value.Prev.ToArray().Should().Equal(head, $"line {i} links to the line before");
            head = MerkleHash.Leaf(lines[i]);
            hashes.Add(head);
        }
        var stored = await F.ReadEntriesAsync();
        stored.Take(lines.Count).Select(e => e.Hash).Should().BeEquivalentTo(hashes, o => o.WithStrictOrdering(), "the export is the stored log");

        var c = checkpoint.Checkpoint;
        c.Size.Should().BeLessThanOrEqualTo(lines.Count);
        c.Head.ToArray().Should().Equal(hashes[(int)c.Size - 1], "the checkpoint's head is the hash of its last entry");
        c.Root.ToArray().Should().Equal(MerkleTree.Root(hashes, c.Size), "the checkpoint's root is the Merkle root of the lines it covers");
        checkpoint.Verify(await SpkiAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task Export_pages_join_into_the_whole_log_and_carry_validators()
    {
        await ActivityAsync("page");
        var (all, whole) = await ExportAsync("/log");
        var size = all.Count;
        size.Should().BeGreaterThan(7);

        var joined = new List<byte[]>();
        for (var from = 0; from < size; from += 3)
        {
            var (page, response) = await ExportAsync($"/log?from={from}&count=3");
            page.Should().HaveCount(Math.Min(3, size - from));
            joined.AddRange(page);
            if (from + 3 <= size) response.Headers.CacheControl!.ToString().Should().Contain("immutable", "a range inside the log never changes");
        }
        joined.Select(Convert.ToHexString).Should().Equal(all.Select(Convert.ToHexString));

        (await ExportAsync($"/log?from={size}")).Lines.Should().BeEmpty("from = size is the empty tail, what a follower asks when up to date");
        (await ExportAsync($"/log?from=2&count=0")).Lines.Should().BeEmpty();
        (await ExportAsync($"/log?from={size - 2}&count=1000")).Lines.Should().HaveCount(2, "count beyond the end stops at the end");
        (await ExportAsync($"/log?from=1&count=2")).Lines.Select(Convert.ToHexString).Should().Equal(all.Skip(1).Take(2).Select(Convert.ToHexString));

        whole.Headers.CacheControl!.NoCache.Should().BeTrue("the open-ended export grows with the log");
        var etag = whole.Headers.ETag!;
        var again = await SendAsync($"{Base}/log", etag);
        again.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await again.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        await SubmitAsync(F, T.Operator, Submission("page-d", ["page-a"]));
        (await SendAsync($"{Base}/log", etag)).StatusCode.Should().Be(HttpStatusCode.OK, "the log grew, so the old ETag is stale");
    }

    // ------------------------------------------------------------------ checkpoint and key

    [Fact]
    public async Task The_checkpoint_is_also_a_C2SP_signed_note_that_says_the_same_and_verifies_with_the_note_key()
    {
        await ActivityAsync("note");
        var signed = await CheckpointCoveringAsync(await F.LogSizeAsync());
        var key = await (await F.GetAsync($"{Base}/log-key")).ShouldSucceedAsync(HttpStatusCode.OK);
        var verifier = SignedNote.VerifierKey.Parse(Str(key, "noteVerifierKey")).GetValueOrThrow();
        verifier.KeyName.Should().Be(Str(key, "origin"), "the key's name is the log's origin (c2sp.org/tlog-checkpoint)");

        // The JSON and the note of the same latest checkpoint (a new one may be issued between two reads: read the pair again then).
        byte[] bytes = [];
        NoteCheckpoint body = null!;
        Checkpoint json = null!;
        for (var attempt = 0; attempt < 5 && (json is null || json.Size != body.Size); attempt++)
        {
            json = SignedCheckpoint.Parse(await (await F.GetAsync($"{Base}/checkpoint")).Content.ReadAsByteArrayAsync()).GetValueOrThrow().Checkpoint;
            using var response = await F.GetAsync($"{Base}/tlog/checkpoint");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
            bytes = await response.Content.ReadAsByteArrayAsync();
            body = NoteCheckpoint.Parse(SignedNote.Parse(bytes).GetValueOrThrow().Text).GetValueOrThrow();
        }
        var note = SignedNote.Parse(bytes).GetValueOrThrow();
        verifier.Verifies(note).Should().BeTrue();
        body.Size.Should().Be(json.Size, "the note and the JSON are one checkpoint");
        body.Root.Should().Equal(json.Root.ToArray());
        body.Head.Should().Equal(json.Head.ToArray());
        body.Time.Should().Be(json.Time);
        body.Size.Should().BeGreaterThanOrEqualTo(signed.Checkpoint.Size);
        body.Origin.Should().Be(verifier.KeyName);
        for (var i = 0; i < note.Text.Length - 1; i++)
        {
            if (note.Text[i] == '\n') continue;
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            var parsed = SignedNote.Parse(tampered);
            (parsed.Success && verifier.Verifies(parsed.Value!)).Should().BeFalse($"byte {i} flipped");
        }
    }

    [Fact]
    public async Task Checkpoint_verifies_with_the_published_key_and_fails_when_anything_changes()
    {
        await ActivityAsync("sig");
        var signed = await CheckpointCoveringAsync(await F.LogSizeAsync());
        var key = await (await F.GetAsync($"{Base}/log-key")).ShouldSucceedAsync(HttpStatusCode.OK);
        var spki = Convert.FromBase64String(Str(key, "spki"));

        // The same key three ways: base64 DER, PEM, JWK; logId is its SHA-256, and the checkpoint names it.
        Str(key, "algorithm").Should().Be("ECDSA-P256-SHA256");
        using (var fromPem = ECDsa.Create())
        {
            fromPem.ImportFromPem(Str(key, "publicKeyPem"));
            fromPem.ExportSubjectPublicKeyInfo().Should().Equal(spki);
        }
        var jwk = key.GetProperty("jwk");
        (Str(jwk, "kty"), Str(jwk, "crv")).Should().Be(("EC", "P-256"));
        spki[27..59].Should().Equal(Base64UrlDecode(Str(jwk, "x")));
        spki[59..].Should().Equal(Base64UrlDecode(Str(jwk, "y")));
        Str(key, "logId").Should().Be(Convert.ToHexStringLower(SHA256.HashData(spki))).And.Be(signed.Checkpoint.LogId);

        signed.Verify(spki).Should().BeTrue();
        var json = signed.ToJson();
        for (var i = 0; i < json.Length; i++)
        {
            var tampered = (byte[])json.Clone();
            tampered[i] ^= 0x01;
            var parsed = SignedCheckpoint.Parse(tampered);
            (parsed.Success && parsed.Value!.Verify(spki)).Should().BeFalse($"byte {i} ('{(char)json[i]}') flipped");
        }
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        signed.Verify(other.ExportSubjectPublicKeyInfo()).Should().BeFalse("another key");

        var response = await F.GetAsync($"{Base}/checkpoint");
        (await SendAsync($"{Base}/checkpoint", response.Headers.ETag!)).StatusCode.Should().Be(HttpStatusCode.NotModified);
        var keyResponse = await F.GetAsync($"{Base}/log-key");
        keyResponse.Headers.CacheControl!.Public.Should().BeTrue();
        (await SendAsync($"{Base}/log-key", keyResponse.Headers.ETag!)).StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task A_checkpoint_follows_an_allocation_round_within_seconds()
    {
        var before = await CheckpointAsync();
        await ActivityAsync("rnd", round: false);

        var round = await RoundAsync("rnd");

        var after = await CheckpointCoveringAsync(round + 1, TimeSpan.FromSeconds(10));
        after.Checkpoint.Size.Should().BeGreaterThan(round);
        after.Checkpoint.Time.Should().BeGreaterThanOrEqualTo(before.Checkpoint.Time);
        after.Verify(await SpkiAsync()).Should().BeTrue();
        // The decision entry is provably in the signed tree.
        var proof = await ProofAsync($"/proofs/inclusion?seq={round}&size={after.Checkpoint.Size}");
        var entry = (await F.ReadEntriesAsync())[(int)round];
        MerkleTree.VerifyInclusion(entry.Hash, round, after.Checkpoint.Size, Hashes(proof, "proof"), after.Checkpoint.Root).Should().BeTrue();
    }

    // ------------------------------------------------------------------ proofs

    [Fact]
    public async Task Inclusion_proofs_verify_against_the_signed_root_and_nothing_else()
    {
        await ActivityAsync("inc");
        var signed = await CheckpointCoveringAsync(await F.LogSizeAsync());
        var c = signed.Checkpoint;
        var (lines, _) = await ExportAsync("/log");

        foreach (var seq in new[] { 0, 1, c.Size / 2, c.Size - 2, c.Size - 1 }.Distinct())
        {
            var body = await ProofAsync($"/proofs/inclusion?seq={seq}");
            body.GetProperty("size").GetInt64().Should().Be(c.Size, "size defaults to the latest checkpoint's");
            body.GetProperty("index").GetInt64().Should().Be(seq);
            var leaf = Convert.FromHexString(Str(body, "entryHash"));
            leaf.Should().Equal(MerkleHash.Leaf(lines[(int)seq]), "the entry hash is the hash of the exported line");
            Str(body, "root").Should().Be(Hex.Encode(c.Root));
            var proof = Hashes(body, "proof");

            MerkleTree.VerifyInclusion(leaf, seq, c.Size, proof, c.Root).Should().BeTrue($"entry {seq}");
            MerkleTree.VerifyInclusion(leaf, seq, c.Size, proof, Flip(c.Root.ToArray())).Should().BeFalse("a wrong root");
            MerkleTree.VerifyInclusion(leaf, (seq + 1) % c.Size, c.Size, proof, c.Root).Should().BeFalse("a wrong index");
            MerkleTree.VerifyInclusion(MerkleHash.Leaf(lines[(int)((seq + 1) % c.Size)]), seq, c.Size, proof, c.Root).Should().BeFalse("another entry");
        }

        // An explicit size: a smaller, older tree; the answer is immutable and revalidates to 304.
        var smaller = c.Size - 3;
        var explicitly = await F.GetAsync($"{Base}/proofs/inclusion?seq=1&size={smaller}");
        var old = await explicitly.ShouldSucceedAsync(HttpStatusCode.OK);
        var hashes = lines.Take((int)smaller).Select(l => MerkleHash.Leaf(l)).ToList();
        MerkleTree.VerifyInclusion(hashes[1], 1, smaller, Hashes(old, "proof"), MerkleTree.Root(hashes, smaller)).Should().BeTrue();
        explicitly.Headers.CacheControl!.ToString().Should().Contain("immutable");
        (await SendAsync($"{Base}/proofs/inclusion?seq=1&size={smaller}", explicitly.Headers.ETag!)).StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Consistency_proof_links_two_signed_checkpoints()
    {
        await ActivityAsync("con");
        var first = (await CheckpointCoveringAsync(await F.LogSizeAsync())).Checkpoint;
        await ActivityAsync("con2");
        var second = (await CheckpointCoveringAsync(await F.LogSizeAsync())).Checkpoint;
        second.Size.Should().BeGreaterThan(first.Size);

        var body = await ProofAsync($"/proofs/consistency?from={first.Size}&to={second.Size}");
        var proof = Hashes(body, "proof");
        MerkleTree.VerifyConsistency(first.Size, second.Size, first.Root, second.Root, proof).Should().BeTrue();
        MerkleTree.VerifyConsistency(first.Size, second.Size, second.Root, first.Root, proof).Should().BeFalse("roots swapped");
        MerkleTree.VerifyConsistency(first.Size, second.Size, Flip(first.Root.ToArray()), second.Root, proof).Should().BeFalse("a wrong old root");
        Str(body, "fromRoot").Should().Be(Hex.Encode(first.Root));
        Str(body, "toRoot").Should().Be(Hex.Encode(second.Root));

        var byDefault = await ProofAsync($"/proofs/consistency?from={first.Size}");
        byDefault.GetProperty("to").GetInt64().Should().Be(second.Size, "to defaults to the latest checkpoint's size");
        Hashes(byDefault, "proof").Select(Convert.ToHexStringLower).Should().Equal(proof.Select(Convert.ToHexStringLower));
        (await ProofAsync($"/proofs/consistency?from={second.Size}&to={second.Size}")).GetProperty("proof").GetArrayLength().Should().Be(0);
    }

    // ------------------------------------------------------------------ bad input

    [Fact]
    public async Task Bad_parameters_are_problems_that_name_the_parameter()
    {
        await ActivityAsync("bad", round: false);
        var size = await F.LogSizeAsync();
        var cases = new (string Url, HttpStatusCode Status, string Path, string Code)[]
        {
            ("/log?from=-1", HttpStatusCode.BadRequest, "$query.from", "field.range"),
            ("/log?from=abc", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=1.5", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=%2B5", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=%205", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=1e3", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=0x10", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=%D9%A3", HttpStatusCode.BadRequest, "$query.from", "field.type"),
            ("/log?from=99999999999999999999", HttpStatusCode.BadRequest, "$query.from", "field.range"),
            ("/log?count=-3", HttpStatusCode.BadRequest, "$query.count", "field.range"),
            ("/log?count=x", HttpStatusCode.BadRequest, "$query.count", "field.type"),
            ("/log?from=1&from=2", HttpStatusCode.BadRequest, "$query.from", "field.repeated"),
            ($"/log?from={size + 1}", HttpStatusCode.BadRequest, "$query.from", "log.beyond-size"),
            ($"/log?from={long.MaxValue}&count={long.MaxValue}", HttpStatusCode.BadRequest, "$query.from", "log.beyond-size"),
            ("/proofs/inclusion", HttpStatusCode.BadRequest, "$query.seq", "field.missing"),
            ("/proofs/inclusion?seq=-1", HttpStatusCode.BadRequest, "$query.seq", "field.range"),
            ("/proofs/inclusion?seq=0&size=zwei", HttpStatusCode.BadRequest, "$query.size", "field.type"),
            ($"/proofs/inclusion?seq={size + 100}", HttpStatusCode.NotFound, "$query.seq", "proof.not-in-tree"),
            ("/proofs/inclusion?seq=5&size=5", HttpStatusCode.NotFound, "$query.seq", "proof.not-in-tree"),
            ("/proofs/inclusion?seq=0&size=0", HttpStatusCode.NotFound, "$query.seq", "proof.not-in-tree"),
            ($"/proofs/inclusion?seq=0&size={size + 1}", HttpStatusCode.NotFound, "$query.size", "proof.size-beyond-log"),
            ($"/proofs/inclusion?seq=0&size={long.MaxValue}", HttpStatusCode.NotFound, "$query.size", "proof.size-beyond-log"),
            ("/proofs/consistency", HttpStatusCode.BadRequest, "$query.from", "field.missing"),
            ("/proofs/consistency?from=0", HttpStatusCode.BadRequest, "$query.from", "field.range"),
            ("/proofs/consistency?from=1&to=0", HttpStatusCode.BadRequest, "$query.to", "field.range"),
            ("/proofs/consistency?from=5&to=3", HttpStatusCode.BadRequest, "$query.from", "proof.from-after-to"),
            ($"/proofs/consistency?from=1&to={size + 1}", HttpStatusCode.NotFound, "$query.to", "proof.size-beyond-log"),
        };
        foreach (var (url, status, path, code) in cases)
            await (await F.GetAsync(Base + url)).ShouldBeProblemAsync(status, path, code, url);

        await (await F.SendAsync(HttpMethod.Post, $"{Base}/log", null, Http.Json(new { }))).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, "$method");
        // A malformed If-None-Match is no condition at all.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Base}/checkpoint");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"unterminated, ,,W/");
        (await F.Client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Property_any_query_text_gives_an_answer_or_a_problem_never_a_server_error()
    {
        // The client's ServerErrorGuard turns any 5xx into an exception, so reaching the assertion means none happened.
        var text = Gen.Elements("0", "1", "7", "-", "+", ".", "e", "x", " ", "%", "%00", "%FF", "&", "=", "seq", "from", "count", "size", "to", "99999999999999999999")
            .ArrayOf().Select(parts => string.Concat(parts));
        var cases =
            from endpoint in Gen.Elements("/log", "/proofs/inclusion", "/proofs/consistency", "/checkpoint", "/log-key")
            from name in Gen.Elements("from", "count", "seq", "size", "to")
            from value in text
            from tail in text
            select $"{Base}{endpoint}?{name}={value}&{tail}";

        var statuses = new List<HttpStatusCode>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(cases.ToArbitrary(), url =>
        {
            var response = F.GetAsync(url).GetAwaiter().GetResult();
            statuses.Add(response.StatusCode);
            ((int)response.StatusCode).Should().BeOneOf([200, 400, 404], url);
        }));
        statuses.Should().Contain(HttpStatusCode.BadRequest);
    }

    // ------------------------------------------------------------------ documentation and privacy

    [Fact]
    public async Task Public_endpoints_are_anonymous_documented_and_their_bodies_match_the_documentation()
    {
        await ActivityAsync("doc");
        var doc = await (await F.GetAsync("/openapi/v1.json")).ShouldSucceedAsync(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith(Base, StringComparison.Ordinal)).ToList();
        string[] reads = [$"{Base}/log", $"{Base}/checkpoint", $"{Base}/tlog/checkpoint", $"{Base}/tlog/tile/{{path}}", $"{Base}/log-key", $"{Base}/proofs/inclusion", $"{Base}/proofs/consistency",
            $"{Base}/dashboard", $"{Base}/kindergartens", $"{Base}/kindergartens/{{id}}", $"{Base}/private-reads"];
        // A parent's lookups carry the number and access code in a body, never in a URL: POST.
        string[] lookups = [$"{Base}/positions", $"{Base}/receipts"];
        // The one public write: a parent's answer to an offer, authenticated as the lookups are.
        string[] writes = [$"{Base}/offer-response"];
        // A live state (the federal portal link, issue 14): a small answer that changes any second, never cached, so no 304.
        string[] live = [$"{Base}/federal-portal"];
        // The signals document is the snapshot's (ETag, 304); what carries explanation texts is not, since a
        // text may be redacted between two snapshots, so those answer 200 each time (issue 13).
        string[] signals = [$"{Base}/signals"];
        string[] withTexts = [$"{Base}/signals/explanations", $"{Base}/signals/{{id}}", $"{Base}/signals.atom"];
        paths.Select(p => p.Name).Should().BeEquivalentTo([.. reads, .. lookups, .. writes, .. live, .. signals, .. withTexts]);
        foreach (var path in paths)
        {
            var method = lookups.Contains(path.Name) || writes.Contains(path.Name) ? "post" : "get";
            path.Value.EnumerateObject().Select(o => o.Name).Should().Equal([method], "public endpoints read, but for the parent's answer; lookups post their secret");
            var operation = path.Value.GetProperty(method);
            Str(operation, "summary").Should().NotBeNullOrWhiteSpace(path.Name);
            operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should()
                .Contain(live.Contains(path.Name) || withTexts.Contains(path.Name) ? ["200"] : method == "get" ? ["200", "304"] : writes.Contains(path.Name) ? ["200", "400", "404", "409", "429"] : ["200", "404", "429"], path.Name);
            operation.TryGetProperty("security", out _).Should().BeFalse($"{path.Name} is anonymous");
        }

        var bodies = new Dictionary<string, JsonElement>
        {
            ["/checkpoint"] = await ProofAsync("/checkpoint"),
            ["/log-key"] = await ProofAsync("/log-key"),
            ["/proofs/inclusion"] = await ProofAsync("/proofs/inclusion?seq=0"),
            ["/proofs/consistency"] = await ProofAsync("/proofs/consistency?from=1"),
        };
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        foreach (var (endpoint, body) in bodies)
        {
            var reference = paths.Single(p => p.Name == Base + endpoint).Value.GetProperty("get").GetProperty("responses").GetProperty("200")
                .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
            var schema = schemas.GetProperty(reference[(reference.LastIndexOf('/') + 1)..]);
            body.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(schema.GetProperty("properties").EnumerateObject().Select(p => p.Name),
                $"{endpoint} writes the fields its documentation names");
        }
    }

    [Fact]
    public async Task Nothing_public_holds_the_personal_data_of_an_application()
    {
        await AreaAsync(F, "pii-d", "pii-a");
        // The bare token is Cyrillic: an ASCII one ("Qv8") turned up by chance inside random application numbers.
        var canaries = new[] { "Канарейка Щв8ж Ребёнок", "Канарейкин Щв8ж Родитель", "+7 999 188-31-17", "shchv8zh.canary@example.test", "Паспорт Щв8ж 4511" };
        var submitted = await SubmitAsync(F, T.Operator, Submission("pii-d", ["pii-a"], canaries[0], canaries[1], canaries[2], canaries[3],
            claims: [("judge", null, canaries[4])]));
        await RoundAsync("pii");
        var signed = await CheckpointCoveringAsync(await F.LogSizeAsync());

        var texts = new List<string>
        {
            Encoding.UTF8.GetString(await (await F.GetAsync($"{Base}/log")).Content.ReadAsByteArrayAsync()),
            Encoding.UTF8.GetString(signed.ToJson()),
            (await ProofAsync($"/proofs/inclusion?seq={submitted.Seq}")).GetRawText(),
            (await ProofAsync("/log-key")).GetRawText(),
        };
        foreach (var text in texts)
        {
            foreach (var c in canaries.Append("Щв8ж")) text.Should().NotContainEquivalentOf(c);
            text.Should().NotContain(Format(JuniorBirthDate));
        }
        // The application's own line: its public number and tier, not the category behind the tier
        // (the criteria entry, which lists every category, is public by design).
        var line = texts[0].Split('\n')[(int)submitted.Seq];
        line.Should().Contain(submitted.Number).And.Contain("\"tier\":\"extraordinary\"").And.NotContain("judge");
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A district, two kindergartens with seats, three applications, and (by default) an allocation round.</summary>
    private async Task ActivityAsync(string prefix, bool round = true)
    {
        if (!await F.Log.ReadAsync((s, _) => s.Districts.ContainsKey($"{prefix}-d")))
        {
            await AreaAsync(F, $"{prefix}-d", $"{prefix}-a", $"{prefix}-b");
            var csv = $"kindergarten,group,year,seats\n{prefix}-a,junior,{EnrolmentYear},1\n{prefix}-b,junior,{EnrolmentYear},1\n";
            await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), T.Registrar, Csv(csv))).ShouldSucceedAsync(HttpStatusCode.Created);
        }
        for (var i = 0; i < 3; i++) await SubmitAsync(F, T.Operator, Submission($"{prefix}-d", i % 2 == 0 ? [$"{prefix}-a"] : [$"{prefix}-b", $"{prefix}-a"]));
        if (round) await RoundAsync(prefix);
    }

    /// <summary>Runs an allocation round; returns the seq of its decision entry.</summary>
    private async Task<long> RoundAsync(string prefix)
    {
        var decided = await (await F.PostAsync("/api/v1/rounds", T.Allocator, new { id = NewVersion(prefix), startDate = Format(DesiredStart), dryRun = false }))
            .ShouldSucceedAsync(HttpStatusCode.Created);
        return decided.GetProperty("seq").GetInt64();
    }

    private async Task<SignedCheckpoint> CheckpointAsync()
    {
        var bytes = await (await F.GetAsync($"{Base}/checkpoint")).Content.ReadAsByteArrayAsync();
        return SignedCheckpoint.Parse(bytes).GetValueOrThrow();
    }

    /// <summary>
    /// Waits for a checkpoint of at least <paramref name="size"/> entries. Outside rounds the service signs
    /// once a minute, so the callers end their activity with a round, which is signed within about a second.
    /// </summary>
    private async Task<SignedCheckpoint> CheckpointCoveringAsync(long size, TimeSpan? within = null)
    {
        await F.Services.GetRequiredService<CheckpointBoard>().CoveringAsync(size, CancellationToken.None).WaitAsync(within ?? TimeSpan.FromSeconds(15));
        var latest = await CheckpointAsync();
        latest.Checkpoint.Size.Should().BeGreaterThanOrEqualTo(size, "the served checkpoint is the latest one issued");
        return latest;
    }

    private async Task<byte[]> SpkiAsync() =>
        Convert.FromBase64String(Str(await (await F.GetAsync($"{Base}/log-key")).ShouldSucceedAsync(HttpStatusCode.OK), "spki"));

    private async Task<(List<byte[]> Lines, HttpResponseMessage Response)> ExportAsync(string url)
    {
        var response = await F.GetAsync(Base + url);
        ((int)response.StatusCode).Should().Be(200, url);
        var body = await response.Content.ReadAsByteArrayAsync();
        body.Should().NotContain((byte)'\r');
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != (byte)'\n') continue;
            i.Should().BeGreaterThan(start, "no blank lines");
            lines.Add(body[start..i]);
            start = i + 1;
        }
        start.Should().Be(body.Length, "every line, the last included, ends with a newline");
        return (lines, response);
    }

    private async Task<JsonElement> ProofAsync(string url) => await (await F.GetAsync(Base + url)).ShouldSucceedAsync(HttpStatusCode.OK);

    private async Task<HttpResponseMessage> SendAsync(string url, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        return await F.Client.SendAsync(request);
    }

    private static ImmutableArray<byte[]> Hashes(JsonElement body, string name) =>
        [.. body.GetProperty(name).EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))];

    private static byte[] Flip(byte[] hash)
    {
        hash[7] ^= 0x40;
        return hash;
    }

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}

/// <summary>Where the checkpoint key comes from: configuration (PEM text or a file) or the data folder.</summary>
public sealed class CheckpointKeyLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kq-checkpoint-key-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Without_configuration_the_key_is_generated_once_under_DataDir_and_kept()
    {
        using var first = Load(null);
        using var second = Load(null);

        File.Exists(Path.Combine(_dir, "checkpoint-signing.pem")).Should().BeTrue();
        second.LogId.Should().Be(first.LogId, "a restart keeps the log's identity");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(Path.Combine(_dir, "checkpoint-signing.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Configured_PEM_text_or_file_is_used_and_signs_verifiable_checkpoints()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var expected = CheckpointKey.LogId(key.ExportSubjectPublicKeyInfo());
        var file = Path.Combine(_dir, "configured.pem");
        File.WriteAllText(file, key.ExportECPrivateKeyPem());

        using var fromText = Load(key.ExportPkcs8PrivateKeyPem());
        using var fromFile = Load(file);

        fromText.LogId.Should().Be(expected);
        fromFile.LogId.Should().Be(expected);
        File.Exists(Path.Combine(_dir, "checkpoint-signing.pem")).Should().BeFalse("a configured key means none is generated");
        var signed = fromFile.Sign(3, new byte[32], new byte[32], NodaTime.Instant.FromUtc(2027, 1, 1, 0, 0));
        signed.Verify(key.ExportSubjectPublicKeyInfo()).Should().BeTrue();
    }

    [Fact]
    public void A_missing_file_a_public_key_or_another_curve_stops_the_start()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bad = new[]
        {
            Path.Combine(_dir, "no-such.pem"),
            p384.ExportPkcs8PrivateKeyPem(),
            p256.ExportSubjectPublicKeyInfoPem(),
            "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----",
        };
        foreach (var value in bad)
        {
            ((Action)(() => Load(value).Dispose())).Should().Throw<InvalidOperationException>(value);
        }
        File.Exists(Path.Combine(_dir, "checkpoint-signing.pem")).Should().BeFalse("a bad configured key is never replaced by a generated one");
    }

    private Api.PublicLog.CheckpointSigner Load(string? configured) =>
        Api.PublicLog.CheckpointSigner.Load(new Api.Hosting.KinderQueueOptions { DataDir = _dir, CheckpointKey = configured });
}
