using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// Issue 12: what tampering with exports and checkpoints showed <c>kq verify</c> let through or
/// reported wrongly — checkpoint time going backwards, entries no checkpoint covers, the range of a
/// rewrite, Windows line endings, and the C2SP note checkpoints (SPEC.md §11.2a).
/// </summary>
public sealed class CliVerifyCheckpointTests : IDisposable
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly SignedNote.Ed25519Signer NoteKey = new("kinderqueue/test-region", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly Instant Noon = Instant.FromUtc(2027, 6, 1, 12, 0);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string WriteLog(string name, IEnumerable<byte[]> lines) => SmallLog.Write(_tmp.File(name), lines);

    private string WriteKey() => _tmp.Write("key.pem", Key.ExportSubjectPublicKeyInfoPem());

    private static (byte[] Root, byte[] Head) Tree(IReadOnlyList<byte[]> lines, long size)
    {
        var hashes = lines.Take((int)size).Select(l => MerkleHash.Leaf(l)).ToList();
        return (MerkleTree.Root(hashes, size), size == 0 ? new byte[32] : hashes[^1]);
    }

    /// <summary>An ECDSA JSON checkpoint (SPEC.md §11.2) of the first <paramref name="size"/> lines, issued at <paramref name="time"/>.</summary>
    private string WriteCheckpoint(string name, IReadOnlyList<byte[]> lines, long size, Instant time)
    {
        var (root, head) = Tree(lines, size);
        var cp = new Checkpoint(CheckpointKey.LogId(Key.ExportSubjectPublicKeyInfo()), size, root, head, time);
        var signature = Convert.ToBase64String(Key.SignData(cp.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var path = _tmp.File(name);
        File.WriteAllBytes(path, new SignedCheckpoint(cp, signature).ToJson());
        return path;
    }

    /// <summary>A C2SP checkpoint note (SPEC.md §11.2a) of the first <paramref name="size"/> lines, signed by <paramref name="signer"/>.</summary>
    private string WriteNote(string name, IReadOnlyList<byte[]> lines, long size, SignedNote.Ed25519Signer? signer = null, byte[]? root = null)
    {
        signer ??= NoteKey;
        var (r, head) = Tree(lines, size);
        var text = new NoteCheckpoint(signer.KeyName, size, root ?? r, head, Noon + Duration.FromSeconds(size)).Text();
        return _tmp.Write(name, signer.Sign(text));
    }

    private static JsonElement Json(CliRun run)
    {
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    // ------------------------------------------------------------------ 12.1 time never decreases

    [Fact]
    public async Task Issue12_CheckpointWhoseTimeGoesBackwards_IsAProblemNamingBothCheckpoints()
    {
        var lines = CliVerifyTests.Log();
        // The larger checkpoint is older than the smaller: size grew while time went back (SPEC.md §11.2).
        var small = WriteCheckpoint("small.json", lines, 6, Noon + Duration.FromMinutes(5));
        var large = WriteCheckpoint("large.json", lines, lines.Count, Noon);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", WriteKey(), "--checkpoint", small, "--checkpoint", large, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        (p.GetProperty("check").GetString(), p.GetProperty("code").GetString()).Should().Be(("checkpoints", "checkpoint.time"));
        p.GetProperty("message").GetString().Should().Contain(small).And.Contain(large).And.Contain("2027-06-01T12:05:00.000Z").And.Contain("2027-06-01T12:00:00.000Z");
    }

    [Fact]
    public async Task Issue12_CheckpointsOfOneSizeAtTwoTimes_OrGrowingWithTime_AreFine()
    {
        var lines = CliVerifyTests.Log();
        var a = WriteCheckpoint("a.json", lines, 6, Noon);
        var b = WriteCheckpoint("b.json", lines, 6, Noon + Duration.FromMinutes(1));
        var c = WriteCheckpoint("c.json", lines, lines.Count, Noon + Duration.FromMinutes(1));

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", WriteKey(), "--checkpoint", b, "--checkpoint", c, "--checkpoint", a);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
    }

    // ------------------------------------------------------------------ 12.2 the unsigned tail

    [Fact]
    public async Task Issue12_EntriesBeyondTheNewestCheckpoint_AreAnUnsignedTail_WarnedButIntact()
    {
        var lines = CliVerifyTests.Log(more: 3);
        var key = WriteKey();
        var cp = WriteCheckpoint("cp.json", lines, 13, Noon);
        var file = WriteLog("log.ndjson", lines);

        var human = await CliRun.Of("verify", file, "--key", key, "--checkpoint", cp);
        human.ExitCode.Should().Be(CliApp.Ok, human.ToString());
        human.Stdout.Should().Contain("INTACT").And.Contain("WARNING  3 entries, seq 13..15, are covered by no checkpoint checked");

        var json = Json(await CliRun.Of("verify", file, "--key", key, "--checkpoint", cp, "--json"));
        json.GetProperty("intact").GetBoolean().Should().BeTrue();
        var tail = json.GetProperty("unsignedTail");
        (tail.GetProperty("entries").GetInt64(), tail.GetProperty("from").GetInt64()).Should().Be((3L, 13L));

        var covered = Json(await CliRun.Of("verify", file, "--key", key, "--checkpoint", WriteCheckpoint("all.json", lines, lines.Count, Noon), "--json"));
        covered.GetProperty("unsignedTail").ValueKind.Should().Be(JsonValueKind.Null, "every entry is covered by a checkpoint");
    }

    // ------------------------------------------------------------------ 12.3 the range of a rewrite

    [Fact]
    public async Task Issue12_RewrittenAndResigned_NamesTheRangeAfterTheLastMatchingSavedCheckpoint_AndNoUnverifiedHead()
    {
        var key = WriteKey();
        var folder = _tmp.File("saved");
        var day1 = CliVerifyTests.Log();
        var day2 = CliVerifyTests.Log(more: 3);
        (await CliRun.Of("verify", WriteLog("day1.ndjson", day1), "--key", key, "--checkpoint", WriteCheckpoint("cp1.json", day1, day1.Count, Noon), "--checkpoints", folder))
            .ExitCode.Should().Be(CliApp.Ok);
        (await CliRun.Of("verify", WriteLog("day2.ndjson", day2), "--key", key, "--checkpoint", WriteCheckpoint("cp2.json", day2, day2.Count, Noon + Duration.FromHours(1)), "--checkpoints", folder))
            .ExitCode.Should().Be(CliApp.Ok);

        // Entries 13..15 rewritten and the log re-signed with the real key at the same size: the
        // published checkpoint matches, the saved one of size 16 does not; the saved one of size 13 still does.
        var rewritten = CliVerifyTests.Log(more: 3, laterDistrictName: "Округ");
        var cp3 = WriteCheckpoint("cp3.json", rewritten, rewritten.Count, Noon + Duration.FromHours(2));
        var file = WriteLog("day3.ndjson", rewritten);
        var run = await CliRun.Of("verify", file, "--key", key, "--checkpoint", cp3, "--checkpoints", folder, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var j = Json(run);
        var p = j.GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("from").GetInt64(), p.GetProperty("seq").GetInt64()).Should().Be(("growth.rewritten", 13L, 15L));
        p.GetProperty("message").GetString().Should().Contain("entries 13..15").And.NotContain("16..15");
        // Only what a checkpoint vouched for is reported as verified: the 13 entries of the saved checkpoint of size 13.
        j.GetProperty("size").GetInt64().Should().Be(13);
        var (root, head) = Tree(day1, 13);
        j.GetProperty("head").GetString().Should().Be(Convert.ToHexStringLower(head));
        j.GetProperty("root").GetString().Should().Be(Convert.ToHexStringLower(root));

        var human = await CliRun.Of("verify", file, "--key", key, "--checkpoint", cp3, "--checkpoints", folder);
        human.Stdout.Should().Contain("PROBLEM  growth check failed in entries 13..15").And.Contain("13 verified").And.NotContain("15 verified");
    }

    [Fact]
    public async Task Issue12_RewriteBeforeEveryCheckpoint_IsInQuestionFromEntryZero()
    {
        var lines = CliVerifyTests.Log(more: 3);
        var genuine = WriteCheckpoint("genuine.json", lines, lines.Count, Noon);
        // Entries 13..15 changed and the chain re-linked: every link holds, only the signed root can tell.
        var forged = CliVerifyTests.Log(more: 3, laterDistrictName: "Округ");

        var run = await CliRun.Of("verify", WriteLog("forged.ndjson", forged), "--key", WriteKey(), "--checkpoint", genuine, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var j = Json(run);
        var p = j.GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("from").GetInt64(), p.GetProperty("seq").GetInt64()).Should().Be(("checkpoint.root", 0L, 15L));
        j.GetProperty("size").GetInt64().Should().Be(0, "no entry was vouched for by a checkpoint");
    }

    // ------------------------------------------------------------------ 12.4 transport damage

    [Fact]
    public async Task Issue12_WindowsLineEndings_AreNamedAsSuch()
    {
        var lines = CliVerifyTests.Log();
        var path = _tmp.File("crlf.ndjson");
        File.WriteAllBytes(path, [.. lines.SelectMany(l => l.Concat("\r\n"u8.ToArray()))]);

        var run = await CliRun.Of("verify", path, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("seq").GetInt64()).Should().Be(("export.crlf", 0L));
        p.GetProperty("message").GetString().Should().Contain("Line 1 ends with CR LF").And.Contain("Windows line endings").And.Contain("LF only");
    }

    [Fact]
    public async Task Issue12_AByteOrderMark_IsNamedAsSuch()
    {
        var lines = CliVerifyTests.Log();
        var path = _tmp.File("bom.ndjson");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. lines.SelectMany(l => l.Append((byte)'\n'))]);

        var run = await CliRun.Of("verify", path, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("seq").GetInt64()).Should().Be(("export.bom", 0L));
        p.GetProperty("message").GetString().Should().Contain("Line 1 starts with a UTF-8 byte order mark");
    }

    // ------------------------------------------------------------------ 12.6 C2SP note checkpoints

    [Fact]
    public async Task Issue12_NoteCheckpoint_WithThePinnedNoteKey_IsChecked_AlongsideAnOlderJsonCheckpoint()
    {
        var lines = CliVerifyTests.Log(more: 3);
        var json = WriteCheckpoint("old.json", lines, 6, Noon);
        var note = WriteNote("checkpoint.note", lines, lines.Count);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--key", WriteKey(), "--note-key", NoteKey.VerifierKey,
            "--checkpoint", json, "--checkpoint", note, "--json");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        var checkedOnes = Json(run).GetProperty("checkpoints").EnumerateArray().Select(c => (c.GetProperty("subject").GetString(), c.GetProperty("size").GetInt64())).ToList();
        checkedOnes.Should().Equal((json, 6L), (note, (long)lines.Count));
        Json(run).GetProperty("unsignedTail").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Issue12_NoteCheckpoint_AloneNeedsNoEcdsaKey()
    {
        var lines = CliVerifyTests.Log();
        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--note-key", NoteKey.VerifierKey, "--checkpoint", WriteNote("cp.note", lines, lines.Count));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("1 signed and matching");
    }

    [Fact]
    public async Task Issue12_NoteSignedByAnotherKey_Fails()
    {
        var lines = CliVerifyTests.Log();
        var other = new SignedNote.Ed25519Signer(NoteKey.KeyName, Enumerable.Repeat((byte)7, 32).ToArray());
        var note = WriteNote("forged.note", lines, lines.Count, other);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--note-key", NoteKey.VerifierKey, "--checkpoint", note, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("subject").GetString()).Should().Be(("checkpoint.signature", note));
    }

    [Fact]
    public async Task Issue12_NoteWhoseRootDiffersFromTheLog_Fails()
    {
        var lines = CliVerifyTests.Log();
        var note = WriteNote("wrong-root.note", lines, lines.Count, root: Tree(lines, 5).Root);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--note-key", NoteKey.VerifierKey, "--checkpoint", note, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        var p = Json(run).GetProperty("problem");
        (p.GetProperty("code").GetString(), p.GetProperty("subject").GetString()).Should().Be(("checkpoint.root", note));
    }

    [Fact]
    public async Task Issue12_NoteWhoseOriginIsNotTheKeysName_Fails()
    {
        var lines = CliVerifyTests.Log();
        var elsewhere = new SignedNote.Ed25519Signer("kinderqueue/other-region", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var note = WriteNote("elsewhere.note", lines, lines.Count, elsewhere);

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--note-key", NoteKey.VerifierKey, "--checkpoint", note, "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        Json(run).GetProperty("problem").GetProperty("code").GetString().Should().Be("checkpoint.origin");
    }

    [Fact]
    public async Task Issue12_NoteWithoutANoteKey_OrABadNoteKey_IsAUsageError()
    {
        var lines = CliVerifyTests.Log();
        var file = WriteLog("log.ndjson", lines);
        var note = WriteNote("cp.note", lines, lines.Count);

        var without = await CliRun.Of("verify", file, "--key", WriteKey(), "--checkpoint", note);
        without.ExitCode.Should().Be(CliApp.InputError, without.ToString());
        without.Stderr.Should().Contain("--note-key");

        var bad = await CliRun.Of("verify", file, "--note-key", "not-a-key", "--checkpoint", note);
        bad.ExitCode.Should().Be(CliApp.InputError, bad.ToString());
        bad.Stderr.Should().Contain("--note-key").And.Contain("verifier key");
    }

    [Fact]
    public async Task Issue12_ALogKeyDocumentGivenAsKey_PinsItsNoteKeyToo()
    {
        var lines = CliVerifyTests.Log();
        var spki = Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());
        var logKey = _tmp.Write("log-key.json", $$"""{"logId":"{{CheckpointKey.LogId(Key.ExportSubjectPublicKeyInfo())}}","noteVerifierKey":"{{NoteKey.VerifierKey}}","origin":"{{NoteKey.KeyName}}","spki":"{{spki}}"}""");
        var file = WriteLog("log.ndjson", lines);

        var genuine = await CliRun.Of("verify", file, "--key", logKey, "--checkpoint", WriteNote("cp.note", lines, lines.Count));
        genuine.ExitCode.Should().Be(CliApp.Ok, genuine.ToString());

        var other = new SignedNote.Ed25519Signer(NoteKey.KeyName, Enumerable.Repeat((byte)9, 32).ToArray());
        var forged = await CliRun.Of("verify", file, "--key", logKey, "--checkpoint", WriteNote("forged.note", lines, lines.Count, other), "--json");
        forged.ExitCode.Should().Be(CliApp.Found, forged.ToString());
        Json(forged).GetProperty("problem").GetProperty("code").GetString().Should().Be("checkpoint.signature");
    }

    [Fact]
    public async Task Issue12_TheNoteKeyMayBeAFile()
    {
        var lines = CliVerifyTests.Log();
        var vkey = _tmp.Write("note.vkey", NoteKey.VerifierKey + "\n");

        var run = await CliRun.Of("verify", WriteLog("log.ndjson", lines), "--note-key", vkey, "--checkpoint", WriteNote("cp.note", lines, lines.Count));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        Encoding.UTF8.GetString(File.ReadAllBytes(vkey)).Should().StartWith(NoteKey.KeyName);
    }
}
