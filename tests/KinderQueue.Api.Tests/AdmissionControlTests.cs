using System.Text.Json;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Tests.Support;
using Microsoft.AspNetCore.Http;
using static KinderQueue.Api.Hosting.AdmissionControl;

namespace KinderQueue.Api.Tests;

/// <summary>
/// Admission control (issue 15, fault 4): each class of request has its own slots and a bounded
/// wait line, so one class at capacity sheds its own excess with a 503 and Retry-After while the
/// others keep their slots; health probes are never limited. Tested on the limiter itself, with
/// leases held, so no timing is involved.
/// </summary>
public sealed class AdmissionControlTests(SqliteFixture f) : IClassFixture<SqliteFixture>
{
    private static DefaultHttpContext Request(string method, string path)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        return http;
    }

    [Theory]
    [InlineData("POST", "/api/v1/public/positions", RequestClass.Lookup)]
    [InlineData("POST", "/api/v1/public/receipts", RequestClass.Lookup)]
    [InlineData("GET", "/api/v1/public/log", RequestClass.Export)]
    [InlineData("GET", "/api/v1/public/dashboard", RequestClass.PublicRead)]
    [InlineData("GET", "/api/v1/public/proofs/inclusion", RequestClass.PublicRead)]
    [InlineData("GET", "/", RequestClass.PublicRead)]
    [InlineData("GET", "/assets/site.css", RequestClass.PublicRead)]
    [InlineData("POST", "/api/v1/applications", RequestClass.Write)]
    [InlineData("PUT", "/api/v1/applications/KQ-1/preferences", RequestClass.Write)]
    [InlineData("POST", "/api/v1/rounds", RequestClass.Write)]
    [InlineData("GET", "/api/v1/audit/applications/KQ-1", RequestClass.PublicRead)]
    [InlineData("GET", "/healthz", RequestClass.Unlimited)]
    [InlineData("GET", "/readyz", RequestClass.Unlimited)]
    public void Every_request_has_its_class(string method, string path, RequestClass expected) =>
        ClassOf(Request(method, path).Request).Should().Be(expected);

    [Fact]
    public async Task A_class_at_capacity_sheds_its_own_excess_and_the_others_keep_their_slots()
    {
        var options = new KinderQueueOptions { LookupConcurrency = 2, WriteConcurrency = 1, PublicReadConcurrency = 1, ExportConcurrency = 1, AdmissionQueueFactor = 1, AdmissionMaxWaitMs = 0 };
        using var limiter = CreateLimiter(options);
        var lookup = Request("POST", "/api/v1/public/positions");

        var first = limiter.AttemptAcquire(lookup);
        using var second = limiter.AttemptAcquire(lookup);
        first.IsAcquired.Should().BeTrue();
        second.IsAcquired.Should().BeTrue();
        // Two slots, and a wait line of 1 × 2: two more wait, the next is refused at once.
        var waiting = new[] { limiter.AcquireAsync(lookup).AsTask(), limiter.AcquireAsync(lookup).AsTask() };
        waiting.Should().OnlyContain(t => !t.IsCompleted, "they wait for a slot");
        using (var shed = limiter.AttemptAcquire(lookup)) shed.IsAcquired.Should().BeFalse("beyond the slots and the wait line");
        using (var refused = await limiter.AcquireAsync(lookup)) refused.IsAcquired.Should().BeFalse("a request beyond the wait line is refused at once, not queued");

        using (var write = limiter.AttemptAcquire(Request("POST", "/api/v1/applications"))) write.IsAcquired.Should().BeTrue("writes have their own slots");
        using (var dashboard = limiter.AttemptAcquire(Request("GET", "/api/v1/public/dashboard"))) dashboard.IsAcquired.Should().BeTrue();
        for (var i = 0; i < 100; i++)
        {
            using var probe = limiter.AttemptAcquire(Request("GET", "/readyz"));
            probe.IsAcquired.Should().BeTrue("a health probe is never limited");
        }

        first.Dispose();
        using (var next = await waiting[0]) next.IsAcquired.Should().BeTrue("a freed slot goes to the oldest waiting request");
        using (var last = await waiting[1]) last.IsAcquired.Should().BeTrue();
    }

    [Fact]
    public async Task A_request_that_cannot_get_a_slot_within_the_wait_bound_is_refused_not_kept_waiting()
    {
        var options = new KinderQueueOptions { WriteConcurrency = 1, AdmissionQueueFactor = 4, AdmissionMaxWaitMs = 50 };
        using var limiter = CreateLimiter(options);
        var write = Request("POST", "/api/v1/applications");
        using var held = limiter.AttemptAcquire(write);
        held.IsAcquired.Should().BeTrue();

        // The slot is never freed: with a line of 4 the request would wait for ever; the bound ends it.
        var waiting = limiter.AcquireAsync(write).AsTask();
        (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(waiting, "the wait is bounded");
        using (var refused = await waiting) refused.IsAcquired.Should().BeFalse("it waited longer than the bound");

        // A client that gives up is not counted as a refusal by the bound: its cancellation surfaces as such.
        using var gaveUp = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(write, 1, gaveUp.Token).AsTask();
        await gaveUp.CancelAsync();
        await FluentActions.Awaiting(() => cancelled).Should().ThrowAsync<OperationCanceledException>();

        // A slot freed within the bound is taken.
        held.Dispose();
        using var next = await limiter.AcquireAsync(write);
        next.IsAcquired.Should().BeTrue();
    }

    [Fact]
    public async Task A_shed_request_gets_a_503_that_says_why_and_when_to_come_back()
    {
        var http = Request("POST", "/api/v1/applications");
        http.RequestServices = f.Services;
        http.Response.Body = new MemoryStream();

        await RejectAsync(http, CancellationToken.None);

        http.Response.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        http.Response.Headers.RetryAfter.ToString().Should().Be(RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        http.Response.ContentType.Should().StartWith("application/problem+json");
        http.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(http.Response.Body);
        var error = problem.RootElement.GetProperty("errors")[0];
        error.GetProperty("code").GetString().Should().Be("service.overloaded");
        error.GetProperty("message").GetString().Should().Contain("Nothing was done").And.Contain("Idempotency-Key");
    }
}
