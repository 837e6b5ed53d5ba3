using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Cli.Verify;
using KinderQueue.Core.Log;
using KinderQueue.Core.Tests.Fuzz;
using NodaTime;
using Xunit.Abstractions;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// The CLI's readers on mutated files (issue 17.7): <c>kq allocate</c> on scenario and vector
/// files, <c>kq vectors check</c> on a folder with a mutated vector, <c>kq verify</c> on a mutated
/// NDJSON export, <c>kq receipt</c> on a mutated receipt, and the key-file reader. Whatever the
/// bytes, kq answers with one of its exit codes (0, 1, 2) and never lets an exception out (the
/// process would exit 134). Each test prints how many inputs it tried.
/// </summary>
public sealed class CliFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static Gen<byte[]> Mutated(IReadOnlyList<byte[]> seeds) =>
        from seed in Gen.Choose(0, seeds.Count - 1)
        from r in Gen.Choose(0, int.MaxValue)
        select Mutations.Apply(seeds[seed], r);

    /// <summary>Writes each input to <paramref name="file"/> and runs kq with <paramref name="args"/>; the exit code must be one of <paramref name="codes"/>.</summary>
    private void Run(string what, int count, Gen<byte[]> inputs, string file, string[] args, params int[] codes)
    {
        var tried = 0;
        var byCode = new SortedDictionary<int, int>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(count), Prop.ForAll(inputs.ToArbitrary(), bytes =>
        {
            tried++;
            File.WriteAllBytes(file, bytes);
            var run = CliRun.Of(args).GetAwaiter().GetResult();
            codes.Should().Contain(run.ExitCode, run.ToString());
            byCode[run.ExitCode] = byCode.GetValueOrDefault(run.ExitCode) + 1;
        }));
        output.WriteLine($"{what}: {tried} inputs, exit codes {string.Join(", ", byCode.Select(kv => $"{kv.Key}: {kv.Value}"))}");
        tried.Should().Be(count);
    }

    private static List<byte[]> SmallVectors(string area) =>
        [.. Directory.GetFiles(Path.Combine(Repo.Root, "algorithm-spec", "vectors", area), "*.json")
            .Where(f => new FileInfo(f).Length < 100_000).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    [Fact]
    public void Allocate_MutatedScenarioOrVectorFile_ExitsZeroOrTwo()
    {
        // The vectors name "../../criteria/default.json": keep that layout in the temp folder.
        _tmp.CopyIn(Repo.DefaultCriteria, "criteria/default.json");
        Directory.CreateDirectory(_tmp.File("vectors/allocation"));
        var file = _tmp.File("vectors/allocation/fuzz.json");
        Run("kq allocate", 600, Mutated(SmallVectors("allocation")), file, ["allocate", file], 0, 2);
    }

    [Fact]
    public void VectorsCheck_FolderWithAMutatedVector_ExitsZeroOneOrTwo()
    {
        _tmp.CopyIn(Repo.DefaultCriteria, "criteria/default.json");
        var seeds = new[] { "allocation", "criteria", "log", "positions", "replay" }
            .SelectMany(area => SmallVectors(area).Select(bytes => (Area: area, Bytes: bytes))).ToList();
        var tried = 0;
        var byCode = new SortedDictionary<int, int>();
        var inputs =
            from seed in Gen.Choose(0, seeds.Count - 1)
            from r in Gen.Choose(0, int.MaxValue)
            select (seeds[seed].Area, Bytes: Mutations.Apply(seeds[seed].Bytes, r));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(600), Prop.ForAll(inputs.ToArbitrary(), c =>
        {
            tried++;
            var dir = _tmp.File($"vectors-{tried}");
            Directory.CreateDirectory(Path.Combine(dir, c.Area));
            File.WriteAllBytes(Path.Combine(dir, c.Area, "001-fuzz.json"), c.Bytes);
            var run = CliRun.Of("vectors", "check", dir).GetAwaiter().GetResult();
            new[] { 0, 1, 2 }.Should().Contain(run.ExitCode, run.ToString());
            byCode[run.ExitCode] = byCode.GetValueOrDefault(run.ExitCode) + 1;
            Directory.Delete(dir, recursive: true);
        }));
        output.WriteLine($"kq vectors check: {tried} inputs, exit codes {string.Join(", ", byCode.Select(kv => $"{kv.Key}: {kv.Value}"))}");
    }

    [Theory]
    [InlineData("2147483648-05-01")]
    [InlineData("2027-13-01")]
    public async Task VectorsCheck_ReplayRoundWithAnUnreadableDate_IsABrokenVectorNotACrash(string date)
    {
        // Found by the fuzz test above (seed 8589020931970620113,10258216582135863201): the round's date was
        // parsed with GetValueOrThrow, so a NodaTime exception escaped kq vectors check.
        _tmp.CopyIn(Repo.DefaultCriteria, "criteria/default.json");
        var source = Path.Combine(Repo.Root, "algorithm-spec", "vectors", "replay", "002-scenario-5-decline-pauses-seat-goes-to-next.json");
        var text = File.ReadAllText(source);
        var at = text.IndexOf("\"round\"", StringComparison.Ordinal);
        at.Should().BeGreaterThan(0, "the seed vector has a round step");
        var dateAt = text.IndexOf("\"date\": \"", at, StringComparison.Ordinal) + "\"date\": \"".Length;
        var mutated = string.Concat(text.AsSpan(0, dateAt), date, text.AsSpan(dateAt + 10));
        var dir = _tmp.File("vectors-date");
        Directory.CreateDirectory(Path.Combine(dir, "replay"));
        File.WriteAllText(Path.Combine(dir, "replay", "001-fuzz.json"), mutated);
        var run = await CliRun.Of("vectors", "check", dir);
        run.ExitCode.Should().Be(2, run.ToString());
        run.ToString().Should().Contain("must be a date");
    }

    [Fact]
    public async Task Verify_MutatedExport_ExitsZeroOneOrTwo()
    {
        // The small real log of the verify tests (criteria, registrations, applications, a round, answers).
        var log = CliVerifyTests.Log();
        var export = log.SelectMany(l => l.Append((byte)'\n')).ToArray();
        var key = _tmp.Write("key.pem", Key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllBytes(_tmp.File("cp.json"), Checkpoint(log));
        var file = _tmp.File("log.ndjson");
        File.WriteAllBytes(file, export);
        (await CliRun.Of("verify", file, "--key", key, "--checkpoint", _tmp.File("cp.json"), "--json")).ExitCode.Should().Be(0, "the unmutated export verifies");
        Run("kq verify", 400, Mutated([export]), file, ["verify", file, "--key", key, "--checkpoint", _tmp.File("cp.json"), "--json"], 0, 1, 2);
    }

    [Fact]
    public async Task Receipt_MutatedReceiptFile_ExitsZeroOneOrTwo()
    {
        var key = _tmp.Write("key.pem", Key.ExportSubjectPublicKeyInfoPem());
        var entry = System.Text.Encoding.UTF8.GetBytes("""{"actor":"system","at":"2027-01-01T00:00:00.000Z","payload":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"type":"t"}""");
        var checkpoint = System.Text.Json.JsonDocument.Parse(Checkpoint([entry])).RootElement.GetRawText();
        var receipt = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"checkpoint":{{checkpoint}},"entry":{{System.Text.Json.JsonSerializer.Serialize(System.Text.Encoding.UTF8.GetString(entry))}},"entryHash":"{{Convert.ToHexStringLower(MerkleHash.Leaf(entry))}}","index":0,"proof":[],"size":1}""");
        var file = _tmp.File("receipt.json");
        File.WriteAllBytes(file, receipt);
        (await CliRun.Of("receipt", file, "--key", key)).ExitCode.Should().Be(0, "the unmutated receipt checks");
        Run("kq receipt", 1000, Mutated([receipt]), file, ["receipt", file, "--key", key], 0, 1, 2);
    }

    [Fact]
    public void KeyFile_MutatedPemOrDer_IsAKeyOrAnError()
    {
        var seeds = new List<byte[]> { System.Text.Encoding.ASCII.GetBytes(Key.ExportSubjectPublicKeyInfoPem()), Key.ExportSubjectPublicKeyInfo() };
        var tried = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), Prop.ForAll(Mutated(seeds).ToArbitrary(), bytes =>
        {
            tried++;
            var spki = KeyFiles.Parse(bytes, out var error);
            (spki is not null || error is not null).Should().BeTrue();
        }));
        output.WriteLine($"key files: {tried} inputs, no exception");
    }

    private static byte[] Checkpoint(IReadOnlyList<byte[]> lines)
    {
        var hashes = lines.Select(l => MerkleHash.Leaf(l)).ToList();
        var cp = new Checkpoint(CheckpointKey.LogId(Key.ExportSubjectPublicKeyInfo()), lines.Count, MerkleTree.Root(hashes, lines.Count),
            hashes[^1], Instant.FromUtc(2027, 6, 1, 12, 0));
        var signature = Convert.ToBase64String(Key.SignData(cp.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new SignedCheckpoint(cp, signature).ToJson();
    }
}
