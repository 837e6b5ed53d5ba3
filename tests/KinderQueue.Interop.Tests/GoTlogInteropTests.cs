using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KinderQueue.Core.Log;
using KinderQueue.Interop.Tests.Support;
using KinderQueue.Web.Tests.Support;
using Xunit.Abstractions;

namespace KinderQueue.Interop.Tests;

/// <summary>
/// The service's checkpoint note and Merkle proofs checked by software none of KinderQueue's authors wrote:
/// Go's golang.org/x/mod/sumdb/note (note.NewVerifier, note.Open) and golang.org/x/mod/sumdb/tlog
/// (tlog.RecordHash, tlog.CheckRecord, tlog.CheckTree), driven by tests/interop/tlogcheck against the real
/// demo service on 127.0.0.1 — and each tampering refused by them.
/// </summary>
public sealed class GoTlogInteropTests(InteropFixture f, ITestOutputHelper output) : IClassFixture<InteropFixture>
{
    private const string Public = "api/v1/public/";

    private static readonly byte[] WitnessSeed = Enumerable.Repeat((byte)0x42, 32).ToArray();

    [Fact]
    public async Task TheCheckersOwnGoTests_Pass()
    {
        if (!f.GoAvailable(output)) return;
        var vet = await f.Go.GoAsync(InteropFixture.CheckerSources, "vet", ".");
        vet.ExitCode.Should().Be(0, vet.ToString());
        var test = await f.Go.GoAsync(InteropFixture.CheckerSources, "test", "-count=1", ".");
        test.ExitCode.Should().Be(0, test.ToString());
        test.Stdout.Should().StartWith("ok");
    }

    [Fact]
    public async Task TheServicesCheckpointAndProofs_AreAcceptedByXModNoteAndTlog()
    {
        if (!f.GoAvailable(output)) return;
        var run = await f.CheckAsync("-service", f.BaseAddress.ToString(), "-proofs", "8");
        output.WriteLine(run.ToString());
        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("VALID: checkpoint ").And.Contain("ok      note signed by kinderqueue/");
        var size = SizeOf(run.Stdout);
        size.Should().BeGreaterThan(8, "the demo log is large enough for 8 distinct entries and sizes");
        Lines(run.Stdout, "ok      entry ").Should().Be(15, "8 entries, each in the checkpoint's tree and the 7 below the size in an earlier one too");
        Lines(run.Stdout, "ok      the tree of ").Should().Be(8);

        var key = await LogKeyAsync();
        var pinned = await f.CheckAsync("-service", f.BaseAddress.ToString(), "-vkey", key.NoteVerifierKey, "-proofs", "2");
        pinned.ExitCode.Should().Be(0, pinned.ToString());
        pinned.Stdout.Should().NotContain("from the service's log-key", "the pinned key is used, not the served one");
    }

    [Fact]
    public async Task AnotherLogKey_WithTheSameOrigin_IsRefused()
    {
        if (!f.GoAvailable(output)) return;
        var key = await LogKeyAsync();
        var wrong = new SignedNote.Ed25519Signer(key.Origin, RandomNumberGenerator.GetBytes(32)).VerifierKey;
        wrong.Should().NotBe(key.NoteVerifierKey);

        var run = await f.CheckAsync("-service", f.BaseAddress.ToString(), "-vkey", wrong);
        run.ExitCode.Should().Be(1, run.ToString());
        run.Stderr.Should().StartWith("INVALID: the checkpoint note does not verify with " + key.Origin);
        run.Stdout.Should().NotContain("VALID");
    }

    [Fact]
    public async Task ChangedCheckpointNotes_AreRefused()
    {
        if (!f.GoAvailable(output)) return;
        var dir = f.NewFolder();
        var key = await LogKeyAsync();
        var note = await GetStringAsync("tlog/checkpoint");
        (await CheckNoteAsync(dir, "served", note, key.NoteVerifierKey)).ExitCode.Should().Be(0, "the note as served verifies from a file too");

        var lines = note.Split('\n');
        var signature = lines[^2];
        var changes = new Dictionary<string, string>
        {
            ["size"] = Replace(note, $"\n{lines[1]}\n", $"\n{long.Parse(lines[1]) + 1}\n"),
            ["root"] = Replace(note, lines[2], FlipBase64(lines[2], 5)),
            ["kq-head"] = Replace(note, lines[3], lines[3][..^1] + (lines[3][^1] == '0' ? '1' : '0')),
            ["kq-time"] = Replace(note, lines[4], lines[4].Replace("Z", "1Z", StringComparison.Ordinal)),
            ["signature"] = Replace(note, signature, signature[..^10] + FlipBase64(signature[^10..], 2)),
            ["no signature"] = note[..(note.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)],
        };
        foreach (var (what, changed) in changes)
        {
            var run = await CheckNoteAsync(dir, what, changed, key.NoteVerifierKey);
            run.ExitCode.Should().Be(1, $"a note with a changed {what} must be refused:\n{run}");
            run.Stderr.Should().StartWith("INVALID: ", what);
        }
    }

    [Fact]
    public async Task ChangedProofsAndEntries_AreRefusedByTlog()
    {
        if (!f.GoAvailable(output)) return;
        var dir = f.NewFolder();
        var key = await LogKeyAsync();
        var note = await GetStringAsync("tlog/checkpoint");
        var size = long.Parse(note.Split('\n')[1]);
        var seq = size / 2;
        var files = new Dictionary<string, string>
        {
            ["note"] = note,
            ["inclusion"] = await GetStringAsync($"proofs/inclusion?seq={seq}&size={size}"),
            ["consistency"] = await GetStringAsync($"proofs/consistency?from={seq + 1}&to={size}"),
            ["log"] = await GetStringAsync($"log?from=0&count={size}"),
        };
        (await CheckFilesAsync(dir, files, key.NoteVerifierKey)).Should().Match<ProcessRun>(r => r.ExitCode == 0, "the proofs as served verify");

        var cases = new Dictionary<string, (string File, string Content, string Error)>
        {
            ["inclusion proof hash"] = ("inclusion", ChangeFirstProofHash(files["inclusion"]), "tlog.CheckRecord"),
            ["consistency proof hash"] = ("consistency", ChangeFirstProofHash(files["consistency"]), "tlog.CheckTree"),
            ["consistency fromRoot"] = ("consistency", ChangeHexField(files["consistency"], "fromRoot"), "tlog.CheckTree"),
            ["entry bytes"] = ("log", ChangeEntry(files["log"], seq), "tlog.RecordHash"),
        };
        foreach (var (what, (file, content, error)) in cases)
        {
            var run = await CheckFilesAsync(dir, new Dictionary<string, string>(files) { [file] = content }, key.NoteVerifierKey);
            run.ExitCode.Should().Be(1, $"a changed {what} must be refused:\n{run}");
            run.Stderr.Should().Contain(error, what);
        }
    }

    [Fact]
    public async Task ACosignatureMadeInGo_OfTheServicesNote_IsChecked_AndAnotherWitnessRefused()
    {
        if (!f.GoAvailable(output)) return;
        var dir = f.NewFolder();
        var key = await LogKeyAsync();
        var served = Path.Combine(dir, "checkpoint");
        await File.WriteAllTextAsync(served, await GetStringAsync("tlog/checkpoint"), new UTF8Encoding(false));
        var cosigned = Path.Combine(dir, "cosigned");
        var cosign = await f.CheckAsync("cosign", "-name", "witness.test/w1", "-seed", Convert.ToHexStringLower(WitnessSeed), "-in", served, "-out", cosigned, "-time", "1800000000");
        cosign.ExitCode.Should().Be(0, cosign.ToString());
        var witnessKey = cosign.Stdout.Trim();
        witnessKey.Should().StartWith("witness.test/w1+");

        var ok = await f.CheckAsync("-note", cosigned, "-vkey", key.NoteVerifierKey, "-witness", witnessKey);
        ok.ExitCode.Should().Be(0, ok.ToString());
        ok.Stdout.Should().Contain("1 other signature(s)").And.Contain("ok      cosigned by witness witness.test/w1 at 2027-01-15T08:00:00Z");

        // Our own verifier (SPEC.md §11.2a) still accepts the note: it ignores the witness's line.
        var parsed = SignedNote.Parse(await File.ReadAllBytesAsync(cosigned));
        parsed.Success.Should().BeTrue();
        parsed.Value!.Signatures.Should().HaveCount(2);
        SignedNote.VerifierKey.Parse(key.NoteVerifierKey).Value!.Verifies(parsed.Value).Should().BeTrue();

        var other = await f.CheckAsync("cosign", "-name", "witness.test/w1", "-seed", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), "-in", served, "-out", Path.Combine(dir, "other"));
        other.ExitCode.Should().Be(0, other.ToString());
        var refused = await f.CheckAsync("-note", cosigned, "-vkey", key.NoteVerifierKey, "-witness", other.Stdout.Trim());
        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Stderr.Should().StartWith("INVALID: no cosignature of witness witness.test/w1");
        var uncosigned = await f.CheckAsync("-note", served, "-vkey", key.NoteVerifierKey, "-witness", witnessKey);
        uncosigned.ExitCode.Should().Be(1, uncosigned.ToString());
    }

    [Fact]
    public async Task ACosignatureFromARunningKqWitness_IsCheckedByTheC2SPRules_AndAlteredOnesRefused()
    {
        if (!f.GoAvailable(output)) return;
        var dir = f.NewFolder();
        var key = await LogKeyAsync();
        var note = await GetStringAsync("tlog/checkpoint");
        await using var witness = await KqWitnessProcess.StartAsync(dir, "witness.test/kq", key.NoteVerifierKey);

        // The add-checkpoint body spelt out as c2sp.org/tlog-witness gives it: the witness has seen
        // nothing of this log, so the old size is 0 and there are no proof lines.
        var (status, body) = await witness.AddCheckpointAsync(Encoding.UTF8.GetBytes("old 0\n\n" + note));
        status.Should().Be(200, $"{body}\n{witness.Output}");
        body.Should().StartWith("\u2014 witness.test/kq ").And.EndWith("\n");
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle("one key, one cosignature line");
        var payload = Convert.FromBase64String(body.TrimEnd('\n').Split(' ')[2]);
        var timestamp = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(payload.AsSpan(4, 8));
        DateTimeOffset.FromUnixTimeSeconds(timestamp).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), "the witness signs at its own current time");

        var cosigned = Path.Combine(dir, "cosigned");
        await File.WriteAllTextAsync(cosigned, note + body, new UTF8Encoding(false));
        var ok = await f.CheckAsync("-note", cosigned, "-vkey", key.NoteVerifierKey, "-witness", witness.VerifierKey);
        output.WriteLine(ok.ToString());
        ok.ExitCode.Should().Be(0, ok.ToString());
        ok.Stdout.Should().Contain("1 other signature(s)")
            .And.Contain($"ok      cosigned by witness witness.test/kq at {DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");

        // A witness that has cosigned this size refuses the same checkpoint from old size 0 (409, its size).
        var (again, latest) = await witness.AddCheckpointAsync(Encoding.UTF8.GetBytes("old 0\n\n" + note));
        again.Should().Be(409, latest);
        latest.Should().Be(note.Split('\n')[1] + "\n");

        // Another key under the same name has another key ID: its cosignature is not on the note.
        var other = new Cosignature.Signer("witness.test/kq", RandomNumberGenerator.GetBytes(32)).Key.VerifierKey;
        var wrongKey = await f.CheckAsync("-note", cosigned, "-vkey", key.NoteVerifierKey, "-witness", other);
        wrongKey.ExitCode.Should().Be(1, wrongKey.ToString());
        wrongKey.Stderr.Should().StartWith("INVALID: no cosignature of witness witness.test/kq");

        // The time is signed ("cosignature/v1\ntime <t>\n" before the body): one second later does not verify.
        var later = (byte[])payload.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(later.AsSpan(4, 8), (ulong)timestamp + 1);
        var altered = Path.Combine(dir, "altered-time");
        await File.WriteAllTextAsync(altered, note + "\u2014 witness.test/kq " + Convert.ToBase64String(later) + "\n", new UTF8Encoding(false));
        var wrongTime = await f.CheckAsync("-note", altered, "-vkey", key.NoteVerifierKey, "-witness", witness.VerifierKey);
        wrongTime.ExitCode.Should().Be(1, wrongTime.ToString());
        wrongTime.Stderr.Should().StartWith($"INVALID: the cosignature of witness.test/kq (time {timestamp + 1}) does not verify over this checkpoint");

        // The checkpoint body is signed too: the cosignature does not carry over to a note of another size.
        var lines = note.Split('\n');
        var moved = Path.Combine(dir, "other-size");
        await File.WriteAllTextAsync(moved, note.Replace($"\n{lines[1]}\n", $"\n{long.Parse(lines[1]) - 1}\n", StringComparison.Ordinal) + body, new UTF8Encoding(false));
        var otherSize = await f.CheckAsync("-note", moved, "-vkey", key.NoteVerifierKey, "-witness", witness.VerifierKey);
        otherSize.ExitCode.Should().Be(1, otherSize.ToString());
    }

    private sealed record LogKey(string Origin, string NoteVerifierKey);

    private async Task<LogKey> LogKeyAsync()
    {
        using var doc = JsonDocument.Parse(await GetStringAsync("log-key"));
        return new LogKey(doc.RootElement.GetProperty("origin").GetString()!, doc.RootElement.GetProperty("noteVerifierKey").GetString()!);
    }

    private async Task<string> GetStringAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = f.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(Public + path);
    }

    private async Task<ProcessRun> CheckNoteAsync(string dir, string name, string note, string vkey)
    {
        var file = Path.Combine(dir, Artifacts.FileNameOf(name) + ".note");
        await File.WriteAllTextAsync(file, note, new UTF8Encoding(false));
        return await f.CheckAsync("-note", file, "-vkey", vkey);
    }

    private async Task<ProcessRun> CheckFilesAsync(string dir, IReadOnlyDictionary<string, string> files, string vkey)
    {
        foreach (var (name, content) in files) await File.WriteAllTextAsync(Path.Combine(dir, name), content, new UTF8Encoding(false));
        var run = await f.CheckAsync("-note", Path.Combine(dir, "note"), "-vkey", vkey, "-inclusion", Path.Combine(dir, "inclusion"),
            "-consistency", Path.Combine(dir, "consistency"), "-log", Path.Combine(dir, "log"));
        output.WriteLine(run.ToString());
        return run;
    }

    private static string Replace(string text, string old, string replacement)
    {
        text.Should().Contain(old);
        return text.Replace(old, replacement, StringComparison.Ordinal);
    }

    /// <summary>Another base64 digit at <paramref name="at"/>: still base64, other bytes.</summary>
    private static string FlipBase64(string text, int at) => text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..];

    private static string FlipHex(string hex) => (hex[0] == '0' ? '1' : '0') + hex[1..];

    private static string ChangeFirstProofHash(string json)
    {
        var node = JsonNode.Parse(json)!;
        var proof = node["proof"]!.AsArray();
        proof.Count.Should().BePositive("the proof has hashes to change");
        proof[0] = FlipHex(proof[0]!.GetValue<string>());
        return node.ToJsonString();
    }

    private static string ChangeHexField(string json, string field)
    {
        var node = JsonNode.Parse(json)!;
        node[field] = FlipHex(node[field]!.GetValue<string>());
        return node.ToJsonString();
    }

    /// <summary>The export with one byte of entry <paramref name="seq"/> changed (a digit of its time).</summary>
    private static string ChangeEntry(string ndjson, long seq)
    {
        var lines = ndjson.Split('\n');
        var at = lines[seq].IndexOf("\"at\":\"", StringComparison.Ordinal) + 6;
        at.Should().BeGreaterThan(5, "an entry has a time");
        lines[seq] = lines[seq][..at] + (lines[seq][at] == '1' ? '2' : '1') + lines[seq][(at + 1)..];
        return string.Join('\n', lines);
    }

    private static int Lines(string stdout, string prefix) => stdout.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private static long SizeOf(string stdout)
    {
        var line = stdout.Split('\n').Single(l => l.StartsWith("VALID: ", StringComparison.Ordinal));
        var words = line.Split(' ');
        return long.Parse(words[Array.IndexOf(words, "size") + 1]);
    }
}
