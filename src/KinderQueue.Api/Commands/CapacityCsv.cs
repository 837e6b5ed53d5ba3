using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Commands;

/// <summary>One bad row of a capacity file: the line, the column and what is wrong.</summary>
public sealed record CsvRowError(int Line, string Field, string Message);

/// <summary>What a row would change: the program and its seats before and after.</summary>
public sealed record CapacityChange(string Kindergarten, string Group, int Year, int? From, int To);

/// <summary>The outcome of a check: <see cref="Errors"/> lists the first <see cref="CapacityCsv.MaxListedErrors"/> bad rows, <see cref="ErrorCount"/> counts them all.</summary>
public sealed record CapacityCheck(int Rows, ImmutableArray<CsvRowError> Errors, ImmutableArray<CapacityChange> Changes, ImmutableArray<CapacityRow> Parsed, int ErrorCount);

/// <summary>
/// The department's capacity file: <c>kindergarten,group,year,seats</c>, one program per line.
/// Checked against the state (registered kindergartens, age groups of the criteria in force)
/// so a dry run shows every bad row and every change before anything is written.
/// </summary>
public static class CapacityCsv
{
    public static readonly string[] Header = ["kindergarten", "group", "year", "seats"];

    /// <summary>
    /// Bad rows listed at most (all are counted). A 2 MB file of bad rows once got a 20 MB answer that
    /// quoted every cell (issue 17); the first hundred show what is wrong with the file.
    /// </summary>
    public const int MaxListedErrors = 100;

    /// <summary>Characters of a cell quoted in a message at most.</summary>
    public const int MaxQuoted = 60;

    private static string Quote(string cell) => cell.Length <= MaxQuoted ? cell : string.Concat(cell.AsSpan(0, MaxQuoted), "…");

    public static CapacityCheck Check(string text, QueueState state, NodaTime.LocalDate today)
    {
        var errors = new BoundedErrors();
        var rows = ImmutableArray.CreateBuilder<CapacityRow>();
        var changes = ImmutableArray.CreateBuilder<CapacityChange>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var criteria = state.CriteriaInForce(today) ?? (state.CriteriaVersions.Count > 0 ? state.CriteriaVersions[^1].Criteria : null);
        if (lines.Length == 0 || !lines[0].Trim().TrimStart('\uFEFF').Split(',').Select(h => h.Trim().ToLowerInvariant()).SequenceEqual(Header))
        {
            errors.Add(new CsvRowError(1, "header", $"The first line must be '{string.Join(',', Header)}'."));
            return new CapacityCheck(0, errors.ToImmutable(), [], [], errors.Count);
        }
        if (criteria is null) errors.Add(new CsvRowError(1, "header", "No criteria are published, so no age groups exist yet."));
        var seen = new HashSet<ProgramId>();
        var count = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            count++;
            var lineNo = i + 1;
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length != 4)
            {
                errors.Add(new CsvRowError(lineNo, "row", $"Expected 4 values, found {cells.Length}."));
                continue;
            }
            var ok = true;
            if (!state.Kindergartens.ContainsKey(cells[0]))
            {
                errors.Add(new CsvRowError(lineNo, "kindergarten", $"Kindergarten '{Quote(cells[0])}' is not registered."));
                ok = false;
            }
            if (criteria is not null && criteria.FindGroup(cells[1]) is null)
            {
                errors.Add(new CsvRowError(lineNo, "group", $"Age group '{Quote(cells[1])}' is not in criteria {criteria.Version}."));
                ok = false;
            }
            if (!int.TryParse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 2000 || year > 2100)
            {
                errors.Add(new CsvRowError(lineNo, "year", $"'{Quote(cells[2])}' is not a year between 2000 and 2100."));
                ok = false;
            }
            if (!int.TryParse(cells[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seats) || seats > 10_000)
            {
                errors.Add(new CsvRowError(lineNo, "seats", $"'{Quote(cells[3])}' is not a whole number of seats between 0 and 10000."));
                ok = false;
            }
            if (!ok) continue;
            var id = new ProgramId(cells[0], cells[1], year);
            if (!seen.Add(id))
            {
                errors.Add(new CsvRowError(lineNo, "row", $"({Quote(cells[0])}, {Quote(cells[1])}, {year}) appears more than once."));
                continue;
            }
            rows.Add(new CapacityRow(cells[0], cells[1], year, seats));
            changes.Add(new CapacityChange(cells[0], cells[1], year, state.Capacity.TryGetValue(id, out var from) ? from : null, seats));
        }
        if (count == 0 && errors.Count == 0) errors.Add(new CsvRowError(2, "row", "The file has no rows."));
        return new CapacityCheck(count, errors.ToImmutable(), changes.ToImmutable(), rows.ToImmutable(), errors.Count);
    }

    /// <summary>Counts every error, keeps the first <see cref="MaxListedErrors"/>.</summary>
    private sealed class BoundedErrors
    {
        private readonly ImmutableArray<CsvRowError>.Builder _listed = ImmutableArray.CreateBuilder<CsvRowError>();

        public int Count { get; private set; }

        public void Add(CsvRowError error)
        {
            Count++;
            if (_listed.Count < MaxListedErrors) _listed.Add(error);
        }

        public ImmutableArray<CsvRowError> ToImmutable() => _listed.ToImmutable();
    }
}
