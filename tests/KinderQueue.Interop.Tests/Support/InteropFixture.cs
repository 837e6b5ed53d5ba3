using KinderQueue.Web.Tests.Support;
using Xunit.Abstractions;

namespace KinderQueue.Interop.Tests.Support;

/// <summary>
/// Shared by the interop tests: the Go checker (tests/interop/tlogcheck) built once with Debian's Go and
/// x/mod, and one real demo service on 127.0.0.1 whose checkpoint and proofs it checks. When Go is
/// missing neither is started; each test then fails (CI) or passes saying why it checked nothing.
/// </summary>
public sealed class InteropFixture : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("kq-interop-tests-").FullName;
    private GoToolchain? _go;
    private DemoService? _service;
    private string _missing = "";

    /// <summary>tests/interop/tlogcheck: the checker's sources (and its Go tests).</summary>
    public static string CheckerSources => Path.Combine(Artifacts.RepositoryRoot, "tests", "interop", "tlogcheck");

    internal GoToolchain Go => _go ?? throw new InvalidOperationException("Go is not available.");

    internal DemoService Service => _service ?? throw new InvalidOperationException("The service was not started.");

    public Uri BaseAddress => Service.BaseAddress;

    /// <summary>The built checker binary.</summary>
    public string Checker => Path.Combine(_work, "tlogcheck");

    /// <summary>A fresh folder for one test's files.</summary>
    public string NewFolder() => Directory.CreateDirectory(Path.Combine(_work, "t-" + Guid.NewGuid().ToString("N"))).FullName;

    public async Task InitializeAsync()
    {
        _go = GoToolchain.Find(_work, out _missing);
        if (_go is null) return;
        var build = await _go.GoAsync(CheckerSources, "build", "-o", Checker, ".");
        if (build.ExitCode != 0) throw new InvalidOperationException($"go build of {CheckerSources} failed:\n{build}");
        _service = await DemoService.StartAsync("KinderQueue.Interop.Tests.service.log");
    }

    /// <summary>
    /// True when Go is here and the test may go on. Without Go: throws when it is required (CI=true or
    /// KQ_REQUIRE_GO=1), else writes why to the test output and returns false (xunit 2 has no runtime skip).
    /// </summary>
    internal bool GoAvailable(ITestOutputHelper output)
    {
        if (_go is not null) return true;
        if (GoToolchain.Required)
            throw new InvalidOperationException($"The Go interop tests are required here (CI=true or KQ_REQUIRE_GO=1), and Go is unusable: {_missing}.");
        output.WriteLine($"SKIPPED (passes without checking): {_missing}. CI runs these tests.");
        Console.WriteLine($"KinderQueue.Interop.Tests: Go unavailable, nothing checked: {_missing}");
        return false;
    }

    /// <summary>Runs the built checker with <paramref name="args"/>.</summary>
    internal Task<ProcessRun> CheckAsync(params string[] args) =>
        ProcessRun.RunAsync(Checker, _work, new Dictionary<string, string>(), args);

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
