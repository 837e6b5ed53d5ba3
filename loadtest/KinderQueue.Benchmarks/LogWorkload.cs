using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Benchmarks;

/// <summary>
/// Typical log traffic for the hashing benchmark: application.submitted events with canonical
/// payloads from <see cref="EventCodec.Encode"/>, a handful of actors, instants a few
/// milliseconds apart (some equal). Deterministic from the seed.
/// </summary>
internal static class LogWorkload
{
    private static readonly Instant Start = Instant.FromUtc(2027, 3, 1, 6, 0);

    public static List<PendingEntry> Generate(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var operators = Enumerable.Range(1, 40).Select(i => string.Create(CultureInfo.InvariantCulture, $"centre:op-{i:D4}")).ToArray();
        var districts = Enumerable.Range(0, 53).Select(i => string.Create(CultureInfo.InvariantCulture, $"d-{i:D2}")).ToArray();
        var kindergartens = Enumerable.Range(0, 10_870).Select(i => string.Create(CultureInfo.InvariantCulture, $"kg-{i:D5}")).ToArray();
        var commitment = new char[64];
        var entries = new List<PendingEntry>(count);
        var at = Start;
        for (var i = 0; i < count; i++)
        {
            at += Duration.FromMilliseconds(rng.Below(4) == 0 ? 0 : rng.Below(200));
            var channelDraw = rng.Below(10);
            var (channel, actor) = channelDraw switch
            {
                < 7 => ("portal", "portal"),
                < 9 => ("centre", operators[rng.Below(operators.Length)]),
                _ => ("federal", "federal-import"),
            };
            var home = rng.Below(kindergartens.Length);
            var prefs = ImmutableArray.CreateBuilder<string>();
            var prefCount = 1 + rng.Below(5);
            for (var j = 0; j < prefCount; j++)
            {
                var k = kindergartens[Math.Clamp(home + rng.Below(21) - 10, 0, kindergartens.Length - 1)];
                if (!prefs.Contains(k)) prefs.Add(k);
            }
            var claims = rng.Below(100) switch
            {
                0 => ImmutableArray.Create(new PriorityClaim("extraordinary", null)),
                < 9 => [new PriorityClaim("first", null)],
                < 14 => [new PriorityClaim("sibling", prefs[0])],
                _ => ImmutableArray<PriorityClaim>.Empty,
            };
            // A commitment is a SHA-256 over the private fields: 64 hex digits.
            for (var c = 0; c < commitment.Length; c++) commitment[c] = "0123456789abcdef"[rng.Below(16)];
            var number = unchecked(((ulong)i * 6_364_136_223UL + seed) % 10_000_000_000UL);
            var e = new ApplicationSubmitted(
                string.Create(CultureInfo.InvariantCulture, $"KQ-{number:D10}"),
                rng.Below(10) == 0 ? "transfer" : "new",
                channel,
                at,
                new YearMonth(2021, 1).PlusMonths(rng.Below(72)),
                districts[rng.Below(districts.Length)],
                prefs.ToImmutable(),
                new LocalDate(2027, 9, 1).PlusDays(rng.Below(10) == 0 ? rng.Below(365) : 0),
                claims,
                new string(commitment));
            entries.Add(new PendingEntry(at, actor, e.Type, EventCodec.Encode(e)));
        }
        return entries;
    }
}
