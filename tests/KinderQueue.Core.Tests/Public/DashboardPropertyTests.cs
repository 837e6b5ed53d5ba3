using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Small-cell suppression on random small regions (SPEC.md §13.4): no published count in 1..4, no
/// hidden count that an attacker can pin down, every published count true, the same log giving the
/// same bytes. Each property runs on 200 random logs with mostly small cells.
/// </summary>
public sealed class DashboardPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static void ForAll(Action<RegionCase> property) =>
        Check.One(Quick, Prop.ForAll(RandomRegion.Cases(maxSize: 40).ToArbitrary(), property));

    [Fact]
    public void Published_NoCountFromOneToFour()
    {
        ForAll(c =>
        {
            var published = c.Log.Build(c.AsOf);
            var attacker = new Attacker(published, c.Log.Truth(c.AsOf));
            attacker.Cells.Should().NotContain(x => x.Published.Value >= 1 && x.Published.Value <= 4);
            // And in the bytes the service serves: every integer under a count key.
            JsonCounts(DashboardJson.ToCanonicalBytes(published)).Should().NotContain(v => v >= 1 && v <= 4);
        });
    }

    [Fact]
    public void Attacker_PinsNoHiddenCount()
    {
        ForAll(c =>
        {
            var attacker = new Attacker(c.Log.Build(c.AsOf), c.Log.Truth(c.AsOf));
            attacker.Exposed().Should().BeEmpty("no hidden count may be recoverable from the published ones ({0})", c);
        });
    }

    [Fact]
    public void Published_CountsAreTheTrueOnes_AndMarkersTellTheTruth()
    {
        ForAll(c =>
        {
            var attacker = new Attacker(c.Log.Build(c.AsOf), c.Log.Truth(c.AsOf));
            foreach (var cell in attacker.Cells)
            {
                var p = cell.Published;
                switch (p.Marker)
                {
                    case CountMarker.None:
                        p.Value.Should().Be(cell.Truth, cell.Name);
                        break;
                    case CountMarker.LessThanFive:
                        p.Value.Should().BeNull(cell.Name);
                        cell.Truth.Should().BeInRange(1, 4, cell.Name);
                        break;
                    default:
                        // "hidden": at least 1 (zeros are always published).
                        p.Value.Should().BeNull(cell.Name);
                        cell.Truth.Should().BeGreaterThanOrEqualTo(1, cell.Name);
                        break;
                }
            }
        });
    }

    [Fact]
    public void SameLog_GivesTheSameBytes_AfterAReplay()
    {
        ForAll(c =>
        {
            var bytes = DashboardJson.ToCanonicalBytes(c.Log.Build(c.AsOf));
            var (state, recorder) = c.Log.Replay();
            DashboardJson.ToCanonicalBytes(recorder.Build(state, c.AsOf)).Should().Equal(bytes);
            DashboardJson.ToCanonicalBytes(c.Log.Build(c.AsOf)).Should().Equal(bytes, "building twice changes nothing");
        });
    }

    [Fact]
    public void QueueTables_CountTheQueuesThatPositionsShow()
    {
        // SPEC.md §7.6 gives every waiting application a queue per listed kindergarten, with its tier there.
        ForAll(c =>
        {
            var state = c.Log.State;
            var criteria = state.CriteriaInForce(c.AsOf);
            if (criteria is null) return;
            var truth = c.Log.Truth(c.AsOf);
            var waiting = state.Applications.Values.Where(a => a.Status == ApplicationStatus.Waiting).Select(RoundBuilder.ToApplicant).ToList();
            var positions = QueuePositions.Compute(criteria, c.AsOf,
                state.Kindergartens.Values.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)), waiting);
            var applicant = waiting.ToDictionary(a => a.Number);
            var queues = new Dictionary<(string Kindergarten, string Group, string Tier, bool Now), long>();
            var inDistrict = new Dictionary<(string District, bool Now), long>();
            foreach (var p in positions.Where(p => p.Positions.Length > 0))
            {
                var now = applicant[p.Number].DesiredStart <= c.AsOf;
                foreach (var q in p.Positions) queues[(q.Kindergarten, q.Group, q.Tier, now)] = queues.GetValueOrDefault((q.Kindergarten, q.Group, q.Tier, now)) + 1;
                var key = (applicant[p.Number].District, now);
                inDistrict[key] = inDistrict.GetValueOrDefault(key) + 1;
            }
            foreach (var row in truth.ByKindergarten)
            {
                for (var t = 0; t < truth.Tiers.Length; t++)
                {
                    row.Counts.WaitingNow.ByTier[t].Value.Should().Be(queues.GetValueOrDefault((row.Kindergarten, row.Group, truth.Tiers[t], true)));
                    row.Counts.WaitingLater.ByTier[t].Value.Should().Be(queues.GetValueOrDefault((row.Kindergarten, row.Group, truth.Tiers[t], false)));
                }
            }
            foreach (var d in truth.Districts)
            {
                truth.ByDistrict.Where(r => r.District == d.Id).Sum(r => r.Counts.WaitingNow.Total.Value!.Value).Should().Be(inDistrict.GetValueOrDefault((d.Id, true)));
                truth.ByDistrict.Where(r => r.District == d.Id).Sum(r => r.Counts.WaitingLater.Total.Value!.Value).Should().Be(inDistrict.GetValueOrDefault((d.Id, false)));
            }
        });
    }

    [Fact]
    public void Attacker_CatchesPrimaryOnlySuppression_AndNotTheFullOne()
    {
        // The same random regions (fixed seeds): suppressing only the counts of 1..4 leaves some
        // recoverable by subtraction; the audit and repair leave none.
        var broken = 0;
        var exposedCells = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var c = RandomRegion.Generate(seed, size: 30);
            var truth = c.Log.Truth(c.AsOf);
            var naive = DashboardBuilder.Build(c.Log.Recorder, c.Log.State, c.AsOf, secondary: false);
            var exposed = new Attacker(naive, truth).Exposed();
            foreach (var (cell, value) in exposed) value.Should().Be(cell.Truth, "the attacker's deductions are sound");
            if (exposed.Count > 0) broken++;
            exposedCells += exposed.Count;
            new Attacker(c.Log.Build(c.AsOf), truth).Exposed().Should().BeEmpty();
        }
        broken.Should().BeGreaterThan(100, $"primary-only suppression should be broken often ({broken} of 200 regions, {exposedCells} cells)");
    }

    /// <summary>Every integer under a count key of the JSON (not seats, years, days, shares or sizes).</summary>
    internal static List<long> JsonCounts(byte[] json)
    {
        string[] countKeys = ["backdated", "submitted", "byAlgorithm", "exceptional", "declined", "enrolments", "expired", "offers",
            "waitingAtEnd", "withdrawals", "total"];
        var values = new List<long>();
        void Walk(JsonElement e, string? key, bool inByTier)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        if (p.Name == "suppressed") continue;
                        Walk(p.Value, p.Name, key == "byTier");
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var x in e.EnumerateArray()) Walk(x, null, false);
                    break;
                case JsonValueKind.Number when inByTier || countKeys.Contains(key):
                    values.Add(e.GetInt64());
                    break;
                default:
                    break;
            }
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject()) Walk(p.Value, p.Name, false);
        return values;
    }
}
