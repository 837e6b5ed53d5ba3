namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// <c>store</c>: the group-commit writer (LiveLog) under 64 concurrent submitters, in process.
/// <c>http</c>: the real service as a child process on 127.0.0.1, loaded over HTTP.
/// <c>export</c>: the public NDJSON export of a large log, downloaded and checked line by line.
/// <c>restart</c>: kill -9 of the service on a large log, time until /readyz answers again.
/// Each command prints exactly one JSON line on stdout; everything meant for people goes to stderr.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help") return Usage();
        var options = Options.Parse(args[1..]);
        if (options is null) return Usage();
        try
        {
            return args[0] switch
            {
                "store" => await StoreBenchmark.RunAsync(options),
                "http" => await HttpBenchmark.RunAsync(options),
                "export" => await ExportBenchmark.RunAsync(options),
                "lookup" => await LookupBenchmark.RunAsync(options),
                "site" => await SiteBenchmark.RunAsync(options),
                "restart" => await RestartBenchmark.RunAsync(options),
                "projection" => await ProjectionBenchmark.RunAsync(options),
                _ => Usage(),
            };
        }
        catch (BenchmarkException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              store --backend postgres|sqlite [--writers 64] [--events 200000] [--warmup 20000] [--connection CS] [--max-seconds 900] [--trace]
              http  --backend sqlite|postgres [--connections 64] [--seconds 20] [--warmup-seconds 10] [--connection CS] [--api-dll PATH]
              lookup --backend sqlite|postgres [--connections 64] [--seconds 10] [--warmup-seconds 5]
              site  [--connections 64] [--seconds 10] [--warmup-seconds 5]
              export --backend sqlite|postgres [--entries 1000000] [--connection CS] [--api-dll PATH] [--max-seconds 900]
              restart --backend sqlite|postgres [--entries 1000000] [--runs 3] [--connection CS] [--api-dll PATH] [--max-seconds 900]
              projection [--entries 100000] [--max-seconds 900]   (in process: the restart's folds timed part by part)
            postgres uses --connection or KQ_TEST_POSTGRES (a server on 127.0.0.1); a fresh database is created and dropped per run.
            """);
        return 2;
    }
}

/// <summary>A failure of the benchmark itself (setup, verification): reported on stderr, exit code 1.</summary>
public sealed class BenchmarkException(string message) : Exception(message);
