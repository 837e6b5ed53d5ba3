using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Api.Demo;
using KinderQueue.Api.Public;
using KinderQueue.Core.Signals;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The demo's year of history (issue 13, item 4), filled once exactly as <c>--demo</c> fills it: the
/// signals its staged irregular actions raise and the department's answers, the dashboard's waiting
/// times and monthly dynamics, entries dated over the simulated year, and nothing personal in the
/// public signals.
/// </summary>
public sealed partial class DemoYearTests(KqPrivacyDemoTests.DemoFixture demo) : IClassFixture<KqPrivacyDemoTests.DemoFixture>
{
    private async Task<SignalsDocument> SignalsAsync()
    {
        var projection = demo.Factory.Services.GetRequiredService<PublicProjection>();
        await projection.SyncAsync(CancellationToken.None);
        return projection.Read(m => m.Signals.Document());
    }

    [Fact]
    public async Task Signals_OfTheDemo_ShowFiveKinds_SomeExplained_OneConfirmed_AndAFirstResponseWithinTheHour()
    {
        var document = await SignalsAsync();
        var kinds = document.Signals.Select(s => s.Kind).Distinct().ToList();

        kinds.Should().HaveCountGreaterThanOrEqualTo(5, $"kinds raised: {string.Join(", ", kinds)}");
        kinds.Should().Contain([SignalKinds.ClaimBurstStaff, SignalKinds.BackdatedRegistrations, SignalKinds.CapacityNotLoaded,
            SignalKinds.CapacityCutBeforeRound, SignalKinds.ExceptionalEnrolments], "each is staged by the demo");
        document.Summary.Total.Explained.Should().BeGreaterThanOrEqualTo(1);
        document.Summary.Total.Confirmed.Should().BeGreaterThanOrEqualTo(1);
        document.Summary.Total.New.Should().BeGreaterThanOrEqualTo(1, "the registrar's changes before a round are left unanswered");
        document.Summary.FirstResponse.Responded.Should().BeGreaterThanOrEqualTo(3);
        document.Summary.FirstResponse.WithinOneHour.Should().BeGreaterThanOrEqualTo(1);
        document.Summary.FirstResponse.MedianSeconds.Should().NotBeNull().And.BeGreaterThan(0);
        document.Summary.ConfirmedByMonth.Should().NotBeEmpty("the confirmed violation is counted in the month of its confirmation");

        var burst = document.Signals.Single(s => s.Kind == SignalKinds.ClaimBurstStaff);
        burst.Status.Should().Be(SignalStatuses.Confirmed);
        burst.Timeline.Select(t => t.Status).Should().Equal(SignalStatuses.Investigating, SignalStatuses.Confirmed);
        burst.FirstResponse!.Value.Should().BeLessThan(Duration.FromHours(1));
        burst.Value.Should().BeGreaterThan(burst.Threshold);

        var projection = demo.Factory.Services.GetRequiredService<PublicProjection>();
        projection.Read(m => m.Signals.ReviewProblems.Count).Should().Be(0, "every review names a raised signal and a legal transition");
    }

    [Fact]
    public async Task Explanations_OfTheDemosReviews_AreServed_AndMatchTheHashesTheLogCites()
    {
        var document = await SignalsAsync();
        var cited = document.Signals.SelectMany(s => s.Timeline).Select(r => r.Explanation).ToHashSet(StringComparer.Ordinal);
        cited.Should().NotBeEmpty();
        using var client = demo.Factory.CreateClient();
        using var served = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/v1/public/signals/explanations", UriKind.Relative)));
        var strings = new HashSet<string>(StringComparer.Ordinal);
        void Collect(System.Text.Json.JsonElement e)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.String) strings.Add(e.GetString()!);
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Object) foreach (var p in e.EnumerateObject()) Collect(p.Value);
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Collect(x);
        }
        Collect(served.RootElement);
        foreach (var text in DemoReviews.All.Where(t => cited.Contains(DemoSignals.Hash(t))))
            strings.Should().Contain(text, "the text of a review the log cites is served");
        DemoReviews.All.Count(t => cited.Contains(DemoSignals.Hash(t))).Should().BeGreaterThan(3);
    }

    [Fact]
    public async Task Signals_OfTheDemo_PublishNoPersonalData()
    {
        var json = Encoding.UTF8.GetString(SignalsJson.Write(await SignalsAsync()));

        json.Should().NotContain("KQ-", "no application number in the public signals");
        Email().IsMatch(json).Should().BeFalse("no e-mail address in the public signals");
        json.Should().NotContain("Детский сад").And.NotContain("@example.org");
        foreach (var text in DemoReviews.All)
        {
            text.Length.Should().BeLessThanOrEqualTo(500);
            EmailOrLongNumber().IsMatch(text).Should().BeFalse(text);
            text.Should().NotContain("KQ-");
        }
    }

    [Fact]
    public async Task Dashboard_OfTheDemo_HasWaitingTimes_MonthlyDynamics_AndBackdatingBelowEveryChannelsTotal()
    {
        using var client = demo.Factory.CreateClient();
        await demo.Factory.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
        demo.Factory.Services.GetRequiredService<PublicProjection>().RefreshSnapshot();
        using var response = await client.GetAsync(new Uri("/api/v1/public/dashboard", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var d = doc.RootElement;

        var region = d.GetProperty("waitingTimes").GetProperty("region");
        region.GetProperty("median").GetInt32().Should().BeGreaterThan(0);
        region.GetProperty("p90").GetInt32().Should().BeGreaterThan(region.GetProperty("median").GetInt32());

        var months = d.GetProperty("months").EnumerateArray().ToList();
        months.Should().HaveCountGreaterThanOrEqualTo(12, "the history covers a year");
        int Sum(string field) => months.Sum(m => m.GetProperty(field).GetInt32());
        months.Count(m => m.GetProperty("submitted").GetInt32() > 0).Should().BeGreaterThanOrEqualTo(12, "applications arrive every month");
        months.Count(m => m.GetProperty("offers").GetInt32() > 0).Should().BeGreaterThanOrEqualTo(10, "a round every month");
        Sum("enrolments").Should().BeGreaterThan(0);
        Sum("declined").Should().BeGreaterThan(0);
        Sum("expired").Should().BeGreaterThan(0);
        Sum("withdrawals").Should().BeGreaterThan(0);
        months.Select(m => m.GetProperty("waitingAtEnd").GetInt32()).Distinct().Should().HaveCountGreaterThan(6, "the queue moves from month to month");

        foreach (var channel in d.GetProperty("anomalies").GetProperty("backdated").EnumerateArray())
        {
            var submitted = channel.GetProperty("submitted").GetInt32();
            var backdated = channel.GetProperty("backdated").GetInt32();
            backdated.Should().BeLessThan(submitted, $"{channel.GetProperty("channel").GetString()}: registrations during the year are mostly dated when entered");
        }
        d.GetProperty("anomalies").GetProperty("capacityCuts").EnumerateArray().Sum(c => c.GetProperty("seats").GetInt32())
            .Should().BeGreaterThan(0, "one kindergarten's seats are cut days before a round");
    }

    [Fact]
    public async Task Entries_OfTheDemo_AreDatedOverTheSimulatedYear_NeverBackwards_NeverInTheFuture()
    {
        var store = demo.Factory.Services.GetRequiredService<LiveLog>().Store;
        var now = SystemClock.Instance.GetCurrentInstant();
        Instant? first = null, previous = null;
        var months = new HashSet<(int, int)>();
        var actors = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in store.ReadAsync(0, long.MaxValue, CancellationToken.None))
        {
            first ??= e.At;
            if (previous is { } p) e.At.Should().BeGreaterThanOrEqualTo(p, $"entry {e.Seq}");
            previous = e.At;
            var utc = e.At.InUtc();
            months.Add((utc.Year, utc.Month));
            actors.Add(e.Actor[..e.Actor.IndexOf(':', StringComparison.Ordinal)]);
        }
        (now - first!.Value).Should().BeGreaterThan(Duration.FromDays(360)).And.BeLessThan(Duration.FromDays(367));
        previous!.Value.Should().BeLessThanOrEqualTo(now);
        months.Should().HaveCountGreaterThanOrEqualTo(12);
        actors.Should().Contain(["system", "parent", "operator", "verifier", "allocator", "registrar", "federal-portal", "inspector"]);
    }

    [Fact]
    public async Task Verify_OfTheDemo_ReplaysTheYear_AndRecomputesItsSignals()
    {
        var document = await SignalsAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.CliApp.RunAsync(["verify", "http://localhost/", "--json", "--no-progress"], stdout, stderr, demo.Factory.Server.CreateHandler());

        code.Should().Be(Cli.CliApp.Ok, $"{stdout}\n{stderr}");
        using var report = JsonDocument.Parse(stdout.ToString());
        report.RootElement.GetProperty("signals").GetProperty("raised").GetInt32().Should().Be(document.Signals.Length,
            "a validator folding the demo's log raises the signals the service's projection raised");
    }

    [Fact]
    public void Plan_OfTheYear_IsAFunctionOfTheSeedAndTheEnd()
    {
        var (source, _) = DemoCriteria.Load();
        var end = Instant.FromUtc(2026, 12, 7, 9, 30);
        IReadOnlyList<(Instant, string, string)> Planned(ulong seed)
        {
            var zone = DateTimeZoneProviders.Tzdb[source.TimeZone];
            var today = end.InZone(zone).Date;
            var start = today.PlusDays(-365);
            var opening = DemoCriteria.Opening(source, start);
            var year = new DemoYear(DemoPlan.Create(opening, start, today, seed), seed, end);
            year.PlanYear(opening, DemoCriteria.WithSignals(source, start));
            return year.Planned();
        }

        var once = Planned(DemoRegion.Seed);
        once.Should().Equal(Planned(DemoRegion.Seed));
        once.Should().NotEqual(Planned(DemoRegion.Seed + 1));
        once.Should().HaveCountGreaterThan(11_000, "the register, 10,000 applications, their claim reviews and the rounds (offers are planned as rounds decide)");
        once.Select(p => p.Item1).Should().BeInAscendingOrder().And.OnlyContain(at => at <= end);
    }

    // The explanation rules of the contract: no e-mail address, phone number or run of five digits.
    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\+?\d[\d\s()-]{8,}\d|\d{5,}")]
    private static partial Regex EmailOrLongNumber();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();
}
