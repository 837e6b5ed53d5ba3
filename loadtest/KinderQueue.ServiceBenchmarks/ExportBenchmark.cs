using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using KinderQueue.Api.Commands;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Sqlite;
using NodaTime;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// The public NDJSON export of a large log: a store filled directly (not through HTTP) with the region's
/// setup and then application submissions up to N entries, the real service started over it, and one
/// HttpClient downloading GET /api/v1/public/log while checking every line as a validator would
/// (seq, prev link, SHA-256 of the exact bytes). Afterwards the signed checkpoint must name the same
/// size, head and Merkle root and verify under the published key.
/// </summary>
public static class ExportBenchmark
{
    private const string Registrar = "registrar:bench0000000000";
    private const string Operator = "operator:bench0000000001";
    private const int FillBatch = 20_000;
    private const string NumberAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.MaxSeconds));
        var ct = timeout.Token;
        var dll = HttpBenchmark.ApiDll(o);

        var dataDir = Directory.CreateTempSubdirectory("kq-bench-export-").FullName;
        ScratchDatabase? database = null;
        Process? service = null;
        try
        {
            ILogStore store;
            if (o.Backend == "postgres")
            {
                database = await ScratchDatabase.CreateAsync(o.PostgresServer(), ct);
                Console.Error.WriteLine($"export: database {database.Name}");
                store = new PostgresLogStore(database.ConnectionString);
            }
            else
            {
                store = SqliteLogStore.InFolder(dataDir);
                Console.Error.WriteLine($"export: sqlite in {dataDir}");
            }

            var fillStarted = Stopwatch.GetTimestamp();
            Filled filled;
            await using (store)
            {
                await store.MigrateAsync(ct);
                filled = await FillAsync(store, o.Entries, new Workload(Workload.TodayInRegion()), ct);
            }
            var fillTime = Stopwatch.GetElapsedTime(fillStarted);
            Console.Error.WriteLine($"export: filled {filled.Size} entries in {fillTime.TotalSeconds:F1} s; head {Hex.Encode(filled.Head)}");

            var port = HttpBenchmark.FreePort();
            var startStarted = Stopwatch.GetTimestamp();
            service = HttpBenchmark.StartService(dll, port, dataDir, database?.ConnectionString);
            using var handler = new SocketsHttpHandler { UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
            await HttpBenchmark.WaitReadyAsync(client, service, ct, TimeSpan.FromSeconds(o.MaxSeconds));
            var startTime = Stopwatch.GetElapsedTime(startStarted);
            Console.Error.WriteLine($"export: service pid {service.Id} ready after {startTime.TotalSeconds:F1} s (folded the log); downloading");

            var cpu = new CpuMeter(service);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync("/api/v1/public/log", HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode != HttpStatusCode.OK) throw new BenchmarkException($"GET /api/v1/public/log: {(int)response.StatusCode}");
            var firstByte = Stopwatch.GetElapsedTime(started);
            var cutAt = long.Parse(response.Headers.GetValues("X-Log-Size").Single(), CultureInfo.InvariantCulture);
            var verifier = new LineVerifier(o.Entries);
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0) verifier.Feed(buffer.AsSpan(0, read));
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            var (clientCpu, serverCpu, machineCpu) = cpu.Stop();
            verifier.Finish();

            // The signed checkpoint the service issued at start covers the whole log: same size, head and root.
            var checkpoint = SignedCheckpoint.Parse(await client.GetByteArrayAsync("/api/v1/public/checkpoint", ct)).GetValueOrThrow();
            using var key = System.Text.Json.JsonDocument.Parse(await client.GetByteArrayAsync("/api/v1/public/log-key", ct));
            var spki = Convert.FromBase64String(key.RootElement.GetProperty("spki").GetString()!);
            var root = verifier.Root();
            var problems = new List<string>();
            if (verifier.Lines != filled.Size || cutAt != filled.Size) problems.Add($"{verifier.Lines} lines, X-Log-Size {cutAt}; {filled.Size} entries were stored");
            if (!verifier.Head.AsSpan().SequenceEqual(filled.Head)) problems.Add("the head of the downloaded lines is not the head of the stored chain");
            if (!root.AsSpan().SequenceEqual(filled.Root)) problems.Add("the Merkle root of the downloaded lines is not that of the stored chain");
            if (checkpoint.Checkpoint.Size != filled.Size || !checkpoint.Checkpoint.Head.SequenceEqual(verifier.Head) || !checkpoint.Checkpoint.Root.SequenceEqual(root))
                problems.Add($"the checkpoint (size {checkpoint.Checkpoint.Size}) does not describe the downloaded log");
            if (!checkpoint.Verify(spki)) problems.Add("the checkpoint does not verify under /log-key");
            foreach (var p in problems) Console.Error.WriteLine($"export: MISMATCH: {p}");

            var megabytes = verifier.Bytes / 1_000_000.0;
            Console.Error.WriteLine($"export: {verifier.Lines} lines, {megabytes:F1} MB in {elapsed.TotalSeconds:F2} s (first byte after {firstByte.TotalMilliseconds:F0} ms); " +
                $"cpu: client {clientCpu:F2}, service {serverCpu:F2}, machine {machineCpu:F2} of {Environment.ProcessorCount} cores; {(problems.Count == 0 ? "verified" : "NOT verified")}");
            Console.WriteLine(new ResultLine()
                .Add("bench", "export").Add("backend", o.Backend).Add("entries", verifier.Lines).Add("bytes", verifier.Bytes)
                .Add("ms", (long)Math.Round(elapsed.TotalMilliseconds))
                .Add("mb_per_s", megabytes / elapsed.TotalSeconds)
                .Add("entries_per_s", (long)Math.Round(verifier.Lines / elapsed.TotalSeconds))
                .Add("first_byte_ms", (long)Math.Round(firstByte.TotalMilliseconds))
                .Add("verified", problems.Count == 0)
                .Add("fill_ms", (long)Math.Round(fillTime.TotalMilliseconds))
                .Add("service_ready_ms", (long)Math.Round(startTime.TotalMilliseconds))
                .Add("client_cpu_cores", clientCpu).Add("server_cpu_cores", serverCpu).Add("machine_cpu_cores", machineCpu)
                .ToJson());
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            await HttpBenchmark.CleanUpAsync(service, database, dataDir);
        }
    }

    internal sealed record Filled(long Size, byte[] Head, byte[] Root);

    /// <summary>
    /// The region's setup, then submissions until <paramref name="total"/> entries, appended in large
    /// batches straight through the store's write session. Submissions are decided once per shape by
    /// the real command (4,096 shapes) and then differ in number and time, so the fold at start accepts
    /// every one and the payloads have the size and form of real ones.
    /// </summary>
    internal static async Task<Filled> FillAsync(ILogStore store, int total, Workload w, CancellationToken ct)
    {
        var start = Formats.TruncateToMillisecond(SystemClock.Instance.GetCurrentInstant());
        var chain = new LogChain();
        var tree = new MerkleAccumulator();
        var state = new QueueState();
        var batch = new List<StoredEntry>(FillBatch);
        var setup = new List<LogEvent> { new CriteriaPublished(w.Criteria()) };
        setup.AddRange(Workload.Districts.Select(d => new DistrictRegistered(d, $"Район {d}")));
        setup.AddRange(Workload.Kindergartens.Select(k => new KindergartenRegistered(k.Id, $"Детский сад {k.Id}", k.District, [.. k.Catchment])));
        setup.Add(new CapacityLoaded("annual-plan", w.CapacityRows));
        if (total < setup.Count + 1) throw new BenchmarkException($"--entries must be above {setup.Count} (the region's setup)");
        foreach (var e in setup)
        {
            var (entry, _, hash) = chain.Append(start, Registrar, e);
            if (state.Apply(entry, e) is { } problem) throw new BenchmarkException($"setup {e.Type}: {problem}");
            Add(entry, hash);
        }

        var shapes = Enumerable.Range(0, 4096).Select(i =>
        {
            var command = new SubmitApplication(Operator, null, w.Submission(i), "KQ-SHAPE-00000", "AAAA-AAAA-AAAA", Secrets.NewSalt(), null);
            var decision = command.Decide(state, start);
            return decision.Event as ApplicationSubmitted ?? throw new BenchmarkException($"submission shape {i} refused: {decision.Problems[0]}");
        }).ToArray();

        for (var i = setup.Count; i < total; i++)
        {
            // A thousand entries a millisecond: the log spans about a second from now, as a busy day's would in parts.
            var at = start + Duration.FromMilliseconds(i / 1000);
            var e = shapes[i % shapes.Length] with { Number = Number(i), RegisteredAt = at };
            var (entry, _, hash) = chain.Append(at, Operator, e);
            Add(entry, hash);
            if (batch.Count == FillBatch) await WriteAsync();
            if (i % 200_000 == 0) Console.Error.WriteLine($"export: filling, {i} entries");
        }
        await WriteAsync();
        return new Filled(chain.Size, chain.Head.ToArray(), tree.Root());

        void Add(LogEntry entry, byte[] hash)
        {
            batch.Add(StoredEntry.From(entry, hash));
            tree.Append(hash);
        }

        async Task WriteAsync()
        {
            if (batch.Count == 0) return;
            await using var session = await store.BeginWriteAsync(ct);
            await session.AppendAndCommitAsync(batch, [], [], start, ct);
            batch.Clear();
        }
    }

    /// <summary>A distinct application number per entry, in the service's alphabet ("KQ-" and 5 + 5 characters).</summary>
    private static string Number(int i)
    {
        Span<char> chars = stackalloc char[10];
        var v = (long)i;
        for (var k = 9; k >= 0; k--)
        {
            chars[k] = NumberAlphabet[(int)(v % NumberAlphabet.Length)];
            v /= NumberAlphabet.Length;
        }
        return $"KQ-{chars[..5]}-{chars[5..]}";
    }

    /// <summary>
    /// Checks the NDJSON stream as it arrives, as SPEC.md §6.2 asks of a validator: line i has
    /// "seq":i, its "prev" is the hash of line i − 1 (zeros for the first), and its hash is
    /// SHA-256(0x00 ‖ the line's bytes). Keeps every hash for the Merkle root afterwards.
    /// </summary>
    private sealed class LineVerifier(int expected)
    {
        private static readonly byte[] PrevMarker = Encoding.ASCII.GetBytes(",\"prev\":\"");
        private static readonly byte[] SeqMarker = Encoding.ASCII.GetBytes(",\"seq\":");
        private static readonly byte[] LeafPrefix = [0x00];
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _hashes = new byte[checked(expected * 32)];
        private byte[] _partial = new byte[64 * 1024];
        private int _partialLength;

        public long Lines { get; private set; }

        public long Bytes { get; private set; }

        public byte[] Head { get; } = new byte[32];

        public void Feed(ReadOnlySpan<byte> data)
        {
            Bytes += data.Length;
            while (!data.IsEmpty)
            {
                var newline = data.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    Keep(data);
                    return;
                }
                if (_partialLength > 0)
                {
                    Keep(data[..newline]);
                    Line(_partial.AsSpan(0, _partialLength));
                    _partialLength = 0;
                }
                else
                {
                    Line(data[..newline]);
                }
                data = data[(newline + 1)..];
            }
        }

        public void Finish()
        {
            if (_partialLength > 0) throw new BenchmarkException($"the export ends in the middle of line {Lines}");
        }

        public byte[] Root()
        {
            var tree = new MerkleAccumulator();
            for (var i = 0; i < Lines; i++) tree.Append(_hashes.AsSpan(i * 32, 32));
            return tree.Root();
        }

        private void Line(ReadOnlySpan<byte> line)
        {
            if (Lines == expected) throw new BenchmarkException($"the export has more than the {expected} entries stored");
            var seqAt = line.LastIndexOf(SeqMarker);
            var prevAt = line.LastIndexOf(PrevMarker);
            if (seqAt < 0 || prevAt < 0 || prevAt + PrevMarker.Length + 64 > line.Length)
                throw new BenchmarkException($"line {Lines} is not a log entry");
            var seqText = line[(seqAt + SeqMarker.Length)..];
            seqText = seqText[..seqText.IndexOf((byte)',')];
            if (!long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq != Lines)
                throw new BenchmarkException($"line {Lines} says seq {Encoding.ASCII.GetString(seqText)}");
            Span<byte> prev = stackalloc byte[32];
            if (Convert.FromHexString(line.Slice(prevAt + PrevMarker.Length, 64), prev, out _, out _) != System.Buffers.OperationStatus.Done || !prev.SequenceEqual(Head))
                throw new BenchmarkException($"line {Lines} does not link to the line before");
            _sha.AppendData(LeafPrefix);
            _sha.AppendData(line);
            var hash = _hashes.AsSpan((int)Lines * 32, 32);
            _sha.GetHashAndReset(hash);
            hash.CopyTo(Head);
            Lines++;
        }

        private void Keep(ReadOnlySpan<byte> data)
        {
            if (_partialLength + data.Length > _partial.Length) Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialLength + data.Length));
            data.CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += data.Length;
        }
    }
}
