using NodaTime;
using NodaTime.Text;

namespace KinderQueue.Core.Encoding;

/// <summary>
/// The only text forms of time in the published formats (SPEC.md §3.2). Fixed widths and
/// invariant culture, so that every implementation and every machine produces the same bytes.
/// </summary>
public static class Formats
{
    // Reading uses 'yyyy' (year of the era, the era fixed to CE), not 'uuuu': 'uuuu' also reads "0000"
    // and a signed "-0001", which writers must not produce (SPEC.md §3.2); 'yyyy' reads exactly four
    // digits 0001..9999, the range the fast readers (Verification/PayloadReader) already keep to.
    // Writing keeps 'uuuu', which is the same text for 0001..9999 and, unlike 'yyyy', never turns a
    // year 0 into "0001" (of the other era); only readers bring values in, so none of them is outside.

    /// <summary>Instants are UTC with exactly three fractional digits: <c>2027-03-01T09:15:00.000Z</c>.</summary>
    public static readonly InstantPattern Instant = InstantPattern.CreateWithInvariantCulture("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'");

    public static readonly LocalDatePattern Date = LocalDatePattern.CreateWithInvariantCulture("yyyy'-'MM'-'dd");

    public static readonly YearMonthPattern Month = YearMonthPattern.CreateWithInvariantCulture("yyyy'-'MM");

    private static readonly InstantPattern InstantOut = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'");

    /// <summary>The last day a published date may name (SPEC.md §3.2).</summary>
    public static readonly LocalDate MaxDate = new(9999, 12, 31);

    public static string Format(Instant value)
    {
        if (value.ToUnixTimeTicks() % NodaConstants.TicksPerMillisecond != 0)
            throw new ArgumentException("Instants in the log have millisecond precision; truncate before encoding.", nameof(value));
        return InstantOut.Format(value);
    }

    public static string Format(LocalDate value) => LocalDatePattern.Iso.Format(value);

    public static string Format(YearMonth value) => YearMonthPattern.Iso.Format(value);

    /// <summary>Truncates an instant to the millisecond precision the log keeps.</summary>
    public static Instant TruncateToMillisecond(Instant value) =>
        NodaTime.Instant.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
