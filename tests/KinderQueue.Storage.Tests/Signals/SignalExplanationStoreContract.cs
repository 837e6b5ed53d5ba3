using System.Security.Cryptography;
using System.Text;
using KinderQueue.Storage.Signals;
using KinderQueue.Storage.Tests.TestSupport;
using NodaTime;

namespace KinderQueue.Storage.Tests.Signals;

/// <summary>What every store of signal explanations must do (issue 13), run on SQLite and on PostgreSQL.</summary>
public abstract class SignalExplanationStoreContract<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime, IDisposable
    where TFixture : class, IStoreFixture
{
    private static readonly Instant Created = Instant.FromUtc(2026, 3, 2, 9, 30);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private StoreScope _scope = null!;

    private ISignalExplanationStore Store { get; set; } = null!;

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        _scope = await fixture.NewScopeAsync(Ct);
        var store = _scope.CreateStore();
        await store.MigrateAsync(Ct);
        Store = (ISignalExplanationStore)store;
    }

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Add_ThenGet_ReturnsTheTextUnderItsHash()
    {
        const string text = "Мощность загружена с опозданием из-за ремонта; проверено.";
        var stored = await Store.AddExplanationAsync(HashOf(text), text, Created, Ct);

        stored.Should().Be(new SignalExplanation(HashOf(text), text, Created, false, null));
        var found = await Store.GetExplanationsAsync([HashOf(text), HashOf("other")], Ct);
        found.Keys.Should().Equal(HashOf(text));
        found[HashOf(text)].Text.Should().Be(text);
    }

    [Fact]
    public async Task Add_SameHashTwice_KeepsTheFirstRow()
    {
        const string text = "Explained: a court order.";
        await Store.AddExplanationAsync(HashOf(text), text, Created, Ct);

        var again = await Store.AddExplanationAsync(HashOf(text), text, Created.Plus(Duration.FromHours(1)), Ct);

        again.Created.Should().Be(Created, "a retried review stores nothing new");
        (await Store.AllExplanationsAsync(Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Redact_TakesTheTextOutAndKeepsTheHash()
    {
        const string text = "Explained by the head of the district office.";
        await Store.AddExplanationAsync(HashOf(text), text, Created, Ct);
        var at = Created.Plus(Duration.FromDays(2));

        (await Store.RedactExplanationAsync(HashOf(text), at, Ct)).Should().Be(RedactionOutcome.Redacted);

        var row = (await Store.GetExplanationsAsync([HashOf(text)], Ct))[HashOf(text)];
        row.Should().Be(new SignalExplanation(HashOf(text), null, Created, true, at));
        (await Store.RedactExplanationAsync(HashOf(text), at.Plus(Duration.FromHours(1)), Ct)).Should().Be(RedactionOutcome.AlreadyRedacted);
        (await Store.GetExplanationsAsync([HashOf(text)], Ct))[HashOf(text)].RedactedAt.Should().Be(at, "a second redaction changes nothing");
    }

    [Fact]
    public async Task Add_AfterRedaction_DoesNotBringTheTextBack()
    {
        const string text = "A text redacted once.";
        await Store.AddExplanationAsync(HashOf(text), text, Created, Ct);
        await Store.RedactExplanationAsync(HashOf(text), Created, Ct);

        var again = await Store.AddExplanationAsync(HashOf(text), text, Created, Ct);

        again.Redacted.Should().BeTrue();
        again.Text.Should().BeNull();
    }

    [Fact]
    public async Task Redact_UnknownHash_IsUnknown() =>
        (await Store.RedactExplanationAsync(HashOf("never stored"), Created, Ct)).Should().Be(RedactionOutcome.Unknown);

    [Fact]
    public async Task Add_HashNotLowerCaseHex_IsRefusedByTheDatabase()
    {
        var act = () => Store.AddExplanationAsync(HashOf("x").ToUpperInvariant(), "x", Created, Ct);

        await act.Should().ThrowAsync<System.Data.Common.DbException>();
    }

    [Fact]
    public async Task All_ListsEveryRowInHashOrder()
    {
        string[] texts = ["one", "two", "three"];
        foreach (var t in texts) await Store.AddExplanationAsync(HashOf(t), t, Created, Ct);

        (await Store.AllExplanationsAsync(Ct)).Select(e => e.Sha256).Should().Equal(texts.Select(HashOf).Order(StringComparer.Ordinal));
    }
}

public sealed class SqliteSignalExplanationStoreTests(SqliteStoreFixture fixture) : SignalExplanationStoreContract<SqliteStoreFixture>(fixture);

[Trait("Category", "Postgres")]
public sealed class PostgresSignalExplanationStoreTests(PostgresStoreFixture fixture) : SignalExplanationStoreContract<PostgresStoreFixture>(fixture);
