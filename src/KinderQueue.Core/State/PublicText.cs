using System.Globalization;

namespace KinderQueue.Core.State;

/// <summary>
/// What a public name (of a district or a kindergarten) or a round id may hold (SPEC.md §5.1).
/// These strings are permanent in every validator's copy of the log, so nothing that can hide or
/// reorder text is let in: control characters (NUL, CR, LF, …), format characters (bidi overrides,
/// zero-width joiners and spaces), unpaired surrogates, a value of spaces only, leading or
/// trailing spaces, and values longer than the published bound.
/// </summary>
public static class PublicText
{
    /// <summary>The bound on a public name, in UTF-16 code units.</summary>
    public const int MaxName = 200;

    /// <summary>The bound on a round id.</summary>
    public const int MaxRoundId = 64;

    /// <summary>Null when <paramref name="value"/> is acceptable, else a problem at <paramref name="path"/>.</summary>
    public static ValidationProblem? Check(string value, string path, int max, string what)
    {
        if (value.Length > max) return new(path, "text.too-long", $"{what} is {value.Length} characters long; at most {max}.");
        if (string.IsNullOrWhiteSpace(value)) return new(path, "text.blank", $"{what} must not be empty or spaces only.");
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
            return new(path, "text.padded", $"{what} must not start or end with a space.");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                return new(path, "text.character", $"{what} has an unpaired surrogate at position {i}.");
            }
            var category = char.GetUnicodeCategory(c);
            var refused = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
            if (refused) return new(path, "text.character", $"{what} has the invisible or control character U+{(int)c:X4} at position {i}.");
        }
        return null;
    }
}
