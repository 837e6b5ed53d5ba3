using KinderQueue.Core.Criteria;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The published default criteria (algorithm-spec/criteria/default.json), embedded in the
/// service at build time so that `--demo` works from any folder and from the container image.
/// </summary>
internal static class DemoCriteria
{
    public const string ResourceName = "default-criteria.json";

    public static (CriteriaDocument Criteria, string File) Load()
    {
        using var stream = typeof(DemoCriteria).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in the service.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var parsed = CriteriaJson.Parse(buffer.ToArray());
        if (!parsed.Success)
            throw new InvalidDataException($"{ResourceName}: {string.Join("; ", parsed.Problems.Select(p => $"{p.Path} {p.Message}"))}");
        return (parsed.Value!, "algorithm-spec/criteria/default.json (embedded)");
    }
}
