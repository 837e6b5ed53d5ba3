using KinderQueue.Core.Privacy;

namespace KinderQueue.Core.Tests.Privacy;

/// <summary>A typed string is shown by its first characters and its length: never more than a quarter, never more than four.</summary>
public sealed class RedactionTests
{
    [Theory]
    [InlineData("Семья переехала в Тверь", "Семь…", 23)]
    [InlineData("moved away", "mo…", 10)]
    [InlineData("Иван", "И…", 4)]
    [InlineData("Ян", "…", 2)]
    [InlineData("", "…", 0)]
    // A bidi override or a newline is not echoed to a terminal.
    [InlineData("\u202eабвгдежзик", "\uFFFDа…", 11)]
    [InlineData("a\nbcdefgh", "a\uFFFD…", 9)]
    // Characters as people count them: an emoji is one, an accented letter written with a combining mark is one.
    [InlineData("😀😀😀😀😀😀😀😀", "😀😀…", 8)]
    [InlineData("e\u0301e\u0301e\u0301e\u0301", "e\u0301…", 4)]
    public void Preview_ShowsAQuarterAtMostFour_AndHidesInvisibleCharacters(string text, string preview, int length)
    {
        Redaction.Preview(text).Should().Be(preview);
        Redaction.Length(text).Should().Be(length);
    }
}
