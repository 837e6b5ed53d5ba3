using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// Reads an allocation scenario (SPEC.md §9.2): the complete input of one round. The criteria
/// are inline or a file name that <c>loadCriteria</c> resolves (Core does no I/O; the caller
/// reads the file). Every field is checked, and the problems name the field.
/// </summary>
public static class ScenarioJson
{
    public delegate Parsed<CriteriaDocument> CriteriaLoader(string reference);

    public static Parsed<AllocationInput> Parse(ReadOnlyMemory<byte> json, CriteriaLoader loadCriteria)
    {
        try
        {
            using var doc = CanonicalJson.ParseInput(json);
            return Read(doc.RootElement, "$", loadCriteria);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Parsed<AllocationInput>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
    }

    public static Parsed<AllocationInput> Read(JsonElement root, string path, CriteriaLoader loadCriteria)
    {
        var f = new JsonFields();
        if (!f.WithinDepth(root, path) || !f.IsObject(root, path)) return Parsed<AllocationInput>.Fail(f.Problems);
        CriteriaDocument? criteria = null;
        if (f.TryGet(root, path, "criteria", out var ce))
        {
            // A reference that is not well-formed Unicode is reported by Text (json.string) and not loaded.
            var parsed = ce.ValueKind != JsonValueKind.String ? CriteriaJson.Read(ce, $"{path}.criteria")
                : f.Text(ce, $"{path}.criteria") is { } reference ? loadCriteria(reference)
                : null;
            foreach (var p in parsed?.Problems ?? []) f.Add(p.Path.StartsWith('$') && ce.ValueKind != JsonValueKind.String ? p.Path : $"{path}.criteria", p.Code, p.Message);
            criteria = parsed?.Value;
        }
        var date = f.Date(root, path, "date");
        var startDate = f.Date(root, path, "startDate");
        var kindergartens = f.Array(root, path, "kindergartens", (e, p) =>
            f.IsObject(e, p) ? f.Build(() => new KindergartenInfo(f.String(e, p, "id")!, f.String(e, p, "district")!, f.Strings(e, p, "catchment") ?? [])) : null);
        var programs = f.Array(root, path, "programs", (e, p) =>
            f.IsObject(e, p) ? f.Build(() => new ProgramSeats(f.String(e, p, "kindergarten")!, f.String(e, p, "group")!, (int)(f.Integer(e, p, "seats", 0, 100_000) ?? 0))) : null);
        var applicants = f.Array(root, path, "applicants", (e, p) =>
        {
            if (!f.IsObject(e, p)) return null;
            return f.Build(() => new Applicant(
                f.String(e, p, "number")!,
                f.Integer(e, p, "seq", 0, long.MaxValue) ?? 0,
                f.Instant(e, p, "registeredAt") ?? default,
                f.Month(e, p, "birthMonth") ?? default,
                f.String(e, p, "district")!,
                f.Strings(e, p, "preferences") ?? [],
                f.Date(e, p, "desiredStart") ?? default,
                f.Array(e, p, "claims", (c, cp) => f.IsObject(c, cp)
                    ? f.Build(() => new ApplicantClaim(f.String(c, cp, "tier")!, f.String(c, cp, "kindergarten", required: false), f.Boolean(c, cp, "verified") ?? false))
                    : null, required: false) ?? []));
        });
        if (f.HasProblems) return Parsed<AllocationInput>.Fail(f.Problems);
        var input = new AllocationInput(criteria!, date!.Value, startDate!.Value, kindergartens!.Value, programs!.Value, applicants!.Value);
        var problems = Check(input, path);
        return problems.Count > 0 ? Parsed<AllocationInput>.Fail(problems) : Parsed<AllocationInput>.Ok(input);
    }

    /// <summary>Consistency of a scenario: the same rules an application meets when it is submitted.</summary>
    private static List<ValidationProblem> Check(AllocationInput input, string path)
    {
        var problems = new List<ValidationProblem>();
        void Add(string p, string code, string message) => problems.Add(new ValidationProblem(p, code, message));
        var c = input.Criteria;
        if (input.StartDate < input.Date) Add($"{path}.startDate", "round.start-before-date", "Seats cannot start before the round runs.");
        if (!AllocationInput.DeadlineFits(c, input.Date))
            Add($"{path}.date", "round.date-range", $"Offers made on this date would have a deadline after {Formats.Format(Formats.MaxDate)}.");
        var kgs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < input.Kindergartens.Length; i++)
        {
            if (!kgs.Add(input.Kindergartens[i].Id))
                Add($"{path}.kindergartens[{i}].id", "scenario.duplicate-kindergarten", $"Kindergarten '{input.Kindergartens[i].Id}' appears twice.");
        }
        var programs = new HashSet<(string, string)>();
        for (var i = 0; i < input.Programs.Length; i++)
        {
            var p = input.Programs[i];
            var pp = $"{path}.programs[{i}]";
            if (!kgs.Contains(p.Kindergarten)) Add($"{pp}.kindergarten", "scenario.unknown-kindergarten", $"Kindergarten '{p.Kindergarten}' is not in kindergartens.");
            if (c.FindGroup(p.Group) is null) Add($"{pp}.group", "scenario.unknown-group", $"Age group '{p.Group}' is not in the criteria.");
            if (!programs.Add((p.Kindergarten, p.Group))) Add(pp, "scenario.duplicate-program", $"Program ({p.Kindergarten}, {p.Group}) appears twice.");
        }
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var seqs = new HashSet<long>();
        for (var i = 0; i < input.Applicants.Length; i++)
        {
            var a = input.Applicants[i];
            var ap = $"{path}.applicants[{i}]";
            if (!numbers.Add(a.Number)) Add($"{ap}.number", "scenario.duplicate-number", $"Application number '{a.Number}' appears twice.");
            if (!seqs.Add(a.Seq)) Add($"{ap}.seq", "scenario.duplicate-seq", $"Sequence number {a.Seq} appears twice; each application has its own log entry.");
            State.ApplicationRules.CheckPreferenceList(c, a.Preferences, kgs.Contains, $"{ap}.preferences", problems);
            for (var j = 0; j < a.Claims.Length; j++)
            {
                var tier = c.FindTier(a.Claims[j].Tier);
                if (tier is null || tier == c.DefaultTier || tier.Scope == TierScope.Catchment)
                    Add($"{ap}.claims[{j}].tier", "application.unknown-tier", $"'{a.Claims[j].Tier}' is not a tier that can be claimed under criteria {c.Version}.");
                else if (tier.Scope == TierScope.Sibling && (a.Claims[j].Kindergarten is null || !kgs.Contains(a.Claims[j].Kindergarten!)))
                    Add($"{ap}.claims[{j}].kindergarten", "application.sibling-kindergarten", "A sibling claim names the kindergarten the sibling attends.");
            }
        }
        return problems;
    }

}
