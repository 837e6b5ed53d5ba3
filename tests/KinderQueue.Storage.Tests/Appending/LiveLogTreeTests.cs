using KinderQueue.Core.Log;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime.Testing;

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

    [Fact]
    public async Task A_rebuild_that_the_database_cut_off_is_retried_and_the_tree_follows_the_log_again()
    {
        // A PostgreSQL restart under load: a commit fails, and the rebuild of the state that follows
        // breaks off midway because the database is still away. Before, the public tree stayed the one
        // from before the failure while the writer went on: proofs and the export froze.
        var store = new StoreDecorator(_scope.CreateStore());
        var log = await StartAsync(store);
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();
        for (var i = 0; i < 6; i++) (await log.ExecuteAsync(TestCommands.Submit(Region.Number(i), variant: i), Ct)).Accepted.Should().BeTrue();
        var before = log.Tree.Count;

        store.FailCommits(1, () => new InvalidOperationException("server closed the connection"));
        store.FailReads(1, afterEntries: 3, () => new InvalidOperationException("server closed the connection"));
        var failed = () => log.ExecuteAsync(TestCommands.Submit(Region.Number(20)), Ct);
        await failed.Should().ThrowAsync<InvalidOperationException>("the caller hears of the failed commit, not of the rebuild");
        log.IsCaughtUp.Should().BeFalse("the state ran ahead of the database and is not rebuilt yet");
        log.Tree.Count.Should().Be(before, "readers keep the last complete tree");

        // The database is back: the next write rebuilds first, and everything follows the log again.
        for (var i = 21; i < 24; i++) (await log.ExecuteAsync(TestCommands.Submit(Region.Number(i), variant: i), Ct)).Accepted.Should().BeTrue();
        var stored = await store.ReadAllAsync(Ct);
        var view = await log.ReadAsync((_, v) => v, Ct);
        log.IsCaughtUp.Should().BeTrue();
        view.Size.Should().Be(stored.Count);
        log.Tree.Count.Should().Be(stored.Count, "the public tree is the one the writer appends to");
        log.Tree.Root(stored.Count).Should().Equal(Chain.Verify(stored)).And.Equal(view.Root);
        for (var i = 0; i < stored.Count; i++) log.Tree.LeafHash(i).Should().Equal(stored[i].Hash);
    }

    [Fact]
    public async Task While_the_rebuild_cannot_read_the_database_nothing_is_read_from_the_state_that_ran_ahead()
    {
        var store = new StoreDecorator(_scope.CreateStore());
        // No tailing in between: a tail tick would take the second failing read (and a third would rebuild)
        // before the test's own read whenever the machine delays this thread by 100 ms (seen in CI under load).
        var log = await StartAsync(store, tailInterval: TimeSpan.FromHours(1));
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();
        var committed = (await store.ReadAllAsync(Ct)).Count;

        store.FailCommits(1, () => new InvalidOperationException("server closed the connection"));
        store.FailReads(2, afterEntries: 1, () => new InvalidOperationException("server closed the connection"));
        var failed = () => log.ExecuteAsync(TestCommands.Submit(Region.Number(30)), Ct);
        await failed.Should().ThrowAsync<InvalidOperationException>();

        // The second read fails too: a reader hears that the state is being rebuilt, never the
        // state with the entry that did not commit (a checkpoint of it would sign a log that is not stored).
        var read = () => log.ReadAsync((_, v) => v.Size, Ct);
        await read.Should().ThrowAsync<LogUnavailableException>();
        (await log.ReadAsync((_, v) => v.Size, Ct)).Should().Be(committed, "the third read rebuilds from what was committed");
    }

    [Fact]
    public async Task A_full_disk_is_reported_as_such_and_costs_one_rebuild_not_one_per_batch()
    {
        var store = new StoreDecorator(_scope.CreateStore());
        var log = new LiveLog(store, new FakeClock(Region.Start), tailInterval: TimeSpan.FromMilliseconds(50),
            storageFullBackoff: TimeSpan.FromMilliseconds(700));
        _logs.Add(log);
        await Wait.Within(log.StartAsync(Ct), "the log to start");
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, Ct)).Accepted.Should().BeTrue();
        var rebuildsBefore = store.ReadsFromStart;

        store.FailCommits(1, () => new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13));
        var first = () => log.ExecuteAsync(TestCommands.Submit(Region.Number(40)), Ct);
        (await first.Should().ThrowAsync<StorageFullException>()).Which.InnerException.Should().BeOfType<Microsoft.Data.Sqlite.SqliteException>();
        log.IsStorageFull.Should().BeTrue();
        log.IsCaughtUp.Should().BeTrue("the state was rebuilt from the database, which still reads");

        // Writes in the back-off are refused at once, without deciding anything, so nothing is rebuilt.
        for (var i = 41; i < 61; i++)
        {
            var next = () => log.ExecuteAsync(TestCommands.Submit(Region.Number(i)), Ct);
            await next.Should().ThrowAsync<StorageFullException>();
        }
        (store.ReadsFromStart - rebuildsBefore).Should().Be(1, "one rebuild for the batch that ran ahead, none for the refused ones");

        // Space is back: after the back-off the next write is stored.
        await Wait.Until(() => Task.FromResult(!log.IsStorageFull), "the back-off to end");
        (await log.ExecuteAsync(TestCommands.Submit(Region.Number(40)), Ct)).Accepted.Should().BeTrue();
        var stored = await store.ReadAllAsync(Ct);
        log.Tree.Count.Should().Be(stored.Count);
    }

    private async Task<LiveLog> StartAsync(ILogStore store, TimeSpan? tailInterval = null)
    {
        var log = new LiveLog(store, new FakeClock(Region.Start), tailInterval: tailInterval ?? TimeSpan.FromMilliseconds(50));
        _logs.Add(log);
        await Wait.Within(log.StartAsync(Ct), "the log to start");
        return log;
    }
}
