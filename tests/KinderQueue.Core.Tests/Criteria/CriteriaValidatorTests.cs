using System.Collections.Immutable;
using System.Text.Json.Nodes;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Tests.Criteria;

/// <summary>The publication rules of SPEC.md §4.4, one mutation of the default criteria per rule.</summary>
public sealed class CriteriaValidatorTests
{
    private static CriteriaDocument D => DefaultCriteria.Value;

    private static AgeRule Groups(CriteriaDocument c, Func<ImmutableArray<AgeGroup>, ImmutableArray<AgeGroup>> f) =>
        c.AgeRule with { Groups = f(c.AgeRule.Groups) };

    private static ImmutableArray<T> Set<T>(ImmutableArray<T> items, int index, Func<T, T> f) => items.SetItem(index, f(items[index]));

    // Index of the default tiers: 0 extraordinary, 1 first, 2 sibling, 3 catchment, 4 general.
    // Age groups: 0 early (1-2), 1 junior (3), 2 middle (4), 3 senior (5), 4 preparatory (6).
    private static readonly Dictionary<string, Func<CriteriaDocument, CriteriaDocument>> Mutations = new()
    {
        ["empty legal basis"] = c => c with { Categories = Set(c.Categories, 2, x => x with { LegalBasis = "" }) },
        ["blank legal basis"] = c => c with { Categories = Set(c.Categories, 0, x => x with { LegalBasis = " \t " }) },
        ["duplicate category id"] = c => c with { Categories = Set(c.Categories, 1, x => x with { Id = c.Categories[0].Id }) },
        ["duplicate tier id"] = c => c with { Tiers = Set(c.Tiers, 3, x => x with { Id = "sibling" }) },
        ["duplicate group id"] = c => c with { AgeRule = Groups(c, g => Set(g, 2, x => x with { Id = "junior" })) },
        ["category with unknown tier"] = c => c with { Categories = Set(c.Categories, 0, x => x with { Tier = "super" }) },
        ["category in default tier"] = c => c with { Categories = Set(c.Categories, 0, x => x with { Tier = "general" }) },
        ["gap between age groups"] = c => c with { AgeRule = Groups(c, g => g.RemoveAt(1)) },
        ["overlapping age groups"] = c => c with { AgeRule = Groups(c, g => Set(g, 1, x => x with { MinAge = 2 })) },
        ["min age above max age"] = c => c with { AgeRule = Groups(c, g => Set(g, 4, x => x with { MaxAge = 5 })) },
        ["no age groups"] = c => c with { AgeRule = c.AgeRule with { Groups = [] } },
        ["archive age inside a group"] = c => c with { AgeRule = c.AgeRule with { ArchiveAge = 6 } },
        ["default tier scope sibling"] = c => c with { Tiers = Set(c.Tiers, 4, x => x with { Scope = TierScope.Sibling }) },
        ["default tier scope catchment"] = c => c with { Tiers = Set(c.Tiers, 4, x => x with { Scope = TierScope.Catchment }) },
        ["tier without category"] = c => c with { Categories = [.. c.Categories.Where(x => x.Tier != "first")] },
        ["no tiers"] = c => c with { Tiers = [], Categories = [] },
        ["cut-off 29 February"] = c => c with { AgeRule = c.AgeRule with { CutoffMonth = 2, CutoffDay = 29 } },
        ["cut-off 31 April"] = c => c with { AgeRule = c.AgeRule with { CutoffMonth = 4, CutoffDay = 31 } },
        ["unknown time zone"] = c => c with { TimeZone = "Europe/Atlantis" },
        ["Windows time zone name"] = c => c with { TimeZone = "Russian Standard Time" },
        ["empty version"] = c => c with { Version = "" },
        ["version with space"] = c => c with { Version = "2027 1" },
        ["version starting with dot"] = c => c with { Version = ".2027" },
        ["version of 33 characters"] = c => c with { Version = new string('v', 33) },
        ["upper-case tier id"] = c => c with { Tiers = Set(c.Tiers, 0, x => x with { Id = "Extraordinary" }) },
        ["group id with space"] = c => c with { AgeRule = Groups(c, g => Set(g, 0, x => x with { Id = "early age" })) },
        ["category id with underscore"] = c => c with { Categories = Set(c.Categories, 0, x => x with { Id = "judge_child" }) },
    };

    public static TheoryData<string, string, string> Cases => new()
    {
        { "empty legal basis", "criteria.no-legal-basis", "$.categories[2].legalBasis" },
        { "blank legal basis", "criteria.no-legal-basis", "$.categories[0].legalBasis" },
        { "duplicate category id", "criteria.duplicate-id", "$.categories[1].id" },
        { "duplicate tier id", "criteria.duplicate-id", "$.tiers[3].id" },
        { "duplicate group id", "criteria.duplicate-id", "$.ageRule.groups[2].id" },
        { "category with unknown tier", "criteria.unknown-tier", "$.categories[0].tier" },
        { "category in default tier", "criteria.default-tier-category", "$.categories[0].tier" },
        { "gap between age groups", "criteria.age-gap", "$.ageRule.groups[1].minAge" },
        { "overlapping age groups", "criteria.age-overlap", "$.ageRule.groups[1].minAge" },
        { "min age above max age", "criteria.age-range", "$.ageRule.groups[4].maxAge" },
        { "no age groups", "criteria.no-age-groups", "$.ageRule.groups" },
        { "archive age inside a group", "criteria.archive-age", "$.ageRule.archiveAge" },
        { "default tier scope sibling", "criteria.default-scope", "$.tiers[4].scope" },
        { "default tier scope catchment", "criteria.default-scope", "$.tiers[4].scope" },
        { "tier without category", "criteria.tier-without-category", "$.tiers[1]" },
        { "no tiers", "criteria.no-tiers", "$.tiers" },
        { "cut-off 29 February", "criteria.cutoff-day", "$.ageRule.cutoffDay" },
        { "cut-off 31 April", "criteria.cutoff-day", "$.ageRule.cutoffDay" },
        { "unknown time zone", "criteria.time-zone", "$.timeZone" },
        { "Windows time zone name", "criteria.time-zone", "$.timeZone" },
        { "empty version", "criteria.version", "$.version" },
        { "version with space", "criteria.version", "$.version" },
        { "version starting with dot", "criteria.version", "$.version" },
        { "version of 33 characters", "criteria.version", "$.version" },
        { "upper-case tier id", "criteria.id", "$.tiers[0].id" },
        { "group id with space", "criteria.id", "$.ageRule.groups[0].id" },
        { "category id with underscore", "criteria.id", "$.categories[0].id" },
    };

    [Fact]
    public void Cases_CoverEveryMutation()
    {
        Cases.Select(row => (string)row[0]).Should().BeEquivalentTo(Mutations.Keys);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_BrokenRule_ReportsItsCodeAtItsPath(string mutation, string code, string path)
    {
        var problems = CriteriaValidator.Validate(Mutations[mutation](D));

        problems.Select(p => (p.Code, p.Path)).Should().Contain((code, path));
        problems.Should().OnlyContain(p => p.Message.Length > 0);
    }

    [Theory]
    [InlineData("empty legal basis")]
    [InlineData("duplicate category id")]
    [InlineData("gap between age groups")]
    [InlineData("cut-off 29 February")]
    [InlineData("unknown time zone")]
    [InlineData("empty version")]
    [InlineData("default tier scope sibling")]
    public void Validate_SingleBrokenRule_ReportsExactlyOneProblem(string mutation)
    {
        CriteriaValidator.Validate(Mutations[mutation](D)).Should().ContainSingle();
    }

    [Fact]
    public void Validate_SeveralBrokenRules_AreReportedInTheDocumentedOrder()
    {
        var c = D with
        {
            Version = "",
            TimeZone = "Nowhere/Else",
            Tiers = D.Tiers.SetItem(4, D.Tiers[4] with { Scope = TierScope.Sibling }),
            Categories = D.Categories.SetItem(0, D.Categories[0] with { LegalBasis = "" }),
            AgeRule = D.AgeRule with { CutoffMonth = 2, CutoffDay = 29, ArchiveAge = 5 },
        };

        CriteriaValidator.Validate(c).Select(p => p.Code).Should().Equal(
            "criteria.version", "criteria.time-zone", "criteria.cutoff-day", "criteria.archive-age", "criteria.default-scope", "criteria.no-legal-basis");
    }

    [Fact]
    public void Validate_UsesTheGivenPathPrefix()
    {
        var problems = CriteriaValidator.Validate(Mutations["unknown time zone"](D), "$.criteria");

        problems.Should().ContainSingle().Which.Path.Should().Be("$.criteria.timeZone");
    }

    [Fact]
    public void Validate_DefaultCriteria_HasNoProblems()
    {
        CriteriaValidator.Validate(D).Should().BeEmpty();
    }

    [Theory]
    [InlineData(2, 28)]
    [InlineData(9, 1)]
    [InlineData(12, 31)]
    [InlineData(4, 30)]
    public void Validate_CutoffDayThatExistsEveryYear_IsAccepted(int month, int day)
    {
        CriteriaValidator.Validate(D with { AgeRule = D.AgeRule with { CutoffMonth = month, CutoffDay = day } }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0-early")]
    [InlineData("first-priority-2")]
    public void IsValidId_AcceptsLowerCaseLettersDigitsAndDashes(string id) => CriteriaValidator.IsValidId(id).Should().BeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("-first")]
    [InlineData("First")]
    [InlineData("first priority")]
    [InlineData("ранний")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 41 characters
    public void IsValidId_RejectsEverythingElse(string id) => CriteriaValidator.IsValidId(id).Should().BeFalse();

    // ----------------------------------------------------------------- CriteriaJson

    [Fact]
    public void CriteriaJson_RoundTrip_ParseWriteParse_GivesTheSameBytes()
    {
        var first = CriteriaJson.ToCanonicalBytes(CriteriaJson.Parse(DefaultCriteria.Json).GetValueOrThrow());
        var second = CriteriaJson.ToCanonicalBytes(CriteriaJson.Parse(first).GetValueOrThrow());

        second.Should().Equal(first);
        CanonicalJson.IsCanonical(first).Should().BeTrue();
        CanonicalJson.Canonicalize(DefaultCriteria.Json).GetValueOrThrow().Should().Equal(first, "the writer emits exactly the fields of the file");
    }

    [Fact]
    public void CriteriaJson_Parse_ReadsTheDefaultDocument()
    {
        var c = DefaultCriteria.Value;

        c.Version.Should().Be("2027.1");
        c.MaxPreferences.Should().Be(5);
        c.Tiers.Select(t => (t.Id, t.Scope)).Should().Equal(
            ("extraordinary", TierScope.All), ("first", TierScope.All), ("sibling", TierScope.Sibling),
            ("catchment", TierScope.Catchment), ("general", TierScope.All));
        c.DefaultTier.Id.Should().Be("general");
        c.TierRank("sibling").Should().Be(2);
        c.TierRank("nobody").Should().Be(-1);
        c.AgeRule.Should().BeEquivalentTo(new { CutoffMonth = 9, CutoffDay = 1, ArchiveAge = 7 });
        c.Offer.Should().Be(new OfferRules(10, OfferOutcome.Pause, OfferOutcome.Pause));
        c.FindCategory("police")!.Tier.Should().Be("first");
    }

    private static IReadOnlyList<ValidationProblem> ParseMutated(Action<JsonObject> mutate)
    {
        var json = (JsonObject)JsonNode.Parse(DefaultCriteria.Json)!;
        mutate(json);
        var parsed = CriteriaJson.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        parsed.Success.Should().BeFalse();
        return parsed.Problems;
    }

    [Fact]
    public void CriteriaJson_MissingLegalBasis_IsReportedByTheValidatorRule()
    {
        ParseMutated(j => ((JsonObject)j["categories"]![3]!).Remove("legalBasis"))
            .Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = "criteria.no-legal-basis", Path = "$.categories[3].legalBasis" });
    }

    [Fact]
    public void CriteriaJson_UnknownScope_NamesTheField()
    {
        ParseMutated(j => j["tiers"]![2]!["scope"] = "district")
            .Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = "criteria.unknown-scope", Path = "$.tiers[2].scope" });
    }

    [Fact]
    public void CriteriaJson_UnknownOfferOutcome_NamesTheField()
    {
        ParseMutated(j => j["offer"]!["onExpiry"] = "forget")
            .Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = "criteria.unknown-outcome", Path = "$.offer.onExpiry" });
    }

    [Fact]
    public void CriteriaJson_BadEffectiveDate_NamesTheField()
    {
        ParseMutated(j => j["effectiveFrom"] = "2027-02-30")
            .Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = "field.date", Path = "$.effectiveFrom" });
    }

    [Fact]
    public void CriteriaJson_WrongTypesAndMissingFields_AreAllReported()
    {
        ParseMutated(j =>
        {
            j["maxPreferences"] = "5";
            j["ageRule"]!["groups"]![0]!["minAge"] = 1.5;
            ((JsonObject)j["tiers"]![0]!["name"]!).Remove("en");
            j.Remove("version");
        }).Select(p => (p.Code, p.Path)).Should().Equal(
            // SPEC.md §4.4 reading order: version, effectiveFrom, timeZone, maxPreferences, ageRule, tiers, ...
            ("field.missing", "$.version"),
            ("field.type", "$.maxPreferences"),
            ("field.type", "$.ageRule.groups[0].minAge"),
            ("field.missing", "$.tiers[0].name.en"));
    }

    [Fact]
    public void CriteriaJson_Malformed_IsRejected()
    {
        var parsed = CriteriaJson.Parse("{\"version\":"u8.ToArray());

        parsed.Problems.Should().ContainSingle().Which.Code.Should().Be("json.malformed");
    }

    [Fact]
    public void CriteriaJson_DuplicateKey_IsRejectedNotLastWins()
    {
        // SPEC.md §3: {"a":1,"a":2} is refused. Issue 17: criteria were read last-wins.
        var json = DefaultCriteria.Json.ToArray();
        var text = System.Text.Encoding.UTF8.GetString(json);
        var doubled = "{\"version\":\"shadow\"," + text.TrimStart()[1..];

        var parsed = CriteriaJson.Parse(System.Text.Encoding.UTF8.GetBytes(doubled));

        parsed.Success.Should().BeFalse();
        parsed.Problems.Should().ContainSingle().Which.Code.Should().Be("json.malformed");
    }
}
