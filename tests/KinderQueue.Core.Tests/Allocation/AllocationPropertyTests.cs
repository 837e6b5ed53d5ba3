using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Allocation;

/// <summary>
/// Properties of one allocation round (SPEC.md §7) on random valid inputs. Priority keys, eligibility
/// and the matching itself are recomputed here from the rules (<see cref="Model"/>), never taken from
/// the Allocator, so a shared mistake cannot hide.
/// </summary>
public sealed class AllocationPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200);

    /// <summary>
    /// By hand only for the culture and time-zone property, which must restore the process's culture and
    /// zone around all its cases (a finally block a [Property] cannot put around them); every other
    /// property is a [Property] over <see cref="Cases"/>.
    /// </summary>
    private static void ForAll(Action<AllocationCase> property) =>
        Check.One(Quick, Prop.ForAll(AllocationGen.Arbitrary, property));

    /// <summary>The generators of the properties here (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        public static Arbitrary<AllocationCase> Inputs() => AllocationGen.Arbitrary;

        public static Arbitrary<(AllocationCase Case, int Seed)> InputsAndSeeds() =>
            (from c in AllocationGen.Cases
             from seed in Gen.Choose(0, int.MaxValue - 1)
             select (Case: c, Seed: seed)).ToArbitrary();
    }

    // ----------------------------------------------------------------- determinism

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_ShuffledApplicantsProgramsAndKindergartens_GivesIdenticalBytes((AllocationCase Case, int Seed) x)
    {
        var input = x.Case.Input;
        var random = new Random(x.Seed);
        var shuffled = input with
        {
            Applicants = [.. Shuffle(input.Applicants, random)],
            Programs = [.. Shuffle(input.Programs, random)],
            Kindergartens = [.. Shuffle(input.Kindergartens, random).Select(k => k with { Catchment = [.. Shuffle(k.Catchment, random)] })],
        };
        ResultJson.ToCanonicalBytes(Allocator.Allocate(shuffled))
            .Should().Equal(ResultJson.ToCanonicalBytes(Allocator.Allocate(input)));
    }

    [Fact]
    public void Allocate_UnderOtherCulturesThreadsAndLocalTimeZones_GivesIdenticalBytes()
    {
        var cultures = new[] { Culture("tr-TR"), Culture("ru-RU"), HostileCulture() };
        var savedCulture = CultureInfo.CurrentCulture;
        var savedUiCulture = CultureInfo.CurrentUICulture;
        var savedTz = Environment.GetEnvironmentVariable("TZ");
        try
        {
            ForAll(c =>
            {
                var expected = ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input));
                foreach (var culture in cultures)
                {
                    CultureInfo.CurrentCulture = culture;
                    CultureInfo.CurrentUICulture = culture;
                    ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input)).Should().Equal(expected, $"current culture {culture.Name}");
                    CultureInfo.CurrentCulture = savedCulture;
                    CultureInfo.CurrentUICulture = savedUiCulture;
                }

                byte[]? onThread = null;
                var thread = new Thread(() =>
                {
                    CultureInfo.CurrentCulture = cultures[1];
                    CultureInfo.CurrentUICulture = cultures[0];
                    onThread = ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input));
                });
                thread.Start();
                thread.Join();
                onThread.Should().Equal(expected, "on a thread with another culture");

                // Core never reads the local zone; the local zone moving from UTC-11 to UTC+14 must not matter.
                foreach (var tz in new[] { "Pacific/Kiritimati", "Pacific/Pago_Pago" })
                {
                    Environment.SetEnvironmentVariable("TZ", tz);
                    TimeZoneInfo.ClearCachedData();
                    ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input)).Should().Equal(expected, $"local zone {tz}");
                }
                Environment.SetEnvironmentVariable("TZ", savedTz);
                TimeZoneInfo.ClearCachedData();
            });
        }
        finally
        {
            CultureInfo.CurrentCulture = savedCulture;
            CultureInfo.CurrentUICulture = savedUiCulture;
            Environment.SetEnvironmentVariable("TZ", savedTz);
            TimeZoneInfo.ClearCachedData();
        }
    }

    // ----------------------------------------------------------------- capacity, eligibility

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_NeverExceedsSeats(AllocationCase c)
    {
        var result = Allocator.Allocate(c.Input);
        var offered = result.Offers.GroupBy(o => (o.Kindergarten, o.Group)).ToDictionary(g => g.Key, g => g.Count());
        var seats = c.Input.Programs.ToDictionary(p => (p.Kindergarten, p.Group), p => p.Seats);
        foreach (var (program, count) in offered)
        {
            seats.Should().ContainKey(program, "an offer is for an existing program");
            count.Should().BeLessThanOrEqualTo(seats[program], $"offers in {program}");
        }
        result.Programs.Should().HaveCount(c.Input.Programs.Length);
        foreach (var p in result.Programs)
        {
            p.Seats.Should().Be(seats[(p.Kindergarten, p.Group)]);
            p.Admitted.Should().BeLessThanOrEqualTo(p.Seats);
            p.Admitted.Should().Be(offered.GetValueOrDefault((p.Kindergarten, p.Group)));
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_OffersOnlyListedAgeEligibleProgramsToActiveApplicants(AllocationCase c)
    {
        var m = new Model(c.Input);
        var result = Allocator.Allocate(c.Input);
        result.Year.Should().Be(m.Year);
        result.Offers.Select(o => o.Number).Should().OnlyHaveUniqueItems();
        foreach (var o in result.Offers)
        {
            var a = m.ByNumber[o.Number];
            m.Status[o.Number].Should().Be(RoundStatus.Waitlisted, $"{o.Number} is neither archived, deferred nor without an age group");
            a.Preferences.Should().Contain(o.Kindergarten);
            o.Group.Should().Be(AgeCalculator.GroupFor(c.Input.Criteria.AgeRule, a.BirthMonth, m.Year)!.Id);
            o.Deadline.Should().Be(c.Input.Date.PlusDays(c.Input.Criteria.Offer.DeadlineDays));
        }

        result.Explanations.Select(e => e.Number).Should().Equal(c.Input.Applicants.Select(a => a.Number).Order(StringComparer.Ordinal));
        result.Archived.Should().Equal(m.Status.Where(s => s.Value == RoundStatus.Archived).Select(s => s.Key).Order(StringComparer.Ordinal));
        var offers = result.Offers.ToDictionary(o => o.Number);
        foreach (var e in result.Explanations)
        {
            var expected = m.Status[e.Number] == RoundStatus.Waitlisted && offers.ContainsKey(e.Number) ? RoundStatus.Offered : m.Status[e.Number];
            e.Status.Should().Be(expected, e.Number);
            e.Group.Should().Be(m.GroupOf.GetValueOrDefault(e.Number));
            e.OfferedKindergarten.Should().Be(offers.GetValueOrDefault(e.Number)?.Kindergarten);
            if (m.Status[e.Number] != RoundStatus.Waitlisted) e.Preferences.Should().BeEmpty();
        }
    }

    // ----------------------------------------------------------------- explanations on demand

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_ExplanationLookupsAndCounts_AgreeWithTheFullList(AllocationCase c)
    {
        var result = Allocator.Allocate(c.Input);
        var fresh = Allocator.Allocate(c.Input); // explanations never built as a list before the lookups
        var all = result.Explanations;

        fresh.ApplicantCount.Should().Be(c.Input.Applicants.Length);
        for (var k = 0; k < all.Length; k++)
        {
            var json = Json(all[k]);
            Json(fresh.ExplanationAt(k)).Should().Be(json, $"place {k}");
            Json(fresh.ExplanationOf(all[k].Number)!).Should().Be(json, all[k].Number);
        }
        foreach (var status in Enum.GetValues<RoundStatus>())
            fresh.CountWith(status).Should().Be(all.Count(e => e.Status == status), status.ToString());
        fresh.ExplanationOf("no-such-number").Should().BeNull();
        fresh.ExplanationOf("").Should().BeNull();
        var outOfRange = () => fresh.ExplanationAt(all.Length);
        outOfRange.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Property(MaxTest = 50, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_ExplanationsBuiltOnSeveralThreadsAtOnce_AreTheSame(AllocationCase c)
    {
        var expected = ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input));
        var result = Allocator.Allocate(c.Input);
        var lists = new ImmutableArray<ApplicantExplanation>[8];
        Parallel.For(0, lists.Length, i => lists[i] = result.Explanations);

        ResultJson.ToCanonicalBytes(result).Should().Equal(expected);
        foreach (var list in lists) list.Select(Json).Should().Equal(result.Explanations.Select(Json));
    }

    private static string Json(ApplicantExplanation e)
    {
        var w = new KinderQueue.Core.Encoding.CanonicalJsonWriter(256);
        ResultJson.WriteExplanation(w, e);
        return System.Text.Encoding.UTF8.GetString(w.ToArray());
    }

    // ----------------------------------------------------------------- stability

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_HasNoJustifiedEnvy(AllocationCase c)
    {
        var m = new Model(c.Input);
        var result = Allocator.Allocate(c.Input);
        var admitted = Admitted(result, m);
        foreach (var a in m.Active)
        {
            foreach (var kg in m.PreferredToOffer(a, result))
            {
                if (!admitted.TryGetValue((kg, m.GroupOf[a.Number]), out var holders)) continue;
                var own = m.KeyAt(a, kg);
                foreach (var b in holders)
                {
                    m.KeyAt(b, kg).Should().BeLessThan(own,
                        $"{a.Number} prefers {kg} to what it got, so everyone admitted there must rank above it (but {b.Number} does not)");
                }
            }
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_IsNonWasteful(AllocationCase c)
    {
        var m = new Model(c.Input);
        var result = Allocator.Allocate(c.Input);
        var admitted = Admitted(result, m);
        foreach (var a in m.Active)
        {
            foreach (var kg in m.PreferredToOffer(a, result))
            {
                var program = (kg, m.GroupOf[a.Number]);
                if (!m.Seats.TryGetValue(program, out var seats)) continue;
                admitted.GetValueOrDefault(program, []).Count.Should().Be(seats,
                    $"{a.Number} wanted {kg} more than what it got, so {program} may not keep a free seat");
            }
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_EqualsNaiveApplicantProposingDeferredAcceptance(AllocationCase c)
    {
        var m = new Model(c.Input);
        var deadline = c.Input.Date.PlusDays(c.Input.Criteria.Offer.DeadlineDays);
        var expected = m.ReferenceMatching()
            .Select(kv => new Offer(kv.Key, kv.Value.Kg, kv.Value.Group, deadline))
            .OrderBy(o => o.Number, StringComparer.Ordinal);
        Allocator.Allocate(c.Input).Offers.Should().Equal(expected);
    }

    // ----------------------------------------------------------------- published result

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_WaitlistsHoldExactlyTheCompetitorsWithoutThisOrBetter_InKeyOrder(AllocationCase c)
    {
        var m = new Model(c.Input);
        var result = Allocator.Allocate(c.Input);
        var offerRank = OfferRanks(result, m);
        var expectedOrder = c.Input.Programs
            .OrderBy(p => p.Kindergarten, StringComparer.Ordinal).ThenBy(p => p.Group, StringComparer.Ordinal)
            .Select(p => (p.Kindergarten, p.Group));
        result.Programs.Select(p => (p.Kindergarten, p.Group)).Should().Equal(expectedOrder);
        foreach (var p in result.Programs)
        {
            var expected = m.Competitors(p.Kindergarten, p.Group)
                .Where(a => offerRank[a.Number] > a.Preferences.IndexOf(p.Kindergarten))
                .OrderBy(a => m.KeyAt(a, p.Kindergarten))
                .Select(a => a.Number);
            p.Waitlist.Should().Equal(expected, $"waitlist of ({p.Kindergarten}, {p.Group})");
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Allocate_ExplainsEveryPreferenceAboveTheOneReceived(AllocationCase c)
    {
        var m = new Model(c.Input);
        var result = Allocator.Allocate(c.Input);
        var admitted = Admitted(result, m);
        var offerRank = OfferRanks(result, m);
        foreach (var e in result.Explanations)
        {
            if (m.Status[e.Number] != RoundStatus.Waitlisted) continue;
            var a = m.ByNumber[e.Number];
            var group = m.GroupOf[a.Number];
            var got = offerRank[a.Number];
            e.Preferences.Select(p => p.Kindergarten).Should().Equal(a.Preferences.Take(got + 1), "the list stops at the offer");
            for (var j = 0; j < e.Preferences.Length; j++)
            {
                var x = e.Preferences[j];
                var because = $"{a.Number} preference {j} ({x.Kindergarten})";
                if (!m.Seats.TryGetValue((x.Kindergarten, group), out var seats))
                {
                    x.Should().Be(new PreferenceExplanation(x.Kindergarten, PreferenceOutcome.NoProgram, 0, null, null), because);
                    continue;
                }
                x.Seats.Should().Be(seats, because);
                x.Own.Should().Be(m.Ranked(a, x.Kindergarten), because);
                var holders = admitted.GetValueOrDefault((x.Kindergarten, group), []);
                var last = holders.Count == 0 ? null : holders.MaxBy(b => m.KeyAt(b, x.Kindergarten));
                x.LastAdmitted.Should().Be(last is null ? null : m.Ranked(last, x.Kindergarten), because);
                if (j == got)
                {
                    x.Outcome.Should().Be(PreferenceOutcome.Offered, because);
                }
                else if (seats == 0)
                {
                    x.Outcome.Should().Be(PreferenceOutcome.NoSeats, because);
                }
                else
                {
                    x.Outcome.Should().Be(PreferenceOutcome.Outranked, because);
                    holders.Should().HaveCount(seats, $"{because}: outranked means the program is full");
                    m.KeyAt(last!, x.Kindergarten).Should().BeLessThan(m.KeyAt(a, x.Kindergarten), $"{because}: the last admitted ranks above");
                }
            }
        }
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void GeneratedScenarios_ParseBackThroughScenarioJson_ToTheSameResult(AllocationCase c)
    {
        var json = ScenarioWriter.ToJson(c.Input);
        var parsed = ScenarioJson.Parse(json, _ => throw new InvalidOperationException("criteria are inline"));
        parsed.Problems.Should().BeEmpty();
        ResultJson.ToCanonicalBytes(Allocator.Allocate(parsed.Value!))
            .Should().Equal(ResultJson.ToCanonicalBytes(Allocator.Allocate(c.Input)));
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void QueuePositions_RankEveryQueueByTheKeyFromOneToTotal(AllocationCase c)
    {
        var input = c.Input;
        var m = new Model(input);
        var rule = input.Criteria.AgeRule;
        // SPEC.md §7.6, recomputed: from = max(desiredStart, asOf); archived applicants and those without a group have no queues.
        var members = new List<(Applicant A, string Kg, string Group, int Year, LocalDate From)>();
        foreach (var a in input.Applicants)
        {
            var from = a.DesiredStart > input.Date ? a.DesiredStart : input.Date;
            if (AgeCalculator.AgeOn(a.BirthMonth, from) >= rule.ArchiveAge) continue;
            var year = AgeCalculator.EnrolmentYear(rule, from);
            var group = AgeCalculator.GroupFor(rule, a.BirthMonth, year);
            if (group is null) continue;
            members.AddRange(a.Preferences.Select(kg => (a, kg, group.Id, year, from)));
        }
        var expected = input.Applicants.ToDictionary(a => a.Number, a => members.Where(x => x.A == a).Select(x =>
        {
            var queue = members.Where(y => y.Kg == x.Kg && y.Group == x.Group && y.Year == x.Year).ToList();
            var key = m.KeyAt(x.A, x.Kg);
            return new QueuePosition(x.Kg, x.Group, x.Year, x.From, 1 + queue.Count(y => m.KeyAt(y.A, x.Kg).CompareTo(key) < 0), queue.Count,
                input.Criteria.Tiers[key.Tier].Id);
        }).ToList());

        var positions = QueuePositions.Compute(input.Criteria, input.Date, input.Kindergartens, input.Applicants);

        positions.Select(p => p.Number).Should().Equal(input.Applicants.Select(a => a.Number).Order(StringComparer.Ordinal));
        foreach (var p in positions) p.Positions.Should().Equal(expected[p.Number], p.Number);
    }

    // ----------------------------------------------------------------- helpers

    private static Dictionary<(string Kg, string Group), List<Applicant>> Admitted(AllocationResult result, Model m)
    {
        var admitted = new Dictionary<(string, string), List<Applicant>>();
        foreach (var o in result.Offers)
        {
            if (!admitted.TryGetValue((o.Kindergarten, o.Group), out var list)) admitted[(o.Kindergarten, o.Group)] = list = [];
            list.Add(m.ByNumber[o.Number]);
        }
        return admitted;
    }

    /// <summary>Index of the offered kindergarten in each active applicant's list; the list length when nothing was offered.</summary>
    private static Dictionary<string, int> OfferRanks(AllocationResult result, Model m)
    {
        var offers = result.Offers.ToDictionary(o => o.Number, o => o.Kindergarten);
        return m.Active.ToDictionary(a => a.Number,
            a => offers.TryGetValue(a.Number, out var kg) ? a.Preferences.IndexOf(kg) : a.Preferences.Length);
    }

    private static List<T> Shuffle<T>(IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }

    private static CultureInfo Culture(string name)
    {
        // The build sets InvariantGlobalization, where named cultures other than the invariant one do not exist.
        try
        {
            return new CultureInfo(name);
        }
        catch (CultureNotFoundException)
        {
            return HostileCulture();
        }
    }

    /// <summary>A culture that formats numbers and dates unlike the invariant one, available even in invariant-globalization mode.</summary>
    private static CultureInfo HostileCulture()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.NegativeSign = "\u2212";
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NumberGroupSeparator = "\u00a0";
        c.DateTimeFormat.DateSeparator = ".";
        c.DateTimeFormat.TimeSeparator = "\u00b7";
        c.DateTimeFormat.ShortDatePattern = "dd.MM.yyyy";
        c.DateTimeFormat.LongTimePattern = "HH\u00b7mm";
        return c;
    }
}

/// <summary>A priority key recomputed from the rules: tier rank (0 best), registration instant, sequence number.</summary>
internal readonly record struct Key(int Tier, Instant RegisteredAt, long Seq) : IComparable<Key>
{
    public int CompareTo(Key other)
    {
        if (Tier != other.Tier) return Tier < other.Tier ? -1 : 1;
        if (RegisteredAt != other.RegisteredAt) return RegisteredAt < other.RegisteredAt ? -1 : 1;
        return Seq.CompareTo(other.Seq);
    }
}

/// <summary>The rules of a round, written out directly from SPEC.md §7 / DOMAIN.md without the Allocator's data structures.</summary>
internal sealed class Model
{
    private readonly AllocationInput _input;
    private readonly Dictionary<string, KindergartenInfo> _kindergartens;

    public Model(AllocationInput input)
    {
        _input = input;
        var c = input.Criteria;
        var cutoff = new LocalDate(input.StartDate.Year, c.AgeRule.CutoffMonth, c.AgeRule.CutoffDay);
        Year = input.StartDate < cutoff ? input.StartDate.Year - 1 : input.StartDate.Year;
        _kindergartens = input.Kindergartens.ToDictionary(k => k.Id);
        Seats = input.Programs.ToDictionary(p => (p.Kindergarten, p.Group), p => p.Seats);
        ByNumber = input.Applicants.ToDictionary(a => a.Number);
        foreach (var a in input.Applicants)
        {
            if (AgeCalculator.AgeOn(a.BirthMonth, input.StartDate) >= c.AgeRule.ArchiveAge)
            {
                Status[a.Number] = RoundStatus.Archived;
                continue;
            }
            if (a.DesiredStart > input.StartDate)
            {
                Status[a.Number] = RoundStatus.Deferred;
                continue;
            }
            var group = AgeCalculator.GroupFor(c.AgeRule, a.BirthMonth, Year);
            if (group is null)
            {
                Status[a.Number] = RoundStatus.NoAgeGroup;
                continue;
            }
            Status[a.Number] = RoundStatus.Waitlisted;
            GroupOf[a.Number] = group.Id;
            Active.Add(a);
        }
    }

    public int Year { get; }
    public Dictionary<(string Kg, string Group), int> Seats { get; }
    public Dictionary<string, Applicant> ByNumber { get; }
    /// <summary>Archived, Deferred, NoAgeGroup, or Waitlisted for everyone who competes.</summary>
    public Dictionary<string, RoundStatus> Status { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> GroupOf { get; } = new(StringComparer.Ordinal);
    public List<Applicant> Active { get; } = [];

    /// <summary>Best verified claim whose scope covers the kindergarten, the catchment tier, the default tier.</summary>
    public Key KeyAt(Applicant a, string kindergarten)
    {
        var tiers = _input.Criteria.Tiers;
        var rank = tiers.Length - 1;
        foreach (var claim in a.Claims)
        {
            if (!claim.Verified) continue;
            var i = tiers.IndexOf(tiers.Single(t => t.Id == claim.Tier));
            var covers = tiers[i].Scope switch
            {
                TierScope.All => true,
                TierScope.Sibling => claim.Kindergarten == kindergarten,
                _ => false,
            };
            if (covers) rank = Math.Min(rank, i);
        }
        if (_kindergartens[kindergarten].Catchment.Contains(a.District))
        {
            for (var i = 0; i < tiers.Length; i++)
            {
                if (tiers[i].Scope == TierScope.Catchment) rank = Math.Min(rank, i);
            }
        }
        return new Key(rank, a.RegisteredAt, a.Seq);
    }

    /// <summary>Active applicants of the program's age group who list its kindergarten.</summary>
    public IEnumerable<Applicant> Competitors(string kindergarten, string group) =>
        Active.Where(a => GroupOf[a.Number] == group && a.Preferences.Contains(kindergarten));

    public RankedKey Ranked(Applicant a, string kindergarten)
    {
        var key = KeyAt(a, kindergarten);
        var ahead = Competitors(kindergarten, GroupOf[a.Number]).Count(b => KeyAt(b, kindergarten) is var k && k.Tier == key.Tier && k.CompareTo(key) < 0);
        return new RankedKey(_input.Criteria.Tiers[key.Tier].Id, a.RegisteredAt, a.Seq, ahead + 1);
    }

    /// <summary>The kindergartens an applicant listed above the one offered (all of them when nothing was offered).</summary>
    public IEnumerable<string> PreferredToOffer(Applicant a, AllocationResult result)
    {
        var offer = result.Offers.FirstOrDefault(o => o.Number == a.Number);
        return offer is null ? a.Preferences : a.Preferences.TakeWhile(kg => kg != offer.Kindergarten);
    }

    /// <summary>Textbook applicant-proposing deferred acceptance, one proposal at a time, no cleverness.</summary>
    public Dictionary<string, (string Kg, string Group)> ReferenceMatching()
    {
        var next = Active.ToDictionary(a => a.Number, _ => 0);
        var held = new Dictionary<(string, string), List<Applicant>>();
        var matched = new Dictionary<string, (string Kg, string Group)>(StringComparer.Ordinal);
        while (true)
        {
            var a = Active.FirstOrDefault(x => !matched.ContainsKey(x.Number) && next[x.Number] < x.Preferences.Length);
            if (a is null) return matched;
            var kg = a.Preferences[next[a.Number]++];
            var program = (kg, GroupOf[a.Number]);
            if (!Seats.TryGetValue(program, out var seats) || seats == 0) continue;
            if (!held.TryGetValue(program, out var holders)) held[program] = holders = [];
            holders.Add(a);
            matched[a.Number] = program;
            if (holders.Count > seats)
            {
                var worst = holders.MaxBy(b => KeyAt(b, kg))!;
                holders.Remove(worst);
                matched.Remove(worst.Number);
            }
        }
    }
}
