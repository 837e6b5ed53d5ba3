using System.Text.Json;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Public;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;
using static KinderQueue.Core.Tests.Public.RecordedLog;

namespace KinderQueue.Core.Tests.Public;

/// <summary>The published bytes (SPEC.md §13.5): canonical, consistent markers, and nothing personal in them.</summary>
public sealed class DashboardJsonTests
{
    /// <summary>One age group and two tiers, so that the whole document can be read and checked by hand.</summary>
    private static readonly CriteriaDocument Mini = DefaultCriteria.Value with
    {
        Version = "mini-1",
        AgeRule = new AgeRule(9, 1, 4, [new AgeGroup("junior", 3, 3, new LocalizedName("Младшая", "Junior"))]),
        Tiers = [new PriorityTier("first", TierScope.All, new LocalizedName("Первоочередное", "First")),
                 new PriorityTier("general", TierScope.All, new LocalizedName("Общая", "General"))],
        Categories = [new PriorityCategory("police", "first", new LocalizedName("Полиция", "Police"), "Федеральный закон № 3-ФЗ, ст. 46")],
    };

    private static ApplicationSubmitted Submit(string number, string birth, LocalDate desired, Instant registeredAt, string channel = "portal", params PriorityClaim[] claims) =>
        new(number, "new", channel, registeredAt, NodaTime.Text.YearMonthPattern.Iso.Parse(birth).Value, "central", ["kg-1"], desired, [.. claims], new string('0', 64));

    private static RecordedLog MiniRegion()
    {
        var log = new RecordedLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(Mini));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный"));
        log.Ok(On(2026, 12, 2), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", []));
        log.Ok(On(2026, 12, 3), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 6)]));
        for (var i = 1; i <= 6; i++) log.Ok(On(2027, 1, 10 + i), Submit($"A-{i}", $"2024-0{i}", new LocalDate(2027, 9, 1), On(2027, 1, 10 + i)));
        log.Ok(On(2027, 2, 1), Submit("F-1", "2024-02", new LocalDate(2027, 9, 1), On(2025, 5, 5), "federal"));
        log.Ok(On(2027, 4, 25), new CapacityLoaded("correction", [new CapacityRow("kg-1", "junior", 2027, 5)]));
        // Five seats after the cut: F-1 (registered in 2025 on the federal portal) and A-1..A-4; wait.
        log.Round("2027-main", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1));
        return log;
    }

    [Fact]
    public void Golden_MiniRegion()
    {
        var log = MiniRegion();
        // F-1 (registered in 2025) and A-1..A-4 got the five seats.
        log.State.Decisions[0].Decision.Offers.Select(o => o.Number).Should().Equal("A-1", "A-2", "A-3", "A-4", "F-1");
        foreach (var n in new[] { "A-1", "A-2", "A-3", "A-4", "F-1" }) log.Ok(On(2027, 5, 5), new OfferResponded(n, true));
        foreach (var n in new[] { "A-1", "A-2", "A-3", "A-4", "F-1" }) log.Ok(On(2027, 6, 1), new EnrolmentConfirmed(n));
        log.Ok(On(2027, 6, 2), Submit("A-7", "2024-07", new LocalDate(2028, 1, 15), On(2027, 6, 2), "centre", new PriorityClaim("first", null)));
        log.Ok(On(2027, 6, 3), new ClaimReviewed("A-7", 0, true, "document-confirmed"));

        var json = System.Text.Encoding.UTF8.GetString(DashboardJson.ToCanonicalBytes(log.Build(new LocalDate(2027, 10, 1))));

        // Checked by hand. True figures: channels centre 1 (not backdated), federal 1 (backdated), portal 6; the 25 April cut
        // (6 → 5 seats) is within 7 days of the round; five enrolled by the algorithm in 2027, none outside it; waiting now
        // A-5 and A-6 (general), later A-7 (first, verified); months: 6 submitted in January, 1 in February, 5 offers in May,
        // 5 enrolments and 1 submission in June, waiting 6, 7, 7, 7, 2, 3, 3, 3, 3 and October so far 3; every wait 0 days (desired start = seat start).
        // Enrolments, months and channels are exact (each is a count of public entries, split by nothing about a child);
        // in the queue tables the counts of 1..4 are "<5", and the waiting totals 2 and 1 stay hidden although October's
        // waiting count of 3 is published: two cells of 1..4 adding up to 3 can each be 1 or 2 (R9).
        json.Should().Be(Expected(), "the document, byte for byte (check it against SPEC.md §13.5 when it changes)");
    }

    private static string Expected() =>
        """{"anomalies":{"backdated":[{"backdated":0,"channel":"centre","submitted":1},{"backdated":1,"channel":"federal","submitted":1},{"backdated":0,"channel":"portal","submitted":6}],"capacityCuts":[{"date":"2027-05-01","programs":1,"round":"2027-main","seats":1,"year":2027}],"cutWindowDays":7},"asOf":"2027-10-01","basis":25,"criteria":"mini-1","enrolments":{"allTime":{"byAlgorithm":5,"exceptional":0,"legalBases":[],"share":{"basisPoints":10000,"met":true}},"targetBasisPoints":9800,"years":[{"byAlgorithm":5,"exceptional":0,"share":{"basisPoints":10000,"met":true},"year":2027}]},"groups":["junior"],"months":[{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2026-12","offers":0,"submitted":0,"waitingAtEnd":0,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-01","offers":0,"submitted":6,"waitingAtEnd":6,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-02","offers":0,"submitted":1,"waitingAtEnd":7,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-03","offers":0,"submitted":0,"waitingAtEnd":7,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-04","offers":0,"submitted":0,"waitingAtEnd":7,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-05","offers":5,"submitted":0,"waitingAtEnd":2,"withdrawals":0},{"complete":true,"declined":0,"enrolments":5,"expired":0,"month":"2027-06","offers":0,"submitted":1,"waitingAtEnd":3,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-07","offers":0,"submitted":0,"waitingAtEnd":3,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-08","offers":0,"submitted":0,"waitingAtEnd":3,"withdrawals":0},{"complete":true,"declined":0,"enrolments":0,"expired":0,"month":"2027-09","offers":0,"submitted":0,"waitingAtEnd":3,"withdrawals":0},{"complete":false,"declined":0,"enrolments":0,"expired":0,"month":"2027-10","offers":0,"submitted":0,"waitingAtEnd":3,"withdrawals":0}],"queues":{"districts":[{"district":"central","enrolled":{"byTier":{"first":0,"general":5},"total":5},"group":"junior","offered":{"byTier":{"first":0,"general":0},"total":0},"waitingLater":{"byTier":{"first":null,"general":0},"suppressed":{"byTier":{"first":"<5"},"total":"<5"},"total":null},"waitingNow":{"byTier":{"first":0,"general":null},"suppressed":{"byTier":{"general":"<5"},"total":"<5"},"total":null}}],"kindergartens":[{"district":"central","enrolled":{"byTier":{"first":0,"general":5},"total":5},"group":"junior","kindergarten":"kg-1","offered":{"byTier":{"first":0,"general":0},"total":0},"seats":5,"seatsNextYear":null,"waitingLater":{"byTier":{"first":null,"general":0},"suppressed":{"byTier":{"first":"<5"},"total":"<5"},"total":null},"waitingNow":{"byTier":{"first":0,"general":null},"suppressed":{"byTier":{"general":"<5"},"total":"<5"},"total":null}}],"region":{"enrolled":{"byTier":{"first":0,"general":5},"total":5},"offered":{"byTier":{"first":0,"general":0},"total":0},"waitingLater":{"byTier":{"first":null,"general":0},"suppressed":{"byTier":{"first":"<5"},"total":"<5"},"total":null},"waitingNow":{"byTier":{"first":0,"general":null},"suppressed":{"byTier":{"general":"<5"},"total":"<5"},"total":null}},"regionByGroup":[{"enrolled":{"byTier":{"first":0,"general":5},"total":5},"group":"junior","offered":{"byTier":{"first":0,"general":0},"total":0},"waitingLater":{"byTier":{"first":null,"general":0},"suppressed":{"byTier":{"first":"<5"},"total":"<5"},"total":null},"waitingNow":{"byTier":{"first":0,"general":null},"suppressed":{"byTier":{"general":"<5"},"total":"<5"},"total":null}}]},"register":{"districts":[{"id":"central","name":"Центральный"}],"kindergartens":[{"district":"central","id":"kg-1","name":"Детский сад № 1"}]},"threshold":5,"tiers":["first","general"],"waitingTimes":{"districts":[{"district":"central","median":0,"p90":null}],"from":"2026-10-02","region":{"median":0,"p90":null},"to":"2027-10-01"},"year":2027}""";

    [Fact]
    public void Bytes_AreCanonical_AndEveryHiddenCountHasItsMarker()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var c = RandomRegion.Generate(seed, size: 30);
            var bytes = DashboardJson.ToCanonicalBytes(c.Log.Build(c.AsOf));
            CanonicalJson.Canonicalize(bytes).GetValueOrThrow().Should().Equal(bytes, "the document is canonical JSON (SPEC.md §3)");
            using var doc = JsonDocument.Parse(bytes);
            CheckMarkers(doc.RootElement, "$");
        }
    }

    /// <summary>In every object: a count is null exactly when <c>suppressed</c> names it, with "&lt;5" or "hidden".</summary>
    private static void CheckMarkers(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var x in e.EnumerateArray()) CheckMarkers(x, $"{path}[{i++}]");
            return;
        }
        if (e.ValueKind != JsonValueKind.Object) return;
        var suppressed = e.TryGetProperty("suppressed", out var s) ? s : default;
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == "suppressed") continue;
            if (p.Name == "byTier")
            {
                var hiddenTiers = suppressed.ValueKind == JsonValueKind.Object && suppressed.TryGetProperty("byTier", out var h) ? h : default;
                foreach (var t in p.Value.EnumerateObject())
                {
                    var marker = hiddenTiers.ValueKind == JsonValueKind.Object && hiddenTiers.TryGetProperty(t.Name, out var m) ? m.GetString() : null;
                    (t.Value.ValueKind == JsonValueKind.Null).Should().Be(marker is not null, $"{path}.byTier.{t.Name}");
                    if (marker is not null) marker.Should().BeOneOf("<5", "hidden");
                }
                continue;
            }
            if (suppressed.ValueKind == JsonValueKind.Object && suppressed.TryGetProperty(p.Name, out var flag) && flag.ValueKind == JsonValueKind.String)
            {
                p.Value.ValueKind.Should().Be(JsonValueKind.Null, $"{path}.{p.Name} is marked {flag.GetString()}");
                flag.GetString().Should().BeOneOf("<5", "hidden");
            }
            CheckMarkers(p.Value, $"{path}.{p.Name}");
        }
        if (suppressed.ValueKind == JsonValueKind.Object)
        {
            foreach (var m in suppressed.EnumerateObject())
            {
                if (m.Name == "byTier") continue;
                e.TryGetProperty(m.Name, out var v).Should().BeTrue($"{path}.suppressed.{m.Name} names a field of the object");
                v.ValueKind.Should().Be(JsonValueKind.Null);
            }
        }
    }

    [Fact]
    public void Output_HoldsOnlyAggregates_AndPublicNamesOfTheRegister()
    {
        string[] schemaKeys =
        [
            "anomalies", "backdated", "capacityCuts", "cutWindowDays", "channel", "submitted", "suppressed", "date", "programs", "round",
            "seats", "year", "asOf", "basis", "criteria", "enrolments", "allTime", "byAlgorithm", "exceptional", "legalBases", "share",
            "basisPoints", "met", "targetBasisPoints", "en", "ru", "years", "groups", "months", "complete", "declined", "expired", "month", "offers", "waitingAtEnd",
            "withdrawals", "queues", "districts", "district", "enrolled", "group", "offered", "waitingLater", "waitingNow", "byTier", "total",
            "kindergartens", "kindergarten", "seatsNextYear", "region", "regionByGroup", "register", "id", "name", "threshold", "tiers",
            "waitingTimes", "from", "median", "p90", "to",
        ];
        for (var seed = 0; seed < 40; seed++)
        {
            var c = RandomRegion.Generate(seed, size: 40);
            var state = c.Log.State;
            var dashboard = c.Log.Build(c.AsOf);
            var bytes = DashboardJson.ToCanonicalBytes(dashboard);
            var text = System.Text.Encoding.UTF8.GetString(bytes);

            // No application number, commitment (64 hex digits) or category, anywhere in the bytes.
            foreach (var a in state.Applications.Values) text.Should().NotContain(a.Number);
            text.Should().NotMatchRegex("[0-9a-f]{64}");
            var criteria = state.CriteriaVersions[^1].Criteria;
            foreach (var category in criteria.Categories.Where(x => criteria.FindTier(x.Id) is null))
                text.Should().NotContain($"\"{category.Id}\"", "a category reveals a parent's job or a bereavement");
            foreach (var category in criteria.Categories) text.Should().NotContain(category.LegalBasis);

            // Every string is a register id or name, a tier, group or channel id, a marker, a round id, the criteria
            // version, a published legal basis, a date of the header or of a round, or a month of the series.
            var allowed = new HashSet<string>(StringComparer.Ordinal) { "<5", "hidden", "centre", "federal", "portal" };
            allowed.UnionWith(state.Districts.Values.SelectMany(d => new[] { d.Id, d.Name }));
            allowed.UnionWith(state.Kindergartens.Values.SelectMany(k => new[] { k.Id, k.Name }));
            allowed.UnionWith(dashboard.Tiers.Concat(dashboard.Groups));
            allowed.UnionWith(state.Decisions.SelectMany(d => new[] { d.Decision.Round, Formats.Format(d.Decision.Date) }));
            allowed.UnionWith(state.CriteriaVersions.Select(v => v.Criteria.Version));
            allowed.UnionWith(dashboard.EnrolmentsAllTime.LegalBases.SelectMany(b => b.Name is { } n ? new[] { b.Basis, n.Ru, n.En } : [b.Basis]));
            allowed.UnionWith([Formats.Format(c.AsOf), Formats.Format(dashboard.WaitingFrom)]);
            var months = dashboard.Months.Select(m => Formats.Format(m.Month)).ToHashSet();
            using var doc = JsonDocument.Parse(bytes);
            foreach (var (key, value) in Strings(doc.RootElement))
            {
                if (value is null)
                {
                    (schemaKeys.Contains(key) || dashboard.Tiers.Contains(key)).Should().BeTrue($"key '{key}' is part of the published schema");
                    continue;
                }
                if (key == "month") months.Should().Contain(value);
                else allowed.Should().Contain(value, $"'{value}' (under '{key}') must be public and institutional");
            }
            // The month series is the calendar, not birth months: consecutive months from the first entry.
            months.Should().BeEquivalentTo(Enumerable.Range(0, months.Count)
                .Select(i => Formats.Format(dashboard.Months[0].Month.PlusMonths(i))));
        }
    }

    /// <summary>Every key (value null) and every string value (with its key) of a JSON document.</summary>
    private static IEnumerable<(string Key, string? Value)> Strings(JsonElement e, string key = "$")
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    yield return (p.Name, null);
                    foreach (var x in Strings(p.Value, p.Name)) yield return x;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var x in Strings(item, key)) yield return x;
                }
                break;
            case JsonValueKind.String:
                yield return (key, e.GetString());
                break;
            default:
                break;
        }
    }
}
