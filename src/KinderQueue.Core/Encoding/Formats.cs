using NodaTime;
using NodaTime.Text;

namespace KinderQueue.Core.Encoding;

/// <summary>
/// The only text forms of time in the published formats (SPEC.md §3.2). Fixed widths and
/// invariant culture, so that every implementation and every machine produces the same bytes.
/// </summary>
public static class Formats
{
    /// <summary>Instants are UTC with exactly three fractional digits: <c>2027-03-01T09:15:00.000Z</c>.</summary>
    public static readonly InstantPattern Instant = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'");

    public static readonly LocalDatePattern Date = LocalDatePattern.Iso;

    public static readonly YearMonthPattern Month = YearMonthPattern.Iso;

    public static string Format(Instant value)
    {
        if (value.ToUnixTimeTicks() % NodaConstants.TicksPerMillisecond != 0)
            throw new ArgumentException("Instants in the log have millisecond precision; truncate before encoding.", nameof(value));
        return Instant.Format(value);
    }

    public static string Format(LocalDate value) => Date.Format(value);

    public static string Format(YearMonth value) => Month.Format(value);

    /// <summary>Truncates an instant to the millisecond precision the log keeps.</summary>
    public static Instant TruncateToMillisecond(Instant value) =>
        NodaTime.Instant.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
