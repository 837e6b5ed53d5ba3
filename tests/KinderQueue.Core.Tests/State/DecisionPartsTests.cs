using System.Collections.Immutable;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using KinderQueue.Core.Tests.Public;
using KinderQueue.Core.Verification;
using NodaTime;
using static KinderQueue.Core.Tests.Verification.VerifyWorld;

namespace KinderQueue.Core.Tests.State;

/// <summary>
/// A decision larger than one entry of the tiled log may hold is written in parts (SPEC.md §8.5):
/// one way to cut it, the same state as one entry would give, refused when a part is missing, out of
/// order or cut otherwise, and recomputed by the verifier like any decision.
/// </summary>
public sealed class DecisionPartsTests
{
    private static readonly LocalDate RoundDate = new(2027, 5, 1);
    private static readonly LocalDate Start = new(2027, 9, 1);

    /// <summary>
    /// A region whose May round offers <paramref name="offered"/> seats and archives <paramref name="tooOld"/>
    /// children who are seven by the start date: with 1,500 offers the decision is about 150 KB.
    /// </summary>
    private static (RecordedLog Log, AllocationDecided Decision) BigRound(int offered = 1500, int tooOld = 300, bool split = true)
    {
        var log = new RecordedLog();
        log.Ok(RecordedLog.On(2026, 12, 1), new CriteriaPublished(DefaultCriteria.Value));
        log.Ok(RecordedLog.On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        const int kindergartens = 20;
        for (var k = 0; k < kindergartens; k++)
            log.Ok(RecordedLog.On(2026, 12, 3, k), new KindergartenRegistered($"kg-{k}", $"Детский сад № {k}", "central", ["central"]));
        log.Ok(RecordedLog.On(2026, 12, 4), new CapacityLoaded("annual-plan",
            [.. Enumerable.Range(0, kindergartens).Select(k => new CapacityRow($"kg-{k}", "junior", 2027, offered / kindergartens))]));
        var at = RecordedLog.On(2027, 1, 10);
        for (var i = 0; i < offered + tooOld; i++)
        {
            var month = i < offered ? new YearMonth(2024, 3) : new YearMonth(2020, 8);
            var when = at + Duration.FromSeconds(i);
            log.Try(when, new ApplicationSubmitted($"KQ-2027-{i:D6}", "new", "portal", when, month, "central",
                [$"kg-{i % kindergartens}"], i < offered ? Start : new LocalDate(2027, 3, 1), [], new string('0', 64))).Should().BeNull(because: "application {0} should be accepted", i);
        }
        var decision = Rounds.Decide(log.State, "2027-main", RoundDate, Start).GetValueOrThrow().Decision;
        var parts = split ? DecisionParts.Split(decision).GetValueOrThrow() : [decision];
        foreach (var part in parts) log.Ok(RecordedLog.On(RoundDate, 60), part);
        return (log, decision);
    }

    private static IReadOnlyList<LogEvent> Parts(AllocationDecided d) => DecisionParts.Split(d).GetValueOrThrow();

    private static (ImmutableArray<Offer> Offers, ImmutableArray<string> Archived) Items(LogEvent e) => e switch
    {
        AllocationDecided d => (d.Offers, d.Archived),
        AllocationContinued c => (c.Offers, c.Archived),
        _ => throw new ArgumentException(e.Type),
    };

    [Fact]
    public void Split_DecisionThatFits_IsOneEntryWithTheBytesItAlwaysHad()
    {
        var d = new AllocationDecided("2027-main", 12, "2027.1", RoundDate, Start, 2027,
            [new Offer("A-1", "kg-1", "junior", new LocalDate(2027, 5, 15))], ["A-9"]);

        var parts = Parts(d);

        parts.Should().ContainSingle().Which.Should().Be(d);
        System.Text.Encoding.UTF8.GetString(EventCodec.Encode(parts[0])).Should().Be(
            """{"archived":["A-9"],"basis":12,"criteria":"2027.1","date":"2027-05-01","offers":[{"deadline":"2027-05-15","group":"junior","kindergarten":"kg-1","number":"A-1"}],"round":"2027-main","startDate":"2027-09-01","year":2027}""");
    }

    [Fact]
    public void Split_LargeDecision_PartsFitAnEntryBundle_KeepTheOrder_AndAreCutGreedily()
    {
        var (_, d) = BigRound();
        EventCodec.Encode(d).Length.Should().BeGreaterThan(65_535, "the test needs a decision that a tile's entry cannot hold");

        var parts = Parts(d);

        parts.Count.Should().BeGreaterThan(1);
        parts[0].Should().BeOfType<AllocationDecided>().Which.Parts.Should().Be(parts.Count);
        parts.Skip(1).Select(p => ((AllocationContinued)p).Part).Should().Equal(Enumerable.Range(1, parts.Count - 1));
        parts.Skip(1).Should().AllSatisfy(p => ((AllocationContinued)p).Round.Should().Be("2027-main"));
        parts.SelectMany(p => Items(p).Offers).Should().Equal(d.Offers);
        parts.SelectMany(p => Items(p).Archived).Should().Equal(d.Archived);
        var all = parts.SelectMany(p => Items(p).Offers.Select(o => (object)o).Concat(Items(p).Archived)).ToList();
        var taken = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var payload = EventCodec.Encode(parts[i]);
            payload.Length.Should().BeLessThanOrEqualTo(DecisionParts.MaxPayloadBytes);
            EventCodec.Decode(parts[i].Type, payload).GetValueOrThrow().Should().BeEquivalentTo(parts[i], "each part is canonical");
            var (offers, archived) = Items(parts[i]);
            taken += offers.Length + archived.Length;
            if (i == parts.Count - 1) break;
            // Greedy: the next item would not have fitted in this part.
            var next = all[taken];
            var grown = next is Offer o
                ? WithItems(parts[i], offers.Add(o), archived)
                : WithItems(parts[i], offers, archived.Add((string)next));
            EventCodec.Encode(grown).Length.Should().BeGreaterThan(DecisionParts.MaxPayloadBytes, $"part {i} could have taken one more item");
        }
    }

    private static LogEvent WithItems(LogEvent part, ImmutableArray<Offer> offers, ImmutableArray<string> archived) => part switch
    {
        AllocationDecided d => d with { Offers = offers, Archived = archived },
        AllocationContinued c => c with { Offers = offers, Archived = archived },
        _ => throw new ArgumentException(part.Type),
    };

    [Fact]
    public void Split_EveryEntryOfTheParts_IsUnder65535Bytes()
    {
        var (log, _) = BigRound();

        var decisionEntries = log.Entries.Where(x => x.Event is AllocationDecided or AllocationContinued).ToList();

        decisionEntries.Count.Should().BeGreaterThan(1);
        decisionEntries.Should().AllSatisfy(x => x.Entry.ToBytes().Length.Should().BeLessThanOrEqualTo(65_535));
    }

    [Fact]
    public void Fold_DecisionInParts_GivesTheStateOfTheSameDecisionInOneEntry()
    {
        var (parts, decision) = BigRound(split: true);
        var (whole, _) = BigRound(split: false);

        parts.State.Applications.Should().BeEquivalentTo(whole.State.Applications);
        parts.State.Size.Should().Be(whole.State.Size + Parts(decision).Count - 1);
        parts.State.Decisions.Should().ContainSingle();
        var (seq, logged) = parts.State.Decisions[0];
        seq.Should().Be(whole.State.Decisions[0].Seq, "a decision's entry is its first part");
        EventCodec.Encode(logged).Should().Equal(EventCodec.Encode(decision));
        parts.State.PendingDecision.Should().BeNull();
    }

    [Fact]
    public void Fold_PartsBeforeTheLast_ChangeNothing_AndTheLastTakesEffectAsTheWholeDecision()
    {
        var (log, _) = BigRound(split: false);
        // Rebuild the region without its round, then apply the parts one by one.
        var state = new QueueState();
        var entries = log.Entries.Take(log.Entries.Count - 1).ToList();
        var chain = new LogChain();
        foreach (var (entry, e) in entries)
        {
            state.Apply(entry, e).Should().BeNull();
            chain.Append(entry.At, entry.Actor, e);
        }
        var decision = Rounds.Decide(state, "2027-main", RoundDate, Start).GetValueOrThrow().Decision;
        var waiting = state.Applications.Values.Count(a => a.Status == ApplicationStatus.Waiting);
        var parts = Parts(decision);

        for (var i = 0; i < parts.Count; i++)
        {
            var entry = new LogEntry(state.Size, RecordedLog.On(RoundDate, 60), "staff:s-1", parts[i].Type, EventCodec.Encode(parts[i]), chain.Head.ToArray());
            state.Apply(entry, parts[i]).Should().BeNull();
            chain.Append(entry.At, entry.Actor, parts[i]);
            if (i < parts.Count - 1)
            {
                state.LastEffect.Should().BeNull();
                state.Applications.Values.Count(a => a.Status == ApplicationStatus.Waiting).Should().Be(waiting);
                state.Decisions.Should().BeEmpty();
            }
        }
        state.LastEffect.Should().BeOfType<AllocationDecided>().Which.Should().BeEquivalentTo(decision);
        state.Applications.Should().BeEquivalentTo(log.State.Applications);
    }

    [Fact]
    public void PublicModel_FollowsADecisionInParts_AsItFollowsTheSameDecisionInOneEntry()
    {
        var (parts, decision) = BigRound(split: true);
        var (whole, _) = BigRound(split: false);
        var extra = Parts(decision).Count - 1;
        var asOf = new LocalDate(2027, 5, 2);

        var withParts = new KinderQueue.Core.Public.PublicModel();
        foreach (var (entry, e) in parts.Entries) withParts.Apply(entry, e).Should().BeNull();
        var oneEntry = new KinderQueue.Core.Public.PublicModel();
        foreach (var (entry, e) in whole.Entries) oneEntry.Apply(entry, e).Should().BeNull();
        withParts.AdvanceTo(asOf);
        oneEntry.AdvanceTo(asOf);

        withParts.Queues.Size.Should().Be(oneEntry.Queues.Size + extra);
        foreach (var number in new[] { "KQ-2027-000000", "KQ-2027-001499", "KQ-2027-001799" })
        {
            var a = withParts.Queues.HistoryOf(number)!;
            var b = oneEntry.Queues.HistoryOf(number)!;
            // The same history, the decision's change at its last part's entry instead of its only one.
            a.Kindergartens.Should().HaveSameCount(b.Kindergartens);
            (a.Size - b.Size).Should().Be(extra);
        }
        var withPartsJson = System.Text.Encoding.UTF8.GetString(KinderQueue.Core.Public.DashboardJson.ToCanonicalBytes(withParts.Statistics.Build(withParts.State, asOf)));
        var oneEntryJson = System.Text.Encoding.UTF8.GetString(KinderQueue.Core.Public.DashboardJson.ToCanonicalBytes(oneEntry.Statistics.Build(oneEntry.State, asOf)));
        // Every figure the same; only the basis (the log's size) counts the extra entries.
        withPartsJson.Should().Contain($"\"basis\":{oneEntry.State.Size + extra},");
        withPartsJson.Replace($"\"basis\":{oneEntry.State.Size + extra},", "", StringComparison.Ordinal)
            .Should().Be(oneEntryJson.Replace($"\"basis\":{oneEntry.State.Size},", "", StringComparison.Ordinal));
    }

    [Fact]
    public void PositionHistory_OfAnApplicationOfferedInALaterPart_CitesThePartThatNamesIt()
    {
        var (log, decision) = BigRound(split: true);
        var model = new KinderQueue.Core.Public.PublicModel();
        foreach (var (entry, e) in log.Entries) model.Apply(entry, e).Should().BeNull();
        model.AdvanceTo(new LocalDate(2027, 5, 2));
        var parts = log.Entries.Where(x => x.Event is AllocationDecided or AllocationContinued).ToList();
        parts.Count.Should().BeGreaterThan(2);
        foreach (var (entry, e) in new[] { parts[0], parts[1], parts[^1] })
        {
            var (offers, archived) = Items(e);
            var number = offers.Length > 0 ? offers[^1].Number : archived[^1];
            var own = model.Queues.HistoryOf(number)!.Kindergartens.SelectMany(k => k.Steps).SelectMany(s => s.Reasons)
                .Where(r => r.Reason.StartsWith("own-", StringComparison.Ordinal)).SelectMany(r => r.Seqs).ToList();
            own.Should().Contain(entry.Seq, $"{number} is named in the part at {entry.Seq}");
            own.Should().NotContain(parts.Select(p => p.Entry.Seq).Where(s => s != entry.Seq), "no other part names it");
        }
    }

    // ------------------------------------------------------------------ refusals

    private static (QueueState State, LogChain Chain, IReadOnlyList<LogEvent> Parts) BeforeTheRound()
    {
        var (log, decision) = BigRound(split: false);
        var state = new QueueState();
        var chain = new LogChain();
        foreach (var (entry, e) in log.Entries.Take(log.Entries.Count - 1))
        {
            state.Apply(entry, e).Should().BeNull();
            chain.Append(entry.At, entry.Actor, e);
        }
        return (state, chain, Parts(decision));
    }

    private static ValidationProblem? Apply(QueueState state, LogChain chain, LogEvent e)
    {
        var entry = new LogEntry(state.Size, RecordedLog.On(RoundDate, 60), "staff:s-1", e.Type, EventCodec.Encode(e), chain.Head.ToArray());
        var problem = state.Apply(entry, e);
        if (problem is null) chain.Append(entry.At, entry.Actor, e);
        return problem;
    }

    [Fact]
    public void Fold_AnotherEntryBetweenTheParts_IsRefused()
    {
        var (state, chain, parts) = BeforeTheRound();
        Apply(state, chain, parts[0]).Should().BeNull();

        var problem = Apply(state, chain, new DistrictRegistered("north", "Северный район"));

        problem!.Code.Should().Be("decision.part-missing");
        state.Districts.Should().NotContainKey("north");
    }

    [Fact]
    public void Fold_PartWithNoDecisionBeforeIt_IsRefused()
    {
        var (state, chain, parts) = BeforeTheRound();

        Apply(state, chain, parts[1])!.Code.Should().Be("decision.part-unexpected");
    }

    [Fact]
    public void Fold_PartsOutOfOrderOrOfAnotherRound_AreRefused()
    {
        var (state, chain, parts) = BeforeTheRound();
        parts.Count.Should().BeGreaterThan(2, "the test skips a part");
        Apply(state, chain, parts[0]).Should().BeNull();

        Apply(state, chain, parts[2])!.Code.Should().Be("decision.part-order");
        Apply(state, chain, ((AllocationContinued)parts[1]) with { Round = "2027-other" })!.Code.Should().Be("decision.part-order");
        Apply(state, chain, parts[1]).Should().BeNull();
    }

    [Fact]
    public void Fold_DecisionCutOtherwise_IsRefusedAtItsLastPart()
    {
        var (state, chain, parts) = BeforeTheRound();
        // Move the last offer of the first part into the second: every part still fits, but it is not the cut.
        var first = (AllocationDecided)parts[0];
        var second = (AllocationContinued)parts[1];
        var moved = first.Offers[^1];
        var recut = new List<LogEvent>(parts)
        {
            [0] = first with { Offers = first.Offers.RemoveAt(first.Offers.Length - 1) },
            [1] = second with { Offers = second.Offers.Insert(0, moved) },
        };
        recut.Select(p => EventCodec.Encode(p).Length).Should().AllSatisfy(n => n.Should().BeLessThanOrEqualTo(DecisionParts.MaxPayloadBytes + 200));
        ValidationProblem? problem = null;
        foreach (var p in recut)
        {
            problem = Apply(state, chain, p);
            if (problem is not null) break;
        }

        problem!.Code.Should().Be("decision.parts");
        state.Decisions.Should().BeEmpty();
    }

    [Fact]
    public void Fold_SmallDecisionInTwoParts_IsRefused()
    {
        var log = new RecordedLog();
        log.Ok(RecordedLog.On(2026, 12, 1), new CriteriaPublished(DefaultCriteria.Value));
        var first = new AllocationDecided("r", 1, DefaultCriteria.Value.Version, RoundDate, Start, 2027, [], []) { Parts = 2 };
        log.Ok(RecordedLog.On(2027, 5, 1), first);

        log.Try(RecordedLog.On(2027, 5, 1), new AllocationContinued("r", 1, [], []))!.Code.Should().Be("decision.parts");
    }

    [Fact]
    public void Codec_PartsMember_IsAbsentForOneEntry_AndAtLeastTwoWhenPresent()
    {
        var one = """{"archived":[],"basis":0,"criteria":"v","date":"2027-05-01","offers":[],"parts":1,"round":"r","startDate":"2027-09-01","year":2027}""";
        EventCodec.Decode(AllocationDecided.TypeName, System.Text.Encoding.UTF8.GetBytes(one)).Problems.Single().Code.Should().Be("field.range");
        var two = one.Replace("\"parts\":1", "\"parts\":2", StringComparison.Ordinal);
        EventCodec.Decode(AllocationDecided.TypeName, System.Text.Encoding.UTF8.GetBytes(two)).GetValueOrThrow()
            .Should().BeOfType<AllocationDecided>().Which.Parts.Should().Be(2);
        var part = """{"archived":["A-1"],"offers":[],"part":1,"round":"r"}""";
        EventCodec.Decode(AllocationContinued.TypeName, System.Text.Encoding.UTF8.GetBytes(part)).GetValueOrThrow()
            .Should().BeEquivalentTo(new AllocationContinued("r", 1, [], ["A-1"]));
        var zero = part.Replace("\"part\":1", "\"part\":0", StringComparison.Ordinal);
        EventCodec.Decode(AllocationContinued.TypeName, System.Text.Encoding.UTF8.GetBytes(zero)).Problems.Single().Code.Should().Be("field.range");
    }

    // ------------------------------------------------------------------ the verifier

    private static List<byte[]> Lines(RecordedLog log) => [.. log.Entries.Select(x => x.Entry.ToBytes())];

    [Fact]
    public void Verify_LogWithADecisionInParts_IsIntact_AndTheDecisionRecomputed()
    {
        var (log, _) = BigRound();

        var report = Verify(Lines(log));

        report.Problem.Should().BeNull();
        report.DecisionsRecomputed.Should().Be(1);
        report.Totals.Offers.Should().Be(1500);
        report.Totals.Archived.Should().Be(300);
    }

    [Fact]
    public void Verify_LogEndingInsideADecision_IsIncomplete()
    {
        var (log, _) = BigRound();
        var lines = Lines(log);
        var first = log.Entries.FindIndex(x => x.Event is AllocationDecided);

        var report = Verify(lines.GetRange(0, first + 2));

        report.Problem!.Code.Should().Be("decision.parts-incomplete");
        report.Problem.Seq.Should().Be(first);
    }

    [Fact]
    public void Verify_OfferChangedInALaterPartWithHashesRecomputed_IsNotWhatTheRulesCompute()
    {
        var (log, _) = BigRound();
        var lines = Lines(log);
        var first = log.Entries.FindIndex(x => x.Event is AllocationDecided);
        var second = (AllocationContinued)EventOf(lines[first + 1]);
        // Swap the kindergartens of two offers in the second part: same sizes, another decision.
        var a = second.Offers[0];
        var b = second.Offers.First(o => o.Kindergarten != a.Kindergarten && o.Kindergarten.Length == a.Kindergarten.Length);
        var swapped = second.Offers.Replace(a, a with { Kindergarten = b.Kindergarten }).Replace(b, b with { Kindergarten = a.Kindergarten });
        lines[first + 1] = WithEvent(lines[first + 1], second with { Offers = swapped });
        lines = Rechain(lines, first + 1);

        var report = Verify(lines);

        report.Problem!.Code.Should().Be("decision.differs");
        report.Problem.Seq.Should().Be(first, "the decision's entry is its first part");
    }
}
