using KinderQueue.Core;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;

namespace KinderQueue.Cli;

/// <summary>File reading for the pure Core: every problem is reported with the file it came from.</summary>
internal static class InputFiles
{
    public static byte[]? Read(string file, TextWriter stderr)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"{file}: cannot read: {ex.Message}");
            return null;
        }
    }

    /// <summary>Resolves a criteria reference relative to the folder of the file that names it.</summary>
    public static ScenarioJson.CriteriaLoader CriteriaLoaderFor(string file) => reference =>
    {
        byte[] bytes;
        try
        {
            // Inside the try: a reference such as "a\u0000b" makes the path itself invalid (ArgumentException).
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", reference));
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Parsed<CriteriaDocument>.Fail("$.criteria", "criteria.file", $"Cannot read criteria file '{reference}': {ex.Message}");
        }
        var parsed = CriteriaJson.Parse(bytes);
        return parsed.Success
            ? parsed
            : Parsed<CriteriaDocument>.Fail([.. parsed.Problems.Select(p => p with { Message = $"in criteria file '{reference}' at {p.Path}: {p.Message}", Path = "$.criteria" })]);
    };

    public static void Report(string file, IEnumerable<ValidationProblem> problems, TextWriter stderr)
    {
        foreach (var p in problems) stderr.WriteLine($"{file}: {p.Path}: {p.Message} [{p.Code}]");
    }
}
