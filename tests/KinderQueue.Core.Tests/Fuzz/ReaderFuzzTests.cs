using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Verification;
using KinderQueue.Core.Verification;
using Xunit.Abstractions;

namespace KinderQueue.Core.Tests.Fuzz;

/// <summary>
/// Every reader of outside input answers with its own result type, whatever the bytes (issue 17):
/// scenarios, criteria, event payloads, NDJSON log lines (the entry parsers and the verifier),
/// receipts and signed checkpoints. Inputs are the spec vectors' own inputs mutated
/// (<see cref="Mutations"/>: bit flips, truncation, duplication, invalid UTF-8, unpaired surrogate
/// escapes, deep nesting, odd numbers) and random token soups. A property fails on any exception.
/// Counts are fixed so a run takes a few seconds; each test prints how many inputs it tried.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<Seeds> Corpus = new(Seeds.Load);

    /// <summary>Runs <paramref name="read"/> (true when the input was accepted) on <paramref name="count"/> inputs.</summary>
    private void Run(string what, int count, Gen<byte[]> inputs, Func<byte[], bool> read)
    {
        var tried = 0;
        var accepted = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(count).WithEndSize(200), Prop.ForAll(inputs.ToArbitrary(), bytes =>
        {
            tried++;
            if (read(bytes)) accepted++;
        }));
        output.WriteLine($"{what}: {tried} inputs ({accepted} accepted, {tried - accepted} refused with problems), no exception");
        tried.Should().Be(count);
    }

    /// <summary>Mutated seeds and, one time in five, a random token soup.</summary>
    private static Gen<byte[]> Inputs(IReadOnlyList<byte[]> seeds) =>
        Gen.Frequency(
            (4, from seed in Gen.Choose(0, seeds.Count - 1) from r in Gen.Choose(0, int.MaxValue) select Mutations.Apply(seeds[seed], r)),
            (1, from r in Gen.Choose(0, int.MaxValue) select Mutations.Soup(r)));

    private static void ShouldBeAnswer<T>(Parsed<T> parsed) where T : class =>
        (parsed.Success || parsed.Problems.Count > 0).Should().BeTrue("a failure names at least one problem");

    [Fact]
    public void Scenario_AnyBytes_GiveAResultOrProblems()
    {
        var criteria = CriteriaJson.Parse(Corpus.Value.DefaultCriteria).GetValueOrThrow();
        Run("scenario", 5000, Inputs(Corpus.Value.Scenarios), bytes =>
        {
            var parsed = ScenarioJson.Parse(bytes, _ => Parsed<CriteriaDocument>.Ok(criteria));
            ShouldBeAnswer(parsed);
            // kq allocate and kq vectors parse the file themselves (64 levels, a vector holds the scenario) and call Read.
            if (Document(bytes) is { } doc)
            {
                using (doc) ShouldBeAnswer(ScenarioJson.Read(doc.RootElement, "$", _ => Parsed<CriteriaDocument>.Ok(criteria)));
            }
            // What kq allocate does next: a scenario that reads must allocate and encode.
            if (parsed.Success) ResultJson.ToCanonicalBytes(Allocator.Allocate(parsed.Value!));
            return parsed.Success;
        });
    }

    [Fact]
    public void Criteria_AnyBytes_GiveADocumentOrProblems()
    {
        Run("criteria", 5000, Inputs(Corpus.Value.Criteria), bytes =>
        {
            var parsed = CriteriaJson.Parse(bytes);
            ShouldBeAnswer(parsed);
            if (Document(bytes) is { } doc)
            {
                using (doc) ShouldBeAnswer(CriteriaJson.Read(doc.RootElement, "$"));
            }
            if (parsed.Success) CriteriaJson.ToCanonicalBytes(parsed.Value!);
            return parsed.Success;
        });
    }

    [Fact]
    public void EventPayload_AnyBytes_DecodeOrProblems_AndTheFoldAnswers()
    {
        var payloads = Corpus.Value.Payloads;
        var inputs =
            from payload in Inputs([.. payloads.Select(p => p.Payload)])
            from seed in Gen.Choose(0, payloads.Count - 1)
            from r in Gen.Choose(0, int.MaxValue)
            from other in Gen.Elements([.. EventCodec.Types, "no.such-type", ""])
            from own in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
            select (Type: own ? payloads[seed].Type : other, Payload: r % 5 == 0 ? payload : Mutations.Apply(payloads[seed].Payload, r));
        var tried = 0;
        var accepted = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(10000).WithEndSize(200), Prop.ForAll(inputs.ToArbitrary(), c =>
        {
            tried++;
            ShouldBeAnswer(CanonicalJson.Canonicalize(c.Payload));
            var decoded = EventCodec.Decode(c.Type, c.Payload);
            ShouldBeAnswer(decoded);
            if (!decoded.Success) return;
            accepted++;
            var e = decoded.Value!;
            EventCodec.Encode(e);
            // As entry 0 of an empty log (no criteria yet, issue 17.3) and after a criteria entry.
            var at = NodaTime.Instant.FromUtc(2027, 1, 1, 9, 0);
            new QueueState().Apply(new LogEntry(0, at, "system", e.Type, c.Payload, new byte[32]), e);
            var state = Corpus.Value.StateWithCriteria();
            state.Apply(new LogEntry(state.Size, at, "system", e.Type, c.Payload, new byte[32]), e);
        }));
        output.WriteLine($"event payloads: {tried} inputs ({accepted} decoded, then folded twice), no exception");
        tried.Should().Be(10000);
    }

    [Fact]
    public void LogLine_AnyBytes_ParseOrProblem_InBothEntryReaders()
    {
        using var reader = new EntryLineReader();
        var hash = new byte[32];
        var prev = new byte[32];
        Run("NDJSON lines", 10000, Inputs(Corpus.Value.Lines), bytes =>
        {
            ShouldBeAnswer(LogEntry.Parse(bytes));
            var read = default(ReadLine);
            reader.Read(bytes, ref read, hash, prev);
            return read.EntryProblem is null;
        });
    }

    [Fact]
    public void Verifier_MutatedLog_GivesAReport()
    {
        var lines = VerifyWorld.Build().Lines;
        var settings = VerifyWorld.Settings([VerifyWorld.Sign(lines, lines.Count)]);
        var inputs =
            from index in Gen.Choose(0, lines.Count - 1)
            from r in Gen.Choose(0, int.MaxValue)
            from drop in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (Index: index, Line: Mutations.Apply(lines[index], r), Drop: drop);
        var tried = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(inputs.ToArbitrary(), c =>
        {
            tried++;
            var log = lines.ToList();
            if (c.Drop) log.RemoveAt(c.Index);
            else log[c.Index] = c.Line;
            // A mutated line may hold a newline: the CLI splits there, so the verifier sees two lines.
            var split = log.SelectMany(l => SplitLines(l)).ToList();
            VerifyWorld.Verify(split, settings).Should().NotBeNull();
        }));
        output.WriteLine($"verifier: {tried} mutated logs, no exception");
        tried.Should().Be(1000);
    }

    [Fact]
    public void ReceiptAndCheckpoint_AnyBytes_ParseOrProblem()
    {
        Run("receipts and checkpoints", 10000, Inputs(Corpus.Value.Receipts), bytes =>
        {
            var receipt = Receipt.Parse(bytes);
            ShouldBeAnswer(receipt);
            if (receipt.Success) receipt.Value!.Verify(VerifyWorld.Spki(VerifyWorld.RegionKey));
            ShouldBeAnswer(SignedCheckpoint.Parse(bytes));
            return receipt.Success;
        });
    }

    /// <summary>The bytes as the CLI parses a file (System.Text.Json's defaults), or null where it reports invalid JSON.</summary>
    private static JsonDocument? Document(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<byte[]> SplitLines(byte[] line)
    {
        var start = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != (byte)'\n') continue;
            yield return line[start..i];
            start = i + 1;
        }
        yield return line[start..];
    }

    /// <summary>The inputs of the spec vectors, by reader (large random instances left out to keep runs short).</summary>
    private sealed class Seeds
    {
        public required byte[] DefaultCriteria { get; init; }
        public required List<byte[]> Scenarios { get; init; }
        public required List<byte[]> Criteria { get; init; }
        public required List<(string Type, byte[] Payload)> Payloads { get; init; }
        public required List<byte[]> Lines { get; init; }
        public required List<byte[]> Receipts { get; init; }

        private byte[]? _criteriaPayload;

        /// <summary>A fresh state whose only entry published the default criteria (effective 2027-01-01).</summary>
        public QueueState StateWithCriteria()
        {
            var state = new QueueState();
            var e = EventCodec.Decode("criteria.published", _criteriaPayload!).GetValueOrThrow();
            state.Apply(new LogEntry(0, NodaTime.Instant.FromUtc(2026, 12, 1, 7, 0), "department:7f3a9c21", e.Type, _criteriaPayload!, new byte[32]), e);
            return state;
        }

        public static Seeds Load()
        {
            var root = KinderQueue.Core.Tests.Criteria.DefaultCriteria.RepoRoot;
            var vectors = Path.Combine(root, "algorithm-spec", "vectors");
            var defaultCriteria = File.ReadAllBytes(Path.Combine(root, "algorithm-spec", "criteria", "default.json"));
            var seeds = new Seeds
            {
                DefaultCriteria = defaultCriteria,
                Scenarios = [],
                Criteria = [defaultCriteria],
                Payloads = [],
                Lines = [],
                Receipts = [System.Text.Encoding.UTF8.GetBytes(ReceiptSkeleton)],
            };
            foreach (var file in Directory.GetFiles(vectors, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (new FileInfo(file).Length > 200_000) continue;
                var area = Path.GetFileName(Path.GetDirectoryName(file))!;
                using var doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { MaxDepth = 64 });
                var input = doc.RootElement.GetProperty("input");
                switch (area)
                {
                    case "allocation" or "positions":
                        seeds.Scenarios.Add(Raw(input));
                        break;
                    case "criteria":
                        seeds.Criteria.Add(Raw(input));
                        break;
                    case "log":
                        foreach (var e in doc.RootElement.GetProperty("expected").GetProperty("entries").EnumerateArray())
                            seeds.Lines.Add(System.Text.Encoding.UTF8.GetBytes(e.GetProperty("line").GetString()!));
                        break;
                    case "replay":
                        foreach (var step in input.GetProperty("steps").EnumerateArray())
                        {
                            if (!step.TryGetProperty("payload", out var payload)) continue;
                            var canonical = CanonicalJson.Canonicalize(Raw(payload));
                            if (!canonical.Success) continue;
                            var type = step.GetProperty("type").GetString()!;
                            seeds.Payloads.Add((type, canonical.Value!));
                            if (type == "criteria.published") seeds._criteriaPayload ??= canonical.Value!;
                        }
                        break;
                }
            }
            seeds.Lines.AddRange(VerifyWorld.Build().Lines);
            foreach (var (_, payload) in seeds.Payloads.Where(p => p.Type == "criteria.published"))
            {
                using var doc = JsonDocument.Parse(payload);
                seeds.Criteria.Add(Raw(doc.RootElement.GetProperty("criteria")));
            }
            return seeds;

            static byte[] Raw(JsonElement e) => System.Text.Encoding.UTF8.GetBytes(e.GetRawText());
        }

        private const string ReceiptSkeleton =
            """{"checkpoint":{"head":"0000000000000000000000000000000000000000000000000000000000000000","logId":"1111111111111111111111111111111111111111111111111111111111111111","root":"2222222222222222222222222222222222222222222222222222222222222222","signature":"/kE5736p1O1Kfk7aAJAwwQKdBFD/v9SCBCk+u4UlBN/hym9r7KIOSIJYEA0YvPsCcVRSltEqnahH/ELSrJWQ8g==","size":3,"time":"2026-11-22T23:42:34.934Z"},"entry":"{\"seq\":1}","entryHash":"3333333333333333333333333333333333333333333333333333333333333333","index":1,"proof":["4444444444444444444444444444444444444444444444444444444444444444"],"size":3}""";
    }
}
