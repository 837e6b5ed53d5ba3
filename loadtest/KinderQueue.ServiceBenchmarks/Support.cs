using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>Latencies of many tasks, merged at the end.</summary>
public static class Percentiles
{
    public static double Of(List<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var index = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    public static List<double> Merge(IEnumerable<List<double>> parts)
    {
        var all = parts.SelectMany(x => x).ToList();
        all.Sort();
        return all;
    }
}

/// <summary>A throwaway database on the PostgreSQL server, dropped when disposed.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private ScratchDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string server, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        if (builder.Host is not ("127.0.0.1" or "localhost" or "::1"))
            throw new BenchmarkException($"refusing to load a PostgreSQL server that is not on this machine (host {builder.Host}).");
        var name = "kq_bench_" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        builder.Database = name;
        return new ScratchDatabase(server, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"warning: could not drop database {Name}: {ex.Message}");
        }
    }
}

/// <summary>CPU time of this process, of another process and of the whole machine, from /proc (Linux).</summary>
public sealed class CpuMeter
{
    private readonly Process? _other;
    private readonly TimeSpan _selfStart;
    private readonly TimeSpan _otherStart;
    private readonly (long Busy, long Total) _machineStart;
    private readonly long _started = Stopwatch.GetTimestamp();

    public CpuMeter(Process? other)
    {
        _other = other;
        _selfStart = Process.GetCurrentProcess().TotalProcessorTime;
        _otherStart = OtherTime();
        _machineStart = Machine();
    }

    /// <summary>Cores used on average (1.0 = one core busy the whole time) by this process, the other one and the machine.</summary>
    public (double Self, double Other, double Machine) Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var self = (Process.GetCurrentProcess().TotalProcessorTime - _selfStart).TotalSeconds / wall;
        var other = (OtherTime() - _otherStart).TotalSeconds / wall;
        var (busy, total) = Machine();
        var machine = total > _machineStart.Total ? (double)(busy - _machineStart.Busy) / (total - _machineStart.Total) * Environment.ProcessorCount : 0;
        return (self, other, machine);
    }

    private TimeSpan OtherTime()
    {
        if (_other is null) return TimeSpan.Zero;
        _other.Refresh();
        return _other.HasExited ? TimeSpan.Zero : _other.TotalProcessorTime;
    }

    private static (long Busy, long Total) Machine()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var total = fields.Take(8).Sum();
            return (total - idle, total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }
}

/// <summary>CPU time of the PostgreSQL backends serving one database (their titles name it), from /proc.</summary>
public sealed class BackendCpu
{
    private readonly string _database;
    private readonly Dictionary<int, long> _start;
    private readonly long _started = Stopwatch.GetTimestamp();

    public BackendCpu(string database)
    {
        _database = database;
        _start = Sample();
    }

    /// <summary>Cores used on average since construction.</summary>
    public double Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var ticks = Sample().Sum(p => p.Value - _start.GetValueOrDefault(p.Key));
        return ticks / 100.0 / wall; // USER_HZ is 100 on Linux
    }

    private Dictionary<int, long> Sample()
    {
        var result = new Dictionary<int, long>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) continue;
                try
                {
                    var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                    if (!cmdline.StartsWith("postgres:", StringComparison.Ordinal) || !cmdline.Contains(_database, StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
                    result[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
        catch (IOException)
        {
        }
        return result;
    }
}

/// <summary>The one JSON line a command prints: fields in the order given.</summary>
public sealed class ResultLine
{
    private readonly List<(string Name, object Value)> _fields = [];

    public ResultLine Add(string name, object value)
    {
        _fields.Add((name, value));
        return this;
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                switch (value)
                {
                    case string s: w.WriteString(name, s); break;
                    case int i: w.WriteNumber(name, i); break;
                    case long l: w.WriteNumber(name, l); break;
                    case double d: w.WriteNumber(name, Math.Round(d, 2)); break;
                    case bool b: w.WriteBoolean(name, b); break;
                    default: throw new ArgumentException($"unsupported value for {name}");
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
