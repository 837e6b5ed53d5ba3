using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.Privacy;

/// <summary>A public field of an application that a neighbour, a nursery teacher or a relative could also know.</summary>
public enum QuasiIdentifier
{
    District,
    BirthMonth,
    /// <summary>The first kindergarten of the preference list.</summary>
    FirstPreference,
    /// <summary>The whole preference list, in order.</summary>
    PreferenceList,
    /// <summary>The region's local date of <c>registeredAt</c> (people remember the day they applied, not the millisecond).</summary>
    RegistrationDay,
}

/// <summary>Fields taken together: applications that agree on all of them form one equivalence class.</summary>
public sealed record QuasiIdentifierSet(string Name, ImmutableArray<QuasiIdentifier> Fields)
{
    /// <summary>
    /// The sets <c>kq privacy</c> reports (VERIFYING.md). District and birth month are in all of them:
    /// whoever knows a family knows both. The rest is what they may also have heard: which kindergarten
    /// the family wanted, the whole list, the day they applied.
    /// </summary>
    public static readonly ImmutableArray<QuasiIdentifierSet> Standard =
    [
        new("district, birth month, first preference", [QuasiIdentifier.District, QuasiIdentifier.BirthMonth, QuasiIdentifier.FirstPreference]),
        new("district, birth month, preference list", [QuasiIdentifier.District, QuasiIdentifier.BirthMonth, QuasiIdentifier.PreferenceList]),
        new("district, birth month, registration day", [QuasiIdentifier.District, QuasiIdentifier.BirthMonth, QuasiIdentifier.RegistrationDay]),
        new("district, birth month, first preference, registration day",
            [QuasiIdentifier.District, QuasiIdentifier.BirthMonth, QuasiIdentifier.FirstPreference, QuasiIdentifier.RegistrationDay]),
    ];

    /// <summary>The field's name in the JSON report.</summary>
    public static string FieldName(QuasiIdentifier field) => field switch
    {
        QuasiIdentifier.District => "district",
        QuasiIdentifier.BirthMonth => "birthMonth",
        QuasiIdentifier.FirstPreference => "firstPreference",
        QuasiIdentifier.PreferenceList => "preferences",
        QuasiIdentifier.RegistrationDay => "registrationDay",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}

/// <summary>
/// Uniqueness and k-anonymity of one population over one set. Classes are always formed over all
/// applications (a neighbour who matches the fields sees every application in the log); the
/// population says whose class is counted: all applications, or only those claiming a priority tier
/// (for them the class size says whether the matching also discloses the tier).
/// </summary>
/// <param name="Applications">Applications in the population.</param>
/// <param name="Unique">Of them, those alone in their class: whoever knows the fields finds the application.</param>
/// <param name="BelowFive">Of them, those in a class smaller than <see cref="Anonymity.SmallClass"/>.</param>
/// <param name="MinK">The smallest class holding one of them (k of k-anonymity); 0 for an empty population.</param>
public sealed record AnonymityFigures(QuasiIdentifierSet Set, bool NonGeneralOnly, int Applications, int Unique, int BelowFive, int MinK);

/// <summary>What <see cref="Anonymity"/> needs of one application.</summary>
/// <param name="NonGeneral">It claims a tier other than the criteria's default tier.</param>
internal sealed record ApplicationTraits(string District, YearMonth BirthMonth, ImmutableArray<string> Preferences, LocalDate RegistrationDay, bool NonGeneral);

/// <summary>Equivalence classes of applications over quasi-identifier sets, counted exactly.</summary>
internal static class Anonymity
{
    /// <summary>
    /// A class below this size is "small": the threshold the public dashboard suppresses counts under
    /// (SPEC.md §13.4), so the two measures of the same region speak of the same size.
    /// </summary>
    public const int SmallClass = 5;

    /// <summary>For each set of <see cref="QuasiIdentifierSet.Standard"/>: the figures of all applications, then of the non-general ones.</summary>
    public static ImmutableArray<AnonymityFigures> Measure(IReadOnlyList<ApplicationTraits> applications)
    {
        var result = ImmutableArray.CreateBuilder<AnonymityFigures>(2 * QuasiIdentifierSet.Standard.Length);
        var keys = new string[applications.Count];
        foreach (var set in QuasiIdentifierSet.Standard)
        {
            var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < applications.Count; i++)
            {
                keys[i] = Key(set, applications[i]);
                sizes[keys[i]] = sizes.GetValueOrDefault(keys[i]) + 1;
            }
            result.Add(Count(set, nonGeneralOnly: false, applications, keys, sizes));
            result.Add(Count(set, nonGeneralOnly: true, applications, keys, sizes));
        }
        return result.MoveToImmutable();
    }

    private static AnonymityFigures Count(QuasiIdentifierSet set, bool nonGeneralOnly, IReadOnlyList<ApplicationTraits> applications, string[] keys,
        Dictionary<string, int> sizes)
    {
        int members = 0, unique = 0, small = 0, minK = int.MaxValue;
        for (var i = 0; i < applications.Count; i++)
        {
            if (nonGeneralOnly && !applications[i].NonGeneral) continue;
            var size = sizes[keys[i]];
            members++;
            if (size == 1) unique++;
            if (size < SmallClass) small++;
            minK = Math.Min(minK, size);
        }
        return new AnonymityFigures(set, nonGeneralOnly, members, unique, small, members == 0 ? 0 : minK);
    }

    /// <summary>
    /// The class of one application: its values joined by U+001F. Ids, months and dates hold no control
    /// characters (SPEC.md §3.1, §3.2), so two different tuples never give the same key.
    /// </summary>
    private static string Key(QuasiIdentifierSet set, ApplicationTraits a) =>
        string.Join('\u001f', set.Fields.Select(f => f switch
        {
            QuasiIdentifier.District => a.District,
            QuasiIdentifier.BirthMonth => Encoding.Formats.Format(a.BirthMonth),
            QuasiIdentifier.FirstPreference => a.Preferences.IsEmpty ? "" : a.Preferences[0],
            QuasiIdentifier.PreferenceList => string.Join(',', a.Preferences),
            QuasiIdentifier.RegistrationDay => Encoding.Formats.Format(a.RegistrationDay),
            _ => throw new ArgumentOutOfRangeException(nameof(set)),
        }));
}
