using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Privacy;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;
using static KinderQueue.Core.Tests.Privacy.PrivacyWorld;

namespace KinderQueue.Core.Tests.Privacy;

/// <summary>
/// <c>kq privacy</c>'s figures (VERIFYING.md, SPEC.md §16.1) on small hand-built logs: uniqueness and
/// k-anonymity counted exactly, a parent actor shared by two applications, typed reasons found and
/// redacted, published codes and institutional names not taken for typed text.
/// </summary>
public sealed class PrivacyAnalyzerTests
{
    private const string First = "district, birth month, first preference";
    private const string List = "district, birth month, preference list";
    private const string Day = "district, birth month, registration day";
    private const string FirstAndDay = "district, birth month, first preference, registration day";

    /// <summary>
    /// Thirteen applications whose classes are worked out by hand in the test below. claim a
    /// priority tier. A-2 registers at 01:30 Moscow time on 1 February (22:30 UTC on 31 January): its
    /// registration day is the region's, so it shares a day with A-1.
    /// </summary>
    private static PrivacyWorld Thirteen()
    {
        var w = Region();
        Instant d1 = On(2027, 2, 1), d2 = On(2027, 2, 2), d3 = On(2027, 2, 3), d4 = On(2027, 2, 4);
        w.Submit("A-2", "north", "2024-03", ["kg-1", "kg-2"], Instant.FromUtc(2027, 1, 31, 22, 30));
        w.Submit("A-1", "north", "2024-03", ["kg-1", "kg-2"], d1);
        w.Submit("A-3", "north", "2024-03", ["kg-1"], d2);
        w.Submit("A-4", "north", "2024-03", ["kg-3", "kg-1"], d2 + Duration.FromMinutes(1), claims: new PriorityClaim("first", null));
        w.Submit("A-5", "north", "2024-04", ["kg-1"], d2 + Duration.FromMinutes(2));
        w.Submit("A-6", "south", "2024-03", ["kg-2"], d3, claims: new PriorityClaim("sibling", "kg-2"));
        w.Submit("A-7", "south", "2024-03", ["kg-2"], d3 + Duration.FromMinutes(1));
        w.Submit("A-8", "south", "2024-03", ["kg-2", "kg-1"], d3 + Duration.FromMinutes(2));
        for (var i = 9; i <= 13; i++) w.Submit($"A-{i}", "south", "2024-05", ["kg-3"], (i <= 10 ? d3 : d4) + Duration.FromMinutes(10 + i));
        return w;
    }

    [Fact]
    public void Anonymity_HandBuiltLog_CountsEveryClassExactly()
    {
        var report = Thirteen().Analyze();

        report.Applications.Should().Be(13);
        report.NonGeneral.Should().Be(2);
        report.Anonymity.Select(a => (a.Set.Name, a.NonGeneralOnly)).Should().Equal(
            (First, false), (First, true), (List, false), (List, true), (Day, false), (Day, true), (FirstAndDay, false), (FirstAndDay, true));
        // (set, all: applications unique below-five min-k), (non-general: the same), classes formed over all 13.
        // First: n/03/kg-1 {1,2,3}, n/03/kg-3 {4}, n/04/kg-1 {5}, s/03/kg-2 {6,7,8}, s/05/kg-3 {9..13}.
        Figures(Row(report, First, false)).Should().Be((13, 2, 8, 1));
        Figures(Row(report, First, true)).Should().Be((2, 1, 2, 1));
        // List: n/03/[1,2] {1,2}, n/03/[1] {3}, n/03/[3,1] {4}, n/04/[1] {5}, s/03/[2] {6,7}, s/03/[2,1] {8}, s/05/[3] {9..13}.
        Figures(Row(report, List, false)).Should().Be((13, 4, 8, 1));
        Figures(Row(report, List, true)).Should().Be((2, 1, 2, 1));
        // Day: n/03/D1 {1,2}, n/03/D2 {3,4}, n/04/D2 {5}, s/03/D3 {6,7,8}, s/05/D3 {9,10}, s/05/D4 {11,12,13}.
        Figures(Row(report, Day, false)).Should().Be((13, 1, 13, 1));
        Figures(Row(report, Day, true)).Should().Be((2, 0, 2, 2));
        // First and day: n/03/kg-1/D1 {1,2}, n/03/kg-1/D2 {3}, n/03/kg-3/D2 {4}, n/04/kg-1/D2 {5}, s/03/kg-2/D3 {6,7,8}, s/05/kg-3/D3 {9,10}, s/05/kg-3/D4 {11,12,13}.
        Figures(Row(report, FirstAndDay, false)).Should().Be((13, 3, 13, 1));
        Figures(Row(report, FirstAndDay, true)).Should().Be((2, 1, 2, 1));
    }

    private static (int Applications, int Unique, int BelowFive, int MinK) Figures(AnonymityFigures f) => (f.Applications, f.Unique, f.BelowFive, f.MinK);

    [Fact]
    public void Anonymity_EveryoneInOneClassOfFive_IsFiveAnonymous()
    {
        var w = Region();
        for (var i = 1; i <= 5; i++) w.Submit($"A-{i}", "south", "2024-05", ["kg-3"], On(2027, 2, 4, i));

        var report = w.Analyze();

        foreach (var set in SetNames)
        {
            Figures(Row(report, set, false)).Should().Be((5, 0, 0, 5), set);
            Figures(Row(report, set, true)).Should().Be((0, 0, 0, 0), "no application claims a tier: " + set);
        }
    }

    [Fact]
    public void Anonymity_UsesThePreferencesTheStateHasAfterAChange()
    {
        var w = Region();
        w.Submit("A-1", "south", "2024-05", ["kg-3"], On(2027, 2, 4));
        w.Submit("A-2", "south", "2024-05", ["kg-2"], On(2027, 2, 4, 1));
        w.Ok(On(2027, 2, 5), new ApplicationChanged("A-2", ["kg-3"], September));

        Figures(Row(w.Analyze(), List, false)).Should().Be((2, 0, 2, 2));
    }

    [Fact]
    public void Anonymity_EmptyLog_HasNoApplicationsAndNoClasses()
    {
        var report = Region().Analyze();

        report.Applications.Should().Be(0);
        report.Anonymity.Should().HaveCount(8).And.OnlyContain(a => a.Applications == 0 && a.Unique == 0 && a.BelowFive == 0 && a.MinK == 0);
    }

    // ------------------------------------------------------------------ actors

    [Fact]
    public void Actors_ParentPseudonymOnTwoApplications_IsReportedAsLinked()
    {
        var w = Region();
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1), actor: "parent:aaaaaaaaaaaaaaaa");
        w.Submit("A-2", "north", "2024-04", ["kg-1"], On(2027, 2, 1, 1), actor: "parent:bbbbbbbbbbbbbbbb");
        w.Submit("A-3", "north", "2024-05", ["kg-1"], On(2027, 2, 1, 2), actor: "parent:bbbbbbbbbbbbbbbb");
        w.Ok(On(2027, 2, 2), new ApplicationChanged("A-1", ["kg-1", "kg-2"], September), "parent:aaaaaaaaaaaaaaaa");
        // A staff account acts on many applications: accountability, not a family link.
        w.Ok(On(2027, 2, 3), new ApplicationWithdrawn("A-1", "parent-request"));
        w.Ok(On(2027, 2, 3, 1), new ApplicationWithdrawn("A-2", "parent-request"));

        var report = w.Analyze();

        report.ParentActors.Should().Be(2);
        report.LinkedActors.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new LinkedActor("parent:bbbbbbbbbbbbbbbb", ["A-2", "A-3"]));
    }

    [Fact]
    public void Actors_OneParentPseudonymPerApplication_LinksNothing()
    {
        var w = Region();
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1), actor: "parent:aaaaaaaaaaaaaaaa");
        w.Ok(On(2027, 2, 2), new ApplicationWithdrawn("A-1", "moved-away"), "parent:aaaaaaaaaaaaaaaa");
        w.Submit("A-2", "north", "2024-04", ["kg-1"], On(2027, 2, 1, 1), actor: "parent:cccccccccccccccc");

        var report = w.Analyze();

        report.ParentActors.Should().Be(2);
        report.LinkedActors.Should().BeEmpty();
    }

    // ------------------------------------------------------------------ public strings

    [Fact]
    public void Strings_PublishedCodes_CriteriaAndIds_AreNotTypedText()
    {
        var w = Region();
        w.Ok(On(2026, 12, 4), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 2), new CapacityRow("kg-2", "junior", 2027, 1)]));
        w.Submit("A-1", "north", "2024-03", ["kg-1", "kg-2"], On(2027, 2, 1), claims: new PriorityClaim("sibling", "kg-1"));
        w.Submit("A-2", "north", "2024-03", ["kg-1"], On(2027, 2, 1, 1));
        w.Submit("A-3", "north", "2024-03", ["kg-2"], On(2027, 2, 1, 2));
        w.Ok(On(2027, 2, 2), new ClaimReviewed("A-1", 0, true, "document-confirmed"));
        w.Ok(On(2027, 2, 2, 1), new ApplicationWithdrawn("A-3", "moved-away"));
        w.Ok(On(2027, 2, 2, 2), new EnrolmentExceptional("A-2", "kg-1", "junior", 2027, "court-decision"));

        var report = w.Analyze();

        report.Clean.Should().BeTrue();
        report.Typed.Should().BeEmpty();
        report.Strings[StringKind.Code].Should().Be(4, "annual-plan, document-confirmed, moved-away, court-decision");
        report.Strings[StringKind.Criteria].Should().BeGreaterThan(100, "the criteria document's names and legal texts are its published content");
        report.Strings[StringKind.Hash].Should().Be(3);
        report.Strings[StringKind.Number].Should().Be(6);
        report.Strings.Should().NotContainKey(StringKind.Typed);
    }

    [Fact]
    public void Strings_DistrictAndKindergartenNames_AreListedAsInstitutional()
    {
        var report = Region().Analyze();

        report.Clean.Should().BeTrue();
        report.Institutional.Select(i => (i.Seq, i.Type, i.Path, i.Value)).Should().Equal(
            (1L, "district.registered", "$.name", "Северный район"),
            (2L, "district.registered", "$.name", "Южный район"),
            (3L, "kindergarten.registered", "$.name", "Детский сад № 1 «Солнышко»"),
            (4L, "kindergarten.registered", "$.name", "Детский сад № 2"),
            (5L, "kindergarten.registered", "$.name", "Детский сад № 3"));
    }

    [Fact]
    public void Strings_TypedReasonsUnderCriteriaWithoutLists_AreFound_AndOnlyAPreviewIsKept()
    {
        const string moved = "Семья переехала в Тверь, звонить маме +7 900 123-45-67";
        const string basis = "Решение суда № 2а-1234/2027";
        var w = Region(Legacy);
        w.Ok(On(2026, 12, 4), new CapacityLoaded("план на 2027", [new CapacityRow("kg-1", "junior", 2027, 2)]));
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1), claims: new PriorityClaim("first", null));
        w.Submit("A-2", "north", "2024-03", ["kg-1"], On(2027, 2, 1, 1));
        var reviewed = w.Ok(On(2027, 2, 2), new ClaimReviewed("A-1", 0, true, "document-confirmed"));
        var withdrawn = w.Ok(On(2027, 2, 2, 1), new ApplicationWithdrawn("A-2", moved));
        w.Ok(On(2027, 2, 2, 2), new EnrolmentExceptional("A-1", "kg-1", "junior", 2027, basis));

        var report = w.Analyze();

        report.Clean.Should().BeFalse();
        report.Typed.Select(t => (t.Type, t.Path)).Should().Equal(
            ("capacity.loaded", "$.reason"), ("claim.reviewed", "$.reason"), ("application.withdrawn", "$.reason"), ("enrolment.exceptional", "$.legalBasis"));
        // Under criteria without lists even a code-like word is not a published code: nobody can tell it from typed text.
        report.Typed[1].Seq.Should().Be(reviewed);
        var t = report.Typed[2];
        t.Seq.Should().Be(withdrawn);
        t.Length.Should().Be(moved.Length);
        t.Preview.Should().Be("Семь…");
        t.Why.Should().Contain("publish no 'withdrawal' codes");
        var everything = string.Join("\n", report.Typed.Select(x => x.ToString()));
        everything.Should().NotContain("Тверь").And.NotContain("+7 900").And.NotContain("2а-1234");
        report.Strings.Should().NotContainKey(StringKind.Code);
        report.Strings[StringKind.Typed].Should().Be(4);
    }

    [Fact]
    public void Strings_TextBeforeTheListsIsFound_CodesAfterThemAreNot()
    {
        var w = Region(Legacy);
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1));
        w.Submit("A-2", "north", "2024-03", ["kg-1"], On(2027, 2, 1, 1));
        var typed = w.Ok(On(2027, 2, 2), new ApplicationWithdrawn("A-1", "family moved to another region"));
        // The region moves to codes with a version that publishes the lists (SPEC.md §4.6).
        w.Ok(On(2027, 2, 15), new CriteriaPublished(DefaultCriteria.Value with { Version = "2027.2", EffectiveFrom = new LocalDate(2027, 3, 1) }));
        w.Ok(On(2027, 3, 2), new ApplicationWithdrawn("A-2", "moved-away"));

        var report = w.Analyze();

        report.Typed.Should().ContainSingle().Which.Seq.Should().Be(typed);
        report.Strings[StringKind.Code].Should().Be(1);
    }

    [Fact]
    public void Strings_RoundIdsAreIds_ALabelledRoundIsInstitutional()
    {
        var w = Region();
        w.Ok(On(2026, 12, 4), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1)]));
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1));
        var first = Rounds.Decide(w.State, "2027-main", new LocalDate(2027, 5, 1), September).GetValueOrThrow();
        w.Ok(On(2027, 5, 1, 60), first.Decision);
        w.Ok(On(2027, 5, 2), new OfferResponded("A-1", false));
        var second = Rounds.Decide(w.State, "Основное комплектование", new LocalDate(2027, 5, 10), September).GetValueOrThrow();
        var labelled = w.Ok(On(2027, 5, 10, 60), second.Decision);

        var report = w.Analyze();

        report.Typed.Should().BeEmpty();
        report.Institutional.Should().ContainSingle(i => i.Type == "allocation.decided").Which.Should().BeEquivalentTo(
            new InstitutionalString(labelled, "allocation.decided", "$.round", "Основное комплектование"));
    }

    // ------------------------------------------------------------------ input

    [Fact]
    public void Input_ALineThatDoesNotFold_StopsTheRunWithItsSeq()
    {
        var w = Region();
        w.Submit("A-1", "north", "2024-03", ["kg-1"], On(2027, 2, 1));
        var lines = w.Lines.ToList();
        // The same submission again: the fold refuses a repeated number.
        var again = new LogChain(lines.Count, MerkleHash.Leaf(lines[^1]));
        var entry = LogEntry.Parse(lines[^1]).GetValueOrThrow();
        lines.Add(again.Append(entry.At, entry.Actor, entry.Type, entry.Payload.ToArray()).Bytes);

        using var analyzer = new PrivacyAnalyzer();
        analyzer.Add([.. lines.Select(l => (ReadOnlyMemory<byte>)l)]).Should().BeFalse();

        analyzer.Problem.Should().BeEquivalentTo(new { Seq = (long)lines.Count - 1, Code = "application.duplicate-number" }, o => o.ExcludingMissingMembers());
        analyzer.Size.Should().Be(lines.Count - 1);
    }

    [Fact]
    public void Input_ALineThatIsNotAnEntry_StopsTheRun()
    {
        var w = Region();
        var lines = w.Lines.Select(l => (ReadOnlyMemory<byte>)l).ToList();
        lines.Insert(2, System.Text.Encoding.UTF8.GetBytes("{\"not\":\"an entry\"}"));

        using var analyzer = new PrivacyAnalyzer();
        analyzer.Add(lines).Should().BeFalse();

        analyzer.Problem!.Seq.Should().Be(2);
        analyzer.Size.Should().Be(2);
    }

    [Fact]
    public void Batches_AnyBatchSize_GivesTheSameReport()
    {
        var w = Thirteen();
        var whole = w.Analyze();
        foreach (var batch in new[] { 1, 2, 7 })
        {
            var report = w.Analyze(batch);
            report.Anonymity.Should().Equal(whole.Anonymity);
            report.Entries.Should().Be(whole.Entries);
        }
    }
}
