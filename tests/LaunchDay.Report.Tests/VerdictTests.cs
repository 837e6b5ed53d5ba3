using LaunchDay.Report;

namespace LaunchDay.Report.Tests;

/// <summary>GO / NO-GO of the launch-day report, and what fails a CI run (data, harness) and what never does (timings).</summary>
public sealed class VerdictTests
{
    [Fact]
    public void A_clean_run_is_GO_with_exit_code_0()
    {
        var (_, v) = new Synthetic().Judge();

        v.NoGoReasons.Should().BeEmpty();
        v.DataFailures.Should().BeEmpty();
        v.HarnessFailures.Should().BeEmpty();
        v.Go.Should().BeTrue();
        v.ExitCode.Should().Be(0);
    }

    [Fact]
    public void A_p99_over_its_SLO_is_NO_GO_naming_the_class_but_no_data_or_harness_failure()
    {
        var run = new Synthetic();
        // 3 of ~170 lookups outside the windows take 2 s: above the 99th percentile's rank.
        for (var i = 0; i < 3; i++) run.Add(10 + i, 2000, 200, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");

        var (f, v) = run.Judge();

        f.Classes.Single(c => c.Class == Classes.Lookup).Outside.P99Ms.Should().Be(2000);
        v.Kind.Should().Be(VerdictKind.NoGo);
        v.ExitCode.Should().Be(1);
        v.NoGoReasons.Should().ContainSingle().Which.Should().Contain("lookups").And.Contain("p99 2000 ms").And.Contain("500 ms");
        v.DataFailures.Should().BeEmpty();
    }

    [Fact]
    public void A_5xx_inside_a_fault_window_is_counted_there_and_does_not_fail_the_SLO()
    {
        var run = new Synthetic();
        run.Add(5.5, 3, 503, Classes.Lookup, "positions", "a", key: "KQ-SEED-1");
        // In flight when the window opened (sent before it, answered inside): the window's too.
        run.Add(4.95, 200, 500, Classes.Site, "dashboard", "a");

        var (f, v) = run.Judge();

        v.Go.Should().BeTrue(string.Join("; ", v.NoGoReasons));
        f.Faults.Single().ByClass[Classes.Lookup].ServerErrors.Should().Be(1);
        f.Faults.Single().ByClass[Classes.Site].ServerErrors.Should().Be(1);
        f.ErrorsOutsideWindows.Should().BeEmpty();
    }

    [Fact]
    public void Under_a_burst_the_excess_shed_with_503_overloaded_is_counted_as_shed_and_the_run_stays_GO()
    {
        var run = new Synthetic();
        run.Burst(14, 15);
        // Inside the burst: writes refused at once by admission control, and the served ones fast.
        for (var i = 0; i < 50; i++)
        {
            run.Add(14.01 + i * 0.01, 1, 503, Classes.Write, "apply-parent", "a", key: $"burst-{i}", retryAfter: "2", extra: "overloaded");
            run.Add(14.01 + i * 0.01, 40, 200, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");
        }

        // A retry of a shed write arriving after the burst ended, shed again: not "ready too early".
        run.Add(15.2, 1, 503, Classes.Write, "apply-parent", "a", key: "burst-0", attempt: 2, retryAfter: "2", extra: "overloaded");

        var (f, v) = run.Judge();

        v.Go.Should().BeTrue(string.Join("; ", v.NoGoReasons));
        var burst = f.Faults.Single(x => x.Name == "burst");
        burst.ErrorsAfterReady.Should().Be(0);
        burst.ByClass[Classes.Write].Shed.Should().Be(51);
        burst.ByClass[Classes.Write].ServerErrors.Should().Be(0, "a 503 service.overloaded is a shed request, not a server error");
        burst.ServedByClass[Classes.Lookup].P99Ms.Should().Be(40);
    }

    [Fact]
    public void Under_a_burst_served_answers_that_queued_past_the_overload_SLO_are_NO_GO()
    {
        var run = new Synthetic();
        run.Burst(14, 15);
        // Nothing shed, everything queued: lookups served after 2 s.
        for (var i = 0; i < 50; i++) run.Add(14.01 + i * 0.01, 2000, 200, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");

        var (f, v) = run.Judge();

        f.Faults.Single(x => x.Name == "burst").ServedByClass[Classes.Lookup].P99Ms.Should().Be(2000);
        v.Kind.Should().Be(VerdictKind.NoGo);
        v.NoGoReasons.Should().ContainSingle().Which.Should().Contain("burst").And.Contain("lookups").And.Contain("p99 2000 ms").And.Contain("instead of shedding");
        f.Classes.Single(c => c.Class == Classes.Lookup).Outside.P99Ms.Should().BeLessThan(500, "outside the window nothing is slow");
    }

    [Fact]
    public void A_5xx_outside_every_window_is_NO_GO_after_the_grace_second_but_not_within_it()
    {
        var within = new Synthetic();
        // Recovered at 7 s, grace 1 s; on b, which was not restarted (on a it would also be "ready too early").
        within.Add(7.8, 3, 500, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");
        within.Judge().Verdict.Go.Should().BeTrue();

        var after = new Synthetic();
        after.Add(12, 3, 500, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");
        var (f, v) = after.Judge();
        f.ErrorsOutsideWindows.Should().ContainSingle();
        v.Kind.Should().Be(VerdictKind.NoGo);
        v.NoGoReasons.Should().ContainSingle().Which.Should().Contain("1 failed requests outside the fault windows").And.Contain("HTTP 500");
    }

    [Fact]
    public void The_receipts_try_again_503_with_Retry_After_is_allowed_without_it_not()
    {
        var allowed = new Synthetic();
        allowed.Add(12, 3, 503, Classes.Lookup, "receipts", "b", key: "KQ-SEED-1", retryAfter: "2");
        allowed.Judge().Verdict.Go.Should().BeTrue();

        var bare = new Synthetic();
        bare.Add(12, 3, 503, Classes.Lookup, "receipts", "b", key: "KQ-SEED-1");
        bare.Judge().Verdict.Go.Should().BeFalse();
    }

    [Fact]
    public void No_answer_on_a_dead_connection_then_a_successful_retry_is_counted_not_failed()
    {
        var run = new Synthetic();
        run.Submission(12, "a", 0, latencyMs: 0.2, key: "ld-retried", thread: 7);
        run.Add(12.1, 5, 201, Classes.Write, "apply-parent", "a", key: "ld-retried", number: "KQ-RETRIED", attempt: 2, process: "apply-parent-a", thread: 7);
        run.Db["KQ-RETRIED"] = 1;

        var (f, v) = run.Judge();

        f.RetriedOkOutsideWindows.Should().Be(1);
        v.Go.Should().BeTrue(string.Join("; ", v.NoGoReasons));

        var failedTwice = new Synthetic();
        failedTwice.Submission(12, "a", 0, latencyMs: 0.2, key: "ld-lost-answer", thread: 7);
        failedTwice.Add(12.1, 0.2, 0, Classes.Write, "apply-parent", "a", key: "ld-lost-answer", attempt: 2, process: "apply-parent-a", thread: 7);
        failedTwice.Judge().Verdict.NoGoReasons.Should().ContainSingle().Which.Should().Contain("no answer");
    }

    [Fact]
    public void A_recovery_slower_than_its_SLO_or_none_at_all_is_NO_GO()
    {
        var slow = new Synthetic();
        slow.Events[0] = slow.Events[0] with
        {
            EndUs = Synthetic.At(25),
            Details = new Dictionary<string, string>(slow.Events[0].Details) { ["lookup_us"] = Synthetic.At(25).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        slow.Judge().Verdict.NoGoReasons.Should().Contain(r => r.Contains("kill-a: recovered after 20.0 s, over the SLO of 15 s"));

        var never = new Synthetic();
        never.Events[0] = never.Events[0] with { Details = new Dictionary<string, string>(never.Events[0].Details) { ["lookup_us"] = "0" } };
        never.Judge().Verdict.NoGoReasons.Should().Contain(r => r.Contains("kill-a: did not recover"));
    }

    [Fact]
    public void A_failure_after_readyz_said_ready_is_NO_GO_ready_too_early()
    {
        var run = new Synthetic();
        run.Add(6.9, 3, 503, Classes.Lookup, "positions", "a", key: "KQ-SEED-1"); // ready at 6.8, recovered 7.0

        var (f, v) = run.Judge();

        f.Faults.Single().ErrorsAfterReady.Should().Be(1);
        v.NoGoReasons.Should().ContainSingle().Which.Should().Contain("after its /readyz said ready");
    }

    [Fact]
    public void An_acknowledged_application_missing_from_the_log_is_a_data_failure_whatever_the_timings()
    {
        var run = new Synthetic();
        run.Submission(12, "b", 201, inLog: false);
        var missing = run.Records[^1].Number!;
        // The exports are built from the database: it is missing there too.

        var (f, v) = run.Judge();

        f.Data.LostFromDatabase.Should().Equal(missing);
        v.Kind.Should().Be(VerdictKind.DataFailure);
        v.ExitCode.Should().Be(3);
        v.DataFailures.Should().Contain(d => d.Contains("not in the log at all") && d.Contains(missing));
    }

    [Fact]
    public void An_application_twice_in_the_log_or_one_key_with_two_numbers_is_a_data_failure()
    {
        var twice = new Synthetic();
        twice.Db[twice.Records.First(r => r.IsSubmission && r.Number is not null).Number!] = 2;
        twice.Judge().Verdict.DataFailures.Should().Contain(d => d.Contains("more than once"));

        var key = new Synthetic();
        key.Submission(12, "a", 201, key: "ld-same");
        key.Submission(12.5, "a", 201, key: "ld-same", attempt: 2);
        var v = key.Judge().Verdict;
        v.Kind.Should().Be(VerdictKind.DataFailure);
        v.DataFailures.Should().Contain(d => d.Contains("Idempotency-Keys were acknowledged with different numbers"));
    }

    [Fact]
    public void An_export_only_behind_its_own_checkpoint_is_NO_GO_a_broken_chain_is_a_data_failure()
    {
        var behind = new Synthetic();
        behind.Verify[1] = new VerifyResult("b", 1, false, 80, "checkpoints check: the log served is shorter than the log signed", "checkpoint.beyond-log");
        var vb = behind.Judge().Verdict;
        vb.Kind.Should().Be(VerdictKind.NoGo);
        vb.NoGoReasons.Should().Contain(r => r.Contains("instance b") && r.Contains("not INTACT"));

        var broken = new Synthetic();
        broken.Verify[1] = new VerifyResult("b", 1, false, 100, "chain check: prev does not match", "entry.chain");
        broken.Judge().Verdict.Kind.Should().Be(VerdictKind.DataFailure);
    }

    [Fact]
    public void Requests_refused_as_malformed_mean_the_harness_broke()
    {
        var run = new Synthetic();
        run.Submission(12, "a", 400);

        var v = run.Judge().Verdict;

        v.Kind.Should().Be(VerdictKind.HarnessBroken);
        v.ExitCode.Should().Be(2);
        v.HarnessFailures.Should().Contain(h => h.Contains("refused as malformed or unauthorised"));
    }

    [Fact]
    public void The_report_is_the_same_bytes_for_the_same_data()
    {
        var slo = Synthetic.Slo();
        var first = LaunchDayReport.Make(new Synthetic().Data(), slo);
        var second = LaunchDayReport.Make(new Synthetic().Data(), slo);

        second.Markdown.Should().Be(first.Markdown);
        second.Html.Should().Be(first.Html);
        first.Markdown.Should().Contain("<svg").And.EndWith("**GO**\n");
        first.Html.Should().Contain("<svg").And.Contain("Verdict: GO");
    }
}
