using System.Text;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime;
using NodaTime.Testing;
using Polly;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>
/// The group-commit writer over a real database, run once per provider: sequence numbers, read-your-writes,
/// refusals, idempotency, concurrency, restart, catching up with another instance, transient and
/// permanent failures, and a corrupt log. Each test gets a fresh, migrated, empty log.
/// </summary>
public abstract class LiveLogContract<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime, IDisposable
    where TFixture : class, IStoreFixture
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));
    private readonly List<LiveLog> _logs = [];

    protected StoreScope Scope { get; private set; } = null!;

    protected ILogStore Store { get; private set; } = null!;

    protected CancellationToken Ct => _timeout.Token;

    private protected FakeClock Clock { get; } = new(Region.Start);

    public async Task InitializeAsync()
    {
        Scope = await fixture.NewScopeAsync(Ct);
        Store = Scope.CreateStore();
        await Store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        foreach (var log in _logs) await log.DisposeAsync();
        await Scope.DisposeAsync();
    }

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A started instance over <paramref name="store"/> (this test's store by default), disposed after the test.</summary>
    private protected async Task<LiveLog> StartAsync(ILogStore? store = null, TimeSpan? tailInterval = null, ResiliencePipeline? retry = null)
    {
        var log = new LiveLog(store ?? Store, Clock, tailInterval: tailInterval ?? TimeSpan.FromMilliseconds(50), retry: retry);
        _logs.Add(log);
        await Wait.Within(log.StartAsync(Ct), "the log to start");
        return log;
    }

    private protected async Task StopAsync(LiveLog log)
    {
        _logs.Remove(log);
        await Wait.Within(log.DisposeAsync().AsTask(), "the log to stop");
    }

    private protected Task<CommandResult> ExecuteAsync(LiveLog log, ICommand command) =>
        Wait.Within(log.ExecuteAsync(command, Ct), "a command");

    /// <summary>Publishes the region's criteria, districts and kindergartens (seqs 0..4), one command at a time.</summary>
    private protected async Task<LiveLog> StartWithRegionAsync(ILogStore? store = null, TimeSpan? tailInterval = null)
    {
        var log = await StartAsync(store, tailInterval);
        foreach (var command in TestCommands.Setup()) (await ExecuteAsync(log, command)).Accepted.Should().BeTrue();
        return log;
    }

    /// <summary>The state a brand-new instance folds from the database: what every instance must agree with.</summary>
    private protected async Task<LogSnapshot> FreshFoldAsync()
    {
        var fresh = new LiveLog(Scope.CreateStore(), Clock);
        await Wait.Within(fresh.StartAsync(Ct), "a fresh fold");
        try
        {
            return await LogSnapshot.TakeAsync(fresh, Ct);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private protected static ApplicationSubmitted DecodeApplication(StoredEntry entry) =>
        (ApplicationSubmitted)EventCodec.Decode(entry.Type, entry.Payload).GetValueOrThrow();

    // ------------------------------------------------------------------ sequence and read-your-writes

    [Fact]
    public async Task ExecuteAsync_CommandsOneAfterAnother_GetConsecutiveSeqs()
    {
        var log = await StartAsync();
        var seqs = new List<long?>();

        foreach (var command in TestCommands.Setup()) seqs.Add((await ExecuteAsync(log, command)).Seq);
        for (var i = 0; i < 5; i++) seqs.Add((await ExecuteAsync(log, TestCommands.Submit(Region.Number(i), variant: i))).Seq);

        seqs.Should().Equal(Enumerable.Range(0, 10).Select(i => (long?)i));
        var stored = await Store.ReadAllAsync(Ct);
        var root = Chain.Verify(stored);
        var view = await log.ReadAsync((_, v) => v, Ct);
        view.Size.Should().Be(10);
        view.Head.Should().Equal(stored[^1].Hash);
        view.Root.Should().Equal(root);
        stored[5..].Select(e => DecodeApplication(e).Number).Should().Equal(Enumerable.Range(0, 5).Select(i => Region.Number(i)));
        (await Store.GetPrivateAsync(Region.Number(3), Ct))!.Record.Should().Equal(Region.Application(Region.Number(3), Region.Start, 3).Record.Record);
    }

    [Fact]
    public async Task ExecuteAsync_WhenItReturns_ReadAsyncSeesTheNewState()
    {
        var log = await StartWithRegionAsync();

        for (var i = 0; i < 10; i++)
        {
            var number = Region.Number(i);
            var result = await ExecuteAsync(log, TestCommands.Submit(number, variant: i));

            var (has, size) = await log.ReadAsync((s, v) => (s.Applications.TryGetValue(number, out var a) && a.Seq == result.Seq, v.Size), Ct);
            has.Should().BeTrue("the caller reads its own write at once");
            size.Should().Be(result.Seq!.Value + 1);
            (await Store.CountAsync(Ct)).Should().Be(result.Seq.Value + 1, "and it is durable");
        }

        // The same when many callers write at once: each sees its own application when its call returns.
        var checks = Enumerable.Range(100, 40).Select(i => Task.Run(async () =>
        {
            var number = Region.Number(i);
            var result = await log.ExecuteAsync(TestCommands.Submit(number, variant: i), Ct);
            return await log.ReadAsync((s, v) => s.Applications.TryGetValue(number, out var a) && a.Seq == result.Seq && v.Size > result.Seq, Ct);
        }));
        (await Wait.Within(Task.WhenAll(checks), "40 concurrent commands")).Should().OnlyContain(seen => seen);
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public async Task ExecuteAsync_RefusedCommands_AppendNothingAndReturnTheirProblems()
    {
        var log = await StartWithRegionAsync();
        await ExecuteAsync(log, TestCommands.Submit(Region.Number(1)));
        var before = await LogSnapshot.TakeAsync(log, Ct);

        var invalid = await ExecuteAsync(log, TestCommands.Invalid());
        var unknown = await ExecuteAsync(log, TestCommands.Withdraw(Region.Number(404)));
        var duplicate = await ExecuteAsync(log, TestCommands.Submit(Region.Number(1), variant: 2));
        var badDistrict = await ExecuteAsync(log, TestCommands.Publish(new KindergartenRegistered("kg-77", "Детский сад № 77", "south", [])));

        invalid.Should().BeEquivalentTo(new { Accepted = false, Seq = (long?)null, Response = (byte[]?)null, Replayed = false, Refusal = Refusal.Invalid });
        invalid.Problems.Select(p => p.Code).Should().Equal("application.no-preferences");
        unknown.Refusal.Should().Be(Refusal.NotFound, "the fold's '*.unknown' problems mean not found");
        unknown.Problems.Select(p => p.Code).Should().Equal("application.unknown");
        duplicate.Refusal.Should().Be(Refusal.Conflict);
        duplicate.Problems.Select(p => p.Code).Should().Equal("application.duplicate-number");
        badDistrict.Refusal.Should().Be(Refusal.Conflict);
        badDistrict.Problems.Select(p => p.Code).Should().Equal("kindergarten.unknown-district");
        foreach (var r in new[] { unknown, duplicate, badDistrict }) r.Seq.Should().BeNull();

        (await LogSnapshot.TakeAsync(log, Ct)).ShouldEqual(before, "refusals change nothing");
        (await Store.CountAsync(Ct)).Should().Be(6);
        (await ExecuteAsync(log, TestCommands.Submit(Region.Number(2)))).Seq.Should().Be(6, "no seq was used up by a refusal");
    }

    // ------------------------------------------------------------------ idempotency

    [Fact]
    public async Task ExecuteAsync_SameKeyTwice_SecondIsReplayedWithTheFirstResponseBytes()
    {
        var log = await StartWithRegionAsync();
        const string key = "parent:pa-19c2e0:0b5e7d";

        var first = await ExecuteAsync(log, TestCommands.Submit(Region.Number(7), key));
        var second = await ExecuteAsync(log, TestCommands.Submit(Region.Number(7), key));

        first.Should().BeEquivalentTo(new { Accepted = true, Replayed = false, Seq = (long?)5 });
        second.Replayed.Should().BeTrue();
        second.Seq.Should().Be(5);
        second.Response.Should().Equal(first.Response, "a retry gets exactly the first answer");
        (await Store.CountAsync(Ct)).Should().Be(6, "the retry appended nothing");

        // The key is remembered in the database, not in this instance.
        await StopAsync(log);
        var restarted = await StartAsync(Scope.CreateStore());
        var third = await ExecuteAsync(restarted, TestCommands.Submit(Region.Number(7), key));
        third.Replayed.Should().BeTrue();
        third.Response.Should().Equal(first.Response);
        (await Store.CountAsync(Ct)).Should().Be(6);
    }

    [Fact]
    public async Task IdempotencyRows_HoldNeitherTheKeyNorTheResponseInTheClear()
    {
        var log = await StartWithRegionAsync();
        const string key = "parent:pa-19c2e0:req-Zqx3";
        var first = await ExecuteAsync(log, TestCommands.Submit(Region.Number(7), key));
        var response = Encoding.UTF8.GetString(first.Response!);

        // Read the table as a copy of the database would: no key, no response text (an access code lives there).
        await using var connection = await Scope.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        // A submission's response is kept in its private record's row (issue 16); other commands' in idempotency.
        command.CommandText = "SELECT key, response FROM idempotency UNION ALL SELECT response_key, response FROM private_records WHERE response_key IS NOT NULL";
        var rows = new List<(string Key, byte[] Response)>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
            while (await reader.ReadAsync(Ct)) rows.Add((reader.GetString(0), (byte[])reader.GetValue(1)));
        rows.Should().ContainSingle();
        rows[0].Key.Should().NotContain("Zqx3").And.MatchRegex("^[0-9a-f]{64}$");
        Encoding.UTF8.GetString(rows[0].Response).Should().NotContain("\"what\"");
        rows[0].Response.AsSpan().IndexOf(first.Response).Should().Be(-1);

        (await ExecuteAsync(log, TestCommands.Submit(Region.Number(7), key))).Response.Should().Equal(first.Response, "the caller with the key still gets it back");
        var other = await ExecuteAsync(log, TestCommands.Submit(Region.Number(7), key + "-other"));
        Encoding.UTF8.GetString(other.Response ?? []).Should().NotBe(response, "another key opens nothing of the first");
    }

    [Fact]
    public async Task ExecuteAsync_SameKeyTwiceInOneBatch_AppendsOnceAndReplaysTheSecond()
    {
        var store = new StoreDecorator(Store);
        var log = await StartWithRegionAsync(store);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        const string key = "operator:op-5d11b4:req-42";

        // Hold the writer inside a batch so the next two commands queue up and are taken together.
        var blocker = log.ExecuteAsync(TestCommands.Blocker(new DistrictRegistered("south", "Южный район"), entered, release), Ct);
        await Wait.Within(entered.Task, "the writer to take the blocker");
        var first = log.ExecuteAsync(TestCommands.Submit(Region.Number(9), key, actor: Region.Centre), Ct);
        var second = log.ExecuteAsync(TestCommands.Submit(Region.Number(9), key, actor: Region.Centre), Ct);
        release.Set();
        await Wait.Within(blocker, "the blocker");
        var results = await Wait.Within(Task.WhenAll(first, second), "the two commands");

        results[0].Replayed.Should().BeFalse();
        results[1].Replayed.Should().BeTrue();
        results[1].Seq.Should().Be(results[0].Seq).And.Be(6);
        results[1].Response.Should().Equal(results[0].Response);
        store.CommittedBatchSizes.Last().Should().Be(1, "both commands were in one transaction, which appended one entry");
        (await Store.CountAsync(Ct)).Should().Be(7);
    }

    [Fact]
    public async Task ExecuteAsync_ManyKeysEachSentTwiceConcurrently_EachAppendsExactlyOnce()
    {
        var log = await StartWithRegionAsync();
        const int n = 100;
        var calls = Enumerable.Range(0, n)
            .SelectMany(i => new[] { i, i })
            .Select(i => Task.Run(async () => (I: i, Result: await log.ExecuteAsync(TestCommands.Submit(Region.Number(i), $"parent:pa-{i}:k", variant: i), Ct))))
            .ToList();

        var results = await Wait.Within(Task.WhenAll(calls), "200 commands");

        foreach (var pair in results.GroupBy(r => r.I))
        {
            var two = pair.Select(p => p.Result).ToList();
            two.Should().OnlyContain(r => r.Accepted);
            two.Count(r => !r.Replayed).Should().Be(1, "key {0} appended once", pair.Key);
            two[0].Seq.Should().Be(two[1].Seq);
            two[0].Response.Should().Equal(two[1].Response);
        }
        var stored = await Store.ReadAllAsync(Ct);
        stored.Should().HaveCount(5 + n);
        Chain.Verify(stored);
        stored[5..].Select(e => DecodeApplication(e).Number).Should().OnlyHaveUniqueItems().And.HaveCount(n);
        foreach (var (i, result) in results) DecodeApplication(stored[(int)result.Seq!.Value]).Number.Should().Be(Region.Number(i));
    }

    // ------------------------------------------------------------------ group commit under load

    [Fact]
    public async Task ExecuteAsync_300ConcurrentCommands_AppendedWithoutGapsInSharedTransactions()
    {
        var store = new StoreDecorator(Store);
        var log = await StartAsync(store);
        var ids = Enumerable.Range(0, 300).Select(i => $"d-{i:D3}").ToList();

        var results = await Wait.Within(
            Task.WhenAll(ids.Select(id => Task.Run(() => log.ExecuteAsync(TestCommands.Publish(new DistrictRegistered(id, $"Район {id}")), Ct)))),
            "300 concurrent commands");

        results.Should().OnlyContain(r => r.Accepted && !r.Replayed);
        results.Select(r => r.Seq!.Value).Order().Should().Equal(Enumerable.Range(0, 300).Select(i => (long)i));
        var stored = await Store.ReadAllAsync(Ct);
        stored.Should().HaveCount(300);
        var root = Chain.Verify(stored);
        for (var i = 0; i < 300; i++)
        {
            var e = (DistrictRegistered)EventCodec.Decode(stored[(int)results[i].Seq!.Value].Type, stored[(int)results[i].Seq!.Value].Payload).GetValueOrThrow();
            e.Id.Should().Be(ids[i], "each caller gets the seq of its own entry");
        }
        var view = await log.ReadAsync((_, v) => v, Ct);
        view.Size.Should().Be(300);
        view.Root.Should().Equal(root);
        store.CommittedBatchSizes.Sum().Should().Be(300);
        store.CommittedBatchSizes.Max().Should().BeGreaterThan(1, "concurrent commands share a transaction (group commit)");
        store.CommitCalls.Should().BeLessThan(300);
    }

    // ------------------------------------------------------------------ restart and other instances

    [Fact]
    public async Task StartAsync_NewInstanceOverTheSameDatabase_FoldsTheSameState()
    {
        var log = await StartWithRegionAsync();
        for (var i = 0; i < 20; i++) await ExecuteAsync(log, TestCommands.Submit(Region.Number(i), variant: i));
        await ExecuteAsync(log, TestCommands.Withdraw(Region.Number(3)));
        await ExecuteAsync(log, TestCommands.Withdraw(Region.Number(8)));
        await ExecuteAsync(log, TestCommands.ReviewClaim(Region.Number(1), 0, verified: true));
        await ExecuteAsync(log, TestCommands.ReviewClaim(Region.Number(2), 0, verified: false));
        await ExecuteAsync(log, TestCommands.Invalid());
        var before = await LogSnapshot.TakeAsync(log, Ct);
        await StopAsync(log);

        var restarted = await StartAsync(Scope.CreateStore());

        var after = await LogSnapshot.TakeAsync(restarted, Ct);
        after.ShouldEqual(before);
        after.Size.Should().Be(29);
        after.Applications.Should().Contain(a => a.StartsWith(Region.Number(3)) && a.Contains(" Withdrawn "));
        after.Applications.Should().Contain(a => a.StartsWith(Region.Number(1)) && a.Contains("first:True"));
        (await ExecuteAsync(restarted, TestCommands.Submit(Region.Number(20)))).Seq.Should().Be(29);
    }

    [Fact]
    public async Task TailLoop_EntriesAppendedByAnotherInstance_AreFoldedWithoutBeingAsked()
    {
        var writer = await StartAsync();
        var reader = await StartAsync(Scope.CreateStore(), tailInterval: TimeSpan.FromMilliseconds(20));

        foreach (var command in TestCommands.Setup()) await ExecuteAsync(writer, command);
        for (var i = 0; i < 5; i++) await ExecuteAsync(writer, TestCommands.Submit(Region.Number(i), variant: i));
        var expected = await LogSnapshot.TakeAsync(writer, Ct);

        await Wait.Until(async () => (await reader.ReadAsync((_, v) => v.Size, Ct)) == expected.Size, "the reader's tail has caught up");
        (await LogSnapshot.TakeAsync(reader, Ct)).ShouldEqual(expected);
        reader.IsCaughtUp.Should().BeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_AfterAnotherInstanceAppended_DecidesAgainstTheDatabaseNotItsOwnStaleView()
    {
        var first = await StartWithRegionAsync();
        // A second instance whose tail never runs during the test: only the writer's read under the lock can inform it.
        var second = await StartAsync(Scope.CreateStore(), tailInterval: TimeSpan.FromHours(1));
        await ExecuteAsync(first, TestCommands.Submit(Region.Number(5), "parent:pa-5:k"));

        var sameNumber = await ExecuteAsync(second, TestCommands.Submit(Region.Number(5), variant: 1));
        var sameKey = await ExecuteAsync(second, TestCommands.Submit(Region.Number(5), "parent:pa-5:k"));
        var next = await ExecuteAsync(second, TestCommands.Submit(Region.Number(6)));

        sameNumber.Refusal.Should().Be(Refusal.Conflict);
        sameKey.Replayed.Should().BeTrue();
        sameKey.Seq.Should().Be(5);
        next.Seq.Should().Be(6);
        Chain.Verify(await Store.ReadAllAsync(Ct));
        await first.CatchUpAsync(Ct);
        (await LogSnapshot.TakeAsync(first, Ct)).ShouldEqual(await LogSnapshot.TakeAsync(second, Ct));
    }

    [Fact]
    public async Task ExecuteAsync_ClockBehindTheLastEntry_EntryTimesNeverGoBack()
    {
        var log = await StartWithRegionAsync();
        Clock.Advance(Duration.FromHours(2));
        var ahead = await ExecuteAsync(log, TestCommands.Submit(Region.Number(1)));
        Clock.Reset(Region.Start + Duration.FromMinutes(5));

        await ExecuteAsync(log, TestCommands.Submit(Region.Number(2)));
        await StopAsync(log);
        var restarted = await StartAsync(Scope.CreateStore());
        await ExecuteAsync(restarted, TestCommands.Submit(Region.Number(3)));

        var stored = await Store.ReadAllAsync(Ct);
        stored.Select(e => e.At).Should().BeInAscendingOrder();
        stored[^1].At.Should().Be(stored[(int)ahead.Seq!.Value].At, "a late clock, even after a restart, writes the last time again");
    }

    // ------------------------------------------------------------------ failures

    [Fact]
    public async Task ExecuteAsync_FirstCommitsTimeOut_CommandsSucceedOnceAndStateIsReloaded()
    {
        var store = new StoreDecorator(Store);
        var log = await StartWithRegionAsync(store);
        var commitsBefore = store.CommitCalls;
        store.FailCommits(2, () => new TimeoutException("commit timed out"));

        var results = await Wait.Within(Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => log.ExecuteAsync(TestCommands.Submit(Region.Number(i), $"parent:pa-{i}:k", variant: i), Ct))), "10 commands");

        results.Should().OnlyContain(r => r.Accepted && !r.Replayed);
        results.Select(r => r.Seq!.Value).Order().Should().Equal(Enumerable.Range(5, 10).Select(i => (long)i));
        store.CommitCalls.Should().BeGreaterThanOrEqualTo(commitsBefore + 3, "two failed commits were retried");
        var stored = await Store.ReadAllAsync(Ct);
        stored.Should().HaveCount(15);
        Chain.Verify(stored);
        stored[5..].Select(e => DecodeApplication(e).Number).Should().OnlyHaveUniqueItems();
        (await LogSnapshot.TakeAsync(log, Ct)).ShouldEqual(await FreshFoldAsync(), "the instance reloaded what the database holds");
    }

    [Fact]
    public async Task ExecuteAsync_CommitSucceedsButItsReplyIsLost_RetryReplaysInsteadOfAppendingTwice()
    {
        var store = new StoreDecorator(Store);
        var log = await StartWithRegionAsync(store);
        store.FailCommits(1, () => new TimeoutException("connection lost after COMMIT was sent"), afterCommitting: true);

        var results = await Wait.Within(Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => log.ExecuteAsync(TestCommands.Submit(Region.Number(i), $"parent:pa-{i}:k", variant: i), Ct))), "10 commands");

        results.Should().OnlyContain(r => r.Accepted);
        results.Should().Contain(r => r.Replayed, "the batch whose commit reply was lost is answered from the stored responses");
        var stored = await Store.ReadAllAsync(Ct);
        stored.Should().HaveCount(15, "nothing was appended twice");
        Chain.Verify(stored);
        for (var i = 0; i < 10; i++) DecodeApplication(stored[(int)results[i].Seq!.Value]).Number.Should().Be(Region.Number(i));
        (await LogSnapshot.TakeAsync(log, Ct)).ShouldEqual(await FreshFoldAsync());
    }

    [Fact]
    public async Task ExecuteAsync_NonTransientCommitFailure_ReachesTheCallerAndStateMatchesTheDatabase()
    {
        var store = new StoreDecorator(Store);
        var log = await StartWithRegionAsync(store);
        await ExecuteAsync(log, TestCommands.Submit(Region.Number(0)));
        var commitsBefore = store.CommitCalls;
        store.FailCommits(1, () => new InvalidOperationException("disk full"));

        var act = () => ExecuteAsync(log, TestCommands.Submit(Region.Number(1), "parent:pa-1:k"));

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("disk full");
        store.CommitCalls.Should().Be(commitsBefore + 1, "a non-transient failure is not retried");
        (await LogSnapshot.TakeAsync(log, Ct)).ShouldEqual(await FreshFoldAsync(), "the state dropped what did not commit");
        (await log.ReadAsync((s, _) => s.Applications.ContainsKey(Region.Number(1)), Ct)).Should().BeFalse();

        var retried = await ExecuteAsync(log, TestCommands.Submit(Region.Number(1), "parent:pa-1:k"));
        retried.Should().BeEquivalentTo(new { Accepted = true, Replayed = false, Seq = (long?)6 });
        (await Store.CountAsync(Ct)).Should().Be(7);
        Chain.Verify(await Store.ReadAllAsync(Ct));
    }

    [Fact]
    public async Task DisposeAsync_WhileACommandIsInFlight_EndsThatCommandInsteadOfLeavingItHanging()
    {
        var store = new StoreDecorator(Store);
        var log = await StartWithRegionAsync(store);
        store.BeforeCommit = ct => Task.Delay(Timeout.Infinite, ct);
        var commits = store.CommitCalls;
        var inFlight = log.ExecuteAsync(TestCommands.Submit(Region.Number(1)), CancellationToken.None);
        await Wait.Until(() => Task.FromResult(store.CommitCalls > commits), "the command's commit has begun");
        inFlight.IsCompleted.Should().BeFalse();

        await StopAsync(log);

        var ended = await Task.WhenAny(inFlight, Task.Delay(TimeSpan.FromSeconds(10), Ct));
        ended.Should().BeSameAs(inFlight, "a caller must not wait forever for a log that has shut down");
        inFlight.IsCanceled.Should().BeTrue();
        (await Store.CountAsync(Ct)).Should().Be(5);
    }

    // ------------------------------------------------------------------ corruption

    [Theory]
    [InlineData(Tampering.PayloadByte, 6, 6)]
    [InlineData(Tampering.PayloadByte, 2, 2)]
    [InlineData(Tampering.PayloadSyntax, 6, 6)]
    [InlineData(Tampering.PayloadAndHash, 6, 7)]
    public async Task StartAsync_TamperedEntry_ThrowsLogCorruptNamingTheSeq(Tampering tampering, long seq, long reported)
    {
        var log = await StartWithRegionAsync();
        for (var i = 0; i < 4; i++) await ExecuteAsync(log, TestCommands.Submit(Region.Number(i), variant: i));
        await StopAsync(log);
        var store = new StoreDecorator(Scope.CreateStore()) { Tamper = e => e.Seq == seq ? Tamper(e, tampering) : e };

        var corrupt = new LiveLog(store, Clock);
        var act = () => Wait.Within(corrupt.StartAsync(Ct), "start");

        var thrown = await act.Should().ThrowAsync<LogCorruptException>();
        thrown.Which.Seq.Should().Be(reported);
        thrown.Which.Message.Should().StartWith($"Log entry {reported} ");
        await corrupt.DisposeAsync();
    }

    [Fact]
    public async Task TailLoop_TamperedEntryFromAnotherInstance_MakesThisInstanceNotCaughtUp()
    {
        var writer = await StartWithRegionAsync();
        var tampered = new StoreDecorator(Scope.CreateStore()) { Tamper = e => e.Seq >= 6 ? Tamper(e, Tampering.PayloadByte) : e };
        var reader = await StartAsync(tampered, tailInterval: TimeSpan.FromMilliseconds(20));
        reader.IsCaughtUp.Should().BeTrue();

        await ExecuteAsync(writer, TestCommands.Submit(Region.Number(0)));
        await ExecuteAsync(writer, TestCommands.Submit(Region.Number(1)));

        await Wait.Until(() => Task.FromResult(!reader.IsCaughtUp), "the reader stops reporting that it is caught up", TimeSpan.FromSeconds(10));
        (await reader.ReadAsync((_, v) => v.Size, Ct)).Should().BeLessThan(8, "it did not serve past the bad entry");
    }

    private static StoredEntry Tamper(StoredEntry e, Tampering how)
    {
        var payload = e.Payload.ToArray();
        switch (how)
        {
            case Tampering.PayloadSyntax:
                payload[0] = (byte)'[';
                return e with { Payload = payload };
            case Tampering.PayloadByte:
            case Tampering.PayloadAndHash:
                // "north" becomes "nortg", "KQ-…-TESTA" becomes "KQ-…-TESTB": same length, still canonical.
                var text = Encoding.UTF8.GetString(payload);
                var needle = e.Type == DistrictRegistered.TypeName ? "north\"" : "TESTA\"";
                var at = text.IndexOf(needle, StringComparison.Ordinal);
                at.Should().BeGreaterThanOrEqualTo(0, "entry {0} contains {1}", e.Seq, needle);
                payload[Encoding.UTF8.GetByteCount(text[..(at + 4)])]++;
                var changed = e with { Payload = payload };
                return how == Tampering.PayloadByte ? changed : changed with { Hash = changed.ToLogEntry().Hash() };
            default:
                throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    // ------------------------------------------------------------------ one checkpoint authority

    /// <summary>A stand-in for the signature: the size and time the authority chose, so the test can read them back.</summary>
    private static (byte[], byte[]?) Sign(LogView view, Instant time) => (Encoding.ASCII.GetBytes($"{view.Size}|{time.ToUnixTimeMilliseconds()}"), Encoding.ASCII.GetBytes($"note {view.Size}"));

    [Fact]
    public async Task Checkpoints_come_from_one_authority_so_two_instances_serve_one_sequence()
    {
        var first = await StartWithRegionAsync();
        var secondClock = new FakeClock(Region.Start - Duration.FromMinutes(10)); // a replica whose clock is behind
        var second = new LiveLog(Scope.CreateStore(), secondClock, tailInterval: TimeSpan.FromHours(1));
        await Wait.Within(second.StartAsync(Ct), "the second instance to start");
        try
        {
            var issued = new List<StoredCheckpoint>();
            issued.Add((await first.IssueCheckpointAsync(Sign, Clock.GetCurrentInstant(), Ct))!);
            // Nothing new: the second instance gets the first one's checkpoint, not one of its own.
            (await second.IssueCheckpointAsync(Sign, secondClock.GetCurrentInstant(), Ct)).Should().BeEquivalentTo(issued[0]);

            for (var i = 0; i < 6; i++)
            {
                var writer = i % 2 == 0 ? first : second;
                (await ExecuteAsync(writer, TestCommands.Submit(Region.Number(i), variant: i))).Accepted.Should().BeTrue();
                // The other instance issues: under the writer lock it first folds what the writer appended.
                var other = writer == first ? second : first;
                var clock = other == first ? Clock : secondClock;
                issued.Add((await other.IssueCheckpointAsync(Sign, clock.GetCurrentInstant(), Ct))!);
                Clock.Advance(Duration.FromSeconds(1));
            }

            var stored = await Store.GetLatestCheckpointAsync(Ct);
            stored.Should().BeEquivalentTo(issued[^1]);
            (await Scope.CreateStore().GetLatestCheckpointAsync(Ct)).Should().BeEquivalentTo(stored, "every replica reads the same latest checkpoint");
            issued.Select(c => c.Size).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("a checkpoint only when the log grew");
            issued.Select(c => c.Time).Should().BeInAscendingOrder("time never goes back, even from the replica whose clock is behind");
            issued[^1].Size.Should().Be((await Store.ReadAllAsync(Ct)).Count);
            foreach (var c in issued)
            {
                Encoding.ASCII.GetString(c.Document).Should().Be($"{c.Size}|{c.Time.ToUnixTimeMilliseconds()}");
                Encoding.ASCII.GetString(c.Note!).Should().Be($"note {c.Size}", "the note is stored beside the JSON");
            }
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_replica_behind_the_shared_checkpoint_catches_up_to_prove_in_its_tree()
    {
        var first = await StartWithRegionAsync();
        // Its tail loop looks only every hour: without catching up, it stays where it started.
        var second = new LiveLog(Scope.CreateStore(), Clock, tailInterval: TimeSpan.FromHours(1));
        await Wait.Within(second.StartAsync(Ct), "the second instance to start");
        try
        {
            for (var i = 0; i < 3; i++) (await ExecuteAsync(first, TestCommands.Submit(Region.Number(i), variant: i))).Accepted.Should().BeTrue();
            var shared = (await first.IssueCheckpointAsync(Sign, Clock.GetCurrentInstant(), Ct))!;
            second.Tree.Count.Should().BeLessThan(shared.Size, "the writes went to the other replica (the launch-day receipts failed here with 500)");

            var tree = await second.TreeCoveringAsync(shared.Size, Ct);

            tree.Count.Should().Be(shared.Size);
            tree.Root(shared.Size).Should().Equal(first.Tree.Root(shared.Size));
            tree.InclusionProof(shared.Size - 1, shared.Size).Should().NotBeEmpty();
            (await second.TreeCoveringAsync(shared.Size + 10, Ct)).Count.Should().Be(shared.Size, "a size the database does not hold stays beyond the tree");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}

/// <summary>How a test alters an entry on its way out of the database.</summary>
public enum Tampering
{
    /// <summary>A byte of the payload changed; it still decodes and folds, only the hash tells.</summary>
    PayloadByte,
    /// <summary>A byte changed so that the payload is no longer JSON.</summary>
    PayloadSyntax,
    /// <summary>The payload changed and the stored hash recomputed to match: the next entry no longer links.</summary>
    PayloadAndHash,

}
