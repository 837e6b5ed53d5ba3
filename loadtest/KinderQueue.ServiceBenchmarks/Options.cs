using System.Globalization;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>Command-line options shared by both commands; unknown or malformed options are refused.</summary>
public sealed class Options
{
    public string Backend { get; private set; } = "sqlite";
    public int Writers { get; private set; } = 64;
    public int Events { get; private set; } = 200_000;
    public int Entries { get; private set; } = 1_000_000;
    public int? Warmup { get; private set; }
    public int Connections { get; private set; } = 64;
    public int Seconds { get; private set; } = 20;
    public int WarmupSeconds { get; private set; } = 10;
    public int MaxSeconds { get; private set; } = 900;
    public int Runs { get; private set; } = 3;
    public string? Connection { get; private set; }
    public string? ApiDll { get; private set; }
    public bool Trace { get; private set; }

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--trace")
            {
                o.Trace = true;
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (value is null)
            {
                Console.Error.WriteLine($"option {args[i]} needs a value");
                return null;
            }
            var ok = args[i] switch
            {
                "--backend" => Set(value is "postgres" or "sqlite", () => o.Backend = value),
                "--writers" => Int(value, 1, 4096, v => o.Writers = v),
                "--events" => Int(value, 1, 100_000_000, v => o.Events = v),
                "--entries" => Int(value, 100, 50_000_000, v => o.Entries = v),
                "--warmup" => Int(value, 0, 10_000_000, v => o.Warmup = v),
                "--connections" => Int(value, 1, 4096, v => o.Connections = v),
                "--seconds" => Int(value, 1, 3600, v => o.Seconds = v),
                "--warmup-seconds" => Int(value, 0, 600, v => o.WarmupSeconds = v),
                "--runs" => Int(value, 1, 100, v => o.Runs = v),
                "--max-seconds" => Int(value, 10, 7200, v => o.MaxSeconds = v),
                "--connection" => Set(true, () => o.Connection = value),
                "--api-dll" => Set(true, () => o.ApiDll = value),
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"bad option or value: {args[i]} {value}");
                return null;
            }
            i++;
        }
        return o;
    }

    /// <summary>The PostgreSQL server to create the run's database on.</summary>
    public string PostgresServer() =>
        Connection ?? Environment.GetEnvironmentVariable("KQ_TEST_POSTGRES")
        ?? throw new BenchmarkException("postgres needs --connection or KQ_TEST_POSTGRES (eval \"$(bash tests/postgres-cluster.sh start)\").");

    private static bool Set(bool valid, Action set)
    {
        if (valid) set();
        return valid;
    }

    private static bool Int(string text, int min, int max, Action<int> set)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max) return false;
        set(v);
        return true;
    }
}
