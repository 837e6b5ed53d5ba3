using KinderQueue.Core.Criteria;
using NodaTime;
using NodaTime.Text;

namespace KinderQueue.Core.Tests.Criteria;

/// <summary>Ages from the public birth month (SPEC.md §4.2): every child counts as born on the last day of its birth month.</summary>
public sealed class AgeCalculatorTests
{
    private static AgeRule Rule => DefaultCriteria.Value.AgeRule;

    private static YearMonth Month(string text) => YearMonthPattern.Iso.Parse(text).Value;

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    [Theory]
    [InlineData("2024-03", "2027-03-30", 2)] // counted as born 31 March
    [InlineData("2024-03", "2027-03-31", 3)]
    [InlineData("2024-03", "2027-04-01", 3)]
    [InlineData("2024-03", "2027-03-01", 2)]
    [InlineData("2024-04", "2027-04-30", 3)] // 30-day month
    [InlineData("2024-04", "2027-04-29", 2)]
    [InlineData("2023-02", "2027-02-28", 4)] // born 28 February 2023
    [InlineData("2023-02", "2027-02-27", 3)]
    [InlineData("2024-02", "2027-03-01", 3)] // born 29 February 2024: 3 by 1 March 2027
    [InlineData("2024-02", "2027-02-28", 2)] // SPEC.md §4.2: in common years the 29 February birthday is reached on 1 March
    [InlineData("2024-02", "2028-02-29", 4)]
    [InlineData("2024-02", "2028-02-28", 3)]
    [InlineData("2024-12", "2025-12-31", 1)] // year boundary
    [InlineData("2024-12", "2025-12-30", 0)]
    [InlineData("2024-12", "2026-01-01", 1)]
    [InlineData("2024-12", "2024-12-31", 0)]
    [InlineData("2025-01", "2024-12-31", -1)] // not born yet
    public void AgeOn_CountsFromTheLastDayOfTheBirthMonth(string birth, string date, int expected)
    {
        AgeCalculator.AgeOn(Month(birth), Date(date)).Should().Be(expected);
    }

    [Theory]
    [InlineData("2027-08-31", 2026)]
    [InlineData("2027-09-01", 2027)]
    [InlineData("2027-09-02", 2027)]
    [InlineData("2027-12-31", 2027)]
    [InlineData("2028-01-01", 2027)]
    [InlineData("2028-08-31", 2027)]
    [InlineData("2028-09-01", 2028)]
    public void EnrolmentYear_ChangesOnTheCutoffDay(string date, int expected)
    {
        AgeCalculator.EnrolmentYear(Rule, Date(date)).Should().Be(expected);
        AgeCalculator.CutoffDate(Rule, expected).Should().BeLessThanOrEqualTo(Date(date));
        AgeCalculator.CutoffDate(Rule, expected + 1).Should().BeGreaterThan(Date(date));
    }

    [Fact]
    public void EnrolmentYear_WithJanuaryFirstCutoff_IsTheCalendarYear()
    {
        var rule = Rule with { CutoffMonth = 1, CutoffDay = 1 };

        AgeCalculator.EnrolmentYear(rule, Date("2027-01-01")).Should().Be(2027);
        AgeCalculator.EnrolmentYear(rule, Date("2027-12-31")).Should().Be(2027);
    }

    [Theory]
    // Enrolment year 2027, cut-off 1 September 2027.
    [InlineData("2026-08", "early")]       // 1 on 1 September (born 31 August 2026)
    [InlineData("2026-09", null)]          // 0: too young for any group
    [InlineData("2027-01", null)]
    [InlineData("2025-09", "early")]       // 1 (turns 2 on 30 September)
    [InlineData("2024-09", "early")]       // 2: born in the cut-off month, counts as not yet 3 (published simplification)
    [InlineData("2024-08", "junior")]      // 3
    [InlineData("2023-09", "junior")]
    [InlineData("2023-08", "middle")]      // 4
    [InlineData("2022-08", "senior")]      // 5
    [InlineData("2021-09", "senior")]
    [InlineData("2021-08", "preparatory")] // 6
    [InlineData("2020-09", "preparatory")]
    [InlineData("2020-08", null)]          // 7: no group (and archived)
    public void GroupFor_UsesTheAgeOnTheCutoffDate(string birth, string? expected)
    {
        (AgeCalculator.GroupFor(Rule, Month(birth), 2027)?.Id).Should().Be(expected);
    }

    [Fact]
    public void GroupFor_NextYear_MovesTheChildUpOneGroup()
    {
        var birth = Month("2024-03");

        AgeCalculator.GroupFor(Rule, birth, 2026)!.Id.Should().Be("early");
        AgeCalculator.GroupFor(Rule, birth, 2027)!.Id.Should().Be("junior");
        AgeCalculator.GroupFor(Rule, birth, 2028)!.Id.Should().Be("middle");
        AgeCalculator.AgeAtCutoff(Rule, birth, 2028).Should().Be(4);
    }

    [Fact]
    public void GroupFor_EveryAgeFromOneToSix_HasExactlyOneGroup()
    {
        for (var age = 1; age <= 6; age++)
        {
            // Born in January: the age on 1 September is exactly (2027 - birth year).
            AgeCalculator.GroupFor(Rule, new YearMonth(2027 - age, 1), 2027).Should().NotBeNull($"age {age}")
                .And.Match<AgeGroup>(g => g.MinAge <= age && age <= g.MaxAge);
        }
    }
}
