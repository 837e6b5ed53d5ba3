using KinderQueue.Storage.Tests.TestSupport;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>The LiveLog contract on PostgreSQL: a fresh database for the class, a fresh schema per test.</summary>
[Trait("Category", "Postgres")]
public sealed class PostgresLiveLogTests(PostgresStoreFixture fixture) : LiveLogContract<PostgresStoreFixture>(fixture);
