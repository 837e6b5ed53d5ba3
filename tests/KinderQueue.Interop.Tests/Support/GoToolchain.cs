using System.Diagnostics;
using System.Text;

namespace KinderQueue.Interop.Tests.Support;

/// <summary>
/// Debian's Go (golang-go) with golang.org/x/mod from golang-golang-x-mod-dev, used offline: GOPATH mode
/// (GO111MODULE=off) with GOPATH including /usr/share/gocode, where Debian installs the library's sources,
/// no module proxy, and a build cache in a temp folder. tests/run.sh installs both packages as root.
/// </summary>
internal sealed class GoToolchain
{
    /// <summary>Where Debian puts Go library sources; $KQ_GOCODE for another copy of x/mod in the same layout.</summary>
    public static string GoCode => System.Environment.GetEnvironmentVariable("KQ_GOCODE") is { Length: > 0 } dir ? dir : "/usr/share/gocode";

    private readonly string _go;
    private readonly string _work;

    private GoToolchain(string go, string work)
    {
        _go = go;
        _work = work;
    }

    /// <summary>
    /// Whether a missing toolchain fails the tests rather than letting them pass with a message: in CI
    /// (CI=true, as tests/run.sh treats Chromium and PostgreSQL) or when KQ_REQUIRE_GO=1.
    /// </summary>
    public static bool Required =>
        System.Environment.GetEnvironmentVariable("CI") == "true" || System.Environment.GetEnvironmentVariable("KQ_REQUIRE_GO") == "1";

    /// <summary>The toolchain, or null with the reason it is unusable here.</summary>
    public static GoToolchain? Find(string work, out string missing)
    {
        var go = System.Environment.GetEnvironmentVariable("KQ_GO") is { Length: > 0 } given ? given : OnPath("go");
        var note = Path.Combine(GoCode, "src", "golang.org", "x", "mod", "sumdb", "note");
        missing = go is null
            ? "no go on PATH (install Debian's golang-go; tests/run.sh does as root)"
            : !Directory.Exists(note)
                ? $"no golang.org/x/mod at {note} (install Debian's golang-golang-x-mod-dev; tests/run.sh does as root)"
                : "";
        return missing.Length == 0 ? new GoToolchain(go!, work) : null;
    }

    /// <summary>Runs <c>go</c> with <paramref name="args"/> in <paramref name="directory"/>.</summary>
    public Task<ProcessRun> GoAsync(string directory, params string[] args) => ProcessRun.RunAsync(_go, directory, GoEnvironment(), args);

    /// <summary>The offline GOPATH-mode environment: nothing is fetched, nothing is written outside the temp folder.</summary>
    public Dictionary<string, string> GoEnvironment() => new()
    {
        ["GO111MODULE"] = "off",
        ["GOPATH"] = $"{Path.Combine(_work, "gopath")}{Path.PathSeparator}{GoCode}",
        ["GOCACHE"] = Path.Combine(_work, "gocache"),
        ["GOPROXY"] = "off",
        ["GOFLAGS"] = "",
        ["CGO_ENABLED"] = "0",
    };

    private static string? OnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A finished process: its exit code and what it printed.</summary>
internal sealed record ProcessRun(int ExitCode, string Stdout, string Stderr)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task<ProcessRun> RunAsync(string file, string directory, IReadOnlyDictionary<string, string> environment, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {Timeout.TotalMinutes} min.");
        }
        return new ProcessRun(process.ExitCode, await stdout, await stderr);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
