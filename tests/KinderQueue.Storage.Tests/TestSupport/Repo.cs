using KinderQueue.Core.Criteria;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>Files of the repository the tests read: the published default criteria.</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"KinderQueue.sln not found above {AppContext.BaseDirectory}.");
    });

    private static readonly Lazy<CriteriaDocument> Default = new(() =>
        CriteriaJson.Parse(File.ReadAllBytes(Path.Combine(RootPath.Value, "algorithm-spec", "criteria", "default.json"))).GetValueOrThrow());

    /// <summary>algorithm-spec/criteria/default.json as published.</summary>
    public static CriteriaDocument DefaultCriteria => Default.Value;
}
