using KinderQueue.Storage.Tests.TestSupport;

namespace KinderQueue.Storage.Tests.Appending;

/// <summary>The LiveLog contract on SQLite: a fresh database file per test.</summary>
public sealed class SqliteLiveLogTests(SqliteStoreFixture fixture) : LiveLogContract<SqliteStoreFixture>(fixture);
