namespace KinderQueue.Web.Tests.Support;

/// <summary>One line of the demo's demo-applications.txt: an application a parent could look up.</summary>
public sealed record DemoApplication(string Number, string AccessCode, string Status, string Note)
{
    /// <summary>
    /// The file's format: '#' comment lines (the header among them), then one application a line:
    /// number, access code, status and a free-text note, separated by runs of spaces.
    /// </summary>
    public static IReadOnlyList<DemoApplication> ParseFile(string text)
    {
        var list = new List<DemoApplication>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length < 3 || !parts[0].StartsWith("KQ-", StringComparison.Ordinal))
                throw new FormatException($"Unexpected line in the demo applications file: '{line}'");
            list.Add(new DemoApplication(parts[0], parts[1], parts[2], parts.Length > 3 ? parts[3] : ""));
        }
        return list;
    }
}
