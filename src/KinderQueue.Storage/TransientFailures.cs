using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;

namespace KinderQueue.Storage;

/// <summary>
/// Which database failures are worth a retry, and the retry pipeline used on append. Retrying
/// an append is safe because commands carry idempotency keys and the writer re-decides every
/// command against the state it re-reads from the database.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is "40001" or "40P01" or "55P03" or "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException npg => npg.IsTransient,
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the lock for longer than busy_timeout.
        SqliteException sq => sq.SqliteErrorCode is 5 or 6,
        TimeoutException => true,
        // The state must be rebuilt and the database did not answer: worth the same retries as an outage.
        Appending.LogUnavailableException => true,
        _ => false,
    };

    /// <summary>
    /// The database cannot store more data: SQLITE_FULL (13), PostgreSQL's disk_full (53100), or
    /// the operating system's "no space left on device" while writing. Not transient: a retry
    /// fails the same way until an operator frees space.
    /// </summary>
    public static bool IsStorageFull(Exception ex) => ex switch
    {
        SqliteException sq => sq.SqliteErrorCode == 13,
        PostgresException pg => pg.SqlState == "53100",
        IOException io => io.HResult == 28 || (io.HResult & 0xFFFF) == 28 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase),
        _ => ex.InnerException is { } inner && IsStorageFull(inner),
    };

    public static ResiliencePipeline AppendPipeline(int maxRetries = 4) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(50),
            })
            .Build();
}
