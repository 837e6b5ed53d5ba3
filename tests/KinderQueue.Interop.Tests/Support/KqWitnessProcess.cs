using System.Diagnostics;
using System.Text;
using KinderQueue.Web.Tests.Support;

namespace KinderQueue.Interop.Tests.Support;

/// <summary>
/// The built <c>kq witness</c> run as an NGO runs it (<c>dotnet kq.dll witness --key … --state … --log-key …
/// --listen 127.0.0.1:0 --name …</c>), in its own process with its key and state in a fresh folder. Ready when
/// it prints its verifier key and the address it listens on; killed on dispose.
/// </summary>
internal sealed class KqWitnessProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private KqWitnessProcess(Process process, StringBuilder output, string verifierKey, Uri url)
    {
        _process = process;
        _output = output;
        VerifierKey = verifierKey;
        Url = url;
    }

    /// <summary>The witness's cosignature/v1 verifier key, as it printed it.</summary>
    public string VerifierKey { get; }

    /// <summary>Where it listens (POST add-checkpoint under it).</summary>
    public Uri Url { get; }

    /// <summary>What the witness printed so far, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<KqWitnessProcess> StartAsync(string folder, string name, string logKey)
    {
        var dll = Path.Combine(Artifacts.RepositoryRoot, "src", "KinderQueue.Cli", "bin", Artifacts.Configuration, "net10.0", "kq.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"kq is not built: {dll} is missing (dotnet build -c {Artifacts.Configuration}).");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[]
                 {
                     dll, "witness", "--key", Path.Combine(folder, "witness.key"), "--state", Path.Combine(folder, "witness-state.json"),
                     "--log-key", logKey, "--listen", "127.0.0.1:0", "--name", name,
                 })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["Logging__Console__ColorBehavior"] = "Disabled";

        var output = new StringBuilder();
        string? key = null;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (output) output.AppendLine(line);
            // "witness key: VKEY", then "listening on http://127.0.0.1:PORT (POST /add-checkpoint) for …" (WitnessCommand).
            if (line.StartsWith("witness key: ", StringComparison.Ordinal)) key = line["witness key: ".Length..].Trim();
            else if (line.StartsWith("listening on ", StringComparison.Ordinal)) listening.TrySetResult(new Uri(line.Split(' ')[2].TrimEnd('/') + "/"));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(listening.Task, exited).WaitAsync(StartTimeout);
            if (first == exited) throw new InvalidOperationException($"kq witness exited with {process.ExitCode} before listening:\n{output}");
            var url = await listening.Task;
            if (key is null) throw new InvalidOperationException($"kq witness did not print its key:\n{output}");
            return new KqWitnessProcess(process, output, key, url);
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>POSTs a c2sp.org/tlog-witness add-checkpoint body; the status and the response text.</summary>
    public async Task<(int Status, string Body)> AddCheckpointAsync(byte[] body)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        using var content = new ByteArrayContent(body);
        using var response = await http.PostAsync("add-checkpoint", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Left to the operating system; the test is over.
        }
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }
}
