using System.Collections.Immutable;
using System.Security.Cryptography;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.Tests.Criteria;
using KinderQueue.Core.Tests.Public;
using KinderQueue.Core.Verification;
using NodaTime;

namespace KinderQueue.Core.Tests.Verification;

/// <summary>
/// A small real log with a round, answers and a withdrawal, its exported lines, the region's
/// checkpoint key, and the tools a forger would use: change a line and recompute the hashes after
/// it, sign a checkpoint. Everything a tamper test needs to show that the verifier says which and where.
/// </summary>
internal sealed class VerifyWorld
{
    public static readonly ECDsa RegionKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly ECDsa OtherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly LocalDate RoundDate = new(2027, 5, 1);

    public VerifyWorld(RecordedLog log)
    {
        Log = log;
        Lines = [.. log.Entries.Select(x => x.Entry.ToBytes())];
    }

    public RecordedLog Log { get; }

    public List<byte[]> Lines { get; }

    /// <summary>Seq of the round's decision entry.</summary>
    public long DecisionSeq => Log.Entries.Single(x => x.Event is AllocationDecided).Entry.Seq;

    public static byte[] Spki(ECDsa key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>
    /// Default criteria, one district, kg-1 (catchment central) and kg-2 with one junior seat each;
    /// A-1..A-4 apply in that order (A-1 and A-3 list kg-1 then kg-2, A-2 only kg-1, A-4 only kg-2);
    /// A-3 withdraws; the May round offers kg-1 to A-1 and kg-2 to A-4; A-1 accepts, A-4 declines.
    /// </summary>
    public static VerifyWorld Build()
    {
        var log = new RecordedLog();
        log.Ok(RecordedLog.On(2026, 12, 1), new CriteriaPublished(DefaultCriteria.Value));
        log.Ok(RecordedLog.On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(RecordedLog.On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(RecordedLog.On(2026, 12, 3, 1), new KindergartenRegistered("kg-2", "Детский сад № 2", "central", []));
        log.Ok(RecordedLog.On(2026, 12, 4), new CapacityLoaded("annual-plan",
            [new CapacityRow("kg-1", "junior", 2027, 1), new CapacityRow("kg-2", "junior", 2027, 1)]));
        string[][] prefs = [["kg-1", "kg-2"], ["kg-1"], ["kg-1", "kg-2"], ["kg-2"]];
        for (var i = 0; i < prefs.Length; i++)
        {
            var at = RecordedLog.On(2027, 2, 1 + i);
            log.Ok(at, new ApplicationSubmitted($"A-{i + 1}", "new", "portal", at, new YearMonth(2024, 3), "central",
                [.. prefs[i]], new LocalDate(2027, 9, 1), [], new string('0', 64)));
        }
        log.Ok(RecordedLog.On(2027, 3, 1), new ApplicationWithdrawn("A-3", "parent-request"));
        var round = log.Round("2027-main", RoundDate, new LocalDate(2027, 9, 1));
        round.Offers.Select(o => (o.Number, o.Kindergarten)).Should().Equal(("A-1", "kg-1"), ("A-4", "kg-2"));
        log.Ok(RecordedLog.On(2027, 5, 3), new OfferResponded("A-1", true));
        log.Ok(RecordedLog.On(2027, 5, 4), new OfferResponded("A-4", false));
        log.Ok(RecordedLog.On(2027, 5, 5), new DistrictRegistered("north", "Северный район"));
        return new VerifyWorld(log);
    }

    public static byte[] Hash(byte[] line) => MerkleHash.Leaf(line);

    /// <summary>
    /// What a forger does after changing something: renumber every line from <paramref name="from"/>
    /// on to its position and link it to the hash of the line before, so the chain is intact again.
    /// </summary>
    public static List<byte[]> Rechain(IReadOnlyList<byte[]> lines, int from = 0)
    {
        var result = lines.Take(from).ToList();
        var prev = from == 0 ? new byte[32] : Hash(result[^1]);
        for (var i = from; i < lines.Count; i++)
        {
            var e = LogEntry.Parse(lines[i]).GetValueOrThrow();
            var line = new LogEntry(i, e.At, e.Actor, e.Type, e.Payload, prev).ToBytes();
            result.Add(line);
            prev = Hash(line);
        }
        return result;
    }

    /// <summary>The line with its payload replaced by <paramref name="e"/>'s canonical bytes (hashes not recomputed).</summary>
    public static byte[] WithEvent(byte[] line, LogEvent e)
    {
        var entry = LogEntry.Parse(line).GetValueOrThrow();
        return (entry with { Type = e.Type, Payload = EventCodec.Encode(e) }).ToBytes();
    }

    public static LogEvent EventOf(byte[] line)
    {
        var entry = LogEntry.Parse(line).GetValueOrThrow();
        return EventCodec.Decode(entry.Type, entry.Payload).GetValueOrThrow();
    }

    /// <summary>A checkpoint of the first <paramref name="size"/> lines signed by <paramref name="key"/>, as the service publishes it.</summary>
    public static CheckpointEvidence Sign(IReadOnlyList<byte[]> lines, long size, ECDsa? key = null, string? logIdOf = null, string subject = "checkpoint")
    {
        key ??= RegionKey;
        var hashes = lines.Take((int)size).Select(Hash).ToList();
        var logId = logIdOf ?? CheckpointKey.LogId(Spki(key));
        var checkpoint = new Checkpoint(logId, size, MerkleTree.Root(hashes, size), size == 0 ? new byte[32] : hashes[^1],
            Instant.FromUtc(2027, 6, 1, 12, 0) + Duration.FromSeconds(size));
        var signature = Convert.ToBase64String(key.SignData(checkpoint.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new CheckpointEvidence($"{subject} {size}", new SignedCheckpoint(checkpoint, signature).ToJson());
    }

    public static VerifierSettings Settings(
        IEnumerable<CheckpointEvidence>? checkpoints = null, IEnumerable<CheckpointEvidence>? saved = null, CheckpointEvidence? dashboard = null,
        int parallelism = 2) =>
        new()
        {
            TrustedKey = Spki(RegionKey),
            Checkpoints = [.. checkpoints ?? []],
            Saved = [.. saved ?? []],
            Dashboard = dashboard,
            Parallelism = parallelism,
            MinParallelBatch = 1,
            Slice = 2,
        };

    /// <summary>Runs the verifier as the CLI does: batches of <paramref name="batch"/> lines, then the second pass if asked.</summary>
    public static VerificationReport Verify(IReadOnlyList<byte[]> lines, VerifierSettings? settings = null, int batch = 3, bool unterminated = false)
    {
        using var v = new LogVerifier(settings ?? Settings());
        if (v.Problem is null)
        {
            for (var i = 0; i < lines.Count; i += batch)
            {
                if (!v.Add([.. lines.Skip(i).Take(batch).Select(l => (ReadOnlyMemory<byte>)l)])) break;
            }
        }
        v.EndOfLog(unterminated);
        var prefix = v.DeferredPrefix;
        if (prefix > 0)
        {
            for (var i = 0; i < prefix; i += batch)
            {
                if (!v.AddDeferred([.. lines.Skip(i).Take((int)Math.Min(batch, prefix - i)).Select(l => (ReadOnlyMemory<byte>)l)])) break;
            }
        }
        return v.Complete();
    }

    /// <summary>The dashboard as the service publishes it, for the first <paramref name="size"/> entries of the log, as of <paramref name="asOf"/>.</summary>
    public CheckpointEvidence Dashboard(long size, LocalDate asOf)
    {
        var model = new PublicModel();
        foreach (var (entry, e) in Log.Entries.Take((int)size)) model.Apply(entry, e).Should().BeNull();
        return new CheckpointEvidence("dashboard", DashboardJson.ToCanonicalBytes(model.Statistics.Build(model.State, asOf)));
    }

    public static ImmutableArray<Offer> Offers(params (string Number, string Kindergarten)[] offers) =>
        [.. offers.Select(o => new Offer(o.Number, o.Kindergarten, "junior", RoundDate.PlusDays(DefaultCriteria.Value.Offer.DeadlineDays)))];
}
