using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime.Testing;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>
/// Two service instances (two LiveLogs over two PostgresLogStore objects) on one database: the advisory
/// writer lock keeps one chain with no gaps and no forks, and both instances converge on the same state.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresTwoInstanceTests(PostgresStoreFixture fixture) : IClassFixture<PostgresStoreFixture>, IAsyncLifetime, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));
    private readonly FakeClock _clock = new(Region.Start);
    private readonly List<LiveLog> _logs = [];
    private StoreScope _scope = null!;

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        _scope = await fixture.NewScopeAsync(Ct);
        await _scope.CreateStore().MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        foreach (var log in _logs) await log.DisposeAsync();
        await _scope.DisposeAsync();
    }

    public void Dispose() => _timeout.Dispose();

    // Small batches, so that each instance needs many transactions and the two must take turns at the writer lock.
    private async Task<(LiveLog A, LiveLog B)> StartTwoAsync()
    {
        var a = new LiveLog(_scope.CreateStore(), _clock, maxBatch: 16, tailInterval: TimeSpan.FromMilliseconds(50));
        var b = new LiveLog(_scope.CreateStore(), _clock, maxBatch: 16, tailInterval: TimeSpan.FromMilliseconds(50));
        _logs.AddRange([a, b]);
        await Wait.Within(Task.WhenAll(a.StartAsync(Ct), b.StartAsync(Ct)), "two instances to start");
        foreach (var command in TestCommands.Setup()) (await Wait.Within(a.ExecuteAsync(command, Ct), "setup")).Accepted.Should().BeTrue();
        await b.CatchUpAsync(Ct);
        return (a, b);
    }

    private static ApplicationSubmitted Decode(StoredEntry e) => (ApplicationSubmitted)EventCodec.Decode(e.Type, e.Payload).GetValueOrThrow();

    [Fact]
    public async Task TwoInstances_200ConcurrentCommandsEach_MakeOneChainWithoutGapsOrForks()
    {
        var (a, b) = await StartTwoAsync();
        var calls = new List<Task<(string Number, bool ViaA, CommandResult Result)>>();
        for (var i = 0; i < 200; i++)
        {
            foreach (var (log, series, viaA) in new[] { (a, "INSTA", true), (b, "INSTB", false) })
            {
                var number = Region.Number(i, series);
                var variant = i;
                calls.Add(Task.Run(async () => (number, viaA, await log.ExecuteAsync(TestCommands.Submit(number, $"parent:{number}:k", variant), Ct))));
            }
        }

        var results = await Wait.Within(Task.WhenAll(calls), "400 commands on two instances");

        results.Should().OnlyContain(r => r.Result.Accepted && !r.Result.Replayed);
        results.Select(r => r.Result.Seq!.Value).Order().Should().Equal(Enumerable.Range(5, 400).Select(i => (long)i));
        var stored = await _scope.CreateStore().ReadAllAsync(Ct);
        stored.Should().HaveCount(405);
        var root = Chain.Verify(stored); // one chain from entry 0: every prev is the hash before it, so no fork
        foreach (var (number, _, result) in results) Decode(stored[(int)result.Seq!.Value]).Number.Should().Be(number);
        var seqsA = results.Where(r => r.ViaA).Select(r => r.Result.Seq!.Value).ToList();
        var seqsB = results.Where(r => !r.ViaA).Select(r => r.Result.Seq!.Value).ToList();
        (seqsA.Min() < seqsB.Max() && seqsB.Min() < seqsA.Max()).Should().BeTrue("the two writers took turns rather than one after the other");

        await a.CatchUpAsync(Ct);
        await b.CatchUpAsync(Ct);
        var snapA = await LogSnapshot.TakeAsync(a, Ct);
        var snapB = await LogSnapshot.TakeAsync(b, Ct);
        snapA.ShouldEqual(snapB, "both instances fold the same log");
        snapA.Size.Should().Be(405);
        snapA.Root.Should().Be(Core.Log.Hex.Encode(root));
        snapA.Head.Should().Be(Core.Log.Hex.Encode(stored[^1].Hash));
        var numbers = await a.ReadAsync((s, _) => s.Applications.Keys.ToHashSet(StringComparer.Ordinal), Ct);
        numbers.Should().BeEquivalentTo(results.Select(r => r.Number));
        (await b.ReadAsync((s, _) => s.Applications.Keys.ToHashSet(StringComparer.Ordinal), Ct)).Should().BeEquivalentTo(numbers);
    }

    [Fact]
    public async Task TwoInstances_SameNumberOrSameKeyAtOnce_OnlyOneAppends()
    {
        var (a, b) = await StartTwoAsync();
        var sameNumber = Enumerable.Range(0, 20).SelectMany(i => new[] { a, b }.Select(log =>
            Task.Run(() => log.ExecuteAsync(TestCommands.Submit(Region.Number(i, "SAMEN"), variant: i), Ct)))).ToList();
        var sameKey = Enumerable.Range(0, 20).SelectMany(i => new[] { a, b }.Select(log =>
            Task.Run(() => log.ExecuteAsync(TestCommands.Submit(Region.Number(i, "SAMEK"), $"parent:pa-{i}:retry", i), Ct)))).ToList();

        var byNumber = await Wait.Within(Task.WhenAll(sameNumber), "same-number commands");
        var byKey = await Wait.Within(Task.WhenAll(sameKey), "same-key commands");

        for (var i = 0; i < 20; i++)
        {
            var pair = byNumber[(2 * i)..(2 * i + 2)];
            pair.Count(r => r.Accepted).Should().Be(1, "number {0} is taken once", i);
            pair.Single(r => !r.Accepted).Problems.Select(p => p.Code).Should().Equal("application.duplicate-number");
            var retried = byKey[(2 * i)..(2 * i + 2)];
            retried.Should().OnlyContain(r => r.Accepted);
            retried.Count(r => r.Replayed).Should().Be(1, "key {0} appended once, across instances", i);
            retried[0].Seq.Should().Be(retried[1].Seq);
            retried[0].Response.Should().Equal(retried[1].Response);
        }
        var stored = await _scope.CreateStore().ReadAllAsync(Ct);
        stored.Should().HaveCount(45);
        Chain.Verify(stored);
        await a.CatchUpAsync(Ct);
        await b.CatchUpAsync(Ct);
        (await LogSnapshot.TakeAsync(a, Ct)).ShouldEqual(await LogSnapshot.TakeAsync(b, Ct));
    }
}
