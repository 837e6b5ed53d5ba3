using System.Security.Cryptography;
using System.Text;
using KinderQueue.Storage.Sqlite;
using KinderQueue.Storage.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace KinderQueue.Storage.Tests.Sqlite;

/// <summary>
/// Erasure on the embedded backend, checked on the bytes of the database files themselves: the
/// SQL answer (record NULL) is not enough when the old row survives in free space or in the WAL.
/// </summary>
public sealed class SqliteErasureTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kq-erasure-" + RandomNumberGenerator.GetHexString(10, lowercase: true));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private CancellationToken Ct => _timeout.Token;

    public void Dispose()
    {
        _timeout.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { /* a temp folder left behind is harmless */ }
    }

    [Fact]
    public async Task Erased_personal_data_is_in_no_database_file_afterwards_wal_and_free_pages_included()
    {
        const string canary = "Канарейкина Zqx5 Милена, ул. Садовая 5-17, +7 900 555-01-17";
        var entries = Chain.Sample(applications: 3);
        var records = Enumerable.Range(0, 3).Select(i =>
        {
            var r = Region.Application(Region.Number(i), Region.Start, i).Record;
            return r with { Record = Encoding.UTF8.GetBytes($"{{\"child\":\"{canary} #{i}\",\"padding\":\"{new string('x', 3000)}\"}}") };
        }).ToList();

        await using (var store = SqliteLogStore.InFolder(_folder))
        {
            await store.MigrateAsync(Ct);
            await store.AppendCommittedAsync(entries, Ct, records: records);
            FilesContain($"{canary} #1").Should().BeTrue("the test must be able to see the data before erasure");

            (await store.ErasePrivateAsync(records[1].Number, Instant.FromUtc(2032, 9, 1, 6, 0), Ct)).Should().BeTrue();
            (await store.GetPrivateAsync(records[1].Number, Ct))!.Record.Should().BeNull();
            (await store.GetPrivateAsync(records[0].Number, Ct))!.Record.Should().NotBeNull("only the erased record goes");
            // While the service runs: its pooled connections keep the WAL, which must not keep the old pages.
            FilesContain($"{canary} #1").Should().BeFalse("the running service's WAL and database file must not keep an erased record");
        }
        SqliteConnection.ClearAllPools();

        FilesContain($"{canary} #1").Should().BeFalse("no file of the database may keep an erased record");
        FilesContain($"{canary} #0").Should().BeTrue("records that were not erased are still there");
    }

    [Fact]
    public async Task The_database_files_hold_personal_data_and_only_the_services_user_can_read_them()
    {
        if (OperatingSystem.IsWindows()) return;
        // The process's umask would otherwise give 0644: readable by every user of the machine.
        await using (var store = SqliteLogStore.InFolder(_folder))
        {
            await store.MigrateAsync(Ct);
            await store.AppendCommittedAsync(Chain.Sample(applications: 1), Ct);
            // The WAL and shared-memory files come and go with SQLite's own checkpoints and connections:
            // whichever exist now must be private too.
            Directory.EnumerateFiles(_folder).Select(Path.GetFileName).Should().Contain("kinderqueue.db");
            foreach (var file in Directory.EnumerateFiles(_folder))
                File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, Path.GetFileName(file));
        }
        File.GetUnixFileMode(_folder).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private bool FilesContain(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var file in Directory.EnumerateFiles(_folder))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            if (bytes.AsSpan().IndexOf(needle) >= 0) return true;
        }
        return false;
    }
}
