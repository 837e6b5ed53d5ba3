namespace KinderQueue.Core;

/// <summary>
/// An expected failure returned as a value (never thrown): where (a JSON path such as
/// <c>$.categories[2].legalBasis</c>), a stable machine code, and a sentence for people.
/// The API turns these into RFC 9457 problem details; the CLI prints them with the file name.
/// </summary>
public sealed record ValidationProblem(string Path, string Code, string Message)
{
    public override string ToString() => $"{Path}: {Message} ({Code})";
}

/// <summary>Either a value or the problems that prevented it.</summary>
public sealed class Parsed<T> where T : class
{
    private Parsed(T? value, IReadOnlyList<ValidationProblem> problems)
    {
        Value = value;
        Problems = problems;
    }

    public T? Value { get; }
    public IReadOnlyList<ValidationProblem> Problems { get; }
    public bool Success => Value is not null && Problems.Count == 0;

    public static Parsed<T> Ok(T value) => new(value, Array.Empty<ValidationProblem>());
    public static Parsed<T> Fail(IReadOnlyList<ValidationProblem> problems) =>
        problems.Count == 0 ? throw new ArgumentException("A failure needs at least one problem.", nameof(problems)) : new(null, problems);
    public static Parsed<T> Fail(string path, string code, string message) => Fail(new[] { new ValidationProblem(path, code, message) });

    public T GetValueOrThrow() =>
        Success ? Value! : throw new InvalidOperationException("Parse failed: " + string.Join("; ", Problems));
}
