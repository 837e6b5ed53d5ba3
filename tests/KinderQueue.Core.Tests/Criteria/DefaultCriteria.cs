using KinderQueue.Core.Criteria;

namespace KinderQueue.Core.Tests.Criteria;

/// <summary>The published default criteria (algorithm-spec/criteria/default.json), read once from the repository.</summary>
internal static class DefaultCriteria
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"KinderQueue.sln not found above {AppContext.BaseDirectory}.");
    });

    private static readonly Lazy<byte[]> Bytes = new(() =>
        File.ReadAllBytes(Path.Combine(Root.Value, "algorithm-spec", "criteria", "default.json")));

    private static readonly Lazy<CriteriaDocument> Document = new(() => CriteriaJson.Parse(Bytes.Value).GetValueOrThrow());

    public static string RepoRoot => Root.Value;

    /// <summary>The file exactly as checked in (pretty-printed, not canonical).</summary>
    public static byte[] Json => Bytes.Value;

    public static CriteriaDocument Value => Document.Value;
}
