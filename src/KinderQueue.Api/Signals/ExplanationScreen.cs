using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KinderQueue.Core;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Signals;

/// <summary>
/// What a public explanation of a signal review may hold (issue 13, contract decision 5). The text
/// is published next to the log (the log holds its hash), so the privacy rules of the public log
/// apply: institutional text, no person in it. The screen refuses what is plainly personal — an
/// application number, a long number (a document, a SNILS, an account), an e-mail address, a phone
/// number — and the department redacts anything subtler afterwards. It is a screen, not a proof.
/// </summary>
public static partial class ExplanationScreen
{
    /// <summary>The bound on an explanation, in UTF-16 code units.</summary>
    public const int MaxLength = 500;

    /// <summary>Digits a phone number has at least (a local seven-digit number); fewer is a count, a year, a date.</summary>
    private const int PhoneDigits = 7;

    /// <summary>Null when <paramref name="text"/> may be published, else the problem at <paramref name="path"/>.</summary>
    public static ValidationProblem? Check(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
            return new(path, "explanation.too-long", $"The explanation is {text.Length} characters long; at most {MaxLength}.");
        if (string.IsNullOrWhiteSpace(text))
            return new(path, "explanation.blank", "The explanation must not be empty or spaces only.");
        // §5.1: what is permanent in public must not hide or reorder text.
        if (PublicText.Check(text, path, MaxLength, "The explanation") is { } bad)
            return new(path, "explanation.character", bad.Message);
        if (PersonalDataIn(text) is { } what)
            return new(path, "explanation.personal-data",
                $"The explanation looks like it holds personal data ({what}); it is published for ever, so name no person, number or contact.");
        return null;
    }

    /// <summary>What in <paramref name="text"/> looks personal, or null.</summary>
    public static string? PersonalDataIn(string text)
    {
        if (ApplicationNumber().IsMatch(text)) return "an application number";
        if (Email().IsMatch(text)) return "an e-mail address";
        if (LongNumber().IsMatch(text)) return "a number of 5 or more digits";
        // Dates and year ranges are institutional ("from 01.09.2026", "2026–2027"): taken out before
        // counting the digits of a phone-like run, so they neither count nor join two runs.
        var withoutDates = DateLike().Replace(text, "·");
        foreach (Match run in PhoneLike().Matches(withoutDates))
        {
            if (run.Value.Count(char.IsDigit) >= PhoneDigits) return "a phone number";
        }
        return null;
    }

    /// <summary>The hash the log's <c>signal.reviewed</c> entry carries: SHA-256 of the UTF-8 text, lower-case hex.</summary>
    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"KQ\s*-", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ApplicationNumber();

    [GeneratedRegex(@"[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    // Any script's decimal digits: a Devanagari or full-width run is as personal as an ASCII one.
    [GeneratedRegex(@"\d{5,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongNumber();

    [GeneratedRegex(@"\b(?:\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{4}\s?[-–—/]\s?\d{4})\b", RegexOptions.CultureInvariant)]
    private static partial Regex DateLike();

    // Digits joined by what phone numbers are written with: +7 (912) 345-67-89, 8 912 345 67 89, 345.67.89.
    [GeneratedRegex(@"\+?\d(?:[\s().\-–]{0,3}\d)+", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneLike();
}
