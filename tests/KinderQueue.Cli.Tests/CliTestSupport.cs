using System.Text.Json.Nodes;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

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

/// <summary>
/// A small real public log built in memory: every event is folded as it is appended (so the log is
/// one the service could have written) and kept as its NDJSON line. Starts with the criteria, the
/// district <c>central</c> and kindergartens <c>kg-1</c> (catchment central) and <c>kg-2</c>.
/// </summary>
internal sealed class SmallLog
{
    private readonly LogChain _chain = new();

    public SmallLog(CriteriaDocument criteria, string districtName = "Центральный район")
    {
        Append(On(2026, 12, 1), new CriteriaPublished(criteria));
        Append(On(2026, 12, 2), new DistrictRegistered("central", districtName));
        Append(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        Append(On(2026, 12, 3, 1), new KindergartenRegistered("kg-2", "Детский сад № 2", "central", []));
    }

    public QueueState State { get; } = new();

    public List<byte[]> Lines { get; } = [];

    public static CriteriaDocument DefaultCriteria() => CriteriaJson.Parse(File.ReadAllBytes(Repo.DefaultCriteria)).GetValueOrThrow();

    /// <summary>06:00 UTC of the day, plus minutes.</summary>
    public static Instant On(int y, int m, int d, int minute = 0) => Instant.FromUtc(y, m, d, 6, 0) + Duration.FromMinutes(minute);

    public void Append(Instant at, LogEvent e)
    {
        var (entry, bytes, _) = _chain.Append(at, "department:7f3a9c21", e);
        State.Apply(entry, e).Should().BeNull(e.Type);
        Lines.Add(bytes);
    }

    /// <summary>Writes <paramref name="lines"/> as an export file, each line ended by a newline unless the last is left open.</summary>
    public static string Write(string path, IEnumerable<byte[]> lines, bool finalNewline = true)
    {
        using var f = File.Create(path);
        var all = lines.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            f.Write(all[i]);
            if (i < all.Count - 1 || finalNewline) f.WriteByte((byte)'\n');
        }
        return path;
    }
}
