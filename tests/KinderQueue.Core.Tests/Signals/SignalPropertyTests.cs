using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Public;

namespace KinderQueue.Core.Tests.Signals;

/// <summary>
/// Properties of the ledger over random regions (<see cref="RandomRegion"/>: a year of submissions,
/// reviews, rounds with capacity cuts before them, changes and withdrawals, all by one staff pseudonym),
/// refolded under criteria with or without published thresholds.
/// </summary>
public sealed class SignalPropertyTests
{
    /// <summary>Small thresholds, so that random regions raise signals of several kinds.</summary>
    private static readonly SignalThresholds Low = new(
        CapacityCutWindowDays: 30, CapacityCutMinSeats: 0, BackdateMinHours: 0, BackdateMaxCount: 0,
        ClaimBurstMaxCount: 1, ClaimBurstStaffSharePercent: 0, ClaimBurstKindergartenSharePercent: 0,
        LateClaimWindowDays: 200, LateClaimMaxCount: 0, CapacityDeadlineMonth: 2, CapacityDeadlineDay: 1,
        ExceptionalMaxPerKindergartenYear: 0, StaffChangeWindowDays: 200, StaffChangeMaxCount: 0,
        PositionLossMinPlaces: 0, PositionLossMaxApplicants: 0);

    /// <summary>The region's entries folded again with the thresholds of every criteria version replaced; the ledger after each prefix is not kept.</summary>
    private static SignalLedger Fold(RegionCase region, SignalThresholds? thresholds, long? upTo = null, QueueIndex? shared = null)
    {
        var state = new QueueState();
        var ledger = new SignalLedger(shared);
        var chain = new LogChain();
        foreach (var (old, original) in region.Log.Entries.Take(upTo is { } n ? (int)n : int.MaxValue))
        {
            var e = original is CriteriaPublished cp
                ? new CriteriaPublished(cp.Criteria with { Signals = thresholds, Reasons = cp.Criteria.ReasonCodes with { SignalOutcomes = SignalLog.Outcomes } })
                : original;
            var entry = new LogEntry(old.Seq, old.At, old.Actor, e.Type, EventCodec.Encode(e), chain.Head.ToArray());
            state.Apply(entry, e).Should().BeNull($"entry {old.Seq} was accepted in the original log");
            chain.Append(old.At, old.Actor, e);
            shared?.Observe(entry, e, state);
            ledger.Observe(entry, e, state);
        }
        return ledger;
    }

    [Property(MaxTest = 60, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void FoldingTheSameLogTwice_GivesByteIdenticalDocuments(RegionCase region)
    {
        var once = SignalsJson.Write(Fold(region, Low).Document());
        var twice = SignalsJson.Write(Fold(region, Low).Document());
        twice.Should().Equal(once);
    }

    /// <summary>
    /// A validator's ledger keeps its own index without histories, which skips the members a shift of at
    /// most the floor crosses; the service's ledger reads the public model's full index. Same document,
    /// whatever the floor (0 counts every loss; 1 and 3 let the losses-only index skip some).
    /// </summary>
    [Property(MaxTest = 60, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void OwnIndexForLossesOnly_GivesTheDocumentOfTheFullIndex(RegionCase region)
    {
        foreach (var floor in new[] { 0, 1, 3 })
        {
            var thresholds = Low with { PositionLossMinPlaces = floor };
            var own = SignalsJson.Write(Fold(region, thresholds).Document());
            var full = SignalsJson.Write(Fold(region, thresholds, shared: new QueueIndex()).Document());
            own.Should().Equal(full, $"the floor is {floor}");
        }
    }

    [Property(MaxTest = 60, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void CriteriaWithoutThresholds_RaiseNothing(RegionCase region)
    {
        var document = Fold(region, null).Document();
        document.Signals.Should().BeEmpty();
        document.Size.Should().Be(region.Log.State.Size);
        document.Summary.Total.Total.Should().Be(0);
    }

    [Property(MaxTest = 60, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void EverySignal_IsRaisedAtOneOfItsEntries_WithTheIdOfItsKindAndSubject(RegionCase region)
    {
        var document = Fold(region, Low).Document();
        foreach (var s in document.Signals)
        {
            s.Id.Should().Be(SignalIds.Of(s.Kind, s.Subject));
            s.Entries.Should().Contain(s.RaisedSeq).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
            s.Entries.Should().OnlyContain(seq => seq >= 0 && seq < document.Size);
            s.RaisedAt.Should().Be(region.Log.Entries[(int)s.RaisedSeq].Entry.At);
            s.Value.Should().BeGreaterThan(s.Threshold);
        }
        document.Signals.Select(s => s.Id).Should().OnlyHaveUniqueItems();
        document.Signals.Select(s => s.RaisedSeq).Should().BeInAscendingOrder();
    }

    /// <summary>
    /// Decision 2 of the contract: a signal raised in a prefix of the log keeps its id, raise entry
    /// and time in every longer log, and its entries only grow. So the document of a prefix never
    /// has to be rewritten, only extended.
    /// </summary>
    [Property(MaxTest = 40, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public Property APrefixsSignals_KeepTheirIdAndRaise_InTheWholeLog(RegionCase region, PositiveInt cut) =>
        Prop.When(region.Log.Entries.Count > 0, () =>
        {
            var size = region.Log.Entries.Count;
            var prefix = Fold(region, Low, cut.Get % size).Document();
            var whole = Fold(region, Low).Document().Signals.ToDictionary(s => s.Id);
            foreach (var s in prefix.Signals)
            {
                whole.Should().ContainKey(s.Id);
                var later = whole[s.Id];
                (later.RaisedSeq, later.RaisedAt, later.Kind).Should().Be((s.RaisedSeq, s.RaisedAt, s.Kind));
                later.Entries.Should().Contain(s.Entries);
            }
        });

    [Property(MaxTest = 30, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public void TheLedgerOfThePublicModel_EqualsAStandaloneLedger(RegionCase region)
    {
        // The service's ledger shares the public model's queue index; a validator's keeps its own.
        var model = new KinderQueue.Core.Public.PublicModel();
        var standalone = Fold(region, Low);
        var state = new QueueState();
        var chain = new LogChain();
        foreach (var (old, original) in region.Log.Entries)
        {
            var e = original is CriteriaPublished cp
                ? new CriteriaPublished(cp.Criteria with { Signals = Low, Reasons = cp.Criteria.ReasonCodes with { SignalOutcomes = SignalLog.Outcomes } })
                : original;
            var entry = new LogEntry(old.Seq, old.At, old.Actor, e.Type, EventCodec.Encode(e), chain.Head.ToArray());
            chain.Append(old.At, old.Actor, e);
            model.Apply(entry, e).Should().BeNull();
        }
        SignalsJson.Write(model.Signals.Document()).Should().Equal(SignalsJson.Write(standalone.Document()));
    }

    /// <summary>The properties above are not vacuous: random regions under the low thresholds raise signals of most kinds.</summary>
    [Fact]
    public void RandomRegions_UnderLowThresholds_RaiseMostKinds()
    {
        var kinds = Enumerable.Range(1, 20)
            .SelectMany(seed => Fold(RandomRegion.Generate(seed, 30), Low).Document().Signals)
            .Select(s => s.Kind)
            .ToHashSet();
        kinds.Should().Contain([SignalKinds.CapacityCutBeforeRound, SignalKinds.ClaimBurstStaff, SignalKinds.ClaimBurstKindergarten,
            SignalKinds.ExceptionalEnrolments, SignalKinds.StaffChangesBeforeRound, SignalKinds.MassPositionLoss], string.Join(", ", kinds));
    }
}
