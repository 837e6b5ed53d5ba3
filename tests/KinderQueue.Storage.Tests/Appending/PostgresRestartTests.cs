using System.Collections.Concurrent;
using System.Diagnostics;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime.Testing;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>Restarts the shared PostgreSQL server, so it runs alone, after every other test of the assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestarts
{
    public const string Name = "PostgreSQL server restarts";
}

/// <summary>
/// Issue 15, fault 1: `pg_ctl restart -m immediate` under load could freeze the public log (the
/// export, proofs and receipts stayed at the size of a rebuild the restart cut off while the writer
/// went on). Writers keep appending through a real immediate restart of the test server; afterwards
/// the instance must follow the database again: state, chain and public tree at the stored size,
/// every acknowledged entry stored once.
/// </summary>
[Trait("Category", "Postgres")]
[Collection(ServerRestarts.Name)]
public sealed class PostgresRestartTests(PostgresStoreFixture fixture) : IClassFixture<PostgresStoreFixture>
{
    [Fact]
    public async Task After_an_immediate_restart_under_load_the_instance_follows_the_database_again()
    {
        var dir = Environment.GetEnvironmentVariable("KQ_PG_DIR");
        dir.Should().NotBeNullOrEmpty("tests/postgres-cluster.sh exports KQ_PG_DIR with KQ_TEST_POSTGRES");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var scope = await fixture.NewScopeAsync(ct);
        var store = scope.CreateStore();
        await store.MigrateAsync(ct);
        await using var log = new LiveLog(store, new FakeClock(Region.Start), tailInterval: TimeSpan.FromMilliseconds(50));
        await log.StartAsync(ct);
        foreach (var command in TestCommands.Setup()) (await log.ExecuteAsync(command, ct)).Accepted.Should().BeTrue();

        var acknowledged = new ConcurrentBag<long>();
        var failures = 0;
        using var stopWriters = new CancellationTokenSource();
        var next = 0;
        var writers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stopWriters.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                try
                {
                    var result = await log.ExecuteAsync(TestCommands.Submit(Region.Number(i), variant: i), ct);
                    if (result.Accepted) acknowledged.Add(result.Seq!.Value);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The restart: refused, nothing acknowledged. A client's back-off, not a wait for a condition.
                    Interlocked.Increment(ref failures);
                    await Task.Delay(20, ct);
                }
            }
        }, ct)).ToList();

        // Under load before the restart: some writes acknowledged already.
        await Wait.Until(() => Task.FromResult(acknowledged.Count >= 200), "the writers to be under way");
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).Order().Last();
        var restart = Environment.UserName == "root"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir!, "data"), "-m", "immediate", "-w", "restart"])
            : new ProcessStartInfo(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(dir!, "data"), "-m", "immediate", "-w", "restart"]);
        restart.RedirectStandardOutput = restart.RedirectStandardError = true;
        using (var process = Process.Start(restart)!)
        {
            await process.WaitForExitAsync(ct);
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync(ct));
        }
        // Writes go on after the restart: more acknowledged than at its end.
        var atRestart = acknowledged.Count;
        await Wait.Until(() => Task.FromResult(acknowledged.Count >= atRestart + 200), "writes to be acknowledged again after the restart");
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);

        // The database is back: within the tail's next looks the instance follows it again.
        var stored = await store.ReadAllAsync(ct);
        await Wait.Until(async () =>
        {
            stored = await store.ReadAllAsync(ct);
            return log.IsCaughtUp && log.Tree.Count == stored.Count;
        }, "the instance to follow the database after the restart");
        var view = await log.ReadAsync((_, v) => v, ct);
        view.Size.Should().Be(stored.Count);
        log.Tree.Count.Should().Be(stored.Count, "the public tree is not frozen at the size of a cut-off rebuild");
        log.Tree.Root(stored.Count).Should().Equal(Chain.Verify(stored)).And.Equal(view.Root);
        acknowledged.Should().OnlyHaveUniqueItems().And.OnlyContain(seq => seq < stored.Count, "every acknowledged entry is stored");
        (await log.ExecuteAsync(TestCommands.Submit(Region.Number(next + 1000)), ct)).Accepted.Should().BeTrue("the instance writes again");
        Console.WriteLine($"restart under load: {acknowledged.Count} acknowledged, {failures} refused during the restart, {stored.Count} stored");
    }
}
