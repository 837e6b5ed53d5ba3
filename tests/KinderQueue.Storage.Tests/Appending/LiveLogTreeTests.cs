using KinderQueue.Core.Log;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Tests.TestSupport;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>
/// <see cref="LiveLog.Tree"/>, what the public proof endpoints read without the gate: it holds exactly
/// the folded entries, follows appends, catch-up and reloads, and never shrinks under a reader.
/// </summary>
public sealed class LiveLogTreeTests(SqliteStoreFixture fixture) : IClassFixture<SqliteStoreFixture>, IAsyncLifetime, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));
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

    [Fact]
    public async Task Tree_holds_the_folded_entries_and_proves_each_of_them()
    {
        var store = _scope.CreateStore();
        var log = await StartAsync(store);
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();
        var sizeAfterSetup = log.Tree.Count;
        var rootAfterSetup = log.Tree.Root(sizeAfterSetup);
        for (var i = 0; i < 12; i++) (await log.ExecuteAsync(TestCommands.Submit(Region.Number(i), variant: i), Ct)).Accepted.Should().BeTrue();

        var stored = await store.ReadAllAsync(Ct);
        var view = await log.ReadAsync((_, v) => v, Ct);
        var tree = log.Tree;
        tree.Count.Should().Be(stored.Count).And.Be(view.Size);
        tree.Root(view.Size).Should().Equal(view.Root).And.Equal(Chain.Verify(stored));
        for (var i = 0; i < stored.Count; i++)
        {
            tree.LeafHash(i).Should().Equal(stored[i].Hash);
            MerkleTree.VerifyInclusion(stored[i].Hash, i, view.Size, tree.InclusionProof(i, view.Size), view.Root).Should().BeTrue($"entry {i}");
        }
        tree.Root(sizeAfterSetup).Should().Equal(rootAfterSetup, "a past size keeps its root");
        MerkleTree.VerifyConsistency(sizeAfterSetup, view.Size, rootAfterSetup, view.Root, tree.ConsistencyProof(sizeAfterSetup, view.Size)).Should().BeTrue();
    }

    [Fact]
    public async Task Tree_follows_entries_another_instance_appended()
    {
        var first = await StartAsync(_scope.CreateStore());
        var second = await StartAsync(_scope.CreateStore());
        foreach (var command in TestCommands.Setup()) (await second.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();

        await first.CatchUpAsync(Ct);

        var view = await second.ReadAsync((_, v) => v, Ct);
        first.Tree.Count.Should().Be(view.Size);
        first.Tree.Root(view.Size).Should().Equal(view.Root);
    }

    [Fact]
    public async Task After_a_failed_commit_the_rebuilt_tree_matches_the_database_and_never_shrank()
    {
        var store = new StoreDecorator(_scope.CreateStore());
        var log = await StartAsync(store);
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();
        var before = log.Tree.Count;

        // A reader looks at the tree whenever an entry comes back from the database, which is also in
        // the middle of the reload (from entry 0) that follows a failed commit.
        var smallest = long.MaxValue;
        store.Tamper = e =>
        {
            smallest = Math.Min(smallest, log.Tree.Count);
            return e;
        };
        store.FailCommits(1, () => new InvalidOperationException("disk full"));
        var failed = () => log.ExecuteAsync(TestCommands.Submit(Region.Number(1)), Ct);
        await failed.Should().ThrowAsync<InvalidOperationException>();
        (await log.ExecuteAsync(TestCommands.Submit(Region.Number(2)), Ct)).Accepted.Should().BeTrue();
        store.Tamper = null;

        smallest.Should().NotBe(long.MaxValue, "the reload read entries");
        smallest.Should().BeGreaterThanOrEqualTo(before, "readers see the last complete tree while it is rebuilt");
        var stored = await store.ReadAllAsync(Ct);
        log.Tree.Count.Should().Be(stored.Count);
        log.Tree.Root(stored.Count).Should().Equal(Chain.Verify(stored));
    }

    private async Task<LiveLog> StartAsync(ILogStore store)
    {
        var log = new LiveLog(store, new FakeClock(Region.Start), tailInterval: TimeSpan.FromMilliseconds(50));
        _logs.Add(log);
        await Wait.Within(log.StartAsync(Ct), "the log to start");
        return log;
    }
}
