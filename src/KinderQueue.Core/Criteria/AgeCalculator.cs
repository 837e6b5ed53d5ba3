using NodaTime;

namespace KinderQueue.Core.Criteria;

/// <summary>
/// Ages from the public birth month (SPEC.md §4.2). The exact birth date is private, so the
/// rule treats every child as born on the last day of the birth month. That gives the legal
/// answer for every child except one born in the cut-off month on or before the cut-off day,
/// who counts as not yet having reached that birthday; the simplification is published.
/// </summary>
public static class AgeCalculator
{
    /// <summary>Full years on <paramref name="date"/> of a child born in <paramref name="birth"/>.</summary>
    public static int AgeOn(YearMonth birth, LocalDate date)
    {
        var born = birth.OnDayOfMonth(birth.Calendar.GetDaysInMonth(birth.Year, birth.Month));
        var years = date.Year - born.Year;
        if (date.Month < born.Month || (date.Month == born.Month && date.Day < born.Day)) years--;
        return years;
    }

    /// <summary>The cut-off date of an enrolment year (the year the school year starts).</summary>
    public static LocalDate CutoffDate(AgeRule rule, int enrolmentYear) => new(enrolmentYear, rule.CutoffMonth, rule.CutoffDay);

    /// <summary>The enrolment year whose school year contains <paramref name="date"/>: cut-off(Y) ≤ date &lt; cut-off(Y+1).</summary>
    public static int EnrolmentYear(AgeRule rule, LocalDate date) =>
        date < CutoffDate(rule, date.Year) ? date.Year - 1 : date.Year;

    /// <summary>Age in full years on the cut-off date of the enrolment year.</summary>
    public static int AgeAtCutoff(AgeRule rule, YearMonth birth, int enrolmentYear) => AgeOn(birth, CutoffDate(rule, enrolmentYear));

    /// <summary>The age group for the enrolment year, or null when no group takes a child of that age.</summary>
    public static AgeGroup? GroupFor(AgeRule rule, YearMonth birth, int enrolmentYear)
    {
        var age = AgeAtCutoff(rule, birth, enrolmentYear);
        foreach (var g in rule.Groups)
        {
            if (age >= g.MinAge && age <= g.MaxAge) return g;
        }
        return null;
    }
}
