using KinderQueue.Api.Signals;

namespace KinderQueue.Api.Tests.Signals;

public sealed class ExplanationScreenTests
{
    [Theory]
    [InlineData("Мощность загружена с опозданием: ремонт корпуса, проверено отделом контроля.")]
    [InlineData("Enrolment by court order; the order was checked against the register.")]
    [InlineData("Места сокращены с 01.09.2026 по решению Роспотребнадзора.")]
    [InlineData("Capacity for 2026–2027 was loaded on 2026-03-15, two weeks late.")]
    [InlineData("12 заявлений проверены повторно, 3 права не подтверждены.")]
    [InlineData("Группа 2026-2027: 4 места.")]
    public void Check_InstitutionalText_Passes(string text) =>
        ExplanationScreen.Check(text, "$.explanation").Should().BeNull();

    [Theory]
    [InlineData("Позвоните по +7 (912) 345-67-89", "explanation.personal-data")]
    [InlineData("Call 8 912 345 67 89 for details", "explanation.personal-data")]
    [InlineData("телефон 345-67-89", "explanation.personal-data")]
    [InlineData("Write to ivanova@example.org", "explanation.personal-data")]
    [InlineData("Заявление KQ-ABCDE-12345 зачислено по суду", "explanation.personal-data")]
    [InlineData("application kq-abcde was wrong", "explanation.personal-data")]
    [InlineData("СНИЛС 12345 проверен", "explanation.personal-data")]
    [InlineData("", "explanation.blank")]
    [InlineData("   ", "explanation.blank")]
    [InlineData("Explained\u202Egnirts", "explanation.character")]
    [InlineData("line one\nline two", "explanation.character")]
    [InlineData(" padded", "explanation.character")]
    public void Check_RefusedText_NamesTheCode(string text, string code) =>
        ExplanationScreen.Check(text, "$.explanation")!.Code.Should().Be(code);

    [Fact]
    public void Check_TooLong_IsRefusedAtTheBound()
    {
        ExplanationScreen.Check(new string('a', ExplanationScreen.MaxLength), "$.explanation").Should().BeNull();
        ExplanationScreen.Check(new string('a', ExplanationScreen.MaxLength + 1), "$.explanation")!.Code.Should().Be("explanation.too-long");
    }

    [Fact]
    public void HashOf_IsSha256OfUtf8InLowerHex() =>
        ExplanationScreen.HashOf("abc").Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
