using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Events;

/// <summary>Payload encoding of every event type (SPEC.md §5): one byte form per event, public fields only.</summary>
public sealed class EventCodecTests
{
    private static readonly Instant Registered = Instant.FromUtc(2027, 3, 1, 9, 15) + Duration.FromMilliseconds(250);

    private static readonly Dictionary<string, LogEvent[]> Samples = new()
    {
        [CriteriaPublished.TypeName] = [new CriteriaPublished(DefaultCriteria.Value)],
        [DistrictRegistered.TypeName] = [new DistrictRegistered("central", "Центральный район")],
        [KindergartenRegistered.TypeName] =
        [
            new KindergartenRegistered("kg-1", "Детский сад № 1 «Солнышко»", "central", ["central", "north"]),
            new KindergartenRegistered("kg-2", "Kindergarten \"Two\" \\ \n", "north", []),
        ],
        [CapacityLoaded.TypeName] =
        [
            new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 20), new CapacityRow("kg-1", "early", 2028, 0)]),
            new CapacityLoaded("annual-plan", []),
        ],
        [ApplicationSubmitted.TypeName] =
        [
            new ApplicationSubmitted("A-0001", "new", "portal", Registered, new YearMonth(2024, 3), "central", ["kg-1", "kg-2"],
                new LocalDate(2027, 9, 1), [new PriorityClaim("first", null), new PriorityClaim("sibling", "kg-2")], new string('a', 64)),
            new ApplicationSubmitted("Б-7", "transfer", "federal", Instant.FromUnixTimeMilliseconds(0), new YearMonth(2021, 12), "north", [],
                new LocalDate(2028, 1, 31), [new PriorityClaim("first", "")], "c"),
        ],
        [ClaimReviewed.TypeName] = [new ClaimReviewed("A-0001", 1, true, "document-confirmed"), new ClaimReviewed("A-0001", 0, false, "not-eligible")],
        [ApplicationChanged.TypeName] = [new ApplicationChanged("A-0001", ["kg-2"], new LocalDate(2028, 9, 1))],
        [ApplicationWithdrawn.TypeName] = [new ApplicationWithdrawn("A-0001", "parent-request")],
        [AllocationDecided.TypeName] =
        [
            new AllocationDecided("2027-main", 42, "2027.1", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1), 2027,
                [new Offer("A-0001", "kg-1", "junior", new LocalDate(2027, 5, 11)), new Offer("A-0002", "kg-2", "early", new LocalDate(2027, 5, 11))],
                ["A-0009"]),
            new AllocationDecided("r", 0, "v", new LocalDate(2027, 5, 1), new LocalDate(2027, 5, 1), 2026, [], []),
        ],
        [OfferResponded.TypeName] = [new OfferResponded("A-0001", true), new OfferResponded("A-0002", false)],
        [OffersExpired.TypeName] = [new OffersExpired(new LocalDate(2027, 5, 12), ["A-0001", "A-0002"]), new OffersExpired(new LocalDate(2027, 5, 12), [])],
        [EnrolmentConfirmed.TypeName] = [new EnrolmentConfirmed("A-0001")],
        [EnrolmentExceptional.TypeName] = [new EnrolmentExceptional("A-0001", "kg-1", "junior", 2027, "court-decision")],
        [SignalReviewed.TypeName] = [new SignalReviewed("sig-0123456789abcdef", "explained", "data-error", new string('a', 64))],
    };

    public static TheoryData<string, int> AllSamples()
    {
        var data = new TheoryData<string, int>();
        foreach (var (type, samples) in Samples)
        {
            for (var i = 0; i < samples.Length; i++) data.Add(type, i);
        }
        return data;
    }

    private static Parsed<LogEvent> Decode(string type, string json) => EventCodec.Decode(type, System.Text.Encoding.UTF8.GetBytes(json));

    private static ValidationProblem SingleProblem(string type, string json)
    {
        var parsed = Decode(type, json);
        parsed.Success.Should().BeFalse();
        return parsed.Problems.Should().ContainSingle().Subject;
    }

    // ----------------------------------------------------------------- coverage

    [Fact]
    public void Samples_CoverEveryEventType()
    {
        Samples.Keys.Should().BeEquivalentTo(EventCodec.Types);
        EventCodec.Types.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Types_ListsEveryConcreteEventRecord()
    {
        var names = typeof(LogEvent).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LogEvent)) && !t.IsAbstract)
            .Select(t => (string)t.GetField("TypeName")!.GetValue(null)!);

        names.Should().BeEquivalentTo(EventCodec.Types);
    }

    // ----------------------------------------------------------------- round trip

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void Decode_OfEncode_GivesTheSameEventAndTheSameBytes(string type, int index)
    {
        var original = Samples[type][index];
        original.Type.Should().Be(type);
        var bytes = EventCodec.Encode(original);

        var decoded = EventCodec.Decode(type, bytes);

        decoded.Problems.Should().BeEmpty();
        decoded.Value.Should().BeOfType(original.GetType());
        decoded.Value.Should().BeEquivalentTo(original, o => o.RespectingRuntimeTypes().ComparingRecordsByMembers());
        EventCodec.Encode(decoded.Value!).Should().Equal(bytes);
        CanonicalJson.IsCanonical(bytes).Should().BeTrue();
    }

    [Fact]
    public void Encode_ApplicationSubmitted_HasTheDocumentedBytes()
    {
        var bytes = EventCodec.Encode(Samples[ApplicationSubmitted.TypeName][0]);

        System.Text.Encoding.UTF8.GetString(bytes).Should().Be(
            "{\"birthMonth\":\"2024-03\",\"channel\":\"portal\",\"claims\":[{\"kindergarten\":null,\"tier\":\"first\"},{\"kindergarten\":\"kg-2\",\"tier\":\"sibling\"}]," +
            "\"commitment\":\"" + new string('a', 64) + "\",\"desiredStart\":\"2027-09-01\",\"district\":\"central\",\"kind\":\"new\",\"number\":\"A-0001\"," +
            "\"preferences\":[\"kg-1\",\"kg-2\"],\"registeredAt\":\"2027-03-01T09:15:00.250Z\"}");
    }

    [Fact]
    public void Encode_OfferResponded_WritesAcceptOrDecline()
    {
        System.Text.Encoding.UTF8.GetString(EventCodec.Encode(new OfferResponded("A-1", true))).Should().Be("{\"number\":\"A-1\",\"response\":\"accept\"}");
        System.Text.Encoding.UTF8.GetString(EventCodec.Encode(new OfferResponded("A-1", false))).Should().Be("{\"number\":\"A-1\",\"response\":\"decline\"}");
    }

    // ----------------------------------------------------------------- one byte form

    [Theory]
    [InlineData("{ \"number\":\"A-1\",\"reason\":\"x\"}")]                   // white space
    [InlineData("{\"number\":\"A-1\",\"reason\":\"x\"}\n")]                  // trailing newline
    [InlineData("{\"reason\":\"x\",\"number\":\"A-1\"}")]                   // keys out of order
    [InlineData("{\"extra\":1,\"number\":\"A-1\",\"reason\":\"x\"}")]       // a field the type does not have
    [InlineData("{\"number\":\"\\u0041-1\",\"reason\":\"x\"}")]            // an escape that is not needed
    [InlineData("{\"number\":\"A\\/1\",\"reason\":\"x\"}")]
    public void Decode_NonCanonicalBytes_AreRejected(string json)
    {
        SingleProblem(ApplicationWithdrawn.TypeName, json).Should().BeEquivalentTo(new { Code = "event.not-canonical", Path = "$" });
    }

    [Fact]
    public void Decode_NonCanonicalTimeAndNumbers_AreRejected()
    {
        var canonical = System.Text.Encoding.UTF8.GetString(EventCodec.Encode(Samples[ApplicationSubmitted.TypeName][0]));
        var endOfDay = canonical.Replace("2027-03-01T09:15:00.250Z", "2027-02-28T24:00:00.000Z");
        SingleProblem(ApplicationSubmitted.TypeName, endOfDay).Code.Should().Be("event.not-canonical");

        SingleProblem(ClaimReviewed.TypeName, "{\"claim\":-0,\"number\":\"A-1\",\"reason\":\"r\",\"verified\":true}").Code.Should().Be("event.not-canonical");
        SingleProblem(ClaimReviewed.TypeName, "{\"claim\":1.0,\"number\":\"A-1\",\"reason\":\"r\",\"verified\":true}")
            .Should().BeEquivalentTo(new { Code = "field.type", Path = "$.claim" });
    }

    [Fact]
    public void Decode_ClaimWithoutKindergartenKey_IsNotCanonical()
    {
        var canonical = System.Text.Encoding.UTF8.GetString(EventCodec.Encode(Samples[ApplicationSubmitted.TypeName][0]));

        SingleProblem(ApplicationSubmitted.TypeName, canonical.Replace("{\"kindergarten\":null,\"tier\":\"first\"}", "{\"tier\":\"first\"}"))
            .Code.Should().Be("event.not-canonical");
    }

    [Fact]
    public void Decode_UnknownType_IsRejected()
    {
        SingleProblem("application.deleted", "{\"number\":\"A-1\"}").Should().BeEquivalentTo(new { Code = "event.type", Path = "$" });
    }

    public static TheoryData<string, string, string, string> BadPayloads => new()
    {
        { ApplicationWithdrawn.TypeName, "{\"number\":\"A-1\"}", "field.missing", "$.reason" },
        { ApplicationWithdrawn.TypeName, "{\"number\":null,\"reason\":\"x\"}", "field.missing", "$.number" },
        { ApplicationWithdrawn.TypeName, "{\"number\":\"\",\"reason\":\"x\"}", "field.empty", "$.number" },
        { ApplicationWithdrawn.TypeName, "{\"number\":7,\"reason\":\"x\"}", "field.type", "$.number" },
        { ApplicationWithdrawn.TypeName, "[]", "field.type", "$" },
        { ApplicationWithdrawn.TypeName, "{\"number\":", "json.malformed", "$" },
        { CapacityLoaded.TypeName, "{\"reason\":\"r\",\"rows\":[{\"group\":\"junior\",\"kindergarten\":\"kg-1\",\"year\":2027}]}", "field.missing", "$.rows[0].seats" },
        { CapacityLoaded.TypeName, "{\"reason\":\"r\",\"rows\":[{\"group\":\"junior\",\"kindergarten\":\"kg-1\",\"seats\":100001,\"year\":2027}]}", "field.range", "$.rows[0].seats" },
        { CapacityLoaded.TypeName, "{\"reason\":\"r\",\"rows\":[{\"group\":\"junior\",\"kindergarten\":\"kg-1\",\"seats\":1,\"year\":1899}]}", "field.range", "$.rows[0].year" },
        { ClaimReviewed.TypeName, "{\"claim\":\"1\",\"number\":\"A-1\",\"reason\":\"r\",\"verified\":true}", "field.type", "$.claim" },
        { ClaimReviewed.TypeName, "{\"claim\":101,\"number\":\"A-1\",\"reason\":\"r\",\"verified\":true}", "field.range", "$.claim" },
        { ClaimReviewed.TypeName, "{\"claim\":1,\"number\":\"A-1\",\"reason\":\"r\",\"verified\":\"yes\"}", "field.type", "$.verified" },
        { OfferResponded.TypeName, "{\"number\":\"A-1\",\"response\":\"maybe\"}", "field.value", "$.response" },
        { OffersExpired.TypeName, "{\"asOf\":\"2027-13-01\",\"numbers\":[]}", "field.date", "$.asOf" },
        { OffersExpired.TypeName, "{\"asOf\":\"2027-05-12\",\"numbers\":[\"\"]}", "field.type", "$.numbers[0]" },
        { ApplicationChanged.TypeName, "{\"desiredStart\":\"2027-09-01\",\"number\":\"A-1\",\"preferences\":\"kg-1\"}", "field.type", "$.preferences" },
        { AllocationDecided.TypeName, "{\"archived\":[],\"basis\":-1,\"criteria\":\"v\",\"date\":\"2027-05-01\",\"offers\":[],\"round\":\"r\",\"startDate\":\"2027-09-01\",\"year\":2027}", "field.range", "$.basis" },
        { AllocationDecided.TypeName, "{\"archived\":[],\"basis\":1,\"criteria\":\"v\",\"date\":\"2027-05-01\",\"offers\":[{\"deadline\":\"2027-05-11\",\"group\":\"junior\",\"number\":\"A-1\"}],\"round\":\"r\",\"startDate\":\"2027-09-01\",\"year\":2027}", "field.missing", "$.offers[0].kindergarten" },
        { EnrolmentExceptional.TypeName, "{\"group\":\"junior\",\"kindergarten\":\"kg-1\",\"legalBasis\":\"\",\"number\":\"A-1\",\"year\":2027}", "field.empty", "$.legalBasis" },
    };

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public void Decode_BadField_NamesThePath(string type, string json, string code, string path)
    {
        SingleProblem(type, json).Should().BeEquivalentTo(new { Code = code, Path = path });
    }

    [Fact]
    public void Decode_SubmittedWithBadFields_ReportsThemInTheDocumentedReadingOrder()
    {
        var json = "{\"birthMonth\":\"2024-3\",\"channel\":\"portal\",\"claims\":[{\"kindergarten\":null}],\"commitment\":\"\",\"desiredStart\":\"2027-09-01\"," +
                   "\"district\":\"central\",\"kind\":\"new\",\"preferences\":[],\"registeredAt\":\"2027-03-01T09:15:00Z\"}";

        Decode(ApplicationSubmitted.TypeName, json).Problems.Select(p => p.Path).Should().Equal(
            "$.number", "$.registeredAt", "$.birthMonth", "$.claims[0].tier", "$.commitment");
    }

    [Fact]
    public void Decode_CriteriaPublishedWithInvalidCriteria_ReportsTheRuleUnderCriteria()
    {
        var bad = DefaultCriteria.Value with
        {
            Categories = DefaultCriteria.Value.Categories.SetItem(0, DefaultCriteria.Value.Categories[0] with { LegalBasis = "" }),
        };

        var problem = EventCodec.Decode(CriteriaPublished.TypeName, EventCodec.Encode(new CriteriaPublished(bad))).Problems.Should().ContainSingle().Subject;

        problem.Should().BeEquivalentTo(new { Code = "criteria.no-legal-basis", Path = "$.criteria.categories[0].legalBasis" });
    }

    [Theory]
    [InlineData("{\"number\":\"\\ud800\",\"reason\":\"x\"}")]
    [InlineData("{\"number\":\"A-1\",\"reason\":\"\\udc00x\"}")]
    [InlineData("{\"\\ud800\":1,\"number\":\"A-1\",\"reason\":\"x\"}")]
    public void Decode_EscapedLoneSurrogate_IsAProblemNotAnException(string json)
    {
        var act = () => Decode(ApplicationWithdrawn.TypeName, json);

        act.Should().NotThrow().Which.Success.Should().BeFalse();
    }

    [Fact]
    public void Decode_InvalidUtf8_IsAProblemNotAnException()
    {
        byte[] payload = [.. "{\"number\":\"A-"u8, 0xFF, .. "\",\"reason\":\"x\"}"u8];

        var act = () => EventCodec.Decode(ApplicationWithdrawn.TypeName, payload);

        act.Should().NotThrow().Which.Success.Should().BeFalse();
    }

    [Fact]
    public void Encode_UnknownEventSubtype_Throws()
    {
        var act = () => EventCodec.Encode(new UnknownEvent());

        act.Should().Throw<ArgumentException>();
    }

    private sealed record UnknownEvent : LogEvent
    {
        public override string Type => "test.unknown";
    }

    // ----------------------------------------------------------------- privacy

    private static readonly string[] PublicSubmittedFields =
        ["birthMonth", "channel", "claims", "commitment", "desiredStart", "district", "kind", "number", "preferences", "registeredAt"];

    private static Gen<ApplicationSubmitted> Submissions =>
        from number in Gen.Choose(1, 999_999).Select(n => $"A-{n:D6}")
        from kind in Gen.Elements(ApplicationSubmitted.Kinds.ToArray())
        from channel in Gen.Elements(ApplicationSubmitted.Channels.ToArray())
        from ms in Gen.Choose(0, int.MaxValue - 1).Select(s => Instant.FromUnixTimeMilliseconds(1_700_000_000_000L + s * 997L))
        from birth in Gen.Choose(0, 120).Select(m => new YearMonth(2018, 1).PlusMonths(m))
        from district in Gen.Elements("central", "north", "south-east", "район-1")
        from preferences in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 30).Select(k => $"kg-{k}"), n))
        from desired in Gen.Choose(0, 1000).Select(d => new LocalDate(2027, 1, 1).PlusDays(d))
        from claims in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(
            Gen.OneOf(
                Gen.Elements("extraordinary", "first").Select(t => new PriorityClaim(t, null)),
                Gen.Choose(1, 30).Select(k => new PriorityClaim("sibling", $"kg-{k}"))), n))
        from commitment in Gen.ArrayOf(Gen.Elements("0123456789abcdef".ToCharArray()), 64).Select(c => new string(c))
        select new ApplicationSubmitted(number, kind, channel, ms, birth, district, [.. preferences], desired, [.. claims], commitment);

    /// <summary>The generator of the property below (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class SubmissionArbitrary
    {
        public static Arbitrary<ApplicationSubmitted> Submissions() => EventCodecTests.Submissions.ToArbitrary();
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(SubmissionArbitrary) })]
    public void Encode_ApplicationSubmitted_ContainsOnlyThePublicFields(ApplicationSubmitted a)
    {
        var bytes = EventCodec.Encode(a);
        using var doc = JsonDocument.Parse(bytes);

        doc.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal(PublicSubmittedFields);
        foreach (var claim in doc.RootElement.GetProperty("claims").EnumerateArray())
            claim.EnumerateObject().Select(p => p.Name).Should().Equal("kindergarten", "tier");
        doc.RootElement.GetProperty("birthMonth").GetString().Should().MatchRegex(@"^\d{4}-\d{2}$", "a month, never a date");

        var decoded = EventCodec.Decode(ApplicationSubmitted.TypeName, bytes);
        decoded.Problems.Should().BeEmpty();
        EventCodec.Encode(decoded.Value!).Should().Equal(bytes);
    }

    [Fact]
    public void ApplicationSubmitted_Record_HasOnlyPublicProperties()
    {
        typeof(ApplicationSubmitted).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name)
            .Should().BeEquivalentTo("Number", "Kind", "Channel", "RegisteredAt", "BirthMonth", "District", "Preferences", "DesiredStart",
                "Claims", "Commitment", "Type");
        typeof(PriorityClaim).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name)
            .Should().BeEquivalentTo("Tier", "Kindergarten");
    }

    [Fact]
    public void EventRecords_HaveNoPropertyNamedLikePersonalData()
    {
        string[] banned = ["Name", "FullName", "BirthDate", "Birthday", "Phone", "Email", "Address", "Category", "Snils", "Passport", "Document"];
        var allowed = new HashSet<(Type, string)> { (typeof(DistrictRegistered), "Name"), (typeof(KindergartenRegistered), "Name") }; // institutions
        var types = typeof(LogEvent).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(LogEvent).Namespace && t.IsClass && !t.IsAbstract && t != typeof(EventCodec))
            .ToList();
        types.Should().Contain([typeof(ApplicationSubmitted), typeof(PriorityClaim), typeof(CapacityRow), typeof(Offer)]);

        var offending = types
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (Type: t, p.Name)))
            .Where(p => banned.Any(b => p.Name.Contains(b, StringComparison.OrdinalIgnoreCase)))
            .Where(p => !allowed.Contains(p))
            .Select(p => $"{p.Type.Name}.{p.Name}");

        offending.Should().BeEmpty();
    }
}
