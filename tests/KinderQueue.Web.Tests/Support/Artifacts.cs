namespace KinderQueue.Web.Tests.Support;

/// <summary>Where the browser tests find the repository and leave their evidence (screenshots, the service's log).</summary>
internal static class Artifacts
{
    /// <summary>The repository root: the folder above the test binaries that holds KinderQueue.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The build configuration these tests were built with; the service is started from the same one.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    /// <summary>$KQ_ARTIFACTS_DIR (tests/run.sh sets it to its results folder), else artifacts/test-results.</summary>
    public static string ResultsDirectory => Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("KQ_ARTIFACTS_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(RepositoryRoot, "artifacts", "test-results")).FullName;

    /// <summary>$KQ_SCREENSHOTS_DIR, else artifacts/test-results/screenshots.</summary>
    public static string ScreenshotsDirectory => Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("KQ_SCREENSHOTS_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(RepositoryRoot, "artifacts", "test-results", "screenshots")).FullName;

    /// <summary>A file name from a test name: letters, digits, dot, dash and underscore only.</summary>
    public static string FileNameOf(string testName) =>
        new([.. testName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No KinderQueue.sln above {AppContext.BaseDirectory}: the browser tests run from the repository's build output.");
    }
}
