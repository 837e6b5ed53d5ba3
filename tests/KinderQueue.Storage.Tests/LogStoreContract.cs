using System.Data.Common;
using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Storage.Migrations;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime;

namespace KinderQueue.Storage.Tests;

/// <summary>
/// What every <see cref="ILogStore"/> must do, run once per database provider (Dapper's layout: this
/// abstract suite, one subclass per provider that supplies the fixture and the provider's error shapes).
/// Each test gets a fresh, migrated, empty log.
/// </summary>
public abstract class LogStoreContract<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime, IDisposable
    where TFixture : class, IStoreFixture
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected TFixture Fixture { get; } = fixture;

    protected StoreScope Scope { get; private set; } = null!;

    protected ILogStore Store { get; private set; } = null!;

    protected CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        Scope = await Fixture.NewScopeAsync(Ct);
        Store = Scope.CreateStore();
        await Store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync() => await Scope.DisposeAsync();

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The database's own refusal of a change to log_entries (trigger), as this provider reports it.</summary>
    protected abstract void ShouldBeAppendOnlyRefusal(DbException ex);

    /// <summary>An insert of a seq that exists, refused by the database, as this provider reports it.</summary>
    protected abstract void ShouldBeDuplicateSeqRefusal(Exception ex);

    /// <summary>Runs SQL on a connection of our own (not through the store); returns the database's error, if any.</summary>
    protected async Task<DbException?> ExecuteRawAsync(string sql)
    {
        await using var connection = await Scope.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await command.ExecuteNonQueryAsync(Ct);
            return null;
        }
        catch (DbException ex)
        {
            return ex;
        }
    }

    protected async Task<object?> ScalarRawAsync(string sql)
    {
        await using var connection = await Scope.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }

    // ------------------------------------------------------------------ migrations

    [Fact]
    public async Task MigrateAsync_RunTwiceMoreAndFromASecondStore_ChangesNothing()
    {
        var entries = Chain.Sample(applications: 3);
        await Store.AppendCommittedAsync(entries, Ct);

        await Store.MigrateAsync(Ct);
        await Store.MigrateAsync(Ct);
        await Scope.CreateStore().MigrateAsync(Ct);

        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
        Convert.ToInt64(await ScalarRawAsync("SELECT COUNT(*) FROM schema_migrations"))
            .Should().Be(MigrationScripts.For(Store.Backend).Count, "each script is recorded once");
        var more = Chain.Sample(applications: 5)[entries.Count..];
        await Store.AppendCommittedAsync(more, Ct);
        (await Store.CountAsync(Ct)).Should().Be(entries.Count + more.Count);
    }

    [Fact]
    public async Task MigrateAsync_TwoInstancesStartingTogether_BothSucceedOnAFreshDatabase()
    {
        await using var fresh = await Fixture.NewScopeAsync(Ct);
        var a = fresh.CreateStore();
        var b = fresh.CreateStore();

        await Wait.Within(Task.WhenAll(a.MigrateAsync(Ct), b.MigrateAsync(Ct)), "two migrations");

        (await a.CountAsync(Ct)).Should().Be(0);
        await b.AppendCommittedAsync(Chain.Sample(1), Ct);
        (await a.CountAsync(Ct)).Should().Be(6);
    }

    // ------------------------------------------------------------------ append and read

    [Fact]
    public async Task AppendAsync_EntriesBuiltWithLogChain_ReadBackByteExact()
    {
        var entries = Chain.Sample(applications: 12);

        // Two transactions, as group commit does; the second continues the chain of the first.
        await Store.AppendCommittedAsync(entries[..7], Ct);
        await Store.AppendCommittedAsync(entries[7..], Ct);

        var read = await Store.ReadAllAsync(Ct);
        read.ShouldBeSameEntries(entries);
        read[0].Type.Should().Be(CriteriaPublished.TypeName);
        read[0].Payload.Length.Should().BeGreaterThan(2_000, "the whole criteria document is in the payload");
        Chain.Verify(read).Should().Equal(MerkleTree.Root([.. entries.Select(e => e.Hash)], entries.Count));
    }

    [Fact]
    public async Task AppendAsync_InstantsKeepTheirMilliseconds()
    {
        var at = Instant.FromUtc(2027, 12, 31, 20, 59, 59) + Duration.FromMilliseconds(999);
        var entries = Chain.Build([(Region.Staff, Region.Criteria(at)), (Region.Staff, Region.Central)], at);

        await Store.AppendCommittedAsync(entries, Ct);

        var read = await Store.ReadAllAsync(Ct);
        read.Select(e => e.At).Should().Equal(entries.Select(e => e.At));
        read[0].At.ToUnixTimeMilliseconds().Should().Be(at.ToUnixTimeMilliseconds());
        Chain.Verify(read);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(0, 8)]
    [InlineData(3, 6)]
    [InlineData(7, 8)]
    [InlineData(5, 100)]
    [InlineData(8, 9)]
    [InlineData(20, 30)]
    [InlineData(6, 3)]
    [InlineData(0, long.MaxValue)]
    public async Task ReadAsync_Range_ReturnsExactlyTheEntriesFromInclusiveToExclusive(long from, long to)
    {
        var entries = Chain.Sample(applications: 3); // 8 entries
        await Store.AppendCommittedAsync(entries, Ct);

        var read = await Store.ReadRangeAsync(from, to, Ct);

        read.ShouldBeSameEntries([.. entries.Where(e => e.Seq >= from && e.Seq < to)]);
    }

    [Fact]
    public async Task ReadAsync_GeneratedRanges_MatchFilteringTheWholeLog()
    {
        var entries = Chain.Sample(applications: 20); // 25 entries
        await Store.AppendCommittedAsync(entries, Ct);
        var ranges =
            from start in Gen.Choose(-2, 30)
            from length in Gen.Choose(-3, 30)
            select (From: (long)start, To: (long)start + length);

        foreach (var (from, to) in ranges.Sample(30, new Rnd(20270301UL), 60))
        {
            var read = await Store.ReadRangeAsync(from, to, Ct);
            read.Select(e => e.Seq).Should().Equal(entries.Where(e => e.Seq >= from && e.Seq < to).Select(e => e.Seq), "range [{0}, {1})", from, to);
        }
    }

    [Fact]
    public async Task CountAsync_CountsCommittedEntriesOnly()
    {
        (await Store.CountAsync(Ct)).Should().Be(0);
        var entries = Chain.Sample(applications: 4);

        await Store.AppendCommittedAsync(entries, Ct);
        (await Store.CountAsync(Ct)).Should().Be(9);

        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendAsync(Chain.Sample(applications: 6)[9..], [], [], Region.Start, Ct);
            (await Store.CountAsync(Ct)).Should().Be(9, "other connections do not see an uncommitted transaction");
        }
        (await Store.CountAsync(Ct)).Should().Be(9);
    }

    [Fact]
    public async Task ReadSinceAsync_InsideASession_SeesEntriesCommittedBefore()
    {
        var entries = Chain.Sample(applications: 4);
        await Store.AppendCommittedAsync(entries, Ct);

        await using var session = await Scope.CreateStore().BeginWriteAsync(Ct);

        (await session.ReadSinceAsync(6, Ct)).ShouldBeSameEntries(entries[6..]);
        (await session.ReadSinceAsync(9, Ct)).Should().BeEmpty();
    }

    // ------------------------------------------------------------------ append-only

    [Theory]
    [InlineData("UPDATE log_entries SET actor = 'staff:forged' WHERE seq = 2")]
    [InlineData("UPDATE log_entries SET at_ms = at_ms - 86400000 WHERE seq = 5")]
    [InlineData("UPDATE log_entries SET payload = prev")]
    [InlineData("DELETE FROM log_entries WHERE seq = 7")]
    [InlineData("DELETE FROM log_entries WHERE seq >= 5")]
    [InlineData("DELETE FROM log_entries")]
    [InlineData("INSERT INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) SELECT seq, at_ms, 'staff:forged', type, payload, prev, hash FROM log_entries WHERE seq = 2 ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor")]
    public async Task RawSql_ChangingTheLog_IsRefusedByTheDatabase(string sql)
    {
        var entries = Chain.Sample(applications: 3);
        await Store.AppendCommittedAsync(entries, Ct);

        var error = await ExecuteRawAsync(sql);

        error.Should().NotBeNull("the database itself refuses: {0}", sql);
        ShouldBeAppendOnlyRefusal(error!);
        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
    }

    [Fact]
    public async Task AppendAsync_SeqThatExists_IsRefusedByThePrimaryKey()
    {
        var entries = Chain.Sample(applications: 3);
        await Store.AppendCommittedAsync(entries, Ct);
        // A different entry 6 (another application), linked like the real one, so only the seq collides.
        var fork = new LogChain(6, entries[5].Hash);
        var forked = Chain.Build([(Region.Parent, Region.Application(Region.Number(999), Region.Start, 1).Event)], Region.Start, fork);

        var act = () => Store.AppendCommittedAsync(forked, Ct);

        var thrown = await act.Should().ThrowAsync<Exception>();
        ShouldBeDuplicateSeqRefusal(thrown.Which);
        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
    }

    // ------------------------------------------------------------------ write sessions

    [Fact]
    public async Task WriteSession_DisposedWithoutCommit_LeavesNothingAndReleasesTheLock()
    {
        var entries = Chain.Sample(applications: 2);
        var (_, record) = Region.Application(Region.Number(0), Region.Start);

        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendAsync(entries, [new StoredResponse("parent:pa-19c2e0:req-1", 0, [1, 2, 3])], [record], Region.Start, Ct);
        }

        (await Store.CountAsync(Ct)).Should().Be(0);
        (await Store.GetPrivateAsync(record.Number, Ct)).Should().BeNull();
        var next = await Wait.Within(Store.BeginWriteAsync(Ct), "the writer lock after a rollback");
        await using (next)
        {
            (await next.FindResponsesAsync(["parent:pa-19c2e0:req-1"], Ct)).Should().BeEmpty();
            await next.AppendAsync(entries, [], [], Region.Start, Ct);
            await next.CommitAsync(Ct);
        }
        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
    }

    [Fact]
    public async Task BeginWriteAsync_SecondWriter_WaitsUntilTheFirstEnds()
    {
        var entries = Chain.Sample(applications: 2);
        var other = Scope.CreateStore();
        var first = await Store.BeginWriteAsync(Ct);
        Task<IWriteSession> second;
        try
        {
            await first.AppendAsync(entries[..3], [], [], Region.Start, Ct);
            // SQLite's busy handler blocks the calling thread, so the second writer gets a thread of its own.
            second = Task.Run(() => other.BeginWriteAsync(Ct));
            await Task.WhenAny(second, Task.Delay(300, Ct));
            second.IsCompleted.Should().BeFalse("one writer at a time holds the log");
            await first.CommitAsync(Ct);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var session = await Wait.Within(second, "the second writer");
        (await session.ReadSinceAsync(0, Ct)).Should().HaveCount(3, "the second writer sees what the first committed");
        await session.AppendAsync(entries[3..], [], [], Region.Start, Ct);
        await session.CommitAsync(Ct);
        Chain.Verify(await Store.ReadAllAsync(Ct));
    }

    // ------------------------------------------------------------------ idempotency

    [Fact]
    public async Task FindResponsesAsync_StoredResponses_AreFoundInALaterSession()
    {
        var entries = Chain.Sample(applications: 2);
        var first = new StoredResponse("parent:pa-19c2e0:7c1e", 5, "{\"number\":\"KQ-AAAAA-TESTA\",\"accessCode\":\"K7QP-2M9D-XW4R\"}"u8.ToArray());
        var second = new StoredResponse("operator:op-5d11b4:93aa", 6, [0, 255, 10, 13, 0]);
        var noEntry = new StoredResponse("staff:st-7f3a9c:11", null, "{}"u8.ToArray());

        await Store.AppendCommittedAsync(entries, Ct, responses: [first, second, noEntry]);

        await using var session = await Store.BeginWriteAsync(Ct);
        var found = await session.FindResponsesAsync([first.Key, second.Key, noEntry.Key, "parent:pa-19c2e0:never-sent"], Ct);
        found.Keys.Should().BeEquivalentTo([first.Key, second.Key, noEntry.Key]);
        foreach (var expected in new[] { first, second, noEntry })
        {
            found[expected.Key].Seq.Should().Be(expected.Seq);
            found[expected.Key].Response.Should().Equal(expected.Response);
        }
        (await session.FindResponsesAsync([], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task ResponseOfARecordsCommand_IsKeptWithTheRecord_FoundLater_AndExpiresWithoutTheRecord()
    {
        // Issue 16: a submission's response lives in its private record's row, not in a row of its own.
        var entries = Chain.Sample(applications: 2);
        var (_, record) = Region.Application(Region.Number(0), Region.Start);
        var inRecord = new StoredResponse("parent:pa-19c2e0:with-record", 5, "{\"accessCode\":\"K7QP-2M9D-XW4R\"}"u8.ToArray(), record.Number);
        var own = new StoredResponse("operator:op-5d11b4:own-row", 6, [7, 8]);
        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendAsync(entries, [inRecord, own], [record], Region.Start, Ct);
            await session.CommitAsync(Ct);
        }

        await using (var later = await Store.BeginWriteAsync(Ct))
        {
            var found = await later.FindResponsesAsync([inRecord.Key, own.Key, "parent:pa-19c2e0:never-sent"], Ct);
            found.Keys.Should().BeEquivalentTo([inRecord.Key, own.Key]);
            found[inRecord.Key].Seq.Should().Be(5);
            found[inRecord.Key].Response.Should().Equal(inRecord.Response);
            found[own.Key].Response.Should().Equal(own.Response);
        }

        var purged = await Store.PurgeResponsesAsync(Region.Start + NodaTime.Duration.FromHours(1), Ct);

        purged.Should().Be(2);
        await using (var check = await Store.BeginWriteAsync(Ct))
            (await check.FindResponsesAsync([inRecord.Key, own.Key], Ct)).Should().BeEmpty();
        var kept = await Store.GetPrivateAsync(record.Number, Ct);
        kept.Should().NotBeNull("a response expires, the record it was kept with does not");
        kept!.Record.Should().Equal(record.Record);
        kept.AccessHash.Should().Equal(record.AccessHash);
    }

    [Fact]
    public async Task WriteSession_RecordWithItsResponse_RolledBack_LeavesNeither()
    {
        var entries = Chain.Sample(applications: 2);
        var (_, record) = Region.Application(Region.Number(0), Region.Start);
        var response = new StoredResponse("parent:pa-19c2e0:rolled-back", 5, [1, 2], record.Number);
        await using (var session = await Store.BeginWriteAsync(Ct))
            await session.AppendAsync(entries, [response], [record], Region.Start, Ct);

        (await Store.GetPrivateAsync(record.Number, Ct)).Should().BeNull();
        await using var next = await Store.BeginWriteAsync(Ct);
        (await next.FindResponsesAsync([response.Key], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendAsync_SameIdempotencyKeyTwice_IsRefused()
    {
        var entries = Chain.Sample(applications: 2);
        await Store.AppendCommittedAsync(entries[..6], Ct, responses: [new StoredResponse("parent:pa-19c2e0:1", 5, [1])]);

        var act = () => Store.AppendCommittedAsync(entries[6..], Ct, responses: [new StoredResponse("parent:pa-19c2e0:1", 6, [2])]);

        await act.Should().ThrowAsync<DbException>();
        (await Store.CountAsync(Ct)).Should().Be(6, "the transaction with the duplicate key appended nothing");
    }

    [Fact]
    public async Task PurgeResponsesAsync_DeletesOnlyResponsesOlderThanTheCutOff_AndNeverTheLog()
    {
        var entries = Chain.Sample(applications: 2);
        var old = new StoredResponse("operator:op-5d11b4:old", 5, "{\"accessCode\":\"K7QP-2M9D-XW4R\"}"u8.ToArray());
        var fresh = new StoredResponse("operator:op-5d11b4:fresh", 6, [1]);
        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendAsync(entries[..6], [old], [], Region.Start, Ct);
            await session.CommitAsync(Ct);
        }
        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendAsync(entries[6..], [fresh], [], Region.Start + NodaTime.Duration.FromHours(25), Ct);
            await session.CommitAsync(Ct);
        }

        var purged = await Store.PurgeResponsesAsync(Region.Start + NodaTime.Duration.FromHours(1), Ct);

        purged.Should().Be(1);
        await using var check = await Store.BeginWriteAsync(Ct);
        (await check.FindResponsesAsync([old.Key, fresh.Key], Ct)).Keys.Should().BeEquivalentTo([fresh.Key]);
        Chain.Verify(await Store.ReadAllAsync(Ct));
        (await Store.CountAsync(Ct)).Should().Be(entries.Count);
    }

    // ------------------------------------------------------------------ private vault

    [Fact]
    public async Task Erasure_takes_the_portal_link_and_its_delivered_updates_and_an_owed_update_once_delivered()
    {
        var entries = Chain.Sample(applications: 2);
        var records = Enumerable.Range(0, 2).Select(i => Region.Application(Region.Number(i), Region.Start, i).Record).ToList();
        await Store.AppendCommittedAsync(entries, Ct, records: records);
        var federal = (KinderQueue.Storage.Federal.IFederalStore)Store;
        var (erased, kept) = (records[0].Number, records[1].Number);
        var at = Region.Start;
        KinderQueue.Storage.Federal.FederalOutboxEntry Update(long seq, string number, string status) =>
            new(KinderQueue.Storage.Federal.FederalOutboxEntry.KeyOf(seq, number), seq, at, number, status, null, null, null);
        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            await session.AppendFederalAsync(
                [new("portal-erased", erased, new byte[32]), new("portal-kept", kept, new byte[32])],
                [Update(1, erased, "accepted"), Update(2, erased, "withdrawn"), Update(3, kept, "accepted")], Ct);
            await session.CommitAsync(Ct);
        }
        (await federal.CompleteFederalAsync(Update(1, erased, "accepted").Key, KinderQueue.Storage.Federal.FederalOutcome.Delivered, at, Ct)).Should().BeTrue();

        (await Store.ErasePrivateAsync(erased, at + Duration.FromDays(1), Ct)).Should().BeTrue();

        (await federal.GetFederalLinkAsync("portal-erased", Ct)).Should().BeNull("the link of the portal account to the number goes with the record");
        (await federal.GetFederalLinkAsync("portal-kept", Ct)).Should().NotBeNull();
        var owed = await federal.OwedFederalAsync(10, Ct);
        owed.Select(d => d.Key).Should().BeEquivalentTo([Update(2, erased, "withdrawn").Key, Update(3, kept, "accepted").Key],
            "an update the portal is still owed is still sent");
        (await federal.CompleteFederalAsync(Update(2, erased, "withdrawn").Key, KinderQueue.Storage.Federal.FederalOutcome.Delivered, at, Ct)).Should().BeTrue();
        (await federal.CountOwedFederalAsync(Ct)).Should().Be(1);
    }

    [Fact]
    public async Task PrivateRecords_StoredReadAndErased_LeaveTheLogAndItsChainIntact()
    {
        var entries = Chain.Sample(applications: 3);
        var records = Enumerable.Range(0, 3).Select(i => Region.Application(Region.Number(i), Region.Start, i).Record).ToList();
        await Store.AppendCommittedAsync(entries, Ct, records: records);
        var rootBefore = Chain.Verify(await Store.ReadAllAsync(Ct));

        foreach (var expected in records)
        {
            var stored = await Store.GetPrivateAsync(expected.Number, Ct);
            stored.Should().NotBeNull();
            stored!.Number.Should().Be(expected.Number);
            stored.Salt.Should().Equal(expected.Salt);
            stored.Record.Should().Equal(expected.Record);
            stored.AccessHash.Should().Equal(expected.AccessHash);
            stored.Owner.Should().Be(expected.Owner);
            stored.ErasedAt.Should().BeNull();
        }
        // An auditor's check: the vault's record and salt give the commitment the log published.
        var published = (ApplicationSubmitted)EventCodec.Decode(entries[6].Type, entries[6].Payload).GetValueOrThrow();
        var vault = await Store.GetPrivateAsync(published.Number, Ct);
        Commitment.Compute(vault!.Salt, vault.Record).Should().Be(published.Commitment);

        var erasedAt = Instant.FromUtc(2032, 9, 1, 6, 30) + Duration.FromMilliseconds(321);
        (await Store.ErasePrivateAsync(records[1].Number, erasedAt, Ct)).Should().BeTrue();

        var erased = await Store.GetPrivateAsync(records[1].Number, Ct);
        erased!.Record.Should().BeNull();
        erased.ErasedAt.Should().Be(erasedAt);
        erased.Salt.Should().Equal(records[1].Salt);
        erased.AccessHash.Should().Equal(records[1].AccessHash);
        (await Store.GetPrivateAsync(records[0].Number, Ct))!.Record.Should().Equal(records[0].Record, "only the erased record goes");
        (await Store.ErasePrivateAsync(records[1].Number, erasedAt + Duration.FromDays(1), Ct)).Should().BeFalse("it is erased already");
        (await Store.GetPrivateAsync(records[1].Number, Ct))!.ErasedAt.Should().Be(erasedAt, "a second erasure changes nothing");
        (await Store.ErasePrivateAsync("KQ-NOPE0-NOPE0", erasedAt, Ct)).Should().BeFalse();
        (await Store.GetPrivateAsync("KQ-NOPE0-NOPE0", Ct)).Should().BeNull();

        var after = await Store.ReadAllAsync(Ct);
        after.ShouldBeSameEntries(entries);
        Chain.Verify(after).Should().Equal(rootBefore, "the Merkle root is the same before and after erasure");
    }

    [Fact]
    public async Task PingAsync_ReachableDatabase_IsTrue()
    {
        (await Store.PingAsync(Ct)).Should().BeTrue();
        Store.Backend.Should().Be(Fixture.Backend);
    }

    // ------------------------------------------------------------------ witness cosignatures

    [Fact]
    public async Task Cosignatures_AreKeptPerCheckpointAndWitness_FirstOneWins()
    {
        await using (var session = await Store.BeginWriteAsync(Ct))
        {
            foreach (var size in new long[] { 3, 7 })
                await session.AppendCheckpointAsync(new StoredCheckpoint(size, Instant.FromUnixTimeSeconds(1_800_000_000 + size), [1], [2]), Ct);
            await session.CommitAsync(Ct);
        }
        (await Store.LatestCosignedSizeAsync("w.example/b+00000002+k", Ct)).Should().Be(0);

        await Store.AddCosignatureAsync(new StoredCosignature(3, "w.example/b+00000002+k", "\u2014 w.example/b AAA=", 10), Ct);
        await Store.AddCosignatureAsync(new StoredCosignature(7, "w.example/b+00000002+k", "\u2014 w.example/b BBB=", 20), Ct);
        await Store.AddCosignatureAsync(new StoredCosignature(7, "w.example/a+00000001+k", "\u2014 w.example/a CCC=", 21), Ct);
        // A replica that gathered the same witness's cosignature of the same checkpoint adds nothing.
        await Store.AddCosignatureAsync(new StoredCosignature(7, "w.example/b+00000002+k", "\u2014 w.example/b DDD=", 22), Ct);

        (await Store.GetCosignaturesAsync(7, Ct)).Should().Equal(
            new StoredCosignature(7, "w.example/a+00000001+k", "\u2014 w.example/a CCC=", 21),
            new StoredCosignature(7, "w.example/b+00000002+k", "\u2014 w.example/b BBB=", 20));
        (await Store.GetCosignaturesAsync(3, Ct)).Should().ContainSingle().Which.Line.Should().Be("\u2014 w.example/b AAA=");
        (await Store.GetCosignaturesAsync(5, Ct)).Should().BeEmpty();
        (await Store.LatestCosignedSizeAsync("w.example/b+00000002+k", Ct)).Should().Be(7);
        (await Store.LatestCosignedSizeAsync("w.example/a+00000001+k", Ct)).Should().Be(7);
    }
}
