using System.Globalization;
using System.Text;

namespace KinderQueue.Core.Privacy;

/// <summary>
/// How a string that may be a person's words is shown: its first few characters and its length, never
/// the whole. A report is copied into tickets, chats and CI logs; repeating the text there would spread
/// the very personal data it warns about.
/// </summary>
public static class Redaction
{
    /// <summary>At most this many characters are shown...</summary>
    public const int MaxShown = 4;

    /// <summary>... and never more than one in this many of the text's characters (so "Иван" shows nothing).</summary>
    public const int ShownShare = 4;

    /// <summary>Characters as people count them (extended grapheme clusters), so a length means what it says.</summary>
    public static int Length(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>
    /// The first <c>min(4, length / 4)</c> characters and an ellipsis. A control, format or separator
    /// character in them is shown as U+FFFD: a bidi override or an escape sequence in the preview must
    /// not reorder or hide the report around it on a terminal.
    /// </summary>
    public static string Preview(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = Math.Min(MaxShown, Length(text) / ShownShare);
        var builder = new StringBuilder();
        var elements = StringInfo.GetTextElementEnumerator(text);
        for (var i = 0; i < shown && elements.MoveNext(); i++)
        {
            var element = elements.GetTextElement();
            builder.Append(IsHidden(element) ? "\uFFFD" : element);
        }
        return builder.Append('…').ToString();
    }

    /// <summary>Code points, not UTF-16 units: an unpaired surrogate decodes to U+FFFD, a pair to its character.</summary>
    private static bool IsHidden(string element)
    {
        foreach (var rune in element.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                return true;
        }
        return false;
    }
}
