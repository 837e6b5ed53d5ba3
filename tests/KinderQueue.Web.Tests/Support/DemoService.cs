using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// The real service, started the way a user starts the demo: <c>dotnet KinderQueue.Api.dll --urls
/// http://127.0.0.1:PORT --demo</c> with its data folder in a fresh temp directory (also its working
/// directory). Ready when the service logs "Demo ready:": the demo region is filled
/// (demo-applications.txt written), and the dashboard and a signed checkpoint cover the whole log.
/// Its output goes to a log file among the test artifacts, so a failure can be diagnosed after the run.
/// </summary>
internal sealed class DemoService : IAsyncDisposable
{
    /// <summary>How long the demo may take to fill and be projected (about 10 s on an idle 2-core machine).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>What the service logs once everything a visitor sees covers the whole demo log.</summary>
    private const string ReadyLine = "Demo ready:";

    private readonly Process _process;
    private readonly LogSink _log;
    private readonly Task _ready;
    private readonly string _dataRoot;
    private readonly string _dll;

    public Uri BaseAddress { get; }
    public string LogFile { get; }
    public IReadOnlyList<DemoApplication> Applications { get; private set; } = [];

    private DemoService(Process process, LogSink log, Task ready, string logFile, string dataRoot, string dll, Uri baseAddress)
    {
        _process = process;
        _dll = dll;
        _log = log;
        _ready = ready;
        LogFile = logFile;
        _dataRoot = dataRoot;
        BaseAddress = baseAddress;
    }

    /// <param name="logFileName">The service's log among the test artifacts: one per test project that starts it (the interop tests link this class).</param>
    /// <param name="settings">More configuration as environment variables (KinderQueue__Section__Key), e.g. the tiles origins the site may read.</param>
    public static async Task<DemoService> StartAsync(string logFileName = "KinderQueue.Web.Tests.service.log", IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = Path.Combine(Artifacts.RepositoryRoot, "src", "KinderQueue.Api", "bin", Artifacts.Configuration, "net10.0", "KinderQueue.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The service is not built: {dll} is missing (dotnet build -c {Artifacts.Configuration}).");

        var root = Directory.CreateTempSubdirectory("kq-web-tests-").FullName;
        var dataDir = Path.Combine(root, "data");
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var logFile = Path.Combine(Artifacts.ResultsDirectory, logFileName);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // --urls before --demo, as the README shows.
        foreach (var arg in new[] { dll, "--urls", baseAddress.ToString().TrimEnd('/'), "--demo" }) start.ArgumentList.Add(arg);
        start.Environment["KinderQueue__DataDir"] = dataDir;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Plain lines in the log file, not terminal colour codes.
        start.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "0";
        start.Environment["Logging__Console__ColorBehavior"] = "Disabled";

        var log = new LogSink(logFile);
        log.Write($"# {DateTimeOffset.Now:O} dotnet {string.Join(' ', start.ArgumentList)}  (KinderQueue__DataDir={dataDir})");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            log.Write(e.Data);
            if (e.Data?.Contains(ReadyLine, StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new DemoService(process, log, ready.Task, logFile, root, dll, baseAddress);
        try
        {
            await service.WaitUntilReadyAsync(Path.Combine(dataDir, "demo-applications.txt"));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    private async Task WaitUntilReadyAsync(string demoFile)
    {
        var clock = Stopwatch.StartNew();
        var exited = _process.WaitForExitAsync();
        try
        {
            if (await Task.WhenAny(_ready, exited).WaitAsync(StartTimeout) == exited)
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} before it was ready; see {LogFile}.");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The demo service did not log \"{ReadyLine}\" within {StartTimeout.TotalSeconds} s; see {LogFile}.");
        }
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var readyz = await http.GetStringAsync("readyz");
        Applications = DemoApplication.ParseFile(await File.ReadAllTextAsync(demoFile));
        if (Applications.Count == 0) throw new InvalidOperationException($"{demoFile} lists no demo application.");
        _log.Write($"# tests: ready after {clock.Elapsed.TotalSeconds:F1} s: {readyz}");
    }

    /// <summary>
    /// A staff bearer token for this service, minted as its README says (<c>dotnet KinderQueue.Api.dll token
    /// --role R</c>) with the key in the demo's data folder.
    /// </summary>
    public async Task<string> StaffTokenAsync(string role)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { _dll, "token", "--role", role, "--subject", "web-tests", "--data-dir", Path.Combine(_dataRoot, "data") })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the token command.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(wait.Token);
        return process.ExitCode == 0
            ? (await stdout).Trim()
            : throw new InvalidOperationException($"token --role {role} exited with {process.ExitCode}: {await stderr}");
    }

    /// <summary>The first demo application with the given status, else the first one listed.</summary>
    public DemoApplication Application(string status = "waiting") =>
        Applications.FirstOrDefault(a => a.Status == status) ?? Applications[0];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (OperationCanceledException)
        {
            _log.Write("# tests: the service did not exit within 15 s of being killed");
        }
        _process.Dispose();
        _log.Dispose();
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // left in the temp folder; harmless
        }
    }

    /// <summary>
    /// Runs the built kq (src/KinderQueue.Cli) with <paramref name="args"/> as a user runs it; its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> KqAsync(params string[] args)
    {
        var dll = Path.Combine(Artifacts.RepositoryRoot, "src", "KinderQueue.Cli", "bin", Artifacts.Configuration, "net10.0", "kq.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"kq is not built: {dll} is missing (dotnet build -c {Artifacts.Configuration}).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start kq.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(wait.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The service's output lines, written as they come; lines after the end are dropped.</summary>
    private sealed class LogSink(string file) : IDisposable
    {
        private readonly StreamWriter _writer = new(file, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        private bool _closed;

        public void Write(string? line)
        {
            if (line is null) return;
            lock (_writer)
            {
                if (!_closed) _writer.WriteLine(line);
            }
        }

        public void Dispose()
        {
            lock (_writer)
            {
                _closed = true;
                _writer.Dispose();
            }
        }
    }
}
