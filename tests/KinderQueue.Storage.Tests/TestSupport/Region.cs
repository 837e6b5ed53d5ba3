using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>
/// A small, realistic region: the published default criteria (effective from the day they are
/// logged), two districts, two kindergartens, and applications with their private records.
/// </summary>
internal static class Region
{
    /// <summary>10:00 in Moscow on a Monday in spring, when the queue is open.</summary>
    public static readonly Instant Start = Instant.FromUtc(2027, 3, 1, 7, 0);

    public const string Staff = "staff:st-7f3a9c";
    public const string Parent = "parent:pa-19c2e0";
    public const string Centre = "operator:op-5d11b4";

    private static readonly DateTimeZone Moscow = DateTimeZoneProviders.Tzdb["Europe/Moscow"];

    public static readonly DistrictRegistered Central = new("central", "Центральный район");
    public static readonly DistrictRegistered North = new("north", "Северный район");
    public static readonly KindergartenRegistered Sun = new("kg-12", "Детский сад № 12 «Солнышко»", "central", ["central"]);
    public static readonly KindergartenRegistered Bell = new("kg-31", "Детский сад № 31 «Колокольчик»", "north", ["north", "central"]);

    /// <summary>The default criteria, effective from the region's date of <paramref name="at"/> (never retroactive).</summary>
    public static CriteriaPublished Criteria(Instant at) =>
        new(Repo.DefaultCriteria with { EffectiveFrom = at.InZone(Moscow).Date });

    /// <summary>What a region publishes before the first application, in order.</summary>
    public static IReadOnlyList<LogEvent> Setup(Instant at) => [Criteria(at), Central, North, Sun, Bell];

    /// <summary>A random-looking but deterministic public number in the service's format ("KQ-XXXXX-XXXXX").</summary>
    public static string Number(int i, string series = "TESTA")
    {
        const string alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        Span<char> chars = stackalloc char[5];
        var n = i;
        for (var k = 4; k >= 0; k--)
        {
            chars[k] = alphabet[n % alphabet.Length];
            n /= alphabet.Length;
        }
        return $"KQ-{new string(chars)}-{series}";
    }

    /// <summary>An application submitted at <paramref name="at"/> and the private record its commitment covers.</summary>
    public static (ApplicationSubmitted Event, PrivateRecord Record) Application(string number, Instant at, int variant = 0)
    {
        var salt = SHA256.HashData(Encoding.UTF8.GetBytes("salt:" + number))[..16];
        var record = PrivateRecordBytes(number, variant);
        var accessHash = SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes("ABCD2345EFGH")]);
        ImmutableArray<PriorityClaim> claims = (variant % 3) switch
        {
            1 => [new PriorityClaim("first", null)],
            2 => [new PriorityClaim("sibling", Sun.Id)],
            _ => [],
        };
        var e = new ApplicationSubmitted(
            number,
            Kind: "new",
            Channel: variant % 2 == 0 ? "portal" : "centre",
            RegisteredAt: Formats.TruncateToMillisecond(at),
            BirthMonth: new YearMonth(2024, 1 + variant % 12),
            District: variant % 2 == 0 ? Central.Id : North.Id,
            Preferences: variant % 2 == 0 ? [Sun.Id, Bell.Id] : [Bell.Id],
            DesiredStart: new LocalDate(2027, 9, 1),
            Claims: claims,
            Commitment: Commitment.Compute(salt, record));
        return (e, new PrivateRecord(number, salt, record, accessHash, variant % 2 == 0 ? Parent : null, null));
    }

    /// <summary>The canonical private record: personal data that never enters the log.</summary>
    private static byte[] PrivateRecordBytes(string number, int variant)
    {
        var w = new CanonicalJsonWriter(256);
        w.StartObject();
        w.Property("birthDate", $"2024-{1 + variant % 12:D2}-14");
        w.Key("child");
        w.StartObject();
        w.Property("name", $"Иванова Мария ({number})");
        w.EndObject();
        w.Key("claims");
        w.StartArray();
        w.EndArray();
        w.Key("parent");
        w.StartObject();
        w.Property("email", "anna@example.org");
        w.Property("name", "Иванова Анна Сергеевна");
        w.Property("phone", "+7 900 000-00-00");
        w.EndObject();
        w.EndObject();
        return w.ToArray();
    }
}
