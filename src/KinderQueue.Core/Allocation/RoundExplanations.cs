using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// The explanations of a round (SPEC.md §7.5) in compact form: the round's integer arrays, from
/// which one applicant's explanation is built when it is asked for. For every applicant, in order
/// of application number: the status, the age group, the offered kindergarten, and each preference
/// down to the one received, with its outcome, the program's seats, the applicant's own key and the
/// program's last admitted key.
/// </summary>
/// <remarks>
/// A million applicants' explanations as records cost a few hundred megabytes and most of a round's
/// time; kept like this they cost the arrays the matching needed anyway, and the rank in tier of
/// every preference (one more integer per preference), which is counted on first use. Immutable
/// once built, so a result can be read from several threads.
/// </remarks>
internal sealed class RoundExplanations
{
    private readonly AllocationInput _input;
    private readonly int[] _inputOfPlace;       // input index by place in number order
    private readonly RoundStatus[] _statusOfInput;
    private readonly int[] _groupOfInput;       // index into the criteria's groups, -1 when none
    private readonly int[] _activeOfInput;      // global rank, -1 when not active
    private readonly int[] _inputOfActive;
    private readonly int[] _prefStart;
    private readonly int[] _prefProgram;
    private readonly int[] _prefTier;
    private readonly int[] _assigned;
    private readonly int[] _seats;
    private readonly string[] _programKindergarten;
    private readonly RankedKey?[] _lastAdmitted;
    private readonly string[] _tierIds;
    private readonly string[] _groupIds;
    private readonly int[] _countByStatus;
    private int[]? _rankInTier;

    public RoundExplanations(AllocationInput input, int[] inputOfPlace, RoundStatus[] statusOfInput, int[] groupOfInput, int[] activeOfInput,
        int[] inputOfActive, int[] prefStart, int[] prefProgram, int[] prefTier, int[] assigned, int[] seats, string[] programKindergarten,
        RankedKey?[] lastAdmitted)
    {
        _input = input;
        _inputOfPlace = inputOfPlace;
        _statusOfInput = statusOfInput;
        _groupOfInput = groupOfInput;
        _activeOfInput = activeOfInput;
        _inputOfActive = inputOfActive;
        _prefStart = prefStart;
        _prefProgram = prefProgram;
        _prefTier = prefTier;
        _assigned = assigned;
        _seats = seats;
        _programKindergarten = programKindergarten;
        _lastAdmitted = lastAdmitted;
        var criteria = input.Criteria;
        _tierIds = [.. criteria.Tiers.Select(t => t.Id)];
        _groupIds = [.. criteria.AgeRule.Groups.Select(g => g.Id)];
        _countByStatus = new int[Enum.GetValues<RoundStatus>().Length];
        foreach (var s in statusOfInput) _countByStatus[(int)s]++;
        // Every active applicant is marked waitlisted until here; those with an offer move over.
        foreach (var f in assigned)
        {
            if (f < 0) continue;
            _countByStatus[(int)RoundStatus.Waitlisted]--;
            _countByStatus[(int)RoundStatus.Offered]++;
        }
    }

    public int Count => _inputOfPlace.Length;

    public int CountWith(RoundStatus status) => (uint)status < (uint)_countByStatus.Length ? _countByStatus[(int)status] : 0;

    public ApplicantExplanation? Of(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        int low = 0, high = _inputOfPlace.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var c = string.CompareOrdinal(_input.Applicants[_inputOfPlace[mid]].Number, number);
            if (c == 0) return At(mid);
            if (c < 0) low = mid + 1;
            else high = mid - 1;
        }
        return null;
    }

    public ApplicantExplanation At(int place)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(place);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(place, Count);
        var i = _inputOfPlace[place];
        var applicant = _input.Applicants[i];
        var a = _activeOfInput[i];
        if (a < 0) return new ApplicantExplanation(applicant.Number, _statusOfInput[i], null, null, []);

        var ranks = RankInTier();
        var assigned = _assigned[a];
        var first = _prefStart[a];
        var last = assigned >= 0 ? assigned : _prefStart[a + 1] - 1;
        var prefs = new PreferenceExplanation[Math.Max(0, last - first + 1)];
        for (var f = first; f <= last; f++)
        {
            var kg = applicant.Preferences[f - first];
            var p = _prefProgram[f];
            if (p < 0)
            {
                prefs[f - first] = new PreferenceExplanation(kg, PreferenceOutcome.NoProgram, 0, null, null);
                continue;
            }
            var outcome = f == assigned ? PreferenceOutcome.Offered
                : _seats[p] == 0 ? PreferenceOutcome.NoSeats
                : PreferenceOutcome.Outranked;
            var own = new RankedKey(_tierIds[_prefTier[f]], applicant.RegisteredAt, applicant.Seq, ranks[f]);
            prefs[f - first] = new PreferenceExplanation(kg, outcome, _seats[p], own, _lastAdmitted[p]);
        }
        var offered = assigned >= 0 ? _programKindergarten[_prefProgram[assigned]] : null;
        return new ApplicantExplanation(applicant.Number, assigned >= 0 ? RoundStatus.Offered : RoundStatus.Waitlisted,
            _groupIds[_groupOfInput[i]], offered, ImmutableCollectionsMarshal.AsImmutableArray(prefs));
    }

    /// <summary>
    /// The rank in tier of every preference that names a program, by flat index: key order is tier,
    /// then global rank, and the flat preferences are laid out by global rank, so counting per
    /// (program, tier) in flat order gives each rank. Counted once, on first use; two threads may
    /// both count, and count the same.
    /// </summary>
    private int[] RankInTier()
    {
        var known = Volatile.Read(ref _rankInTier);
        if (known is not null) return known;
        var tierCount = _tierIds.Length;
        var bucketCount = new int[checked(_seats.Length * tierCount)];
        var ranks = GC.AllocateUninitializedArray<int>(_prefProgram.Length);
        for (var f = 0; f < ranks.Length; f++)
        {
            var p = _prefProgram[f];
            ranks[f] = p < 0 ? 0 : ++bucketCount[p * tierCount + _prefTier[f]];
        }
        return Interlocked.CompareExchange(ref _rankInTier, ranks, null) ?? ranks;
    }
}
