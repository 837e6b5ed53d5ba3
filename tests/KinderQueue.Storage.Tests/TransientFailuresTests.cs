using Microsoft.Data.Sqlite;
using Npgsql;

namespace KinderQueue.Storage.Tests;

/// <summary>Which failures the append pipeline retries: only those a retry can cure.</summary>
public sealed class TransientFailuresTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new TimeoutException(), true },
        { new SqliteException("database is locked", 5), true },
        { new SqliteException("database table is locked", 6), true },
        { new SqliteException("UNIQUE constraint failed: log_entries.seq", 19), false },
        { new PostgresException("could not serialize access", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure), true },
        { new PostgresException("deadlock detected", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected), true },
        { new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown), true },
        { new PostgresException("too many connections", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections), true },
        { new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation), false },
        { new PostgresException("log_entries is append-only: UPDATE refused", "ERROR", "ERROR", PostgresErrorCodes.RestrictViolation), false },
        { new InvalidOperationException("disk full"), false },
        { new OperationCanceledException(), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void IsTransient_ClassifiesDatabaseFailures(Exception failure, bool transient) =>
        TransientFailures.IsTransient(failure).Should().Be(transient, failure.Message);
}
