using System.Net;
using System.Text;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Public;
using KinderQueue.Api.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>Issue 17: wrong access codes are bounded per application number too, by a growing delay rather than a lock.</summary>
public sealed class LookupGuardTests
{
    private sealed class FakeClock(Instant now) : IClock
    {
        public Instant Now { get; set; } = now;

        public Instant GetCurrentInstant() => Now;

        public void Advance(Duration d) => Now += d;
    }

    private static (LookupGuard Guard, FakeClock Clock) Guard(int free = 3, int delay = 10, int max = 60, int memory = 60)
    {
        var clock = new FakeClock(Instant.FromUtc(2027, 3, 1, 10, 0));
        var options = new KinderQueueOptions
        {
            FailedLookupsPerWindow = 1000, FailedLookupsPerNumber = free, NumberDelaySeconds = delay, NumberMaxDelaySeconds = max, NumberFailureMemoryMinutes = memory,
        };
        return (new LookupGuard(options, clock), clock);
    }

    [Fact]
    public void Failures_from_many_addresses_delay_the_number_by_a_doubling_capped_wait()
    {
        var (guard, clock) = Guard();
        using var _ = guard;
        for (var i = 0; i < 3; i++)
        {
            guard.AdmitNumber("KQ-1").Should().BeNull($"failure {i} is within the free ones");
            guard.Failed($"10.0.0.{i}", "KQ-1");
        }
        guard.AdmitNumber("KQ-1").Should().Be(TimeSpan.FromSeconds(10));
        guard.AdmitNumber("KQ-2").Should().BeNull("another number is not delayed");

        clock.Advance(Duration.FromSeconds(10));
        guard.AdmitNumber("KQ-1").Should().BeNull("the delay has passed");
        guard.Failed("10.0.0.9", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().Be(TimeSpan.FromSeconds(20));
        clock.Advance(Duration.FromSeconds(20));
        guard.Failed("10.0.0.9", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().Be(TimeSpan.FromSeconds(40));
        clock.Advance(Duration.FromSeconds(40));
        guard.Failed("10.0.0.9", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().Be(TimeSpan.FromSeconds(60), "the wait is capped");
    }

    [Fact]
    public void Refused_attempts_do_not_lengthen_the_wait_and_the_right_code_forgets_the_failures()
    {
        var (guard, clock) = Guard();
        using var _ = guard;
        for (var i = 0; i < 3; i++) guard.Failed("10.0.0.1", "KQ-1");
        for (var i = 0; i < 50; i++) guard.AdmitNumber("KQ-1").Should().NotBeNull();
        clock.Advance(Duration.FromSeconds(10));
        guard.AdmitNumber("KQ-1").Should().BeNull("fifty refused attempts during the delay did not extend it");
        guard.Succeeded("KQ-1");
        guard.Failed("10.0.0.1", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().BeNull("after the right code the count starts again");
    }

    [Fact]
    public void Failures_are_forgotten_after_a_quiet_period()
    {
        var (guard, clock) = Guard(memory: 5);
        using var _ = guard;
        for (var i = 0; i < 3; i++) guard.Failed("10.0.0.1", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().NotBeNull();
        clock.Advance(Duration.FromMinutes(6));
        guard.AdmitNumber("KQ-1").Should().BeNull();
        guard.Failed("10.0.0.1", "KQ-1");
        guard.AdmitNumber("KQ-1").Should().BeNull("one failure after the quiet period is the first again");
    }
}

/// <summary>A per-number budget small enough to reach in a test, and short delays.</summary>
public sealed class NumberLimitedFixture : ApiFixture
{
    public override string Backend => "sqlite";

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["KinderQueue:FailedLookupsPerWindow"] = "10",
        ["KinderQueue:FailedLookupsPerNumber"] = "5",
        ["KinderQueue:NumberDelaySeconds"] = "2",
        ["KinderQueue:NumberMaxDelaySeconds"] = "3",
        ["KinderQueue:LookupsPerMinute"] = "1000",
    };
}

public sealed class NumberLookupLimitTests(NumberLimitedFixture fixture) : IClassFixture<NumberLimitedFixture>
{
    private async Task<HttpContext> LookupFromAsync(string address, string number, string code)
    {
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { number, accessCode = code }));
        return await fixture.Factory.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = IPAddress.Parse(address);
            c.Request.Method = "POST";
            c.Request.Path = "/api/v1/public/positions";
            c.Request.ContentType = "application/json";
            c.Request.ContentLength = body.Length;
            c.Request.Body = new MemoryStream(body);
        });
    }

    [Fact]
    public async Task Issue17_wrong_codes_from_many_addresses_delay_the_number_and_the_right_code_gets_through_after()
    {
        var f = fixture;
        await AreaAsync(f, "nl-d", "nl-a");
        var mine = await SubmitAsync(f, f.Tokens.Operator, Submission("nl-d", ["nl-a"]));
        await f.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);

        // Five addresses, each well within its own budget, together reach the number's.
        var statuses = new List<int>();
        for (var i = 0; i < 10; i++)
            statuses.Add((await LookupFromAsync($"192.0.2.{1 + (i % 5)}", mine.Number, $"WRNG-COD{i % 10}-XXXX")).Response.StatusCode);
        statuses.Take(5).Should().AllBeEquivalentTo(404);
        statuses.Skip(5).Should().AllBeEquivalentTo(429, "the number is delayed, whichever address asks");

        // The right code from a seventh address is not even checked during the delay ...
        var early = await LookupFromAsync("192.0.2.7", mine.Number, mine.AccessCode);
        early.Response.StatusCode.Should().Be(429);
        var retryAfter = int.Parse(early.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.Should().BeInRange(1, 3);

        // ... and gets through after it: a stranger's guesses slow the parent, they do not lock them out.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter) + TimeSpan.FromMilliseconds(200));
        (await LookupFromAsync("192.0.2.7", mine.Number, mine.AccessCode)).Response.StatusCode.Should().Be(200);
        (await LookupFromAsync("192.0.2.8", mine.Number, "WRNG-CODE-XXXX")).Response.StatusCode.Should().Be(404, "the right code forgot the failures");
    }
}
