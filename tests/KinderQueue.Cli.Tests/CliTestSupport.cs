using System.Text.Json.Nodes;

namespace KinderQueue.Cli.Tests;

/// <summary>Paths into the checked-in spec, found by walking up to the solution file.</summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KinderQueue.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"KinderQueue.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => LazyRoot.Value;

    public const string Vector001Name = "001-sibling-wins-at-own-kindergarten-only.json";

    public static string Vector001 => Path.Combine(Root, "algorithm-spec", "vectors", "allocation", Vector001Name);

    public static string DefaultCriteria => Path.Combine(Root, "algorithm-spec", "criteria", "default.json");

    /// <summary>The "input" object of the 001 vector (with its relative "criteria" reference).</summary>
    public static JsonObject Vector001Input() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Vector001))!["input"]!.DeepClone();

    /// <summary>The "expected" object of the 001 vector as raw JSON text.</summary>
    public static string Vector001Expected() => JsonNode.Parse(File.ReadAllText(Vector001))!["expected"]!.ToJsonString();
}

/// <summary>A temporary folder deleted when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kq-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string text)
    {
        var full = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text);
        return full;
    }

    public string Write(string relative, JsonNode json) => Write(relative, json.ToJsonString());

    public string CopyIn(string source, string relative)
    {
        var full = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.Copy(source, full);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The outcome of one in-process <c>kq</c> run.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> Of(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
