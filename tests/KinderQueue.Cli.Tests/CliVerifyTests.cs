using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// <c>kq verify</c> on export files: exit codes, the JSON report, key and checkpoint files, and the
/// saved-checkpoints folder that proves growth from one run to the next. The checks themselves are
/// tested in Core (LogVerifierTests); the live service in the API tests (KqVerifyServiceTests).
/// </summary>
public sealed class CliVerifyTests : IDisposable
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    // ------------------------------------------------------------------ a small real log

    /// <summary>Criteria, a district, two kindergartens, five applications, a round, two answers; then <paramref name="more"/> district registrations.</summary>
    internal static List<byte[]> Log(int more = 0, string firstDistrictName = "Центральный район", string laterDistrictName = "District")
    {
        var log = new SmallLog(SmallLog.DefaultCriteria(), firstDistrictName);
        log.Append(SmallLog.On(2026, 12, 4), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1), new CapacityRow("kg-2", "junior", 2027, 2)]));
        for (var i = 1; i <= 5; i++)
        {
            var at = SmallLog.On(2027, 2, i);
            log.Append(at, new ApplicationSubmitted($"A-{i}", "new", "portal", at, new YearMonth(2024, 3), "central", ["kg-1", "kg-2"],
                new LocalDate(2027, 9, 1), [], new string('0', 64)));
        }
        var round = Rounds.Decide(log.State, "2027-main", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1)).GetValueOrThrow();
        log.Append(SmallLog.On(2027, 5, 1), round.Decision);
        log.Append(SmallLog.On(2027, 5, 2), new OfferResponded("A-1", true));
        log.Append(SmallLog.On(2027, 5, 3), new OfferResponded("A-2", false));
        for (var i = 0; i < more; i++) log.Append(SmallLog.On(2027, 6, 1, i), new DistrictRegistered($"d-{i}", $"{laterDistrictName} {i}"));
        return log.Lines;
    }

    private string WriteLog(string name, IEnumerable<byte[]> lines, bool finalNewline = true) => SmallLog.Write(_tmp.File(name), lines, finalNewline);

    private string WriteKey() => _tmp.Write("key.pem", Key.ExportSubjectPublicKeyInfoPem());

    private static byte[] Checkpoint(IReadOnlyList<byte[]> lines, long size, ECDsa? key = null)
    {
        key ??= Key;
        var hashes = lines.Take((int)size).Select(l => MerkleHash.Leaf(l)).ToList();
        var cp = new Checkpoint(CheckpointKey.LogId(key.ExportSubjectPublicKeyInfo()), size, MerkleTree.Root(hashes, size),
            size == 0 ? new byte[32] : hashes[^1], Instant.FromUtc(2027, 6, 1, 12, 0) + Duration.FromSeconds(size));
        var signature = Convert.ToBase64String(key.SignData(cp.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new SignedCheckpoint(cp, signature).ToJson();
    }

    private string WriteCheckpoint(string name, IReadOnlyList<byte[]> lines, long size)
    {
        var path = _tmp.File(name);
        File.WriteAllBytes(path, Checkpoint(lines, size));
        return path;
    }

    private static JsonElement Json(CliRun run)
    {
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    // ------------------------------------------------------------------ intact

    [Fact]
    public async Task Verify_IntactExport_ExitsZero_AndSaysSoInWords()
    {
        var lines = Log();
        var file = WriteLog("log.ndjson", lines);

        var run = await CliRun.Of("verify", file, "--key", WriteKey(), "--checkpoint", WriteCheckpoint("cp.json", lines, lines.Count));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("INTACT").And.Contain($"{lines.Count} verified").And.Contain("1 recomputed from their basis, all identical")
            .And.Contain("1 signed and matching").And.Contain("accepted 1").And.Contain("waiting 2");
        run.Stderr.Should().BeEmpty();
    }

    /// <summary>Issue 17.3: an offers.expired entry before any criteria aborted kq verify (exit 134) on an empty criteria list.</summary>
    [Fact]
    public async Task Issue17_OffersExpiredBeforeAnyCriteria_Verifies()
    {
        var chain = new LogChain();
        var lines = new List<byte[]>
        {
            chain.Append(Instant.FromUtc(2026, 11, 30, 7, 0), "system", new OffersExpired(new LocalDate(2026, 11, 30), [])).Bytes,
        };
        var criteria = CriteriaJson.Parse(File.ReadAllBytes(Repo.DefaultCriteria)).GetValueOrThrow();
        lines.Add(chain.Append(Instant.FromUtc(2026, 12, 1, 6, 0), "department:7f3a9c21", new CriteriaPublished(criteria)).Bytes);
        var file = WriteLog("log.ndjson", lines);

        var run = await CliRun.Of("verify", file, "--key", WriteKey(), "--checkpoint", WriteCheckpoint("cp.json", lines, lines.Count));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("INTACT");
    }

    [Fact]
    public async Task Verify_Json_IsOneDocumentWithTheReportedFields()
    {
        var lines = Log();
        var file = WriteLog("log.ndjson", lines);

        var run = await CliRun.Of("verify", file, "--json");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.TrimEnd().Should().NotContain("\n", "one line of JSON");
        var j = Json(run);
        j.EnumerateObject().Select(p => p.Name).Should().Equal("checkpoints", "dashboardCompared", "decisionsRecomputed", "head", "intact", "problem", "root", "saved", "signals", "size", "source", "totals", "unsignedTail");
        j.GetProperty("intact").GetBoolean().Should().BeTrue();
        j.GetProperty("size").GetInt64().Should().Be(lines.Count);
        j.GetProperty("head").GetString().Should().Be(Convert.ToHexStringLower(MerkleHash.Leaf(lines[^1])));
        j.GetProperty("root").GetString().Should().Be(Convert.ToHexStringLower(MerkleTree.Root([.. lines.Select(l => MerkleHash.Leaf(l))], lines.Count)));
        j.GetProperty("problem").ValueKind.Should().Be(JsonValueKind.Null);
        j.GetProperty("decisionsRecomputed").GetInt32().Should().Be(1);
        j.GetProperty("totals").GetProperty("entries").GetProperty("application.submitted").GetInt32().Should().Be(5);
        j.GetProperty("totals").GetProperty("offers").GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task Verify_PublishedDashboardFile_IsRecomputedAndCompared()
    {
        var lines = Log();
        var model = new PublicModel();
        foreach (var line in lines)
        {
            var entry = LogEntry.Parse(line).GetValueOrThrow();
            model.Apply(entry, EventCodec.Decode(entry.Type, entry.Payload).GetValueOrThrow()).Should().BeNull();
        }
        var dashboard = _tmp.File("dashboard.json");
        File.WriteAllBytes(dashboard, DashboardJson.ToCanonicalBytes(model.Statistics.Build(model.State, new LocalDate(2027, 6, 1))));

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--dashboard", dashboard, "--json");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        Json(run).GetProperty("dashboardCompared").GetBoolean().Should().BeTrue();
    }

    // ------------------------------------------------------------------ problems: exit 1

    [Fact]
    public async Task Verify_TamperedExport_ExitsOne_AndTheJsonNamesCheckSeqAndCode()
    {
        var lines = Log();
        lines[3] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(lines[3]).Replace("№ 2", "№ 3", StringComparison.Ordinal));
        var file = WriteLog("log.ndjson", lines);

        var run = await CliRun.Of("verify", file, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        p.GetProperty("check").GetString().Should().Be("entries");
        p.GetProperty("seq").GetInt64().Should().Be(4);
        p.GetProperty("code").GetString().Should().Be("entry.chain");
        p.GetProperty("path").GetString().Should().Be("$.prev");
        p.GetProperty("message").GetString().Should().Contain("entry 3 was changed");
        Json(run).GetProperty("intact").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Verify_HumanReport_OfAProblem_SaysWhichCheckAndWhere()
    {
        var lines = Log();
        lines.RemoveAt(7);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines));

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stdout.Should().Contain("PROBLEM  entries check failed at seq 7").And.Contain("entry.sequence").And.Contain("entry 7 is missing");
    }

    [Fact]
    public async Task Verify_ExportCutOffMidLine_IsAProblem()
    {
        var lines = Log();
        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines, finalNewline: false), "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        Json(run).GetProperty("problem").GetProperty("code").GetString().Should().Be("export.unterminated");
        Json(run).GetProperty("size").GetInt64().Should().Be(lines.Count - 1, "the unterminated line is never used");
    }

    [Fact]
    public async Task Verify_CheckpointSignedByAnotherKey_ExitsOne()
    {
        var lines = Log();
        var other = _tmp.File("other.json");
        File.WriteAllBytes(other, Checkpoint(lines, lines.Count, ECDsa.Create(ECCurve.NamedCurves.nistP256)));

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", WriteKey(), "--checkpoint", other, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        p.GetProperty("code").GetString().Should().Be("checkpoint.key");
        p.GetProperty("subject").GetString().Should().Be(other);
    }

    // ------------------------------------------------------------------ the checkpoints folder

    [Fact]
    public async Task Verify_CheckpointsFolder_SavesTheLatest_ThenProvesGrowth_ThenCatchesARewrite()
    {
        var key = WriteKey();
        var folder = _tmp.File("saved");
        var first = Log();
        var published = Checkpoint(first, first.Count);
        File.WriteAllBytes(_tmp.File("cp1.json"), published);

        var run1 = await CliRun.Of("verify", WriteLog("day1.ndjson", first), "--key", key, "--checkpoint", _tmp.File("cp1.json"), "--checkpoints", folder);
        run1.ExitCode.Should().Be(CliApp.Ok, run1.ToString());
        var savedFile = Path.Combine(folder, $"checkpoint-{first.Count:D20}.json");
        File.ReadAllBytes(savedFile).Should().Equal(published, "the checkpoint is kept exactly as published");
        run1.Stdout.Should().Contain($"saved the latest checkpoint to {savedFile}");

        // The next day the log has grown: the saved checkpoint is a prefix of it.
        var grown = Log(more: 3);
        File.WriteAllBytes(_tmp.File("cp2.json"), Checkpoint(grown, grown.Count));
        var run2 = await CliRun.Of("verify", WriteLog("day2.ndjson", grown), "--key", key, "--checkpoint", _tmp.File("cp2.json"), "--checkpoints", folder, "--json");
        run2.ExitCode.Should().Be(CliApp.Ok, run2.ToString());
        Json(run2).GetProperty("checkpoints").EnumerateArray().Should().Contain(c => c.GetProperty("saved").GetBoolean() && c.GetProperty("size").GetInt64() == first.Count);
        Directory.GetFiles(folder).Should().HaveCount(2);

        // A rewritten history (the district renamed at entry 1), re-signed with the real key: consistent by
        // itself, but not with what was saved.
        var rewritten = Log(more: 4, firstDistrictName: "Центральный округ");
        File.WriteAllBytes(_tmp.File("cp3.json"), Checkpoint(rewritten, rewritten.Count));
        var run3 = await CliRun.Of("verify", WriteLog("day3.ndjson", rewritten), "--key", key, "--checkpoint", _tmp.File("cp3.json"), "--checkpoints", folder, "--json");
        run3.ExitCode.Should().Be(CliApp.Found, run3.ToString());
        var p = Json(run3).GetProperty("problem");
        (p.GetProperty("check").GetString(), p.GetProperty("code").GetString(), p.GetProperty("seq").GetInt64()).Should().Be(("growth", "growth.rewritten", first.Count - 1L));
        Directory.GetFiles(folder).Should().HaveCount(2, "nothing is saved after a failed run");
    }

    [Fact]
    public async Task Verify_KeyAsTheLogKeyDocument_IsAccepted()
    {
        var lines = Log();
        var spki = Key.ExportSubjectPublicKeyInfo();
        var doc = _tmp.Write("log-key.json", $$"""{"algorithm":"ECDSA-P256-SHA256","logId":"{{CheckpointKey.LogId(spki)}}","spki":"{{Convert.ToBase64String(spki)}}"}""");

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", doc, "--checkpoint", WriteCheckpoint("cp.json", lines, 5));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
    }

    // ------------------------------------------------------------------ usage and input errors: exit 2

    [Theory]
    [InlineData(new string[] { "verify" }, "name the log")]
    [InlineData(new[] { "verify", "a.ndjson", "b.ndjson" }, "unexpected argument 'b.ndjson'")]
    [InlineData(new[] { "verify", "a.ndjson", "--key" }, "--key needs a value")]
    [InlineData(new[] { "verify", "a.ndjson", "--frobnicate" }, "unexpected argument '--frobnicate'")]
    public async Task Verify_BadArguments_AreAUsageError(string[] args, string message)
    {
        var run = await CliRun.Of(args);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().Contain(message).And.Contain("kq verify <url-or-file>");
    }

    [Fact]
    public async Task Verify_MissingFile_IsAnInputError()
    {
        var run = await CliRun.Of("verify", _tmp.File("nope.ndjson"));

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("nope.ndjson").And.Contain("cannot read");
    }

    [Fact]
    public async Task Verify_CheckpointWithoutAKey_IsAnInputError()
    {
        var lines = Log();
        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--checkpoint", WriteCheckpoint("cp.json", lines, 3));

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("--key");
    }

    [Fact]
    public async Task Verify_KeyFileThatIsNoKey_IsAnInputError()
    {
        var lines = Log();
        var key = _tmp.Write("key.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", key);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("key.pem").And.Contain("not a checkpoint key");
    }

    [Fact]
    public async Task Verify_UnreachableService_IsANetworkError()
    {
        // Port 9 (discard) on the loopback address: nothing listens, the connection is refused at once.
        var run = await CliRun.Of("verify", "http://127.0.0.1:9/");

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("http://127.0.0.1:9/api/v1/public/log-key").And.Contain("cannot connect");
    }
}
