using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Small-cell suppression on random small regions (SPEC.md §13.4): no published queue count in 1..4
/// that the exact figures do not determine, no
/// hidden count that an attacker can pin down, every published count true, the same log giving the
/// same bytes. Each property runs on 200 random logs with mostly small cells.
/// </summary>
public sealed class DashboardPropertyTests
{
    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void Published_NoCountFromOneToFour_UnlessTheExactFiguresDetermineIt(RegionCase c)
    {
        var published = c.Log.Build(c.AsOf);
        var truth = c.Log.Truth(c.AsOf);
        var attacker = new Attacker(published, truth);
        // What a reader knows with every queue count hidden but the zeros: the exact figures alone.
        // (The cells of both attackers are in the same order.)
        var blind = new Attacker(HideEveryQueueCount(truth), truth);
        var pinned = blind.Narrow();
        for (var i = 0; i < attacker.Cells.Count; i++)
        {
            var cell = attacker.Cells[i];
            if (cell.Published.Value is not (>= 1 and <= 4) || !blind.Cells[i].Published.IsSuppressed) continue;
            pinned[i].Lo.Should().Be(pinned[i].Hi, $"{cell.Name} = {cell.Published.Value} is published although the exact figures do not determine it ({c})");
        }
        // And in the bytes the service serves: a small integer under a queue count key is one of those.
        var small = attacker.Cells.Count(x => x.Published.Value is >= 1 and <= 4 && !x.Name.StartsWith("month", StringComparison.Ordinal)
            && !x.Name.StartsWith("year", StringComparison.Ordinal) && !x.Name.StartsWith("allTime", StringComparison.Ordinal)
            && !x.Name.StartsWith("channel", StringComparison.Ordinal));
        QueueJsonCounts(DashboardJson.ToCanonicalBytes(published)).Count(v => v is >= 1 and <= 4).Should().Be(small);
    }

    [Fact]
    public void SmallCounts_ArePublished_WhenTheEnrolmentFiguresDetermineThem()
    {
        // Three enrolled this year: the enrolment figures say so exactly, and the region's enrolled
        // total equals them (R8), so hiding that total would protect nothing.
        var seen = 0;
        for (var seed = 0; seed < 200 && seen == 0; seed++)
        {
            var c = RandomRegion.Generate(seed, size: 30);
            var truth = c.Log.Truth(c.AsOf);
            if (truth.Region is null || truth.Year is not { } year) continue;
            var enrolled = truth.EnrolmentYears.Where(y => y.Year >= year).Sum(y => y.ByAlgorithm + y.Exceptional);
            if (enrolled is < 1 or > 4 || truth.Region.Enrolled.Total.Value != enrolled) continue;
            seen++;
            c.Log.Build(c.AsOf).Region!.Enrolled.Total.Should().Be(Count.Exact(enrolled));
        }
        seen.Should().BePositive("some random region has 1..4 enrolments this year");
    }

    /// <summary>The truth with every nonzero queue count hidden; enrolments, months and channels stay exact.</summary>
    private static Dashboard HideEveryQueueCount(Dashboard truth)
    {
        static Count H(Count c) => c.Value == 0 ? c : new Count(null, CountMarker.Hidden);
        static TierCounts T(TierCounts t) => new([.. t.ByTier.Select(H)], H(t.Total));
        static QueueCounts Q(QueueCounts q) => new(T(q.WaitingNow), T(q.WaitingLater), T(q.Offered), T(q.Enrolled));
        return truth with
        {
            ByKindergarten = [.. truth.ByKindergarten.Select(r => r with { Counts = Q(r.Counts) })],
            ByDistrict = [.. truth.ByDistrict.Select(r => r with { Counts = Q(r.Counts) })],
            ByGroup = [.. truth.ByGroup.Select(r => r with { Counts = Q(r.Counts) })],
            Region = truth.Region is null ? null : Q(truth.Region),
        };
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void Attacker_PinsNoHiddenCount(RegionCase c)
    {
        var attacker = new Attacker(c.Log.Build(c.AsOf), c.Log.Truth(c.AsOf));
        attacker.Exposed().Should().BeEmpty("no hidden count may be recoverable from the published ones ({0})", c);
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void Published_CountsAreTheTrueOnes_AndMarkersTellTheTruth(RegionCase c)
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
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void SameLog_GivesTheSameBytes_AfterAReplay(RegionCase c)
    {
        var bytes = DashboardJson.ToCanonicalBytes(c.Log.Build(c.AsOf));
        var (state, recorder) = c.Log.Replay();
        DashboardJson.ToCanonicalBytes(recorder.Build(state, c.AsOf)).Should().Equal(bytes);
        DashboardJson.ToCanonicalBytes(c.Log.Build(c.AsOf)).Should().Equal(bytes, "building twice changes nothing");
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void QueueTables_CountTheQueuesThatPositionsShow(RegionCase c)
    {
        // SPEC.md §7.6 gives every waiting application a queue per listed kindergarten, with its tier there.
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

    /// <summary>Every integer of a queue count in the JSON: a tier count or a total of <c>queues</c>.</summary>
    internal static List<long> QueueJsonCounts(byte[] json)
    {
        string[] countKeys = ["total"];
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
        Walk(doc.RootElement.GetProperty("queues"), "queues", false);
        return values;
    }
}
