using System.Diagnostics;
using System.Text.Json;

namespace KinderQueue.Cli.Tests;

/// <summary>The real <c>kq</c> process once: Program.cs wires RunAsync to the console and the exit code.</summary>
public sealed class CliProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<CliRun> RunProcess(params string[] args)
    {
        // The CLI is a project reference, so its kq.dll is copied next to the test assembly.
        var kq = Path.Combine(AppContext.BaseDirectory, "kq.dll");
        File.Exists(kq).Should().BeTrue($"kq.dll should be copied to {AppContext.BaseDirectory}");

        // dotnet test sets DOTNET_HOST_PATH to the dotnet executable running the tests.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(host) || !File.Exists(host) ? "dotnet" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(kq);
        foreach (var a in args) start.ArgumentList.Add(a);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kq {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_kq_process_allocates_a_vector_and_prints_json()
    {
        var run = await RunProcess("allocate", Repo.Vector001);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        using var doc = JsonDocument.Parse(run.Stdout);
        doc.RootElement.GetProperty("criteria").GetString().Should().Be("2027.1");
        doc.RootElement.GetProperty("offers").GetArrayLength().Should().Be(2);
    }
}
