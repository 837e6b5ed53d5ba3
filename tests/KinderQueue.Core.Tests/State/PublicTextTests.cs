using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Tests.State;

/// <summary>What a public name or round id may hold (SPEC.md §5.1).</summary>
public sealed class PublicTextTests
{
    /// <summary>The generators of the properties here (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        public static Arbitrary<(string Name, char Hidden, int At)> Names() =>
            (from name in Plain
             from hidden in Gen.Elements(Hidden)
             from at in Gen.Choose(1, 1000)
             select (Name: name, Hidden: hidden, At: at % (name.Length + 1))).ToArbitrary();
    }

    // Plain visible text of the kind institutions are named with.
    private static readonly Gen<string> Plain =
        from parts in Gen.Elements("Детский сад", "№", "17", "«Солнышко»", "Kindergarten", "North", "Ёлочка", "—", "(корпус 2)", "ü", "😀")
            .ArrayOf().Where(a => a.Length is > 0 and < 8)
        select string.Join(' ', parts);

    // Characters that hide or reorder text, or break a line: each must be refused wherever it sits.
    private static readonly char[] Hidden =
        ['\0', '\r', '\n', '\t', '\u0007', '\u007f', '\u0085', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u2028', '\u2029', '\ufeff', '\ue000', '\ud800'];

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(Cases) })]
    public void Property_plain_names_pass_and_any_hidden_character_anywhere_is_refused((string Name, char Hidden, int At) c)
    {
        PublicText.Check(c.Name, "$.name", PublicText.MaxName, "name").Should().BeNull(c.Name);
        var bad = c.Name.Insert(c.At, c.Hidden.ToString());
        var problem = PublicText.Check(bad, "$.name", PublicText.MaxName, "name");
        problem.Should().NotBeNull($"U+{(int)c.Hidden:X4} at {c.At}");
        problem!.Path.Should().Be("$.name");
        problem.Code.Should().BeOneOf("text.character", "text.padded", "text.blank");
    }

    [Theory]
    [InlineData("", "text.blank")]
    [InlineData("   ", "text.blank")]
    [InlineData(" Сад", "text.padded")]
    [InlineData("Сад ", "text.padded")]
    [InlineData("Сад\u00a0", "text.padded")]
    [InlineData("Сад\u202eдас", "text.character")]
    public void Refused_values_are_named(string value, string code) =>
        PublicText.Check(value, "$.name", PublicText.MaxName, "name")!.Code.Should().Be(code);

    [Fact]
    public void Length_bound_is_inclusive()
    {
        PublicText.Check(new string('я', PublicText.MaxName), "$.name", PublicText.MaxName, "name").Should().BeNull();
        PublicText.Check(new string('я', PublicText.MaxName + 1), "$.name", PublicText.MaxName, "name")!.Code.Should().Be("text.too-long");
    }
}
