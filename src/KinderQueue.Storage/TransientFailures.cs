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
        _ => false,
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
